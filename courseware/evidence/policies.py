"""Who may see a learner's work and the evidence handed in with it.

The learner; whoever may review the work (``review.policies.may_review``); their mentor; and
the managers whose scope holds the learner (admins too, through ``manages``). Views answer 404
to everyone else, so that evidence one may not see looks like evidence that does not exist.
"""

from __future__ import annotations

from courseware.auth.policies import manages, mentors
from courseware.extensions import db
from courseware.models import ChecklistState, EvidenceFile, Lesson, Submission, User
from courseware.review.policies import may_review


def can_see_work(user, learner_id: int, course_id: int) -> bool:
    """May ``user`` see this learner's work in this course (and what comes with it)?"""
    if not user.is_authenticated:
        return False
    if user.id == learner_id:
        return True
    if may_review(user, learner_id, course_id):
        return True
    learner = db.session.get(User, learner_id)
    return learner is not None and (mentors(user, learner) or manages(user, learner))


def course_of_evidence(evidence: EvidenceFile) -> int | None:
    """The course of the work a file was handed in with."""
    if evidence.submission_id is not None:
        submission = db.session.get(Submission, evidence.submission_id)
        return submission.course_id if submission is not None else None
    state = db.session.get(ChecklistState, evidence.checklist_state_id)
    lesson = db.session.get(Lesson, state.lesson_id) if state is not None else None
    return lesson.course_id if lesson is not None else None


def can_see_evidence(user, evidence: EvidenceFile) -> bool:
    """Those who may see the work the file was handed in with."""
    course_id = course_of_evidence(evidence)
    return course_id is not None and can_see_work(user, evidence.user_id, course_id)


def can_remove_evidence(user, evidence: EvidenceFile) -> bool:
    """The learner alone takes a file off their own checklist."""
    return bool(user.is_authenticated and evidence.user_id == user.id and evidence.checklist_state_id is not None)

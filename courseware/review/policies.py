"""Who may review what: practice work and checklists, answered in one place.

``review_rights`` lists every right to review that holds now. The single check
(``may_review``), the queue and its filters (``review_scope_condition``,
``reviewed_courses_condition``, ``mentees_condition``) and the workload page all read it, so
that a right never counts in one of them and not in another.

Practice work and checklists are reviewed by a course's owner and editors and by the learner's
mentor while these are trainers, by the learners named reviewers of the course, and by admins;
nobody reviews their own work. Taking the role away takes the right away at once; the rows
stay, and count again if the role comes back. Views answer 404 where these say no, so that
what a person may not see looks exactly like what does not exist.
"""

from __future__ import annotations

from sqlalchemy import (
    ColumnElement,
    Integer,
    Subquery,
    cast,
    exists,
    false,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)

from courseware.extensions import db
from courseware.models import ChecklistState, Course, CourseStaff, Lesson, Mentorship, Submission, User, UserRole


def _is_active(user_column) -> ColumnElement[bool]:
    return exists().where(User.id == user_column, User.is_active.is_(True))


def holds_role(user_column, role: str) -> ColumnElement[bool]:
    """A condition: the person in ``user_column`` is active and holds ``role`` now."""
    return exists().where(UserRole.user_id == user_column, UserRole.role == role) & _is_active(user_column)


def review_rights(reviewer_id: int | None = None) -> Subquery:
    """Every right to review practice work and checklists now: rows of (reviewer_id, course_id,
    learner_id), where exactly one of course_id and learner_id is set.

    A row is a right only with the role it needs: owning a course, being named one of its
    editors, or mentoring a learner counts while the person is a trainer; being named a
    reviewer of a course (a learner who earned it) needs no role. Deactivated people have no
    rights. Admins review everything and are not listed. With ``reviewer_id``, that person's rights only.
    """
    no_id = cast(null(), Integer)

    def mine(column):
        return true() if reviewer_id is None else column == reviewer_id

    named = select(
        CourseStaff.user_id.label("reviewer_id"), CourseStaff.course_id.label("course_id"), no_id.label("learner_id")
    ).where(CourseStaff.role == "reviewer", mine(CourseStaff.user_id), _is_active(CourseStaff.user_id))
    edited = select(CourseStaff.user_id, CourseStaff.course_id, no_id).where(
        CourseStaff.role == "editor", mine(CourseStaff.user_id), holds_role(CourseStaff.user_id, "trainer")
    )
    owned = select(Course.owner_id, Course.id, no_id).where(
        Course.owner_id.is_not(None), mine(Course.owner_id), holds_role(Course.owner_id, "trainer")
    )
    mentored = select(Mentorship.mentor_id, no_id, Mentorship.learner_id).where(
        mine(Mentorship.mentor_id), holds_role(Mentorship.mentor_id, "trainer")
    )
    return union_all(named, edited, owned, mentored).subquery("review_rights")


def review_scope_condition(user, learner_column, course_column) -> ColumnElement[bool]:
    """A condition selecting work (by its learner and course columns) that ``user`` may review:
    anything for an admin, else what ``review_rights`` gives them; never their own work."""
    if not user.is_authenticated:
        return false()
    own = learner_column != user.id
    if user.has_role("admin"):
        return own
    rights = review_rights(user.id)
    granted = (
        select(rights.c.reviewer_id)
        .where(or_(rights.c.course_id == course_column, rights.c.learner_id == learner_column))
        .exists()
    )
    return own & granted


def may_review(user, learner_id: int, course_id: int) -> bool:
    """May ``user`` review this learner's work in this course now? The check for one piece of work
    (a submission or a checklist); it asks ``review_scope_condition``, as the queue does."""
    if not user.is_authenticated or learner_id == user.id:
        return False
    return bool(db.session.scalar(select(review_scope_condition(user, literal(learner_id), literal(course_id)))))


def may_review_anything(user) -> bool:
    """Coarse: may open the review queue (a trainer, an admin, or anyone with a right to review)."""
    if not user.is_authenticated:
        return False
    if user.has_role("trainer", "admin"):
        return True
    rights = review_rights(user.id)
    return bool(db.session.scalar(select(select(rights.c.reviewer_id).exists())))


def reviewed_courses_condition(user) -> ColumnElement[bool]:
    """A condition on ``Course`` selecting the courses whose work ``user`` reviews (by course)."""
    if user.has_role("admin"):
        return true()
    rights = review_rights(user.id)
    return Course.id.in_(select(rights.c.course_id).where(rights.c.course_id.is_not(None)))


def mentees_condition(user) -> ColumnElement[bool]:
    """A condition on ``User`` selecting the people ``user`` mentors now (none once not a trainer)."""
    rights = review_rights(user.id)
    return User.id.in_(select(rights.c.learner_id).where(rights.c.learner_id.is_not(None)))


def can_review_submission(user, submission: Submission) -> bool:
    """Whoever ``may_review`` the learner's work in the submission's course; never its author."""
    return may_review(user, submission.user_id, submission.course_id)


def can_verify_checklist(user, state: ChecklistState) -> bool:
    """Same people as for practice work, for a checklist a trainer must confirm."""
    lesson = db.session.get(Lesson, state.lesson_id)
    return lesson is not None and may_review(user, state.user_id, lesson.course_id)


TEMPLATE_POLICIES = {"can_review_submission": can_review_submission}

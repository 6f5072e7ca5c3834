"""Who may author, review and mentor: object-level rules, used by views and templates alike.

Trainers edit the courses they own or were granted (``CourseStaff`` editor); admins edit
every course and grant editors. Practice work and checklists are reviewed by a course's
owner, editors and reviewers, by the learner's mentor, and by admins; nobody reviews their
own work. Views answer 404 where these say no, so that what a person may not see looks
exactly like what does not exist.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, or_, select, true

from courseware.auth.policies import manages, mentors
from courseware.extensions import db
from courseware.models import ChecklistState, Course, CourseStaff, Enrollment, Lesson, Mentorship, Submission, User

AUTHOR_ROLES = ("trainer", "admin")


def can_author(user) -> bool:
    """Coarse: may use the authoring pages at all (create courses, see those they may edit)."""
    return bool(user.is_authenticated and user.has_role(*AUTHOR_ROLES))


def can_edit_course(user, course: Course) -> bool:
    """An admin; or a trainer who owns the course or was made one of its editors."""
    if not user.is_authenticated:
        return False
    if user.has_role("admin"):
        return True
    if not user.has_role("trainer"):
        return False
    if course.owner_id == user.id:
        return True
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    CourseStaff.course_id == course.id, CourseStaff.user_id == user.id, CourseStaff.role == "editor"
                )
            )
        )
    )


def can_grant_editors(user) -> bool:
    """Only admins grant (and withdraw) the right to edit a course."""
    return bool(user.is_authenticated and user.has_role("admin"))


def editable_courses_condition(user) -> ColumnElement[bool]:
    """A condition on ``Course`` selecting the courses ``user`` may edit."""
    if user.has_role("admin"):
        return true()
    if not user.has_role("trainer"):
        return false()
    granted = select(CourseStaff.course_id).where(CourseStaff.user_id == user.id, CourseStaff.role == "editor")
    return or_(Course.owner_id == user.id, Course.id.in_(granted))


# --- reviewing ------------------------------------------------------------------------------


def reviewable_course_ids(user) -> set[int] | None:
    """The courses whose practice work ``user`` reviews; None for an admin (every course)."""
    if user.has_role("admin"):
        return None
    staff = select(CourseStaff.course_id).where(CourseStaff.user_id == user.id)
    owned = select(Course.id).where(Course.owner_id == user.id)
    return set(db.session.scalars(staff.union(owned)))


def mentee_ids(user) -> set[int]:
    """The ids of the learners ``user`` mentors."""
    return set(db.session.scalars(select(Mentorship.learner_id).where(Mentorship.mentor_id == user.id)))


def may_review_anything(user) -> bool:
    """Coarse: may open the review queue (a trainer, an admin, or anyone with a course or mentee)."""
    if not user.is_authenticated:
        return False
    if user.has_role("trainer", "admin"):
        return True
    return bool(
        db.session.scalar(select(exists().where(CourseStaff.user_id == user.id)))
        or db.session.scalar(select(exists().where(Mentorship.mentor_id == user.id)))
    )


def review_scope_condition(user, learner_column, course_column) -> ColumnElement[bool]:
    """A condition selecting work (by its learner and course columns) that ``user`` may review."""
    own = learner_column != user.id
    if user.has_role("admin"):
        return own
    staff = select(CourseStaff.course_id).where(CourseStaff.user_id == user.id)
    owned = select(Course.id).where(Course.owner_id == user.id)
    mentored = select(Mentorship.learner_id).where(Mentorship.mentor_id == user.id)
    return own & or_(course_column.in_(staff), course_column.in_(owned), learner_column.in_(mentored))


def _may_review(user, learner_id: int, course_id: int) -> bool:
    if not user.is_authenticated or learner_id == user.id:
        return False
    if user.has_role("admin"):
        return True
    course_ids = reviewable_course_ids(user)
    if course_ids is not None and course_id in course_ids:
        return True
    learner = db.session.get(User, learner_id)
    return learner is not None and mentors(user, learner)


def can_review_submission(user, submission: Submission) -> bool:
    """Staff of the submission's course, the learner's mentor, or an admin; never the author."""
    return _may_review(user, submission.user_id, submission.course_id)


def can_verify_checklist(user, state: ChecklistState) -> bool:
    """Same people as for practice work, for a checklist a trainer must confirm."""
    lesson = db.session.get(Lesson, state.lesson_id)
    return lesson is not None and _may_review(user, state.user_id, lesson.course_id)


# --- mentoring ------------------------------------------------------------------------------


def can_mentor_view(user, learner: User) -> bool:
    """A mentor sees their mentees' progress, work and shared journal entries; nobody else does here."""
    return bool(user.is_authenticated and learner.id != user.id and mentors(user, learner))


def can_pair_mentors(user) -> bool:
    """Coarse: admins and managers pair mentors with learners."""
    return bool(user.is_authenticated and user.has_role("admin", "manager"))


def can_pair(user, learner: User) -> bool:
    """An admin pairs anyone; a manager pairs the people of the teams they manage."""
    return can_pair_mentors(user) and manages(user, learner)


def completed_with_approved_practice(learner: User, course_id: int) -> bool:
    """True when the learner completed the course and a trainer approved practice work in it."""
    completed = db.session.scalar(
        select(
            exists().where(
                Enrollment.user_id == learner.id,
                Enrollment.course_id == course_id,
                Enrollment.completed_at.is_not(None),
            )
        )
    )
    if not completed:
        return False
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Submission.user_id == learner.id,
                    Submission.course_id == course_id,
                    Submission.status == "approved",
                    Submission.reviews.any(),
                )
            )
        )
    )


def can_make_reviewer(user, learner: User, course_id: int) -> bool:
    """A manager (of the learner's team) or an admin, once the learner has earned it."""
    return can_pair(user, learner) and completed_with_approved_practice(learner, course_id)


TEMPLATE_POLICIES = {
    "can_author": can_author,
    "can_edit_course": can_edit_course,
    "can_grant_editors": can_grant_editors,
    "can_review_submission": can_review_submission,
    "can_verify_checklist": can_verify_checklist,
    "can_mentor_view": can_mentor_view,
    "can_pair_mentors": can_pair_mentors,
}

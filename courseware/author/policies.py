"""Who may author, review and mentor: object-level rules, used by views and templates alike.

Every right needs its role as well as its row. Trainers edit the courses they own or were
granted (``CourseStaff`` editor); admins edit every course and grant editors. Practice work and
checklists are reviewed by a course's owner and editors and by the learner's mentor while these
are trainers, by the learners named reviewers of the course, and by admins; nobody reviews
their own work. Taking the role away takes the right away at once; the rows stay, and count
again if the role comes back. Views answer 404 where these say no, so that what a person may
not see looks exactly like what does not exist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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

from courseware.auth.policies import manages, mentors
from courseware.extensions import db
from courseware.models import (
    ChecklistState,
    Course,
    CourseStaff,
    Enrollment,
    JournalEntry,
    Lesson,
    ManagerScope,
    Mentorship,
    Submission,
    User,
    UserRole,
)

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
#
# Who may review what is answered in one place, ``review_rights``. The single checks
# (``may_review``), the queue and its filters (``review_scope_condition``,
# ``reviewed_courses_condition``, ``mentees_condition``) and the workload page all read it, so
# that a right never counts in one of them and not in another.


def _is_active(user_column) -> ColumnElement[bool]:
    return exists().where(User.id == user_column, User.is_active.is_(True))


def _holds_role(user_column, role: str) -> ColumnElement[bool]:
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
        CourseStaff.role == "editor", mine(CourseStaff.user_id), _holds_role(CourseStaff.user_id, "trainer")
    )
    owned = select(Course.owner_id, Course.id, no_id).where(
        Course.owner_id.is_not(None), mine(Course.owner_id), _holds_role(Course.owner_id, "trainer")
    )
    mentored = select(Mentorship.mentor_id, no_id, Mentorship.learner_id).where(
        mine(Mentorship.mentor_id), _holds_role(Mentorship.mentor_id, "trainer")
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
    """May ``user`` review this learner's work in this course now? The one check every page uses."""
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


# --- mentoring ------------------------------------------------------------------------------


def can_mentor_view(user, learner: User) -> bool:
    """A mentor sees their mentees' progress, work and shared journal entries; nobody else does here."""
    return bool(user.is_authenticated and learner.id != user.id and mentors(user, learner))


# Entries a learner shares "with my mentor" go to the people who were their mentor when they
# shared them, not to whoever is paired with them later: a learner writing for the mentor they
# know should not find it read by the next one. The learner re-shares an entry to show it to a
# new mentor. Entries shared "with my manager" follow the role: whoever manages the learner's
# team reads them, as do admins. The learner's journal names these people for every entry.


def mentor_reads_entry(entry: JournalEntry, paired_at: dt.datetime) -> bool:
    """True when a mentor paired with the learner at ``paired_at`` reads ``entry``: it is shared
    with the learner's mentor, and was written or had its sharing saved since that pairing."""
    return bool(entry.shared_with_mentor) and entry.updated_at >= paired_at


@dataclass(frozen=True)
class JournalReaders:
    """Who reads what a learner shares from their journal, by name, as the learner is told it."""

    mentors: tuple[tuple[str, dt.datetime], ...]  # (name, paired at), for each mentor in force now
    managers: tuple[str, ...]  # the managers of the learner's team now

    @property
    def mentor_names(self) -> list[str]:
        return [name for name, _ in self.mentors]

    def mentors_reading(self, entry: JournalEntry) -> list[str]:
        return [name for name, paired_at in self.mentors if mentor_reads_entry(entry, paired_at)]

    def mentors_not_reading(self, entry: JournalEntry) -> list[str]:
        """Mentors paired since the entry was shared with the learner's mentor, who do not read it."""
        if not entry.shared_with_mentor:
            return []
        return [name for name, paired_at in self.mentors if not mentor_reads_entry(entry, paired_at)]


def journal_readers(learner: User) -> JournalReaders:
    """The learner's mentors (active trainers) and the managers of their team, now; two queries."""
    mentors = db.session.execute(
        select(User.name, Mentorship.created_at)
        .join(Mentorship, Mentorship.mentor_id == User.id)
        .where(Mentorship.learner_id == learner.id, _holds_role(User.id, "trainer"))
        .order_by(Mentorship.created_at, User.name)
    ).all()
    managers = ()
    if learner.team_id is not None:
        managers = db.session.scalars(
            select(User.name)
            .join(ManagerScope, ManagerScope.manager_id == User.id)
            .where(ManagerScope.team_id == learner.team_id, _holds_role(User.id, "manager"))
            .order_by(User.name)
        ).all()
    return JournalReaders(tuple((name, paired_at) for name, paired_at in mentors), tuple(managers))


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
    "journal_readers": journal_readers,
}

"""Who may mentor, pair and promote: object-level rules for mentoring, used by views and templates.

A mentor sees their mentees' work while a trainer; admins and managers pair mentors with the
learners they manage, and make a learner a reviewer of a course once they have earned it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import exists, select

from courseware.auth.policies import manages, mentors
from courseware.extensions import db
from courseware.models import Enrollment, JournalEntry, ManagerScope, Mentorship, Submission, User
from courseware.review.policies import holds_role


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
        .where(Mentorship.learner_id == learner.id, holds_role(User.id, "trainer"))
        .order_by(Mentorship.created_at, User.name)
    ).all()
    managers = ()
    if learner.team_id is not None:
        managers = db.session.scalars(
            select(User.name)
            .join(ManagerScope, ManagerScope.manager_id == User.id)
            .where(ManagerScope.team_id == learner.team_id, holds_role(User.id, "manager"))
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
    """True when the learner completed the course and practice work of theirs in it was reviewed and
    approved (by whoever could review it: a trainer, a named reviewer or an admin)."""
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


TEMPLATE_POLICIES = {"journal_readers": journal_readers}

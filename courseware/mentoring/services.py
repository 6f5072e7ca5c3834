"""Mentoring: who mentors whom, what a mentor sees of a mentee, and learners who become reviewers."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, select
from sqlalchemy.exc import IntegrityError

from courseware.auth.policies import mentors
from courseware.auth.services import find_user_by_email
from courseware.authoring.services import trainers
from courseware.core.links import site_path
from courseware.db import utcnow
from courseware.exceptions import Invalid, NotAllowed
from courseware.extensions import db
from courseware.i18n import lazy_gettext as _l
from courseware.learn.course_map import CourseCard, my_courses
from courseware.manage.policies import Scope
from courseware.mentoring.policies import can_make_reviewer, can_pair, mentor_reads_entry
from courseware.models import (
    Course,
    CourseStaff,
    Enrollment,
    JournalEntry,
    Lesson,
    LessonRevision,
    Mentorship,
    Review,
    Submission,
    User,
    UserRole,
)
from courseware.notifications.services import notify
from courseware.review.policies import mentees_condition

log = logging.getLogger(__name__)


def mentor_choices() -> list[User]:
    """Active trainers, who can be mentors."""
    return trainers()


@dataclass
class PairingProblem:
    email: str
    message: str


def pair(manager: User, mentor: User, emails: list[str]) -> tuple[list[User], list[PairingProblem]]:
    """Make ``mentor`` the mentor of each learner named by email; all or nothing.

    Refuses a mentor who is not a trainer, and (listing each) unknown emails, people outside the
    manager's teams and the mentor themselves. Pairs that exist already are left as they are.
    """
    if not mentor.has_role("trainer") or not mentor.is_active:
        raise Invalid(_("%(name)s is not an active trainer.", name=mentor.name), field="mentor")
    problems, learners = [], []
    for email in dict.fromkeys(e.strip().lower() for e in emails if e.strip()):
        learner = find_user_by_email(email)
        if learner is None or not can_pair(manager, learner):
            # The same words for both, so that a manager cannot probe for people outside their teams.
            problems.append(
                PairingProblem(email, _("%(email)s: no one in your teams has this email address.", email=email))
            )
        elif learner.id == mentor.id:
            problems.append(PairingProblem(email, _("%(email)s: a mentor cannot mentor themselves.", email=email)))
        else:
            learners.append(learner)
    if problems or not learners:
        return [], problems or [PairingProblem("", _("Give at least one learner's email address."))]
    added = [learner for learner in learners if _add_pair(manager, mentor, learner)]
    for learner in added:
        notify(
            mentor,
            "mentoring",
            _l("You are now %(name)s's mentor.", name=learner.name),
            site_path("mentoring.mentee", user_id=learner.id),
        )
        notify(
            learner,
            "mentoring",
            _l(
                "%(name)s is now your mentor: they follow your progress and practice work, and read the "
                "journal entries you share with your mentor from now on. Entries shared before stay hidden from "
                "them unless you share them again.",
                name=mentor.name,
            ),
            site_path("learn.journal"),
        )
    log.info("user %s paired mentor %s with %s", manager.id, mentor.id, [learner.id for learner in added])
    return added, []


def unpair(manager: User, mentor_id: int, learner_id: int) -> None:
    """End a mentorship; only someone who may pair the learner can."""
    pairing = db.session.get(Mentorship, (mentor_id, learner_id))
    learner = db.session.get(User, learner_id)
    if pairing is None or learner is None or not can_pair(manager, learner):
        raise NotAllowed(_("No such pairing."))
    db.session.delete(pairing)
    db.session.flush()
    log.info("user %s ended mentorship %s -> %s", manager.id, mentor_id, learner_id)


@dataclass
class Pairing:
    mentorship: Mentorship
    learner: User
    mentor_name: str
    mentor_email: str
    in_force: bool  # the mentor is an active trainer; otherwise the pairing gives no access


def _add_pair(manager: User, mentor: User, learner: User) -> bool:
    """Pair them unless they are paired already; the pair's primary key decides between two
    managers pairing the same two people at the same moment."""
    if db.session.get(Mentorship, (mentor.id, learner.id)) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(Mentorship(mentor_id=mentor.id, learner_id=learner.id, created_by_id=manager.id))
    except IntegrityError:
        return False
    return True


def pairings(scope: Scope) -> list[Pairing]:
    """Every pair whose learner is in the scope, by mentor then learner, saying which are in force."""
    Mentor = User.__table__.alias("mentor")
    trainer = exists().where(UserRole.user_id == Mentor.c.id, UserRole.role == "trainer")
    statement = (
        select(Mentorship, User, Mentor.c.name, Mentor.c.email, trainer & Mentor.c.is_active)
        .join(User, User.id == Mentorship.learner_id)
        .join(Mentor, Mentor.c.id == Mentorship.mentor_id)
        .where(scope.people())
        .order_by(Mentor.c.name, User.name)
    )
    return [Pairing(*row) for row in db.session.execute(statement)]


# --- the mentor's view ----------------------------------------------------------------------


@dataclass
class MenteeRow:
    learner: User
    cards: list[CourseCard]
    waiting: int
    last_active_at: dt.datetime | None


def mentee_overview(mentor: User) -> list[MenteeRow]:
    """Each mentee with their courses' progress, work waiting for review and when last active."""
    learners = list(db.session.scalars(select(User).where(mentees_condition(mentor)).order_by(User.name)))
    ids = [learner.id for learner in learners]
    waiting = dict(
        db.session.execute(
            select(Submission.user_id, func.count())
            .where(Submission.user_id.in_(ids), Submission.status == "submitted")
            .group_by(Submission.user_id)
        ).all()
    )
    last = dict(
        db.session.execute(
            select(Enrollment.user_id, func.max(Enrollment.last_activity_at))
            .where(Enrollment.user_id.in_(ids))
            .group_by(Enrollment.user_id)
        ).all()
    )
    return [
        MenteeRow(learner, my_courses(learner), waiting.get(learner.id, 0), last.get(learner.id))
        for learner in learners
    ]


@dataclass
class SubmissionRow:
    submission: Submission
    course: Course
    lesson: Lesson
    title: str
    reviews: list[Review]


def mentee_submissions(learner: User) -> list[SubmissionRow]:
    """All the learner's practice work, newest first, with its course, lesson and reviews."""
    rows = db.session.execute(
        select(Submission, Course, Lesson, LessonRevision.title)
        .join(Course, Course.id == Submission.course_id)
        .join(Lesson, Lesson.id == Submission.lesson_id)
        .outerjoin(LessonRevision, LessonRevision.id == Lesson.published_revision_id)
        .where(Submission.user_id == learner.id)
        .order_by(Submission.id.desc())
    ).all()
    return [
        SubmissionRow(s, course, lesson, title or lesson.slug, list(s.reviews)) for s, course, lesson, title in rows
    ]


def shared_journal(mentor: User, learner: User) -> list[JournalEntry]:
    """The learner's journal entries this mentor reads, newest first: those shared with their
    mentor since this pairing (``mentor_reads_entry``); nothing else."""
    pairing = db.session.get(Mentorship, (mentor.id, learner.id))
    if pairing is None or not mentors(mentor, learner):
        return []
    entries = db.session.scalars(
        select(JournalEntry)
        .where(JournalEntry.user_id == learner.id, JournalEntry.shared_with_mentor.is_(True))
        .order_by(JournalEntry.created_at.desc())
    )
    return [entry for entry in entries if mentor_reads_entry(entry, pairing.created_at)]


# --- learners who become reviewers ------------------------------------------------------------


@dataclass
class Candidate:
    learner: User
    course: Course
    completed_at: dt.datetime


def reviewer_candidates(scope: Scope) -> list[Candidate]:
    """People in scope who completed a course with approved practice and do not review it yet."""
    approved = exists().where(
        Submission.user_id == Enrollment.user_id,
        Submission.course_id == Enrollment.course_id,
        Submission.status == "approved",
        Submission.reviews.any(),
    )
    already = exists().where(
        CourseStaff.user_id == Enrollment.user_id,
        CourseStaff.course_id == Enrollment.course_id,
        CourseStaff.role == "reviewer",
    )
    rows = db.session.execute(
        select(User, Course, Enrollment.completed_at)
        .join(Enrollment, Enrollment.user_id == User.id)
        .join(Course, Course.id == Enrollment.course_id)
        .where(and_(scope.people(), Enrollment.completed_at.is_not(None), approved, ~already))
        .order_by(Enrollment.completed_at.desc())
        .limit(200)
    ).all()
    return [Candidate(user, course, completed_at) for user, course, completed_at in rows]


def reviewers(scope: Scope) -> list[tuple[User, Course, CourseStaff]]:
    """Learners in scope who review a course, with the course, by course then name."""
    rows = db.session.execute(
        select(User, Course, CourseStaff)
        .join(CourseStaff, CourseStaff.user_id == User.id)
        .join(Course, Course.id == CourseStaff.course_id)
        .where(scope.people(), CourseStaff.role == "reviewer")
        .order_by(Course.title, User.name)
    ).all()
    return [tuple(row) for row in rows]


def make_reviewer(manager: User, learner: User, course: Course) -> CourseStaff:
    """Let a learner who completed the course with approved practice review that course's work."""
    if not can_make_reviewer(manager, learner, course.id):
        raise NotAllowed(
            _(
                "%(name)s has not completed %(course)s with approved practice work.",
                name=learner.name,
                course=course.title,
            )
        )
    row = db.session.get(CourseStaff, (course.id, learner.id, "reviewer"))
    if row is None:
        row = CourseStaff(
            course_id=course.id, user_id=learner.id, role="reviewer", granted_by_id=manager.id, created_at=utcnow()
        )
        db.session.add(row)
        db.session.flush()
        notify(
            learner,
            "reviewer",
            _l("You can now review practice work in %(course)s.", course=course.title),
            site_path("review.queue", course=course.id),
        )
        log.info("user %s made user %s a reviewer of course %s", manager.id, learner.id, course.slug)
    return row


def remove_reviewer(manager: User, learner: User, course: Course) -> None:
    """Withdraw a learner's right to review the course (only someone who may pair them can)."""
    if not can_pair(manager, learner):
        raise NotAllowed(_("No such reviewer."))
    row = db.session.get(CourseStaff, (course.id, learner.id, "reviewer"))
    if row is not None:
        db.session.delete(row)
        db.session.flush()

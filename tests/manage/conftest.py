"""Helpers for managers' tests: an organisation of two teams and learners with hand-made histories."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from courseware.db import utcnow
from courseware.extensions import db as database
from courseware.manage.figures import forget_all
from courseware.models import Enrollment, LearningEvent, Lesson, LessonProgress, ManagerScope, Submission
from courseware.progress import rules

DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _figures_worked_out_on_every_request(request):
    """Managers' tests see every change at once: figures are not kept between requests (the
    tests of keeping them set their own ``MANAGE_FIGURES_SECONDS``)."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    saved = app.config["MANAGE_FIGURES_SECONDS"]
    app.config["MANAGE_FIGURES_SECONDS"] = 0
    with app.app_context():
        forget_all()
    try:
        yield
    finally:
        app.config["MANAGE_FIGURES_SECONDS"] = saved
        with app.app_context():
            forget_all()


@dataclass
class Org:
    north: object
    south: object
    course: object
    manager: object  # manages North only
    admin: object
    trainer: object
    learner: object  # a plain learner (in North)


@pytest.fixture
def org(make_user, make_team, make_course, db):
    north, south = make_team("North"), make_team("South")
    course = make_course()
    manager = make_user(email="manager@example.org", name="Mona Manager", roles=("manager",))
    db.session.add(ManagerScope(manager_id=manager.id, team_id=north.id))
    db.session.commit()
    return Org(
        north=north,
        south=south,
        course=course,
        manager=manager,
        admin=make_user(email="admin@example.org", name="Ada Admin", roles=("admin",)),
        trainer=make_user(email="trainer@example.org", name="Tess Trainer", roles=("trainer",), team=north),
        learner=make_user(email="plain@example.org", name="Plain Learner", team=north),
    )


def lessons_of(course) -> list[Lesson]:
    from sqlalchemy import select

    return list(database.session.scalars(select(Lesson).where(Lesson.course_id == course.id).order_by(Lesson.id)))


def enroll_at(user, course, when: dt.datetime, due: dt.date | None = None, completed: dt.datetime | None = None):
    """An enrollment made at ``when`` (with its passive 'enrolled' event), as if assigned then."""
    enrollment = Enrollment(
        user_id=user.id, course_id=course.id, due_date=due, enrolled_at=when, completed_at=completed
    )
    database.session.add(enrollment)
    add_event(user, rules.ENROLLED, when, course=course)
    return enrollment


def add_event(user, verb: str, when: dt.datetime, *, course=None, lesson=None, **fields) -> LearningEvent:
    event = LearningEvent(
        user_id=user.id,
        verb=verb,
        course_id=course.id if course is not None else (lesson.course_id if lesson is not None else None),
        module_id=lesson.module_id if lesson is not None else None,
        lesson_id=lesson.id if lesson is not None else None,
        created_at=when,
        **fields,
    )
    database.session.add(event)
    database.session.flush()
    return event


def active_days(user, course, days_ago: list[float], now: dt.datetime | None = None) -> None:
    """One 'viewed' event on the course's first lesson at each of ``days_ago`` before now; the
    enrollment counts as started from the first of them, as recording an event makes it."""
    now = now or utcnow()
    lesson = lessons_of(course)[0]
    for days in days_ago:
        add_event(user, rules.VIEWED, now - dt.timedelta(days=days), lesson=lesson)
    if days_ago:
        first = now - dt.timedelta(days=max(days_ago))
        database.session.flush()
        for enrollment in database.session.scalars(
            select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.course_id == course.id)
        ):
            if enrollment.started_at is None or enrollment.started_at > first:
                enrollment.started_at = first


def progress(user, lesson, status: str, when: dt.datetime) -> None:
    database.session.add(
        LessonProgress(
            user_id=user.id,
            lesson_id=lesson.id,
            course_id=lesson.course_id,
            status=status,
            activities_done=[],
            started_at=when,
            completed_at=when if status == "completed" else None,
            last_activity_at=when,
        )
    )


def waiting_submission(user, lesson, when: dt.datetime) -> Submission:
    submission = Submission(
        user_id=user.id,
        lesson_id=lesson.id,
        course_id=lesson.course_id,
        revision_id=lesson.published_revision_id,
        activity_key="practice-1",
        text="My work.",
        status="submitted",
        created_at=when,
    )
    database.session.add(submission)
    return submission

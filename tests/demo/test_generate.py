"""The synthetic organisation: realistic, consistent with the progress rules, the same for a seed."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from courseware.demo.generate import count_rows, generate_organisation
from courseware.manage.people import PeopleFilter, all_people, clock
from courseware.manage.policies import Scope
from courseware.models import Enrollment, LearningEvent, ManagerScope, Review, Submission, User
from courseware.progress.services import rebuild
from tests.conftest import QUIZ

PRACTICE = {
    "key": "practice-1",
    "type": "practice",
    "prompt": "Write three objectives.",
    "rubric": [{"name": "Specific", "good": "Names what will change."}],
    "approval": "required",
}
CHECKLIST = {"key": "setup", "type": "checklist", "items": ["One", "Two"], "verified_by": "trainer"}
REFLECTION = {"key": "reflection-1", "type": "reflection", "prompt": "What surprised you?"}
TODAY = dt.date(2026, 3, 1)


@pytest.fixture
def course(make_course):
    return make_course(
        modules=[
            ("start", [("quiz", [QUIZ]), ("practice", [PRACTICE]), ("read", [])]),
            ("go-on", [("checklist", [CHECKLIST]), ("reflect", [REFLECTION]), ("quiz-again", [QUIZ])]),
        ]
    )


def fingerprint(db):
    first_events = db.session.execute(
        select(User.email, LearningEvent.verb, LearningEvent.lesson_id, LearningEvent.created_at, LearningEvent.success)
        .join(User, User.id == LearningEvent.user_id)
        .order_by(LearningEvent.id)
        .limit(40)
    ).all()
    people = db.session.execute(select(User.email, User.name).order_by(User.email)).all()
    return count_rows(), [tuple(row) for row in first_events], [tuple(row) for row in people]


def test_the_same_seed_gives_the_same_organisation(db, course):
    savepoint = db.session.begin_nested()
    generate_organisation(60, 5, course=course, echo=lambda _: None, today=TODAY)
    first = fingerprint(db)
    savepoint.rollback()
    savepoint = db.session.begin_nested()
    generate_organisation(60, 5, course=course, echo=lambda _: None, today=TODAY)
    assert fingerprint(db) == first
    savepoint.rollback()
    generate_organisation(60, 6, course=course, echo=lambda _: None, today=TODAY)
    assert fingerprint(db) != first


def test_generated_progress_agrees_with_the_event_log(db, course):
    result = generate_organisation(120, 11, course=course, echo=lambda _: None)
    db.session.commit()
    assert result.learners == 120 and result.enrollments == 120
    assert result.events == db.session.scalar(select(func.count()).select_from(LearningEvent))
    assert rebuild() == 0


def test_the_organisation_has_every_kind_of_learner(db, course):
    result = generate_organisation(200, 3, course=course, echo=lambda _: None)
    db.session.commit()
    assert result.teams >= 2 and result.managers == result.teams
    assert db.session.scalar(select(func.count()).select_from(ManagerScope)) >= result.teams
    assert db.session.scalar(select(func.count()).select_from(Review)) > 0
    assert db.session.scalar(select(func.count()).select_from(Submission).where(Submission.status == "submitted")) > 0
    assert db.session.scalar(select(func.count()).select_from(Enrollment).where(Enrollment.completed_at.is_not(None)))
    rows = list(all_people(Scope(None), PeopleFilter(), clock(14)))
    # The status computed in SQL is the one the rules give, for every generated learner.
    assert all(row.status_code == row.status.status for row in rows)
    statuses = {row.status_code for row in rows}
    assert {"on_track", "stalled", "completed", "overdue"} <= statuses
    trends = {row.trend for row in all_people(Scope(None), PeopleFilter(), clock(14))}
    assert {"up", "down", "flat"} <= trends


def test_demo_generate_command(runner, db, course):
    result = runner.invoke(args=["demo", "generate", "--learners", "25", "--seed", "9"])
    assert result.exit_code == 0, result.output
    assert "Created 25 learners." in result.output
    assert "Generated 25 learners in 2 teams with 2 managers" in result.output
    again = runner.invoke(args=["demo", "generate", "--learners", "25", "--seed", "9"])
    assert again.exit_code != 0
    assert "seed 9 already exists" in again.output
    rebuilt = runner.invoke(args=["progress", "rebuild"])
    assert "0 progress row(s) differed" in rebuilt.output

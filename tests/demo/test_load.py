"""``flask demo load``: the demo accounts, created only when asked for, and idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from courseware.models import Course, User
from tests.conftest import post
from tests.core.web import is_logged_in


def user_count(db) -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_demo_load_is_idempotent_and_the_demo_learner_can_log_in(runner, client, db):
    first = runner.invoke(args=["demo", "load"])
    after_first = user_count(db)
    second = runner.invoke(args=["demo", "load"])

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert "Traceback" not in first.output + second.output
    assert user_count(db) == after_first
    emails = set(db.session.scalars(select(User.email)))
    assert {"admin@example.org", "manager@example.org", "trainer@example.org", "learner@example.org"} <= emails
    learners = db.session.scalars(select(User).where(User.email.in_(emails))).all()
    assert len([u for u in learners if u.roles == {"learner"}]) >= 3
    assert len({u.team_id for u in learners if u.roles == {"learner"}} - {None}) == 2
    response = post(client, "/login", {"email": "learner@example.org", "password": "courseware-demo"})
    assert response.status_code == 302
    assert is_logged_in(client)


def test_demo_accounts_exist_only_when_asked_for(db):
    assert db.session.scalar(select(User).where(User.email == "learner@example.org")) is None


def test_the_demo_trainer_edits_the_built_in_course_and_the_manager_sees_an_organisation(app, runner, db):
    first = runner.invoke(args=["demo", "load", "--organisation", "12"])
    assert first.exit_code == 0, first.output
    people = user_count(db)
    again = runner.invoke(args=["demo", "load", "--organisation", "12"])
    assert again.exit_code == 0, again.output
    assert "The sample organisation is already there." in again.output
    assert user_count(db) == people  # a rerun adds nobody

    trainer, manager = app.test_client(), app.test_client()
    post(trainer, "/login", {"email": "trainer@example.org", "password": "courseware-demo"})
    course_id = db.session.scalar(select(Course.id).where(Course.slug == "social-media-practice"))
    editor = trainer.get(f"/author/courses/{course_id}")
    assert editor.status_code == 200, editor.status_code
    assert "Archive" in editor.get_data(as_text=True)

    post(manager, "/login", {"email": "manager@example.org", "password": "courseware-demo"})
    table = manager.get("/manage/people").get_data(as_text=True)
    generated = db.session.scalars(select(User.name).where(User.email.like("learner%@org1.example.org"))).all()
    assert len(generated) == 12
    assert sum(1 for name in set(generated) if name in table) >= 3

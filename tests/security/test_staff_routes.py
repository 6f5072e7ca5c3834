"""Every authoring, review and mentoring route, walked as a visitor, a learner and an outside trainer."""

from __future__ import annotations

import pytest
from flask import url_for
from sqlalchemy import func, select

from courseware.models import CourseStaff, LessonRevision, Mentorship, Module, Submission
from tests.conftest import lesson_of, post
from tests.core.web import redirects_to_login

BLUEPRINTS = ("author", "review", "mentoring")


@pytest.fixture
def targets(db, make_user, trainer, practice_course, hand_in, tick_all):
    learner = make_user()
    submission = hand_in(learner, practice_course)
    state = tick_all(learner, practice_course)
    lesson = lesson_of(db, practice_course, "write")
    db.session.add(Mentorship(mentor_id=trainer.id, learner_id=learner.id))
    db.session.add(CourseStaff(course_id=practice_course.id, user_id=trainer.id, role="editor"))
    db.session.commit()
    return {
        "course_id": practice_course.id,
        "module_id": db.session.scalar(select(Module.id).where(Module.course_id == practice_course.id)),
        "lesson_id": lesson.id,
        "revision_id": lesson.published_revision_id,
        "submission_id": submission.id,
        "state_id": state.id,
        "user_id": learner.id,
        "mentor_id": trainer.id,
        "learner_id": learner.id,
        "notification_id": 1,
        "role": "editor",
    }


def requests_of(app, targets):
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint.split(".")[0] not in BLUEPRINTS:
                continue
            url = url_for(rule.endpoint, **{name: targets[name] for name in rule.arguments})
            found.extend((method, url, rule.endpoint) for method in sorted(rule.methods - {"HEAD", "OPTIONS"}))
    assert len(found) > 30
    return found


def unchanged(db, targets) -> tuple:
    return (
        db.session.scalar(select(func.count()).select_from(LessonRevision)),
        db.session.scalar(select(Submission.status).where(Submission.id == targets["submission_id"])),
        db.session.scalar(select(func.count()).select_from(Mentorship)),
        db.session.scalar(select(func.count()).select_from(CourseStaff)),
    )


def test_visitors_are_sent_to_log_in_from_every_route(app, client, db, targets):
    before = unchanged(db, targets)
    for method, url, _ in requests_of(app, targets):
        response = client.get(url) if method == "GET" else post(client, url, {"title": "x", "direction": "up"})
        assert redirects_to_login(response), (method, url, response.status_code)
    assert client.get("/notifications/").status_code == 302
    db.session.expire_all()
    assert unchanged(db, targets) == before


def test_a_learner_is_refused_everywhere(app, client, db, login, make_user, targets):
    login(make_user())
    before = unchanged(db, targets)
    for method, url, _ in requests_of(app, targets):
        response = client.get(url) if method == "GET" else post(client, url, {"title": "x", "direction": "up"})
        assert response.status_code == 403, (method, url, response.status_code)
    assert client.get("/notifications/").status_code == 200
    db.session.expire_all()
    assert unchanged(db, targets) == before


def test_a_trainer_outside_the_course_sees_nothing_of_it(app, client, db, login, make_user, targets):
    """404 on every object of a course they do not edit and on work they do not review."""
    login(make_user(roles=("trainer",)))
    before = unchanged(db, targets)
    allowed = {
        "author.index",
        "author.new_course",
        "author.import_zip",
        "review.queue",
        "review.workload",
        "mentoring.mentees",
    }
    for method, url, endpoint in requests_of(app, targets):
        response = client.get(url) if method == "GET" else post(client, url, {"title": "x", "direction": "up"})
        if endpoint in allowed:
            continue
        expected = (
            (403,)
            if endpoint.startswith("mentoring.") and endpoint not in ("mentoring.mentee", "mentoring.add_note")
            else (403, 404)
        )
        assert response.status_code in expected, (method, url, response.status_code)
    db.session.expire_all()
    assert unchanged(db, targets) == before


def test_posts_without_a_csrf_token_are_refused(app, client, db, login, make_user, targets):
    login(make_user(roles=("admin", "trainer")))
    before = unchanged(db, targets)
    for method, url, _ in requests_of(app, targets):
        if method == "POST":
            assert client.post(url, data={"title": "x", "direction": "up"}).status_code == 400, url
    db.session.expire_all()
    assert unchanged(db, targets) == before

"""A session stays alive while it is used, on a real SQLite file outside any test transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from courseware.auth.services import create_user
from courseware.extensions import db
from courseware.models import Team, UserSession
from tests.conftest import TEST_PASSWORD, build_app, csrf_token
from tests.core.web import new_client


@pytest.fixture(scope="module")
def file_app(tmp_path_factory):
    """An app on its own SQLite file, committing for real, as under gunicorn."""
    app = build_app("sqlite", str(tmp_path_factory.mktemp("sessions")))
    with app.app_context():
        create_user("admin@example.org", "Ada Admin", TEST_PASSWORD, roles=("admin",))
        db.session.commit()
    yield app
    app.extensions["courseware.db"]["engine"].dispose()


def logged_in_admin(app):
    client = new_client(app)
    response = client.post(
        "/login",
        data={"email": "admin@example.org", "password": TEST_PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302
    with client.session_transaction() as session:
        return client, session["sid"]


def last_seen(app, sid: str) -> dt.datetime:
    with app.app_context():
        return db.session.get(UserSession, sid).last_seen_at


def idle_for(app, sid: str, minutes: int) -> dt.datetime:
    earlier = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes)
    with app.app_context():
        db.session.execute(update(UserSession).where(UserSession.id == sid).values(last_seen_at=earlier))
        db.session.commit()
    return earlier


def test_a_form_sent_minutes_after_the_last_page_is_saved_and_keeps_the_session_alive(file_app):
    """Regression: the visit was recorded on a second connection that waited for the request's
    own write lock on SQLite, so such a POST hung for the busy timeout and then failed."""
    client, sid = logged_in_admin(file_app)
    token = csrf_token(client, "/admin/teams")
    earlier = idle_for(file_app, sid, minutes=5)

    response = client.post("/admin/teams", data={"name": "Communications", "csrf_token": token})

    assert response.status_code == 302
    with file_app.app_context():
        assert db.session.scalar(select(Team.name).where(Team.name == "Communications")) == "Communications"
    assert last_seen(file_app, sid) > earlier


def test_reading_a_page_minutes_later_keeps_the_session_alive(file_app):
    client, sid = logged_in_admin(file_app)
    earlier = idle_for(file_app, sid, minutes=5)

    assert client.get("/admin/people").status_code == 200
    assert last_seen(file_app, sid) > earlier


def test_a_session_used_every_20_seconds_outlives_a_one_minute_idle_timeout(file_app, monkeypatch):
    """Visits are recorded often enough that a session in use never looks idle."""
    from courseware.auth import sessions

    client, _sid = logged_in_admin(file_app)
    start = dt.datetime.now(dt.UTC)
    monkeypatch.setitem(file_app.config, "SESSION_IDLE_MINUTES", 1)
    for step in range(1, 13):  # four minutes, a page every 20 seconds
        moment = start + dt.timedelta(seconds=20 * step)
        monkeypatch.setattr(sessions, "utcnow", lambda moment=moment: moment)
        response = client.get("/admin/people")
        assert response.status_code == 200, f"logged out after {20 * step} s of use"

    idle = start + dt.timedelta(seconds=20 * 12 + 61)
    monkeypatch.setattr(sessions, "utcnow", lambda: idle)
    assert client.get("/admin/people").status_code == 302  # a minute without a page ends it

"""When Redis stops answering, logging in still works and the limits go on, counted in memory."""

from __future__ import annotations

import logging

import pytest

from courseware.auth.services import create_user
from courseware.extensions import db
from tests.conftest import TEST_PASSWORD, build_app, limiter_restored, post, private_redis

FALLING_BACK = "falling back to in-memory storage"


@pytest.fixture
def redis_server():
    with private_redis() as server:
        yield server


@pytest.fixture
def redis_app(redis_server, tmp_path):
    """An app whose rate limits live in the private Redis, with a lockout after 3 failures."""
    with limiter_restored():
        app = build_app("sqlite", str(tmp_path), REDIS_URL=redis_server.url, LOGIN_LOCKOUT="3 per 15 minutes")
        with app.app_context():
            create_user("ada@example.org", "Ada", TEST_PASSWORD)
            db.session.commit()
        try:
            yield app
        finally:
            app.extensions["courseware.db"]["engine"].dispose()


def log_in(app, password: str) -> int:
    return post(app.test_client(), "/login", {"email": "ada@example.org", "password": password}).status_code


def test_login_goes_on_when_redis_stops_answering_and_limits_still_apply(redis_app, redis_server, caplog):
    assert log_in(redis_app, "not the password") == 422
    assert redis_server.client.dbsize() > 0, "the limits should be counted in Redis while it answers"

    redis_server.stop()
    caplog.set_level(logging.WARNING)

    assert log_in(redis_app, TEST_PASSWORD) == 302
    for _ in range(3):
        assert log_in(redis_app, "not the password") == 422
    assert log_in(redis_app, TEST_PASSWORD) == 429
    assert [record.getMessage() for record in caplog.records].count(
        "Rate limit storage unreachable - " + FALLING_BACK
    ) == 1

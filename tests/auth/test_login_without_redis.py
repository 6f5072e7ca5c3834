"""When Redis stops answering, logging in still works and the limits go on, counted in memory."""

from __future__ import annotations

import logging
import subprocess
import time

import pytest
import redis

from courseware.auth.services import create_user
from courseware.extensions import db, limiter
from tests.conftest import TEST_PASSWORD, build_app, free_port, post

FALLING_BACK = "falling back to in-memory storage"


@pytest.fixture
def private_redis():
    """A Redis server of this test's own on a spare port (never the shared one), to stop at will."""
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port, socket_connect_timeout=1)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("the private redis-server did not start")
            time.sleep(0.05)
    yield port, server, client
    if server.poll() is None:
        server.terminate()
        server.wait(10)


@pytest.fixture
def redis_app(private_redis, tmp_path):
    """An app whose rate limits live in the private Redis, with a lockout after 3 failures."""
    port = private_redis[0]
    # The limiter is one object bound to every app the tests build: put back what this app changes.
    saved = dict(vars(limiter))
    saved["_storage_options"] = dict(limiter._storage_options)
    app = build_app("sqlite", str(tmp_path), REDIS_URL=f"redis://127.0.0.1:{port}/0", LOGIN_LOCKOUT="3 per 15 minutes")
    with app.app_context():
        create_user("ada@example.org", "Ada", TEST_PASSWORD)
        db.session.commit()
    try:
        yield app
    finally:
        app.extensions["courseware.db"]["engine"].dispose()
        vars(limiter).clear()
        vars(limiter).update(saved)


def log_in(app, password: str) -> int:
    return post(app.test_client(), "/login", {"email": "ada@example.org", "password": password}).status_code


def test_login_goes_on_when_redis_stops_answering_and_limits_still_apply(redis_app, private_redis, caplog):
    _port, server, store = private_redis
    assert log_in(redis_app, "not the password") == 422
    assert store.dbsize() > 0, "the limits should be counted in Redis while it answers"

    server.terminate()
    server.wait(10)
    caplog.set_level(logging.WARNING)

    assert log_in(redis_app, TEST_PASSWORD) == 302
    for _ in range(3):
        assert log_in(redis_app, "not the password") == 422
    assert log_in(redis_app, TEST_PASSWORD) == 429
    assert [record.getMessage() for record in caplog.records].count(
        "Rate limit storage unreachable - " + FALLING_BACK
    ) == 1

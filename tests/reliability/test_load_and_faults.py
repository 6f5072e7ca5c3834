"""Many clients against gunicorn with several workers, on SQLite and PostgreSQL; workers and the
database fail under load. No acknowledged step may be lost or counted twice."""

from __future__ import annotations

import os
import signal
import time
import urllib.error
import urllib.request
from collections import Counter

import pytest

from courseware.extensions import db
from tests.conftest import POSTGRES_URL, build_app, drop_scratch_postgres, private_postgres, scratch_name
from tests.reliability.servers import (
    Load,
    Server,
    check_the_log,
    enroll_learners,
    import_load_course,
    jobs,
    server_env,
)

pytestmark = pytest.mark.slow

LEARNERS = 4
CLIENTS = 8  # two clients per learner: the same learner from two tabs, and different learners at once


@pytest.fixture
def server(backend, tmp_path):
    """gunicorn serving a fresh database with a two-lesson course and four enrolled learners."""
    yield from _serve(backend, tmp_path)


def _serve(backend, tmp_path, postgres_url: str | None = None):
    app = build_app(backend, str(tmp_path), purpose="load", postgres_url=postgres_url)
    with app.app_context():
        enroll_learners(import_load_course(tmp_path / "load-course"), LEARNERS)
        db.session.commit()
    app.extensions["courseware.db"]["engine"].dispose()
    env = server_env(
        COURSEWARE_DATABASE_URL=app.config["DATABASE_URL"],
        COURSEWARE_SECRET_KEY="load-test-secret",
        COURSEWARE_LOGIN_RATE_LIMIT="10000 per minute",
        COURSEWARE_LOGIN_LOCKOUT="10000 per minute",
        COURSEWARE_LOG_LEVEL="WARNING",
    )
    served = Server(app, app.config["DATABASE_URL"], env, tmp_path / "gunicorn.log")
    served.start()
    yield served
    served.stop()
    if backend == "postgresql":
        drop_scratch_postgres(postgres_url or POSTGRES_URL, scratch_name("load"))


def run_load(server, steps=40, seconds=60) -> Load:
    return Load(jobs(server.base, steps, seconds, clients=CLIENTS, learners=LEARNERS))


def test_concurrent_learners_lose_nothing_and_count_nothing_twice(server):
    results = run_load(server).get(180)
    statuses = Counter(status for r in results for status in r["statuses"])
    assert all(status < 500 for status in statuses), (statuses, server.log.read_text()[-12000:])
    assert sum(len(r["acknowledged"]) for r in results) >= CLIENTS * 30
    assert all(not r["errors"] for r in results), [r["errors"][:3] for r in results]
    check_the_log(server.app, results)


def test_a_killed_worker_loses_no_acknowledged_step(server):
    pending = run_load(server, steps=60)
    time.sleep(2)
    for pid in server.workers()[:2]:
        os.kill(pid, signal.SIGKILL)
    results = pending.get(180)
    statuses = Counter(status for r in results for status in r["statuses"])
    assert all(status < 500 for status in statuses), statuses
    assert server.healthy()
    check_the_log(server.app, results)


@pytest.fixture
def server_on_own_postgres(tmp_path):
    """The same server on a PostgreSQL cluster of the test's own, which the test restarts."""
    with private_postgres() as postgres:
        for served in _serve("postgresql", tmp_path, postgres_url=postgres.url):
            yield served, postgres


def test_a_database_restart_gives_503s_then_the_app_recovers_by_itself(server_on_own_postgres):
    server, postgres = server_on_own_postgres
    pending = run_load(server, steps=200, seconds=25)
    time.sleep(3)
    postgres.stop()
    down = []  # the health check (503), and the login page, which needs no database
    for _ in range(5):
        for path in ("/healthz", "/learn"):
            try:
                with urllib.request.urlopen(f"{server.base}{path}", timeout=5) as response:
                    down.append((path, response.status, ""))
            except urllib.error.HTTPError as error:
                down.append((path, error.code, error.read().decode(errors="replace")))
        time.sleep(0.3)
    postgres.start()
    recovered_in = server.wait_healthy(20)
    results = pending.get(180)
    assert {status for path, status, _ in down if path == "/healthz"} == {503}, down
    assert all("Traceback" not in body for *_, body in down)
    statuses = Counter(status for r in results for status in r["statuses"])
    assert {status for status in statuses if status >= 500} <= {503}, (statuses, server.log.read_text()[-12000:])
    assert recovered_in < 20
    check_the_log(server.app, results)

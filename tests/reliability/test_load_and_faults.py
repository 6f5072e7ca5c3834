"""Many clients against gunicorn with several workers, on SQLite and PostgreSQL; workers and the
database fail under load. No acknowledged step may be lost or counted twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from courseware.auth.services import create_user
from courseware.content.services import import_courses
from courseware.extensions import db
from courseware.learn.enrollment import enroll
from courseware.models import LearningEvent, QuizAttempt
from courseware.progress.services import rebuild
from tests.conftest import (
    POSTGRES_URL,
    TEST_PASSWORD,
    build_app,
    drop_scratch_postgres,
    free_port,
    private_postgres,
    scratch_name,
)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
LEARNERS = 4
CLIENTS = 8  # two clients per learner: the same learner from two tabs, and different learners at once

COURSE_YAML = """\
slug: load-course
title: Load course
summary: Two open lessons.
modules:
  - slug: setup
    title: Setup
    optional: true
  - slug: check
    title: Check
    optional: true
"""
CHECKLIST = """\
---
title: Searches
minutes: 3
activities:
  - type: checklist
    items:
      - One
      - Two
      - Three
---

Tick them.
"""
QUIZ = """\
---
title: Check
minutes: 3
activities:
  - type: quiz
    pass_mark: 1
    questions:
      - prompt: Which?
        choices:
          - text: This one
            correct: true
            feedback: Because it is.
          - text: That one
            correct: false
            feedback: Because it is not.
---

Answer it.
"""


class Server:
    def __init__(self, app, url: str, env: dict, log: Path):
        self.app, self.url, self.env, self.log = app, url, env, log
        self.process: subprocess.Popen | None = None

    def start(self, workers: int = 3) -> None:
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [
                str(GUNICORN),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--graceful-timeout",
                "2",
                "--no-control-socket",
                "app:app",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.log, "ab"),  # noqa: SIM115  (the server process keeps it open)
            start_new_session=True,
        )
        self.wait_healthy(30)

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def wait_healthy(self, seconds: float) -> float:
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            if self.healthy():
                return time.monotonic() - start
            time.sleep(0.2)
        raise AssertionError(f"the server did not answer /healthz within {seconds} s")

    def workers(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout
        return [int(pid) for pid in out.split()]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


@pytest.fixture
def server(backend, tmp_path):
    """gunicorn serving a fresh database with a two-lesson course and four enrolled learners."""
    yield from _serve(backend, tmp_path)


def _serve(backend, tmp_path, postgres_url: str | None = None):
    app = build_app(backend, str(tmp_path), purpose="load", postgres_url=postgres_url)
    folder = tmp_path / "load-course"
    (folder / "setup").mkdir(parents=True)
    (folder / "check").mkdir()
    (folder / "course.yaml").write_text(COURSE_YAML)
    (folder / "setup" / "01-searches.md").write_text(CHECKLIST)
    (folder / "check" / "01-check.md").write_text(QUIZ)
    with app.app_context():
        course = import_courses(str(folder)).courses[0]
        for number in range(LEARNERS):
            enroll(create_user(f"load{number}@example.org", f"Load {number}", TEST_PASSWORD), course)
        db.session.commit()
    app.extensions["courseware.db"]["engine"].dispose()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("COURSEWARE_")},
        "COURSEWARE_DATABASE_URL": app.config["DATABASE_URL"],
        "COURSEWARE_SECRET_KEY": "load-test-secret",
        "COURSEWARE_LOGIN_RATE_LIMIT": "10000 per minute",
        "COURSEWARE_LOGIN_LOCKOUT": "10000 per minute",
        "COURSEWARE_LOG_LEVEL": "WARNING",
    }
    served = Server(app, app.config["DATABASE_URL"], env, tmp_path / "gunicorn.log")
    served.start()
    yield served
    served.stop()
    if backend == "postgresql":
        drop_scratch_postgres(postgres_url or POSTGRES_URL, scratch_name("load"))


def jobs(server, steps: int, seconds: float) -> list[dict]:
    return [
        {
            "base": server.base,
            "email": f"load{number % LEARNERS}@example.org",
            "password": TEST_PASSWORD,
            "name": f"c{number}",
            "seed": number,
            "steps": steps,
            "seconds": seconds,
            "course": "load-course",
            "quiz_lesson": "check",
            "checklist_lesson": "searches",
        }
        for number in range(CLIENTS)
    ]


def check_the_log(server, results) -> None:
    """Every acknowledged step is recorded exactly once and progress equals a rebuild from the log."""
    acknowledged_quiz = {a["key"] for r in results for a in r["acknowledged"] if a["kind"] == "quiz"}
    with server.app.app_context():
        keys = Counter(
            db.session.scalars(select(LearningEvent.idempotency_key).where(LearningEvent.idempotency_key.is_not(None)))
        )
        assert [key for key, count in keys.items() if count > 1] == []
        quiz_keys = {key.split(":", 2)[2] for key in keys if key.startswith("quiz:")}
        assert acknowledged_quiz <= quiz_keys, f"lost steps: {sorted(acknowledged_quiz - quiz_keys)[:5]}"
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == len(quiz_keys)
        assert rebuild() == 0
        db.session.rollback()
    server.app.extensions["courseware.db"]["engine"].dispose()


class Load:
    """The clients, each a separate Python process, running until they finish their steps."""

    def __init__(self, server, steps: int, seconds: float):
        self.processes = [
            subprocess.Popen(
                [sys.executable, "-m", "tests.reliability.load_client", json.dumps(job)],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                text=True,
            )
            for job in jobs(server, steps, seconds)
        ]

    def get(self, timeout: float) -> list[dict]:
        deadline = time.monotonic() + timeout
        results = []
        for process in self.processes:
            out, _ = process.communicate(timeout=max(deadline - time.monotonic(), 1))
            results.append(json.loads(out))
        return results


def run_load(server, steps=40, seconds=60) -> Load:
    return Load(server, steps, seconds)


def test_concurrent_learners_lose_nothing_and_count_nothing_twice(server):
    results = run_load(server).get(180)
    statuses = Counter(status for r in results for status in r["statuses"])
    assert all(status < 500 for status in statuses), (statuses, server.log.read_text()[-12000:])
    assert sum(len(r["acknowledged"]) for r in results) >= CLIENTS * 30
    assert all(not r["errors"] for r in results), [r["errors"][:3] for r in results]
    check_the_log(server, results)


def test_a_killed_worker_loses_no_acknowledged_step(server):
    pending = run_load(server, steps=60)
    time.sleep(2)
    for pid in server.workers()[:2]:
        os.kill(pid, signal.SIGKILL)
    results = pending.get(180)
    statuses = Counter(status for r in results for status in r["statuses"])
    assert all(status < 500 for status in statuses), statuses
    assert server.healthy()
    check_the_log(server, results)


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
    check_the_log(server, results)

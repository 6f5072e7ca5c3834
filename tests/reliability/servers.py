"""Real servers for the reliability tests: gunicorn serving the app, a course to load it with, and
load clients (each a separate process running ``load_client``) whose steps are checked against
the database afterwards."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from courseware.auth.services import create_user
from courseware.content.services import import_courses
from courseware.extensions import db
from courseware.learn.enrollment import enroll
from courseware.models import Course, LearningEvent, QuizAttempt
from courseware.progress.services import rebuild
from tests.conftest import TEST_PASSWORD, free_port

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")

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


def import_load_course(folder: Path) -> Course:
    """Write the load course (a checklist lesson and a quiz lesson, both open) into ``folder`` and
    import it; call inside an application context."""
    (folder / "setup").mkdir(parents=True)
    (folder / "check").mkdir()
    (folder / "course.yaml").write_text(COURSE_YAML)
    (folder / "setup" / "01-searches.md").write_text(CHECKLIST)
    (folder / "check" / "01-check.md").write_text(QUIZ)
    return import_courses(str(folder)).courses[0]


def enroll_learners(course: Course, count: int, prefix: str = "load") -> None:
    """``count`` learners ``<prefix><n>@example.org``, enrolled in ``course``."""
    for number in range(count):
        enroll(create_user(f"{prefix}{number}@example.org", f"Load {number}", TEST_PASSWORD), course)


def server_env(**settings: str) -> dict:
    """This process's environment without its ``COURSEWARE_*`` variables, plus ``settings``."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith("COURSEWARE_")}, **settings}


class Server:
    """gunicorn serving ``app:app`` with ``env``, in a process group of its own.

    Without ``port`` each start takes a spare one; without ``control_socket`` gunicorn runs
    none (else every instance on the machine would share ``~/.gunicorn/gunicorn.ctl``).
    """

    def __init__(self, app, url: str, env: dict, log: Path, port: int | None = None, control_socket=None):
        self.app, self.url, self.env, self.log = app, url, env, log
        self.port, self.control_socket = port, control_socket
        self.process: subprocess.Popen | None = None

    def start(self, workers: int = 3) -> None:
        port = self.port or free_port()
        self.base = f"http://127.0.0.1:{port}"
        control = ["--control-socket", str(self.control_socket)] if self.control_socket else ["--no-control-socket"]
        self.process = subprocess.Popen(
            [
                str(GUNICORN),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--graceful-timeout",
                "2",
                *control,
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

    def kill(self) -> None:
        """SIGKILL the whole server, arbiter and workers, as a machine that loses power would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def jobs(
    base: str, steps: int, seconds: float, clients: int, learners: int, sources=None, label: str = "c"
) -> list[dict]:
    """Jobs for ``clients`` load clients against ``base``: two or more per learner when there are
    more clients than learners (the same learner from two tabs); ``sources`` gives each client
    the loopback address it sends from, and ``label`` starts its steps' form keys (one per run)."""
    return [
        {
            "base": base,
            "email": f"load{number % learners}@example.org",
            "password": TEST_PASSWORD,
            "name": f"{label}{number}",
            "seed": number,
            "steps": steps,
            "seconds": seconds,
            "course": "load-course",
            "quiz_lesson": "check",
            "checklist_lesson": "searches",
            **({"source": sources[number]} if sources else {}),
        }
        for number in range(clients)
    ]


class Load:
    """The clients, each a separate Python process, running until they finish their steps."""

    def __init__(self, jobs: list[dict]):
        self.processes = [
            subprocess.Popen(
                [sys.executable, "-m", "tests.reliability.load_client", json.dumps(job)],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                text=True,
            )
            for job in jobs
        ]

    def get(self, timeout: float) -> list[dict]:
        deadline = time.monotonic() + timeout
        results = []
        for process in self.processes:
            out, _ = process.communicate(timeout=max(deadline - time.monotonic(), 1))
            results.append(json.loads(out))
        return results


def check_the_log(app, results) -> None:
    """Every acknowledged step is recorded exactly once and progress equals a rebuild from the log."""
    acknowledged_quiz = {a["key"] for r in results for a in r["acknowledged"] if a["kind"] == "quiz"}
    with app.app_context():
        keys = Counter(
            db.session.scalars(select(LearningEvent.idempotency_key).where(LearningEvent.idempotency_key.is_not(None)))
        )
        assert [key for key, count in keys.items() if count > 1] == []
        quiz_keys = {key.split(":", 2)[2] for key in keys if key.startswith("quiz:")}
        assert acknowledged_quiz <= quiz_keys, f"lost steps: {sorted(acknowledged_quiz - quiz_keys)[:5]}"
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == len(quiz_keys)
        assert rebuild() == 0
        db.session.rollback()
    app.extensions["courseware.db"]["engine"].dispose()

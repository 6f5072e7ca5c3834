"""`flask --app app worker` as a real process: killed in the middle of sending, its job is taken
again by another worker once the lease runs out, and the message arrives exactly once."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from courseware.core.mail import queue_mail
from courseware.extensions import db
from courseware.models import Job, MailDelivery
from tests.conftest import POSTGRES_URL, build_app, drop_scratch_postgres, scratch_name

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).with_name("flask")


@pytest.fixture
def worker_app(backend, tmp_path):
    """An app on a database of its own, which worker processes can see (committed, not rolled back)."""
    app = build_app(backend, str(tmp_path), purpose="worker")
    yield app
    app.extensions["courseware.db"]["engine"].dispose()
    if backend == "postgresql":
        drop_scratch_postgres(POSTGRES_URL, scratch_name("worker"))


def start_worker(app, mail_port: int, log: Path, lease_seconds: int = 1) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COURSEWARE_", "FLASK_"))}
    env.update(
        {
            "COURSEWARE_DATABASE_URL": app.config["DATABASE_URL"],
            "COURSEWARE_SECRET_KEY": "worker-test-secret",
            "COURSEWARE_SMTP_HOST": "127.0.0.1",
            "COURSEWARE_SMTP_PORT": str(mail_port),
            "COURSEWARE_BASE_URL": "http://courseware.test",
            "COURSEWARE_JOB_LEASE_SECONDS": str(lease_seconds),
            "COURSEWARE_JOB_POLL_SECONDS": "0.1",
        }
    )
    with open(log, "ab") as errors:
        return subprocess.Popen(
            [str(FLASK), "--app", "app", "worker"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=errors
        )


def job_state(app) -> tuple[str, int, int]:
    with app.app_context():
        job = db.session.scalars(select(Job)).one()
        deliveries = db.session.scalar(select(func.count()).select_from(MailDelivery))
        return job.state, job.attempts, deliveries


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {seconds} s")
        time.sleep(0.1)


def test_a_worker_killed_while_sending_leaves_its_job_to_the_next_and_the_email_arrives_once(
    worker_app, mail_server, tmp_path
):
    log = tmp_path / "worker.log"
    with worker_app.app_context():
        queue_mail("ada@example.org", "Welcome", "Hello Ada.", key="welcome:ada")
        db.session.commit()
    mail_server.hold_first = True

    first = start_worker(worker_app, mail_server.port, log)
    try:
        assert mail_server.first_arrived.wait(30), log.read_text()
        # Readable while the worker waits on the mail server: it holds no database lock meanwhile.
        assert job_state(worker_app)[:2] == ("running", 1)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    mail_server.release.set()
    assert mail_server.messages == []

    second = start_worker(worker_app, mail_server.port, log)
    try:
        wait_for(lambda: job_state(worker_app)[0] == "done", 30, "the second worker finishing the job")
        # Asked to stop, the worker finishes what it holds and exits.
        second.send_signal(signal.SIGTERM)
        assert second.wait(10) == 0
    finally:
        if second.poll() is None:
            second.kill()

    assert job_state(worker_app) == ("done", 2, 1)
    [message] = mail_server.messages
    assert message["To"] == "ada@example.org" and message["Subject"] == "Welcome"
    assert "worker" in log.read_text() and "Traceback" not in log.read_text()


def test_three_workers_side_by_side_send_each_queued_message_exactly_once(worker_app, mail_server, tmp_path):
    log = tmp_path / "workers.log"
    with worker_app.app_context():
        for number in range(30):
            queue_mail(f"person{number}@example.org", f"Message {number}", "Hello.", key=f"message:{number}")
        db.session.commit()

    workers = [start_worker(worker_app, mail_server.port, log, lease_seconds=300) for _ in range(3)]
    try:
        # Each has set up its signal handling (and said so) before it is asked to stop.
        wait_for(lambda: len(re.findall(r"worker \S+ started", log.read_text())) == 3, 60, "three workers starting")

        def all_done() -> bool:
            with worker_app.app_context():
                return db.session.scalar(select(func.count()).select_from(Job).where(Job.state != "done")) == 0

        wait_for(all_done, 60, "the workers finishing every job")
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        exits = [worker.wait(10) for worker in workers]

    assert exits == [0, 0, 0]
    assert sorted(m["Subject"] for m in mail_server.messages) == sorted(f"Message {n}" for n in range(30))
    with worker_app.app_context():
        assert set(db.session.scalars(select(Job.attempts))) == {1}
    assert "Traceback" not in log.read_text()

"""Forwarding over real HTTP: Courseware (its database, and two `flask --app app worker`
processes) forwards to a second Courseware instance acting as the receiving LRS (gunicorn on a
port of its own, its own scratch database, a client issued by `flask lrs issue-client`).

- The receiver is down for a while: statements pile up, the workers retry, and once it is back
  every statement arrives exactly once.
- The receiver answers 409 for a statement it has with other content: that counts as delivered,
  and the rest of the batch arrives.
- A receiver answering 500 is retried, then the statements have failed for good; the admin sees
  why, and sending them again delivers them once the receiver is well.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
from sqlalchemy import func, select

from courseware.auth.services import create_user
from courseware.extensions import db
from courseware.models import XapiForward, XapiForwardTarget, XapiStatement
from courseware.xapi.clients import issue_client
from courseware.xapi.forwarding import save_target
from tests.conftest import POSTGRES_URL, TEST_PASSWORD, build_app, drop_scratch_postgres, free_port, post, scratch_name
from tests.reliability.servers import Server, server_env
from tests.xapi.conftest import XapiClient, statement
from tests.xapi.receivers import Receiver

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).with_name("flask")
SENDER_SECRET_KEY = "test-secret"  # build_app's: the workers must decrypt what the app encrypted


class Sender:
    """The forwarding Courseware: an app on a database of its own (written to in this process,
    as requests would) and the worker processes that forward from it."""

    def __init__(self, backend: str, tmp: Path, **settings) -> None:
        folder = tmp / "sender"
        folder.mkdir()
        self.backend, self.tmp = backend, tmp
        # The same settings for the app and its workers (a job's attempts are set as it is queued).
        self.app = build_app(backend, str(folder), purpose="fwdsend", **settings)
        self.settings = settings
        self.workers: list[subprocess.Popen] = []
        with self.app.app_context():
            client, secret = issue_client("Content", ["statements/write", "statements/read"], None)
            db.session.commit()
            self.lrs = XapiClient(self.app.test_client(), client.key, secret)

    def add_target(self, endpoint: str, key: str, secret: str) -> int:
        with self.app.app_context():
            target = save_target(
                None,
                name="Receiver",
                endpoint=endpoint,
                key=key,
                secret=secret,
                version="2.0.0",
                statements="all",
                enabled=True,
                actor=None,
            )
            db.session.commit()
            return target.id

    def post(self, statements: list[dict]) -> None:
        response = self.lrs.post("/statements", statements)
        assert response.status_code == 200, response.get_data(as_text=True)

    def start_workers(self, count: int = 2) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("COURSEWARE_", "FLASK_"))}
        env.update(
            {
                "COURSEWARE_DATABASE_URL": self.app.config["DATABASE_URL"],
                "COURSEWARE_SECRET_KEY": SENDER_SECRET_KEY,
                "COURSEWARE_JOB_POLL_SECONDS": "0.1",
                "COURSEWARE_JOB_RETRY_SECONDS": "0.2",
                "COURSEWARE_XAPI_FORWARD_TIMEOUT_SECONDS": "5",
                **{f"COURSEWARE_{k}": str(v) for k, v in self.settings.items()},
            }
        )
        with open(self.tmp / "workers.log", "ab") as log:
            for _ in range(count):
                self.workers.append(
                    subprocess.Popen(
                        [str(FLASK), "--app", "app", "worker"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log
                    )
                )

    def wait_for_workers(self) -> None:
        log = self.tmp / "workers.log"
        wait_for(lambda: log.read_text().count(" started") >= len(self.workers), 60, "the workers starting")

    def forwards(self, target_id: int) -> tuple[dict[str, int], int]:
        """Rows by state, and the statements delivered."""
        with self.app.app_context():
            states = dict(
                db.session.execute(
                    select(XapiForward.state, func.count())
                    .where(XapiForward.target_id == target_id)
                    .group_by(XapiForward.state)
                )
                .tuples()
                .all()
            )
            delivered = db.session.get(XapiForwardTarget, target_id).delivered_count
            db.session.rollback()
            return states, delivered

    def errors(self, target_id: int) -> set[str]:
        with self.app.app_context():
            found = set(db.session.scalars(select(XapiForward.last_error).where(XapiForward.target_id == target_id)))
            db.session.rollback()
            return {e for e in found if e}

    def stored(self) -> dict[str, dict]:
        with self.app.app_context():
            found = {row.id: json.loads(row.statement) for row in db.session.scalars(select(XapiStatement))}
            db.session.rollback()
            return found

    def close(self) -> None:
        for worker in self.workers:
            worker.terminate()
        for worker in self.workers:
            try:
                worker.wait(15)
            except subprocess.TimeoutExpired:
                worker.kill()
        self.app.extensions["courseware.db"]["engine"].dispose()
        if self.backend == "postgresql":
            drop_scratch_postgres(POSTGRES_URL, scratch_name("fwdsend"))


class ReceivingCourseware:
    """A second Courseware on its own database, served by gunicorn on ``port`` once started, with
    an LRS client issued by ``flask lrs issue-client``."""

    def __init__(self, backend: str, tmp: Path, port: int) -> None:
        folder = tmp / "receiver"
        folder.mkdir()
        self.backend = backend
        self.app = build_app(backend, str(folder), purpose="fwdrecv")
        result = self.app.test_cli_runner().invoke(args=["lrs", "issue-client", "Courseware upstream"])
        assert result.exit_code == 0, result.output
        self.key, self.secret = result.output.split()
        url = self.app.config["DATABASE_URL"]
        self.app.extensions["courseware.db"]["engine"].dispose()
        env = server_env(COURSEWARE_DATABASE_URL=url, COURSEWARE_SECRET_KEY="receiver-" + "r" * 40)
        self.server = Server(self.app, url, env, tmp / "receiver.log", port=port)
        self.endpoint = f"http://127.0.0.1:{port}/xapi/"

    def start(self) -> None:
        self.server.start(workers=2)

    def _headers(self) -> dict:
        token = base64.b64encode(f"{self.key}:{self.secret}".encode()).decode()
        return {"Authorization": f"Basic {token}", "X-Experience-API-Version": "2.0.0"}

    def put(self, body: dict) -> None:
        response = requests.post(self.endpoint + "statements", json=[body], headers=self._headers(), timeout=10)
        assert response.status_code == 200, response.text

    def statements(self) -> list[dict]:
        """Every statement the receiver holds, page after page, as its API answers them."""
        found, url = [], self.endpoint + "statements?limit=50&ascending=true"
        while url:
            response = requests.get(url, headers=self._headers(), timeout=10)
            assert response.status_code == 200, response.text
            page = response.json()
            found += page["statements"]
            url = urljoin(self.endpoint, page["more"]) if page.get("more") else None
        return found

    def close(self) -> None:
        self.server.stop()
        if self.backend == "postgresql":
            drop_scratch_postgres(POSTGRES_URL, scratch_name("fwdrecv"))


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {seconds} s")
        time.sleep(0.2)


def new_statements(count: int, **extra) -> list[dict]:
    return [statement(id=str(uuid.uuid4()), **extra) for _ in range(count)]


def same_apart_from_the_lrs(sent: dict, received: dict) -> bool:
    """The receiving LRS sets its own ``stored`` and ``authority``; everything else is as sent."""
    drop = ("stored", "authority")
    return {k: v for k, v in sent.items() if k not in drop} == {k: v for k, v in received.items() if k not in drop}


@pytest.fixture
def stack(backend, tmp_path):
    with ExitStack() as stack:
        yield stack


def test_with_the_receiver_down_for_a_while_every_statement_arrives_once_it_is_back(backend, tmp_path, stack):
    port = free_port()
    receiver = ReceivingCourseware(backend, tmp_path, port)
    stack.callback(receiver.close)
    sender = Sender(backend, tmp_path, JOB_MAX_ATTEMPTS=30, XAPI_FORWARD_BATCH=10)
    stack.callback(sender.close)
    target = sender.add_target(receiver.endpoint, receiver.key, receiver.secret)
    sender.start_workers(2)

    sent = []
    for size in (10, 1, 25, 1, 1, 7):
        batch = new_statements(size)
        sender.post(batch)
        sent += [s["id"] for s in batch]
    wait_for(lambda: any("Could not reach" in e for e in sender.errors(target)), 30, "a failed attempt")
    time.sleep(2)  # the receiver stays down a while, with retries, and more statements arrive
    late = new_statements(5)
    sender.post(late)
    sent += [s["id"] for s in late]
    states, delivered = sender.forwards(target)
    assert delivered == 0 and sum(states.values()) == len(sent) == 50

    receiver.start()
    wait_for(lambda: sender.forwards(target) == ({}, 50), 90, "delivery of the 50 statements")

    received = receiver.statements()
    ids = [s["id"] for s in received]
    assert sorted(ids) == sorted(sent) and len(set(ids)) == len(ids) == 50
    stored = sender.stored()
    assert all(same_apart_from_the_lrs(stored[s["id"]], s) for s in received)


def test_a_statement_the_receiver_answers_409_for_counts_as_delivered_and_the_rest_of_the_batch_arrives(
    backend, tmp_path, stack
):
    receiver = ReceivingCourseware(backend, tmp_path, free_port())
    stack.callback(receiver.close)
    receiver.start()
    sender = Sender(backend, tmp_path)
    stack.callback(sender.close)
    target = sender.add_target(receiver.endpoint, receiver.key, receiver.secret)

    clashing_id = str(uuid.uuid4())
    theirs = statement(id=clashing_id, result={"completion": True})
    receiver.put(theirs)  # the receiver holds this id with other content: it answers 409 for ours
    ours = [statement(id=clashing_id), *new_statements(3)]
    sender.post(ours)
    sender.start_workers(1)

    wait_for(lambda: sender.forwards(target) == ({}, 4), 60, "delivery of the 4 statements")
    received = {s["id"]: s for s in receiver.statements()}
    assert set(received) == {s["id"] for s in ours}
    assert received[clashing_id]["result"] == {"completion": True}  # the receiver kept its own


def test_a_receiver_answering_500_is_retried_then_failed_for_good_shown_to_the_admin_and_sent_again(
    backend, tmp_path, stack
):
    attempts = 3
    receiver = stack.enter_context(Receiver([500] * attempts))
    sender = Sender(backend, tmp_path, JOB_MAX_ATTEMPTS=attempts)
    stack.callback(sender.close)
    target = sender.add_target(receiver.endpoint, "courseware", "s3cret")
    batch = new_statements(4)
    sender.post(batch)
    sender.start_workers(2)

    wait_for(lambda: sender.forwards(target)[0] == {"failed": 4}, 60, "failing for good")
    assert [status for status, _, _ in receiver.received] == [500] * attempts
    assert {e.split(":")[0] for e in sender.errors(target)} == {"HTTP 500 Internal Server Error"}

    with sender.app.app_context():
        create_user("admin@example.org", "Admin", TEST_PASSWORD, roles=("admin",))
        db.session.commit()
    browser = sender.app.test_client()
    assert post(browser, "/login", {"email": "admin@example.org", "password": TEST_PASSWORD}).status_code == 302
    page = browser.get(f"/admin/lrs/forwarding/{target}").get_data(as_text=True)
    assert "Failed for good" in page and "HTTP 500 Internal Server Error" in page
    assert all(s["id"] in page for s in batch) and "s3cret" not in page

    # The receiver is well again (it answers 200 from now on): sending again delivers them once.
    assert post(browser, f"/admin/lrs/forwarding/{target}/retry").status_code == 302
    wait_for(lambda: sender.forwards(target) == ({}, 4), 60, "delivery after sending again")
    assert sorted(receiver.delivered_ids()) == sorted(s["id"] for s in batch)


def test_two_workers_sending_at_once_never_send_the_same_statement_twice(backend, tmp_path, stack):
    receiver = stack.enter_context(Receiver(delay=0.3))  # slow to answer: the workers overlap
    sender = Sender(backend, tmp_path, XAPI_FORWARD_BATCH=5)
    stack.callback(sender.close)
    target = sender.add_target(receiver.endpoint, "courseware", "s3cret")
    sender.start_workers(2)
    sender.wait_for_workers()

    sent = []
    for _ in range(30):  # requests keep coming while batches are on their way
        batch = new_statements(2)
        sender.post(batch)
        sent += [s["id"] for s in batch]
        time.sleep(0.05)
    wait_for(lambda: sender.forwards(target) == ({}, 60), 90, "delivery of the 60 statements")

    delivered = receiver.delivered_ids()
    assert sorted(delivered) == sorted(sent) and len(delivered) == 60
    assert max(len(b) for b in receiver.batches()) <= 5

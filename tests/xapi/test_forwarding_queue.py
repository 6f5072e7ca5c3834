"""Forwarding in one process, against a stand-in LRS on loopback: storing a statement queues it
for each target in the same transaction (one job per target, however many requests), the worker
sends batches exactly as stored, a 409 counts as delivered, 5xx and no answer are retried with
the queue's backoff, other 4xx fail for good with the answer, and the admin sees it all and can
send failed statements again. The secret is sent, never shown."""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import re
import uuid

from sqlalchemy import func, select, update

from courseware.db import utcnow
from courseware.models import Job, XapiForward, XapiForwardTarget, XapiStatement
from courseware.xapi.forwarding import save_target
from courseware.xapi.services import store_statements
from tests.conftest import post, run_jobs
from tests.xapi.conftest import statement
from tests.xapi.receivers import Receiver


def add_target(db, endpoint: str, *, statements: str = "all", enabled: bool = True, name: str = "Warehouse"):
    target = save_target(
        None,
        name=name,
        endpoint=endpoint,
        key="courseware",
        secret="s3cret-of-the-warehouse",
        version="2.0.0",
        statements=statements,
        enabled=enabled,
        actor=None,
    )
    db.session.commit()
    return target


def forward_jobs(db) -> list[Job]:
    db.session.expire_all()
    return list(db.session.scalars(select(Job).where(Job.kind == "xapi.forward").order_by(Job.id)))


def rows(db, target) -> list[XapiForward]:
    db.session.expire_all()
    return list(db.session.scalars(select(XapiForward).where(XapiForward.target_id == target.id)))


def due_now(db) -> None:
    """Let the retries be due now, rather than after their backoff."""
    db.session.execute(update(Job).where(Job.state == "queued").values(run_after=utcnow() - dt.timedelta(seconds=1)))
    db.session.commit()


def post_statements(lrs, count: int) -> list[str]:
    ids = [str(uuid.uuid4()) for _ in range(count)]
    response = lrs.post("/statements", [statement(id=i) for i in ids])
    assert response.status_code == 200, response.get_data(as_text=True)
    return ids


def test_each_new_statement_waits_for_each_target_that_takes_it_with_one_job_per_target(app, db, lrs):
    everything = add_target(db, "https://all.example.org/xapi", statements="all", name="All")
    own_only = add_target(db, "https://own.example.org/xapi/", statements="own", name="Own")
    switched_off = add_target(db, "https://off.example.org/xapi/", enabled=False, name="Off")

    for _ in range(4):  # four requests from an LRS client
        post_statements(lrs, 2)
    store_statements(
        [statement(id=str(uuid.uuid4()), stored="2026-01-01T00:00:00Z")], client_id=None, stored=utcnow()
    )  # Courseware's own
    db.session.commit()

    assert len(rows(db, everything)) == 9
    assert len(rows(db, own_only)) == 1 and rows(db, own_only)[0].statement_id not in [
        r.statement_id for r in rows(db, switched_off)
    ]
    assert rows(db, switched_off) == []
    jobs = forward_jobs(db)
    assert sorted(j.payload for j in jobs) == sorted(
        [json.dumps({"target": everything.id}), json.dumps({"target": own_only.id})]
    )
    assert everything.endpoint == "https://all.example.org/xapi/"


def test_a_statement_stored_again_or_rolled_back_is_not_queued(app, db, lrs):
    target = add_target(db, "https://lrs.example.org/xapi/")
    [first] = post_statements(lrs, 1)
    assert lrs.post("/statements", [statement(id=first)]).status_code == 200  # the same again: not new
    store_statements([statement(id=str(uuid.uuid4()), stored="2026-01-01T00:00:00Z")], client_id=None, stored=utcnow())
    db.session.rollback()
    assert [r.statement_id for r in rows(db, target)] == [first]


def test_the_worker_sends_batches_exactly_as_stored_with_the_targets_credentials_and_version(app, db, lrs, monkeypatch):
    monkeypatch.setitem(app.config, "XAPI_FORWARD_BATCH", 3)
    with Receiver() as receiver:
        target = add_target(db, receiver.endpoint)
        target.version = "1.0.3"
        db.session.commit()
        ids = post_statements(lrs, 7)
        voiding = str(uuid.uuid4())
        voided = {"objectType": "StatementRef", "id": ids[0]}
        verb = {"id": "http://adlnet.gov/expapi/verbs/voided", "display": {"en-GB": "voided"}}
        assert lrs.post("/statements", [statement(id=voiding, verb=verb, object=voided)]).status_code == 200

        outcomes = run_jobs(app)

        assert outcomes == {"done": 3}
        assert [len(batch) for batch in receiver.batches()] == [3, 3, 2]
        assert receiver.delivered_ids() == [*ids, voiding]
        stored = {
            row.id: json.loads(row.statement) for row in db.session.scalars(select(XapiStatement))
        }  # the voided one as stored, the voiding one too
        assert [s for batch in receiver.batches() for s in batch] == [stored[i] for i in [*ids, voiding]]
        assert receiver.credentials() == {"courseware:s3cret-of-the-warehouse"}
        assert {h["X-Experience-API-Version"] for _, h, _ in receiver.received} == {"1.0.3"}
        db.session.expire_all()
        assert rows(db, target) == []
        assert db.session.get(XapiForwardTarget, target.id).delivered_count == 8


def test_a_409_counts_as_delivered_and_an_answer_about_one_of_a_batch_sends_each_alone(app, db, lrs):
    conflicting = {}

    def answer(body: bytes) -> int:
        sent = json.loads(body)
        if len(sent) > 1 and any(s["id"] in conflicting for s in sent):
            return 409 if any(conflicting[s["id"]] == 409 for s in sent if s["id"] in conflicting) else 400
        return conflicting.get(sent[0]["id"], 200) if len(sent) == 1 else 200

    with Receiver(answer_for=answer) as receiver:
        target = add_target(db, receiver.endpoint)
        ids = post_statements(lrs, 4)
        conflicting[ids[1]] = 409
        conflicting[ids[2]] = 400

        assert run_jobs(app) == {"done": 1}

        assert [len(b) for b in receiver.batches(None)] == [4, 1, 1, 1, 1]
        assert receiver.delivered_ids() == [ids[0], ids[3]]
        [failed] = rows(db, target)
        assert failed.statement_id == ids[2] and failed.state == "failed"
        assert failed.last_error.startswith("HTTP 400 Bad Request") and "refused with 400" in failed.last_error
        assert db.session.get(XapiForwardTarget, target.id).delivered_count == 3


def test_a_refusal_of_the_credentials_fails_the_batch_for_good_without_retrying(app, db, lrs):
    with Receiver([401]) as receiver:
        target = add_target(db, receiver.endpoint)
        post_statements(lrs, 3)
        assert run_jobs(app) == {"done": 1}
        assert len(receiver.received) == 1
        assert {(r.state, r.last_error.split(":")[0]) for r in rows(db, target)} == {
            ("failed", "HTTP 401 Unauthorized")
        }


def test_5xx_and_no_answer_are_retried_with_backoff_then_fail_for_good_and_an_admin_sends_them_again(
    app, db, lrs, client, login, make_user, monkeypatch
):
    monkeypatch.setitem(app.config, "JOB_MAX_ATTEMPTS", 3)
    with Receiver([503, 500, 500]) as receiver:
        target = add_target(db, receiver.endpoint)
        ids = post_statements(lrs, 2)

        before = utcnow()
        assert run_jobs(app) == {"retry": 1}
        [job] = forward_jobs(db)
        assert job.state == "queued" and job.run_after >= before + dt.timedelta(seconds=29)
        assert {r.last_error.split(":")[0] for r in rows(db, target)} == {"HTTP 503 Service Unavailable"}
        post_statements(lrs, 1)  # relies on the job already queued
        assert len(forward_jobs(db)) == 1

        due_now(db)
        assert run_jobs(app) == {"retry": 1}
        due_now(db)
        # The last attempt: the batch has failed for good, and what arrived meanwhile is sent.
        assert run_jobs(app) == {"done": 2}
        assert [len(b) for b in receiver.batches(None)] == [2, 2, 2, 1]

    failed = [r for r in rows(db, target) if r.state == "failed"]
    assert sorted(r.statement_id for r in failed) == sorted(ids)
    assert all(r.attempts == 3 and r.last_error.startswith("HTTP 500 Internal Server Error") for r in failed)

    login(make_user(email="admin@example.org", roles=("admin",)))
    listing = client.get("/admin/lrs/forwarding").get_data(as_text=True)
    assert "Warehouse" in listing and "s3cret" not in listing
    page = client.get(f"/admin/lrs/forwarding/{target.id}").get_data(as_text=True)
    assert "HTTP 500 Internal Server Error" in page and ids[0] in page and "s3cret" not in page

    # The receiver is gone now: the statements sent again wait, and say why.
    assert post(client, f"/admin/lrs/forwarding/{target.id}/retry").status_code == 302
    assert {r.state for r in rows(db, target)} == {"waiting"}
    assert run_jobs(app) == {"retry": 1}
    reason = rows(db, target)[0].last_error
    assert reason.startswith(f"Could not reach 127.0.0.1:{receiver.port}") and "Connection refused" in reason
    assert "the latest attempt failed" in client.get(f"/admin/lrs/forwarding/{target.id}").get_data(as_text=True)


def test_statements_wait_while_a_target_is_switched_off_and_go_when_it_is_on_again(app, db, lrs):
    with Receiver() as receiver:
        target = add_target(db, receiver.endpoint)
        first = post_statements(lrs, 1)
        target.enabled = False
        db.session.commit()
        assert run_jobs(app) == {"done": 1}
        assert receiver.received == [] and len(rows(db, target)) == 1
        later = post_statements(lrs, 1)  # not queued for a target that is off
        save_target(
            target,
            name=target.name,
            endpoint=target.endpoint,
            key=target.key,
            secret="",
            version=target.version,
            statements=target.statements,
            enabled=True,
            actor=None,
        )
        db.session.commit()
        run_jobs(app)
        assert receiver.delivered_ids() == first and later != first
        assert receiver.credentials() == {"courseware:s3cret-of-the-warehouse"}  # a blank secret kept it


def test_an_admin_adds_a_target_whose_secret_is_kept_encrypted_and_never_shown_or_logged(
    app, db, client, login, make_user, caplog
):
    caplog.set_level(logging.DEBUG)
    login(make_user(email="admin@example.org", roles=("admin",)))
    form = {
        "name": "Warehouse",
        "endpoint": "https://lrs.example.org/xapi",
        "key": "courseware",
        "secret": "a-secret-nobody-sees",
        "version": "2.0.0",
        "statements": "own",
        "enabled": "y",
    }
    response = post(client, "/admin/lrs/forwarding/new", form)
    assert response.status_code == 302
    target = db.session.scalars(select(XapiForwardTarget)).one()
    assert (target.endpoint, target.statements, target.enabled) == ("https://lrs.example.org/xapi/", "own", True)
    assert "a-secret-nobody-sees" not in target.secret_encrypted
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "a-secret-nobody-sees" not in page and 'value="courseware"' in page
    assert not any("a-secret-nobody-sees" in r.getMessage() for r in caplog.records)


def test_a_bad_address_or_a_missing_secret_is_refused_with_a_message_keeping_what_was_typed(
    db, client, login, make_user
):
    login(make_user(email="admin@example.org", roles=("admin",)))
    form = {"name": "Warehouse", "key": "courseware", "version": "2.0.0", "statements": "all", "enabled": "y"}
    for endpoint in ("ftp://lrs.example.org/", "https://user:pw@lrs.example.org/", "lrs.example.org", "https://x/?a=1"):
        response = post(client, "/admin/lrs/forwarding/new", {**form, "endpoint": endpoint, "secret": "s"})
        assert response.status_code == 422
        assert "Enter the LRS" in response.get_data(as_text=True)
    response = post(client, "/admin/lrs/forwarding/new", {**form, "endpoint": "https://lrs.example.org/xapi/"})
    html = response.get_data(as_text=True)
    assert (
        response.status_code == 422 and "Enter the secret" in html and 'value="https://lrs.example.org/xapi/"' in html
    )
    assert db.session.scalar(select(func.count(XapiForwardTarget.id))) == 0


def test_removing_a_target_forgets_what_waited_for_it(app, db, lrs, client, login, make_user):
    target = add_target(db, "https://lrs.example.org/xapi/")
    post_statements(lrs, 2)
    login(make_user(email="admin@example.org", roles=("admin",)))
    page = client.get(f"/admin/lrs/forwarding/{target.id}/remove").get_data(as_text=True)
    assert "2 statement(s) still waiting" in page
    assert post(client, f"/admin/lrs/forwarding/{target.id}/remove").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count(XapiForward.id))) == 0
    assert run_jobs(app) == {"done": 1}  # the job queued for it finds nothing to do


def test_a_secret_encrypted_under_another_site_key_fails_with_a_message_to_enter_it_again(app, db, lrs, monkeypatch):
    with Receiver() as receiver:
        target = add_target(db, receiver.endpoint)
        post_statements(lrs, 1)
        monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret-key")
        run_jobs(app)
        assert receiver.received == []
        [row] = rows(db, target)
        assert row.state == "failed" and "enter it again" in row.last_error


def test_basic_credentials_are_encoded_as_http_basic(app, db, lrs):
    with Receiver() as receiver:
        add_target(db, receiver.endpoint)
        post_statements(lrs, 1)
        run_jobs(app)
        [(_, headers, _)] = receiver.received
        expected = base64.b64encode(b"courseware:s3cret-of-the-warehouse").decode()
        assert headers["Authorization"] == f"Basic {expected}"
        assert re.match(r"application/json", headers["Content-Type"])


def test_saving_the_settings_sends_what_waits_at_once_rather_than_after_the_backoff(app, db, lrs):
    with Receiver([503]) as receiver:
        target = add_target(db, receiver.endpoint)
        ids = post_statements(lrs, 2)
        assert run_jobs(app) == {"retry": 1}
        assert run_jobs(app) == {}  # waiting out its backoff
        save_target(
            target,
            name=target.name,
            endpoint=target.endpoint,
            key=target.key,
            secret="a-corrected-secret",
            version=target.version,
            statements=target.statements,
            enabled=True,
            actor=None,
        )
        db.session.commit()
        assert run_jobs(app) == {"done": 1}
        assert receiver.delivered_ids() == ids
        assert receiver.credentials() == {"courseware:s3cret-of-the-warehouse", "courseware:a-corrected-secret"}


def test_a_learners_step_is_queued_for_a_target_of_courseware_s_own_statements(app, db, make_user, make_course):
    from courseware.learn.enrollment import enroll
    from courseware.xapi.events import statement_id

    own_only = add_target(db, "https://own.example.org/xapi/", statements="own", name="Own")
    learner = make_user(name="Lena Learner")
    enroll(learner, make_course())
    db.session.commit()
    [waiting] = rows(db, own_only)
    enrolled = db.session.scalar(select(XapiStatement).where(XapiStatement.id == waiting.statement_id))
    assert enrolled.client_id is None and json.loads(enrolled.statement)["verb"]["id"].endswith("/registered")
    assert waiting.statement_id == statement_id_of_last_event(db, statement_id)


def statement_id_of_last_event(db, statement_id) -> str:
    from courseware.models import LearningEvent

    return statement_id(db.session.scalar(select(func.max(LearningEvent.id))))

"""The job queue in one process: jobs live and die with the transaction that queues them, each
message is sent once however often its job runs, failures wait longer each time and, after the
last attempt, wait for an admin."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update

from courseware.core.mail import deliver, message_id, queue_mail
from courseware.db import utcnow
from courseware.jobs.handlers import HANDLERS
from courseware.jobs.services import enqueue
from courseware.jobs.worker import run_one
from courseware.models import Job, MailDelivery, Notification
from courseware.notifications.services import notify
from tests.conftest import post, run_jobs
from tests.core.web import page, path_of
from tests.jobs.conftest import all_jobs


def test_a_rolled_back_change_leaves_no_job_and_a_committed_one_leaves_exactly_one(
    app, db, make_user, mail_server, mail_to
):
    mail_to(mail_server)
    learner = make_user(email="ada@example.org")

    notify(learner, "review", "Rolled back", None, email_body="Never sent.")
    db.session.rollback()
    assert all_jobs(db) == []
    assert db.session.scalar(select(func.count(Notification.id))) == 0

    kept = notify(learner, "review", "Your work was reviewed", None, email_body="Have a look.")
    db.session.commit()
    [job] = all_jobs(db)
    assert (job.kind, job.state, job.key) == ("notification.email", "queued", f"notification:{kept.id}")
    assert mail_server.messages == []

    assert run_jobs(app) == {"done": 1}
    [message] = mail_server.messages
    assert message["To"] == "ada@example.org" and message["Subject"] == "Your work was reviewed"
    db.session.expire_all()
    assert db.session.get(Notification, kept.id).emailed_at is not None


def test_the_same_key_queued_twice_is_one_job_and_one_email(app, db, mail_server, mail_to):
    mail_to(mail_server)
    first = queue_mail("ada@example.org", "Hello", "Once.", key="greeting:ada")
    db.session.commit()
    second = queue_mail("ada@example.org", "Hello", "Once.", key="greeting:ada")
    db.session.commit()

    assert second.id == first.id and len(all_jobs(db)) == 1
    run_jobs(app)
    queue_mail("ada@example.org", "Hello", "Once.", key="greeting:ada")
    db.session.commit()
    run_jobs(app)

    assert len(mail_server.messages) == 1
    assert [job.state for job in all_jobs(db)] == ["done"]


def test_a_job_that_fails_after_its_email_went_out_is_retried_without_sending_it_again(
    app, db, mail_server, mail_to, monkeypatch
):
    """The delivery is recorded the moment the server accepts the message: the retry finds it."""
    mail_to(mail_server)
    monkeypatch.setitem(app.config, "JOB_RETRY_SECONDS", 0)
    runs = []

    def send_then_fail_once(job):
        deliver(job.id, "ada@example.org", "Once only", "Body.", key=job.key)
        runs.append(job.attempts)
        if len(runs) == 1:
            raise RuntimeError("the bookkeeping after the email failed")

    monkeypatch.setitem(HANDLERS, "test.send-then-fail", send_then_fail_once)
    enqueue("test.send-then-fail", {}, key="once-only")
    db.session.commit()

    assert run_jobs(app) == {"retry": 1, "done": 1}

    assert runs == [1, 2]
    assert len(mail_server.messages) == 1
    [job] = all_jobs(db)
    assert (job.state, job.attempts, job.last_error) == ("done", 2, None)
    assert db.session.scalar(select(func.count()).select_from(MailDelivery)) == 1


def test_every_message_carries_a_message_id_that_stays_the_same_for_its_key(app, db, mail_server, mail_to):
    mail_to(mail_server)
    queue_mail("ada@example.org", "One", "Body.", key="one")
    queue_mail("bob@example.org", "Two", "Body.", key="two")
    db.session.commit()
    run_jobs(app)

    ids = {message["To"]: message["Message-ID"] for message in mail_server.messages}
    assert ids["ada@example.org"] != ids["bob@example.org"]
    assert all(value.endswith("@courseware.test>") for value in ids.values())
    assert ids["ada@example.org"] == message_id("one")


def test_a_refused_email_fails_for_good_after_its_attempts_and_the_admin_retries_it(
    app, db, client, login, make_user, mail_server, mail_to, monkeypatch
):
    mail_to(mail_server)
    monkeypatch.setitem(app.config, "JOB_RETRY_SECONDS", 0)
    monkeypatch.setitem(app.config, "JOB_MAX_ATTEMPTS", 3)
    mail_server.refuse = True
    queue_mail("nobody@example.org", "Welcome aboard", "Body.", key="welcome")
    db.session.commit()

    assert run_jobs(app) == {"retry": 2, "failed": 1}

    [job] = all_jobs(db)
    assert (job.state, job.attempts) == ("failed", 3)
    assert "550" in job.last_error and "No such mailbox" in job.last_error
    assert mail_server.messages == []

    login(make_user(roles=("admin",)))
    shown = page(client.get("/admin/jobs"))
    assert "nobody@example.org" in shown.text and "Welcome aboard" in shown.text
    assert "No such mailbox" in shown.text and "3 of 3" in shown.text

    mail_server.refuse = False
    response = post(client, f"/admin/jobs/{job.id}/retry")
    assert response.status_code == 302 and path_of(response.location) == "/admin/jobs"
    assert all_jobs(db)[0].state == "queued"
    assert "is queued again" in page(client.get("/admin/jobs")).text

    assert run_jobs(app) == {"done": 1}
    [message] = mail_server.messages
    assert message["To"] == "nobody@example.org"
    assert "No job has failed for good." in page(client.get("/admin/jobs")).text
    again = post(client, f"/admin/jobs/{job.id}/retry")
    assert again.status_code == 302 and all_jobs(db)[0].state == "done"


def test_with_no_mail_server_listening_the_job_fails_for_good_with_the_connection_error(app, db, mail_to, monkeypatch):
    from tests.conftest import free_port

    class Nowhere:
        port = free_port()

    mail_to(Nowhere)
    monkeypatch.setitem(app.config, "JOB_RETRY_SECONDS", 0)
    monkeypatch.setitem(app.config, "JOB_MAX_ATTEMPTS", 2)
    queue_mail("ada@example.org", "Hello", "Body.", key="nowhere")
    db.session.commit()

    assert run_jobs(app) == {"retry": 1, "failed": 1}
    [job] = all_jobs(db)
    assert job.state == "failed" and "could not email ada@example.org" in job.last_error


def test_each_failed_attempt_waits_twice_as_long_as_the_one_before(app, db, mail_server, mail_to, monkeypatch):
    mail_to(mail_server)
    monkeypatch.setitem(app.config, "JOB_RETRY_SECONDS", 30)
    monkeypatch.setitem(app.config, "JOB_MAX_ATTEMPTS", 8)
    mail_server.refuse = True
    queue_mail("ada@example.org", "Hello", "Body.", key="backoff")
    db.session.commit()

    waits = []
    for _ in range(3):
        before = utcnow()
        assert run_one(app, "test-worker") == "retry"
        after = utcnow()
        [job] = all_jobs(db)
        assert job.state == "queued"
        waits.append((job.run_after - after, job.run_after - before))
        # Nothing is due until then: the worker finds no work.
        assert run_one(app, "test-worker") is None
        db.session.execute(update(Job).values(run_after=utcnow() - dt.timedelta(seconds=1)))
        db.session.commit()

    for (shortest, longest), seconds in zip(waits, (30, 60, 120), strict=True):
        assert shortest <= dt.timedelta(seconds=seconds) <= longest


def test_a_running_job_whose_lease_ran_out_is_taken_again_and_one_still_held_is_not(
    app, db, mail_server, mail_to, monkeypatch
):
    from courseware.jobs.worker import claim

    mail_to(mail_server)
    queue_mail("ada@example.org", "Hello", "Body.", key="leased")
    db.session.commit()
    with app.app_context():
        taken = claim("worker-that-dies")
    assert taken.attempts == 1

    assert run_one(app, "second-worker") is None
    db.session.execute(update(Job).values(locked_until=utcnow() - dt.timedelta(seconds=1)))
    db.session.commit()
    assert run_one(app, "second-worker") == "done"

    [job] = all_jobs(db)
    assert (job.state, job.attempts, job.locked_by) == ("done", 2, "second-worker")
    assert len(mail_server.messages) == 1


def test_done_jobs_are_deleted_after_the_days_kept_with_their_delivery_records(app, db, mail_server, mail_to):
    from courseware.jobs.worker import clean_up

    mail_to(mail_server)
    queue_mail("old@example.org", "Old", "Body.", key="old")
    queue_mail("new@example.org", "New", "Body.", key="new")
    db.session.commit()
    run_jobs(app)
    old = next(job for job in all_jobs(db) if job.key == "old")
    db.session.execute(update(Job).where(Job.id == old.id).values(finished_at=utcnow() - dt.timedelta(days=8)))
    db.session.commit()

    assert clean_up(app) == 1

    assert [job.key for job in all_jobs(db)] == ["new"]
    assert list(db.session.scalars(select(MailDelivery.key))) == ["new"]


def test_the_status_json_counts_jobs_by_state(app, db, client, login, make_user, mail_server, mail_to):
    mail_to(mail_server)
    queue_mail("ada@example.org", "Hello", "Body.", key="counted")
    db.session.commit()
    login(make_user(roles=("admin",)))

    assert client.get("/admin/status.json").get_json()["jobs"] == {"queued": 1, "running": 0, "done": 0, "failed": 0}
    run_jobs(app)
    assert client.get("/admin/status.json").get_json()["jobs"]["done"] == 1


def test_the_worker_command_with_once_runs_what_is_due_and_says_how_it_went(
    app, db, runner, mail_server, mail_to, monkeypatch
):
    mail_to(mail_server)
    monkeypatch.setitem(app.config, "JOB_MAX_ATTEMPTS", 1)
    queue_mail("ada@example.org", "Hello", "Body.", key="cli:ada")
    queue_mail("bob@example.org", "Hello", "Body.", key="cli:bob")
    db.session.commit()
    mail_server.refuse_only = "bob@example.org"

    result = runner.invoke(args=["worker", "--once"])

    assert result.exit_code == 0, result.output
    assert "2 job(s) run: 1 done, 0 to be retried, 1 failed for good." in result.output
    assert [m["To"] for m in mail_server.messages] == ["ada@example.org"]

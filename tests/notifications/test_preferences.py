"""How each person hears of notifications: in the app only, an e-mail for each (over real SMTP),
or one daily digest, sent once a day however often it is asked for."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from courseware.models import Job, Notification
from courseware.notifications.services import delivery_of, notify, schedule_digests, schedule_due_digests, set_delivery
from tests.conftest import post, run_jobs
from tests.core.web import FormReader, page, path_of


def chosen_on(markup: str) -> str | None:
    for form in FormReader(markup).forms:
        if form["action"] == "/notifications/preference":
            return (form["fields"].get("delivery") or [None])[0]
    return None


def test_a_person_chooses_on_the_account_page_or_the_notifications_page(client, db, login, make_user):
    learner = make_user()
    login(learner)
    assert chosen_on(client.get("/account").get_data(as_text=True)) == "each"

    response = post(client, "/notifications/preference", {"delivery": "digest", "next": "/account"})
    assert response.status_code == 302 and path_of(response.location) == "/account"
    db.session.expire_all()
    assert delivery_of(learner) == "digest"
    shown = client.get("/account").get_data(as_text=True)
    assert chosen_on(shown) == "digest" and "one e-mail a day" in page(client.get("/account")).text.lower()

    response = post(client, "/notifications/preference", {"delivery": "app", "next": "/notifications/"})
    assert path_of(response.location) == "/notifications/"
    notifications_page = client.get("/notifications/")
    assert chosen_on(notifications_page.get_data(as_text=True)) == "app"
    assert "You will see notifications in the app only." in page(notifications_page).text
    db.session.expire_all()
    assert delivery_of(learner) == "app"


def test_a_choice_that_is_not_offered_is_refused_and_nothing_changes(client, db, login, make_user):
    learner = make_user()
    login(learner)
    response = post(
        client, "/notifications/preference", {"delivery": "carrier-pigeon", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and path_of(response.location) == "/notifications/"
    assert "Not a valid choice" in page(client.get("/notifications/")).text
    db.session.expire_all()
    assert delivery_of(learner) == "each"


def test_email_for_each_sends_every_notification_through_smtp_and_in_app_only_sends_none(
    app, db, make_user, smtp_server
):
    each = make_user(email="each@example.org", name="Eve Each")
    quiet = make_user(email="quiet@example.org", name="Quinn Quiet")
    set_delivery(quiet, "app")
    notify(each, "objective", "Mona set an objective with you: Reply faster", "/learn/objectives/1")
    quiet_news = notify(quiet, "objective", "Mona set an objective with you: Post weekly", "/learn/objectives/2")
    db.session.commit()

    assert run_jobs(app) == {"done": 1}
    [message] = smtp_server.messages
    assert message["To"] == "each@example.org"
    assert message["Subject"] == "Mona set an objective with you: Reply faster"
    body = message.get_payload(decode=True).decode()
    assert "Hello Eve Each" in body and "http://courseware.test/learn/objectives/1" in body
    db.session.expire_all()
    assert db.session.get(Notification, quiet_news.id).emailed_at is None
    assert db.session.scalars(select(Job.kind)).all() == ["notification.email"]


def test_the_daily_digest_gathers_unread_notifications_into_one_email_once_a_day(
    app, db, make_user, runner, smtp_server
):
    digest = make_user(email="digest@example.org", name="Dana Digest")
    quiet = make_user(email="quiet@example.org")
    set_delivery(digest, "digest")
    set_delivery(quiet, "app")
    notify(digest, "review", "Tess approved your practice work on “Write”.", "/learn/c/write")
    notify(digest, "comment", "Tess commented on your checklist.", "/threads/checklist/4")
    already_read = notify(digest, "reminder", "An old reminder you read.", None)
    notify(digest, "assigned", "Mona assigned you the course “Listening”.", "/learn/listening")
    notify(quiet, "review", "Quiet news.", None)
    db.session.commit()
    already_read.read_at = already_read.created_at
    db.session.commit()
    # Nothing is e-mailed one by one for a digest reader, nor at all for in-app only.
    assert run_jobs(app) == {}

    result = runner.invoke(args=["digests", "send"])
    assert result.exit_code == 0, result.output
    assert "1 digest(s) queued" in result.output and "1 digest job(s) done" in result.output
    [message] = smtp_server.messages
    assert message["To"] == "digest@example.org"
    assert "3 new notifications" in message["Subject"]
    body = message.get_payload(decode=True).decode()
    assert "Tess approved your practice work" in body and "Tess commented on your checklist." in body
    assert "Mona assigned you the course" in body and "http://courseware.test/threads/checklist/4" in body
    assert "An old reminder you read." not in body and "Quiet news." not in body

    # Run again the same day (cron twice, or the worker too): nothing more is sent, even with news.
    notify(digest, "review", "News after the digest.", None)
    db.session.commit()
    again = runner.invoke(args=["digests", "send"])
    assert again.exit_code == 0, again.output
    assert "0 digest(s) queued" in again.output
    assert schedule_due_digests(dt.datetime.now(dt.UTC).replace(hour=23)) == 0
    db.session.commit()
    assert run_jobs(app) == {}
    assert len(smtp_server.messages) == 1
    digested = db.session.scalars(select(Notification.message).where(Notification.digested_at.is_not(None))).all()
    assert len(digested) == 3

    # The next day's digest holds only what came since.
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    assert schedule_digests(tomorrow) == 1
    db.session.commit()
    assert run_jobs(app) == {"done": 1}
    latest = smtp_server.messages[-1].get_payload(decode=True).decode()
    assert "News after the digest." in latest and "Tess approved" not in latest


def test_the_worker_queues_digests_from_their_hour_and_only_once_per_person_and_day(app, db, make_user, smtp_server):
    digest = make_user()
    set_delivery(digest, "digest")
    notify(digest, "review", "Something new.", None)
    db.session.commit()
    hour = app.config["DIGEST_HOUR"]
    today = dt.datetime.now(dt.UTC)
    assert hour > 0
    assert schedule_due_digests(today.replace(hour=hour - 1)) == 0
    assert schedule_due_digests(today.replace(hour=hour)) == 1
    db.session.commit()
    # A second worker (or a second pass) finds the day's job and queues nothing.
    assert schedule_due_digests(today.replace(hour=hour + 1)) == 0
    db.session.commit()
    jobs = db.session.scalars(select(Job).where(Job.kind == "notification.digest")).all()
    assert [job.key for job in jobs] == [f"digest:{digest.id}:{today.date().isoformat()}"]
    assert run_jobs(app) == {"done": 1}
    assert len(smtp_server.messages) == 1


def test_without_smtp_the_digest_command_says_so_and_notifications_stay_in_the_app(app, db, make_user, runner):
    assert not app.config["SMTP_HOST"]
    digest = make_user()
    set_delivery(digest, "digest")
    notify(digest, "review", "Something new.", None)
    db.session.commit()
    result = runner.invoke(args=["digests", "send"])
    assert result.exit_code == 0 and "SMTP is not configured" in result.output
    assert db.session.scalars(select(Job)).all() == []

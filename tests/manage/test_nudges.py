"""Managers nudge anyone in their scope with a message of their own, once a day per learner;
reminders, new assignments and due-date changes always reach the learner in the app, and by
e-mail as they chose when SMTP is set up."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from courseware.models import Job, Notification, Reminder
from courseware.notifications.services import set_delivery
from tests.conftest import post, post_confirmed, run_jobs
from tests.core.web import FormReader, page
from tests.manage.conftest import DAY, active_days, enroll_at


def notifications_of(db, person) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == person.id)))


def test_a_manager_nudges_a_learner_on_track_with_a_message_once_a_day(app, client, db, login, org, smtp_server):
    learner = org.learner
    enroll_at(learner, org.course, dt.datetime.now(dt.UTC) - 3 * DAY)
    active_days(learner, org.course, [1])
    db.session.commit()
    login(org.manager)
    shown = page(client.get(f"/manage/people/{learner.id}"))
    assert "Nudge Plain Learner" in shown.text and "Personal message (optional)" in shown.text

    message = "Your post about listening was great. Keep going this week!"
    response = post(client, f"/manage/people/{learner.id}/remind", {"message": message})
    assert response.status_code == 302
    assert "Reminder sent to Plain Learner" in page(client.get(response.location)).text
    reminder = db.session.scalar(select(Reminder).where(Reminder.user_id == learner.id))
    assert (reminder.reason, reminder.message, reminder.sent_by_id) == ("nudge", message, org.manager.id)
    [notification] = notifications_of(db, learner)
    assert notification.kind == "reminder" and notification.message.startswith("Mona Manager sent you a reminder")
    assert message in notification.message

    assert run_jobs(app) == {"done": 1}
    [mail] = smtp_server.messages
    body = mail.get_payload(decode=True).decode()
    assert mail["To"] == "plain@example.org" and "Mona Manager adds:" in body and message in body

    refused = post(client, f"/manage/people/{learner.id}/remind", {"message": "One more thing."})
    assert refused.status_code == 422
    assert any("already been reminded today" in error for error in page(refused).errors)
    kept = [f for f in FormReader(refused.get_data(as_text=True)).forms if f["action"].endswith("/remind")]
    assert [value.strip() for value in kept[0]["fields"]["message"]] == ["One more thing."]
    assert len(db.session.scalars(select(Reminder)).all()) == 1
    assert len(notifications_of(db, learner)) == 1
    assert run_jobs(app) == {} and len(smtp_server.messages) == 1
    assert f"“{message}”" in page(client.get(f"/manage/people/{learner.id}")).text


def test_a_nudge_outside_the_scope_is_not_found_and_a_long_message_is_kept_with_an_error(
    client, db, login, org, make_user
):
    south = make_user(name="South Learner", team=org.south)
    login(org.manager)
    assert post(client, f"/manage/people/{south.id}/remind", {"message": "Hi"}).status_code == 404
    long = "x" * 301
    refused = post(client, f"/manage/people/{org.learner.id}/remind", {"message": long})
    assert refused.status_code == 422
    assert any("300 characters" in error for error in page(refused).errors)
    assert long in refused.get_data(as_text=True)
    assert db.session.scalars(select(Reminder)).all() == []


def test_reminders_appear_in_the_app_without_smtp_and_follow_each_learners_choice(
    app, client, db, login, org, make_user, runner, smtp_server
):
    now = dt.datetime.now(dt.UTC)
    idle, digest, quiet = (
        make_user(email=f"{name}@example.org", name=f"{name.title()} Learner", team=org.north)
        for name in ("idle", "digest", "quiet")
    )
    for person in (idle, digest, quiet):
        enroll_at(person, org.course, now - 40 * DAY)
        active_days(person, org.course, [20])
    set_delivery(digest, "digest")
    set_delivery(quiet, "app")
    db.session.commit()

    result = runner.invoke(args=["reminders", "send"])
    assert "3 reminders recorded; 1 queued for email; 1 in their daily digest; 1 in the app only" in result.output
    for person in (idle, digest, quiet):
        [notification] = notifications_of(db, person)
        assert notification.kind == "reminder" and "20 days" in notification.message
    assert run_jobs(app) == {"done": 1}
    assert [m["To"] for m in smtp_server.messages] == ["idle@example.org"]
    assert db.session.scalars(select(Job.kind)).all() == ["reminder.email"]


def test_without_smtp_a_nudge_still_reaches_the_learner_in_the_app(app, client, db, login, org):
    assert not app.config["SMTP_HOST"]
    login(org.manager)
    assert post(client, f"/manage/people/{org.learner.id}/remind", {"message": ""}).status_code == 302
    [notification] = notifications_of(db, org.learner)
    assert notification.message == (
        "Mona Manager sent you a reminder: your manager would like you to keep your training going."
    )
    assert db.session.scalars(select(Job)).all() == []


def test_new_assignments_and_due_date_changes_notify_the_learner_in_the_app_and_by_email(
    app, client, db, login, org, smtp_server
):
    login(org.manager)
    due = dt.date.today() + dt.timedelta(days=30)
    data = {"course": org.course.id, "due_date": due.isoformat(), "people": [org.learner.id]}
    assert post(client, "/manage/assign", data).status_code == 302
    [assigned] = notifications_of(db, org.learner)
    assert assigned.kind == "assigned"
    assert f"Mona Manager assigned you the course “{org.course.title}”, due {due:%-d %B %Y}." == assigned.message
    assert assigned.link == f"/learn/{org.course.slug}"

    # The same due date again: nothing new to tell.
    assert post(client, "/manage/assign", data).status_code == 302
    assert len(notifications_of(db, org.learner)) == 1

    later = due + dt.timedelta(days=7)
    assert post_confirmed(client, "/manage/assign", {**data, "due_date": later.isoformat()}).status_code == 302
    changed = [n for n in notifications_of(db, org.learner) if n.kind == "due-date"]
    assert [n.message for n in changed] == [
        f"Mona Manager changed the due date of “{org.course.title}”: it is now due {later:%-d %B %Y} "
        f"(it was {due:%-d %B %Y})."
    ]
    assert run_jobs(app) == {"done": 2}
    subjects = sorted(m["Subject"] for m in smtp_server.messages)
    assert subjects[0].startswith("Mona Manager assigned you") and subjects[1].startswith("Mona Manager changed")
    assert all(m["To"] == "plain@example.org" for m in smtp_server.messages)
    assert (
        f"http://courseware.test/learn/{org.course.slug}" in smtp_server.messages[0].get_payload(decode=True).decode()
    )

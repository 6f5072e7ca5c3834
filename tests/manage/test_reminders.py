"""Reminders to stalled or overdue learners: at most one a day each, queued with the reminder and
emailed over real SMTP by the worker."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from courseware.db import utcnow
from courseware.models import Job, Reminder
from tests.conftest import TEST_PASSWORD, post, run_jobs
from tests.manage.conftest import DAY, active_days, enroll_at


@pytest.fixture
def learners(org, make_user, db):
    now = utcnow()
    people = {
        "idle": make_user(email="idle@example.org", name="Idle Learner", team=org.north),
        "late": make_user(email="late@example.org", name="Late Learner", team=org.north),
        "fine": make_user(email="fine@example.org", name="Fine Learner", team=org.north),
        "south": make_user(email="south@example.org", name="South Learner", team=org.south),
    }
    enroll_at(people["idle"], org.course, now - 40 * DAY)
    active_days(people["idle"], org.course, [20])
    enroll_at(people["late"], org.course, now - 40 * DAY, due=(now - 2 * DAY).date())
    active_days(people["late"], org.course, [1])
    enroll_at(people["fine"], org.course, now - 10 * DAY)
    active_days(people["fine"], org.course, [1])
    enroll_at(people["south"], org.course, now - 40 * DAY)
    db.session.commit()
    return people


def reminded(db) -> dict[str, tuple[str, bool]]:
    from courseware.models import User

    rows = db.session.execute(
        select(User.email, Reminder.reason, Reminder.emailed).join(User, User.id == Reminder.user_id)
    )
    return {email.split("@")[0]: (reason, emailed) for email, reason, emailed in rows}


def test_cron_reminds_each_stalled_or_overdue_learner_once_a_day(app, runner, learners, smtp_server, db):
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    assert "3 learner(s) stalled or overdue" in result.output
    assert "3 reminders recorded; 3 queued for email." in result.output
    assert smtp_server.messages == []
    assert reminded(db) == {"idle": ("stalled", False), "late": ("overdue", False), "south": ("not_started", False)}
    assert run_jobs(app) == {"done": 3}
    assert sorted(message["To"] for message in smtp_server.messages) == [
        "idle@example.org",
        "late@example.org",
        "south@example.org",
    ]
    idle_mail = next(m for m in smtp_server.messages if m["To"] == "idle@example.org")
    assert "reminder about your training" in idle_mail["Subject"]
    body = idle_mail.get_payload(decode=True).decode()
    assert "you haven't done anything in your course for 20 days" in body
    assert "http://courseware.test/learn" in body
    late_mail = next(m for m in smtp_server.messages if m["To"] == "late@example.org")
    assert "was due on" in late_mail.get_payload(decode=True).decode()
    assert reminded(db) == {"idle": ("stalled", True), "late": ("overdue", True), "south": ("not_started", True)}
    south_mail = next(m for m in smtp_server.messages if m["To"] == "south@example.org")
    assert "you haven't started it yet" in south_mail.get_payload(decode=True).decode()

    again = runner.invoke(args=["reminders", "send"])
    assert again.exit_code == 0, again.output
    assert "0 reminders recorded; 0 queued for email; 3 already reminded today" in again.output
    assert run_jobs(app) == {}
    assert len(smtp_server.messages) == 3
    jobs = db.session.scalars(select(Job).order_by(Job.id)).all()
    assert [(job.kind, job.state) for job in jobs] == [("reminder.email", "done")] * 3
    reminders = db.session.scalars(select(Reminder)).all()
    assert {job.key for job in jobs} == {f"reminder:{r.user_id}:{r.sent_on.isoformat()}" for r in reminders}
    assert len(reminded(db)) == 3


def test_reminders_are_recorded_without_smtp(runner, learners, db, app):
    assert not app.config["SMTP_HOST"]
    result = runner.invoke(args=["reminders", "send"])
    assert "3 reminders recorded; 0 queued for email; 3 not emailed (SMTP not configured)." in result.output
    assert run_jobs(app) == {}
    assert {emailed for _, emailed in reminded(db).values()} == {False}


def test_a_manager_reminds_their_stalled_and_overdue_people_from_the_people_page(
    app, client, login, org, learners, smtp_server, db, runner
):
    login(org.manager)
    response = post(client, "/manage/reminders", {"status": "", "sort": "name"})
    assert response.status_code == 302 and "/manage/people" in response.headers["Location"]
    run_jobs(app)
    assert sorted(m["To"] for m in smtp_server.messages) == ["idle@example.org", "late@example.org"]
    assert "2 reminders recorded; 2 queued for email" in client.get("/manage/people").get_data(as_text=True)
    # Ticking people: only the stalled/overdue among them get one, and not twice a day.
    response = post(
        client,
        "/manage/people/selected",
        {"person": [learners["idle"].id, learners["fine"].id], "action": "remind"},
    )
    assert response.status_code == 302
    run_jobs(app)
    assert len(smtp_server.messages) == 2
    flashed = client.get("/manage/people").get_data(as_text=True)
    assert "1 already reminded today" in flashed and "1 neither stalled nor overdue" in flashed
    # The cron job then reminds only the South learner.
    result = runner.invoke(args=["reminders", "send"])
    assert "1 reminder recorded; 1 queued for email; 2 already reminded today" in result.output
    run_jobs(app)
    assert len(smtp_server.messages) == 3


def test_reminder_for_one_person_from_their_page(app, client, login, org, learners, smtp_server, db):
    login(org.manager)
    page = client.get(f"/manage/people/{learners['idle'].id}").get_data(as_text=True)
    assert "Send a reminder" in page
    assert post(client, f"/manage/people/{learners['idle'].id}/remind").status_code == 302
    again = post(client, f"/manage/people/{learners['idle'].id}/remind")
    assert again.status_code == 422 and "already been reminded today" in again.get_data(as_text=True)
    run_jobs(app)
    assert [m["To"] for m in smtp_server.messages] == ["idle@example.org"]
    page = client.get(f"/manage/people/{learners['idle'].id}").get_data(as_text=True)
    assert "Reminded:" in page and "emailed" in page
    # Anyone in scope can be nudged, not only the stalled and overdue.
    assert "Send a reminder" in client.get(f"/manage/people/{learners['fine'].id}").get_data(as_text=True)


def test_one_click_reminds_a_bounded_number_and_the_next_click_the_next_ones(
    app, client, login, org, learners, smtp_server, monkeypatch
):
    from courseware.manage import routes

    monkeypatch.setattr(routes, "MAX_REMINDERS", 1)
    login(org.manager)
    post(client, "/manage/reminders", {})
    run_jobs(app)
    assert len(smtp_server.messages) == 1
    assert "1 more people are stalled or overdue" in client.get("/manage/people").get_data(as_text=True)
    post(client, "/manage/reminders", {})
    run_jobs(app)
    assert sorted(m["To"] for m in smtp_server.messages) == ["idle@example.org", "late@example.org"]
    post(client, "/manage/reminders", {})
    run_jobs(app)
    assert len(smtp_server.messages) == 2


def test_a_reminder_sent_from_a_page_under_a_forged_host_links_to_the_base_url(
    app, client, org, learners, smtp_server, monkeypatch
):
    """The link in the email never comes from the Host header the manager's request carried."""
    from tests.auth.test_links_in_email import BASE_URL, post_forged

    monkeypatch.setitem(app.config, "SERVER_NAME", None)
    monkeypatch.setitem(app.config, "BASE_URL", BASE_URL)
    post_forged(client, "/login", {"email": org.manager.email, "password": TEST_PASSWORD})

    assert post_forged(client, f"/manage/people/{learners['idle'].id}/remind", {}).status_code == 302

    run_jobs(app)
    [message] = smtp_server.messages
    body = message.get_payload(decode=True).decode()
    assert "evil.example" not in body
    assert f"Continue here: {BASE_URL}/learn" in body

"""CSV exports: the people table as filtered, and raw events for a date range, streamed."""

from __future__ import annotations

import csv
import datetime as dt
import io

from courseware.db import utcnow
from courseware.manage.exports import EVENT_COLUMNS
from courseware.manage.routes import PEOPLE_COLUMNS
from courseware.progress import rules
from tests.manage.conftest import DAY, active_days, add_event, enroll_at, lessons_of


def read_csv(response):
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment")
    # Streamed: the body is produced by a generator, so no Content-Length is known up front.
    assert "Content-Length" not in response.headers
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_people_csv_is_the_table_as_filtered(client, login, org, make_user, db):
    now = utcnow()
    idle = make_user(email="idle@example.org", name="Idle, the Learner", team=org.north)
    busy = make_user(email="busy@example.org", name="Busy Learner", team=org.north)
    other = make_user(email="other@example.org", name="Other Team", team=org.south)
    for person in (idle, busy, other):
        enroll_at(person, org.course, now - 30 * DAY, due=(now + 10 * DAY).date())
    active_days(idle, org.course, [20])
    active_days(busy, org.course, [1, 2, 16])
    db.session.commit()
    login(org.manager)
    rows = read_csv(client.get("/manage/people.csv?sort=name"))
    assert tuple(rows[0]) == PEOPLE_COLUMNS
    by_email = {row[2]: dict(zip(PEOPLE_COLUMNS, row, strict=True)) for row in rows[1:]}
    assert "other@example.org" not in by_email
    assert by_email["idle@example.org"]["name"] == "Idle, the Learner"
    assert by_email["idle@example.org"]["status"] == "stalled"
    assert by_email["idle@example.org"]["cause"] == "stalled: inactive 20 days"
    busy_row = by_email["busy@example.org"]
    assert (busy_row["events_last_14_days"], busy_row["events_14_days_before"], busy_row["trend"]) == ("2", "1", "up")
    assert busy_row["team"] == "North" and busy_row["status"] == "on_track"
    assert busy_row["due_date"] == (now + 10 * DAY).date().isoformat()
    assert busy_row["last_active"].startswith((now - DAY).date().isoformat())
    stalled = read_csv(client.get("/manage/people.csv?status=stalled"))
    assert [row[2] for row in stalled[1:]] == ["idle@example.org"]


def test_events_csv_for_a_date_range(app, client, login, org, make_user, db):
    person = make_user(email="doer@example.org", name="Doer", team=org.north)
    stranger = make_user(email="stranger@example.org", name="Stranger", team=org.south)
    lesson = lessons_of(org.course)[0]
    day = dt.datetime(2026, 2, 10, 9, 30, tzinfo=dt.UTC)
    add_event(person, rules.VIEWED, day - DAY, lesson=lesson)  # the day before: left out
    add_event(person, rules.PASSED, day, lesson=lesson, activity_key="quiz-1", score=1.0, success=True)
    add_event(person, rules.JOURNALED, day + DAY + dt.timedelta(hours=14), text_length=42)  # end day, late
    add_event(stranger, rules.VIEWED, day, lesson=lesson)
    db.session.commit()
    login(org.manager)
    rows = read_csv(client.get("/manage/events.csv?start=2026-02-10&end=2026-02-11"))
    assert tuple(rows[0]) == EVENT_COLUMNS
    records = [dict(zip(EVENT_COLUMNS, row, strict=True)) for row in rows[1:]]
    assert [(r["email"], r["verb"]) for r in records] == [
        ("doer@example.org", "passed"),
        ("doer@example.org", "journaled"),
    ]
    passed = records[0]
    assert passed["time"] == "2026-02-10T09:30:00+00:00"
    assert (passed["course"], passed["module"], passed["lesson"]) == (org.course.slug, "basics", "first")
    assert (passed["activity"], passed["score"], passed["success"], passed["team"]) == (
        "quiz-1",
        "1.0",
        "True",
        "North",
    )
    assert records[1]["course"] == "" and records[1]["text_length"] == "42"
    admin = app.test_client()
    login(org.admin, target=admin)
    everyone = read_csv(admin.get("/manage/events.csv?start=2026-02-10&end=2026-02-10"))
    assert {row[2] for row in everyone[1:]} == {"doer@example.org", "stranger@example.org"}


def test_csv_times_carry_the_offset_of_the_exporting_persons_zone(client, login, org, make_user, db):
    person = make_user(email="doer@example.org", name="Doer", team=org.north)
    day = dt.datetime(2026, 2, 10, 9, 30, tzinfo=dt.UTC)
    add_event(person, rules.VIEWED, day, lesson=lessons_of(org.course)[0])
    org.manager.time_zone = "America/New_York"
    db.session.commit()
    login(org.manager)

    rows = read_csv(client.get("/manage/events.csv?start=2026-02-10&end=2026-02-10"))

    [record] = [dict(zip(EVENT_COLUMNS, row, strict=True)) for row in rows[1:]]
    assert record["time"] == "2026-02-10T04:30:00-05:00"
    people = read_csv(client.get("/manage/people.csv"))
    last_active = {row[2]: dict(zip(PEOPLE_COLUMNS, row, strict=True)) for row in people[1:]}["doer@example.org"]
    assert dt.datetime.fromisoformat(last_active["last_active"]).utcoffset() == dt.timedelta(hours=-5)


def test_events_csv_refuses_bad_dates_with_a_clear_message(client, login, org):
    login(org.manager)
    for query, words in [
        ("", "Give the start date as YYYY-MM-DD"),
        ("?start=2026-02-10", "Give the end date as YYYY-MM-DD"),
        ("?start=10/02/2026&end=2026-02-11", "is not a date in the form YYYY-MM-DD"),
        ("?start=2026-02-30&end=2026-03-01", "is not a date in the form YYYY-MM-DD"),
        ("?start=2026-03-01&end=2026-02-01", "The end date is before the start date."),
    ]:
        response = client.get("/manage/events.csv" + query)
        assert response.status_code == 400, query
        assert words in response.get_data(as_text=True), query

"""The people table: one row per learner with progress, trend and status, aggregated in SQL."""

from __future__ import annotations

import re

import pytest
from flask import current_app

from courseware.db import utcnow
from courseware.manage.people import PeopleFilter, all_people, clock, people_page, status_counts
from courseware.manage.policies import Scope
from courseware.progress import rules
from courseware.progress.status import BLOCKED, DONE_ALL, NOT_ENROLLED, NOT_STARTED, ON_TRACK, OVERDUE, STALLED
from tests.core.web import statements_of
from tests.manage.conftest import DAY, active_days, add_event, enroll_at, lessons_of, progress, waiting_submission


@pytest.fixture
def histories(org, make_user, db):
    """One learner of North for each status, and a stalled learner in South."""
    now = utcnow()
    course = org.course
    first, second, third = lessons_of(course)
    people = {}

    def learner(key, team=None):
        people[key] = make_user(email=f"{key}@example.org", name=key.replace("_", " ").title(), team=team or org.north)
        return people[key]

    enroll_at(learner("on_track"), course, now - 20 * DAY)
    active_days(people["on_track"], course, [1, 2, 3, 15])
    enroll_at(learner("idle"), course, now - 40 * DAY)
    active_days(people["idle"], course, [20, 21])
    enroll_at(learner("waiting"), course, now - 40 * DAY)
    active_days(people["waiting"], course, [16])
    progress(people["waiting"], first, "awaiting_review", now - 16 * DAY)
    waiting_submission(people["waiting"], first, now - 16 * DAY)
    enroll_at(learner("blocked"), course, now - 30 * DAY)
    active_days(people["blocked"], course, [2])
    progress(people["blocked"], first, "completed", now - 5 * DAY)
    progress(people["blocked"], second, "completed", now - 4 * DAY)
    progress(people["blocked"], third, "awaiting_review", now - 2 * DAY)
    waiting_submission(people["blocked"], third, now - 2 * DAY)
    enroll_at(learner("late"), course, now - 50 * DAY, due=(now - DAY).date())
    active_days(people["late"], course, [1])
    enroll_at(learner("newcomer"), course, now - 3 * DAY)
    enroll_at(learner("finished"), course, now - 60 * DAY, completed=now - 10 * DAY)
    for lesson in (first, second, third):
        progress(people["finished"], lesson, "completed", now - 10 * DAY)
    learner("unassigned")
    enroll_at(learner("southern", team=org.south), course, now - 40 * DAY)
    db.session.commit()
    return people


EXPECTED = {
    "on_track": (ON_TRACK, "on track"),
    "idle": (STALLED, "stalled: inactive 20 days"),
    "waiting": (STALLED, "stalled: waiting 16 days for a review"),
    "blocked": (BLOCKED, "blocked: the last lesson waits for a trainer's review"),
    "late": (OVERDUE, None),
    "newcomer": (NOT_STARTED, "not started, assigned 3 days ago"),
    "finished": (DONE_ALL, "every assigned course completed"),
    "unassigned": (NOT_ENROLLED, "no course assigned"),
}


def rows_by_email(scope, **filters):
    now = clock(current_app.config["STALLED_DAYS"])
    return {row.email.split("@")[0]: row for row in all_people(scope, PeopleFilter(**filters), now)}


def test_status_and_cause_of_each_learner(org, histories):
    rows = rows_by_email(Scope((org.north.id,)))
    for key, (status, cause) in EXPECTED.items():
        assert rows[key].status_code == status, key
        assert rows[key].status.status == status, key
        if cause:
            assert rows[key].status.cause == cause, key
    assert rows["late"].status.cause.startswith("overdue: due ") and rows["late"].status.cause.endswith("1 day ago")
    assert "southern" not in rows


def test_status_in_sql_agrees_with_the_rules_for_everyone(org, histories):
    """The status column computed in SQL is the one ``learner_status`` gives for each row."""
    rows = rows_by_email(Scope(None))
    assert len(rows) >= len(EXPECTED) + 1
    for key, row in rows.items():
        assert row.status_code == row.status.status, key


def test_stalled_at_the_cutoff_to_the_second_in_sql_as_in_the_rules(org, make_user, db):
    """Active or assigned exactly ``STALLED_DAYS`` ago is stalled, a second later is not; being
    enrolled (a passive event) after the cutoff is not activity."""
    now = clock(14, now=utcnow().replace(microsecond=0))
    cutoff = now.stalled_cutoff
    second = dt_seconds(1)
    people = {}
    for key, assigned, active in (
        ("active_at_cutoff", cutoff - 9 * DAY, cutoff),
        ("active_after_cutoff", cutoff - 9 * DAY, cutoff + second),
        ("assigned_at_cutoff", cutoff, None),
        ("assigned_after_cutoff", cutoff + second, None),
        ("only_enrolled_after_cutoff", cutoff - 9 * DAY, cutoff - DAY),
    ):
        people[key] = make_user(email=f"{key}@example.org", team=org.north)
        enroll_at(people[key], org.course, assigned).started_at = assigned  # begun: not "not started"
        if active is not None:
            add_event(people[key], rules.VIEWED, active, lesson=lessons_of(org.course)[0])
    add_event(people["only_enrolled_after_cutoff"], rules.ENROLLED, cutoff + DAY, course=org.course)
    db.session.commit()
    rows = {row.email.split("@")[0]: row for row in all_people(Scope(None), PeopleFilter(), now)}
    expected = {
        "active_at_cutoff": STALLED,
        "active_after_cutoff": ON_TRACK,
        "assigned_at_cutoff": STALLED,
        "assigned_after_cutoff": ON_TRACK,
        "only_enrolled_after_cutoff": STALLED,
    }
    for key, status in expected.items():
        assert (rows[key].status_code, rows[key].status.status) == (status, status), key
    assert rows["active_at_cutoff"].last_active_at == cutoff
    assert rows["only_enrolled_after_cutoff"].last_active_at == cutoff - DAY
    counts = status_counts(Scope((org.north.id,)), now)
    assert (counts[STALLED], counts[ON_TRACK]) == (3, 2)


def test_latest_activity_is_shown_whatever_the_status(org, histories):
    now = utcnow()
    rows = rows_by_email(Scope(None))
    assert rows["late"].last_active_at == pytest.approx(now - DAY, abs=dt_seconds(5))  # overdue
    assert rows["blocked"].last_active_at == pytest.approx(now - 2 * DAY, abs=dt_seconds(5))
    assert rows["finished"].last_active_at is None and rows["unassigned"].last_active_at is None


def test_trend_counts_active_events_only(org, histories, db):
    now = utcnow()
    person = histories["on_track"]
    add_event(person, rules.ENROLLED, now - 2 * DAY, course=org.course)  # passive: not activity
    db.session.commit()
    row = rows_by_email(Scope(None))["on_track"]
    assert (row.recent, row.before, row.trend) == (3, 1, "up")
    assert row.last_active_at == pytest.approx(now - DAY, abs=dt_seconds(5))


def test_with_a_course_chosen_activity_and_stalling_count_that_course_only(
    org, make_user, make_course, db, client, login
):
    """Busy in one course and idle for 20 days in another: stalled in that one alone."""
    now = utcnow()
    other = make_course()
    person = make_user(email="two_courses@example.org", name="Two Courses", team=org.north)
    enroll_at(person, org.course, now - 40 * DAY)
    enroll_at(person, other, now - 40 * DAY)
    active_days(person, org.course, [20, 21])
    active_days(person, other, [1, 2, 16])
    db.session.commit()

    everywhere = rows_by_email(Scope(None))["two_courses"]
    idle_here = rows_by_email(Scope(None), course_id=org.course.id)["two_courses"]
    busy_here = rows_by_email(Scope(None), course_id=other.id)["two_courses"]

    assert (everywhere.status_code, everywhere.recent, everywhere.before) == (ON_TRACK, 2, 3)
    assert (idle_here.status_code, idle_here.status.status) == (STALLED, STALLED)
    assert idle_here.status.cause == "stalled: inactive 20 days"
    assert idle_here.last_active_at == pytest.approx(now - 20 * DAY, abs=dt_seconds(5))
    assert (idle_here.recent, idle_here.before, idle_here.trend) == (0, 2, "down")
    assert (busy_here.status_code, busy_here.recent, busy_here.before) == (ON_TRACK, 2, 1)
    assert busy_here.last_active_at == pytest.approx(now - DAY, abs=dt_seconds(5))
    counts = status_counts(Scope(None), clock(14), course_id=org.course.id)
    assert counts[STALLED] >= 1

    login(org.manager)
    html = client.get(f"/manage/people?course={org.course.id}&q=two").get_data(as_text=True)
    assert "Last active in course" in html and "stalled: inactive 20 days" in html
    assert "count only what was done in that course" in html
    sorted_by_activity = client.get(f"/manage/people?course={org.course.id}&sort=last_active&q=two")
    assert "stalled: inactive 20 days" in sorted_by_activity.get_data(as_text=True)


def dt_seconds(n):
    import datetime as dt

    return dt.timedelta(seconds=n)


def test_percent_complete_counts_required_lessons(org, histories):
    rows = rows_by_email(Scope(None))
    assert rows["blocked"].percent == 66
    assert rows["finished"].percent == 100
    assert rows["newcomer"].percent == 0


def test_people_page_shows_rows_causes_and_trend(client, login, org, histories):
    login(org.manager)
    html = client.get("/manage/people").get_data(as_text=True)
    assert "stalled: inactive 20 days" in html
    assert "stalled: waiting 16 days for a review" in html
    assert "blocked: the last lesson waits" in html
    assert "Southern" not in html
    assert re.search(r"Idle.*?North", html, re.S)
    assert re.search(r"On Track.*?up: 3 this fortnight, 1 the one before", html, re.S)
    # Most urgent first: overdue, blocked, stalled, then on track.
    listed = names(client, "/manage/people")
    assert listed.index("Late") < listed.index("Blocked") < listed.index("Idle") < listed.index("On Track")


def names(client, path):
    """The people listed on a page of the table, in order."""
    html = client.get(path).get_data(as_text=True)
    return re.findall(r'<a href="/manage/people/\d+">([^<]+)</a>', html)


def test_filters_sort_and_pagination(org, histories, client, login):
    login(org.admin)
    stalled = names(client, "/manage/people?status=stalled")
    assert {"Idle", "Waiting"} <= set(stalled) and "On Track" not in stalled
    not_started = names(client, "/manage/people?status=not_started")
    assert {"Newcomer", "Southern"} == set(not_started)
    table = client.get("/manage/people").get_data(as_text=True)
    assert "Not started" in table
    assert "up: 3 this fortnight, 1 the one before" in table
    assert names(client, f"/manage/people?team={org.south.id}") == ["Southern"]
    in_course = names(client, f"/manage/people?course={org.course.id}")
    assert "Unassigned" not in in_course and "Idle" in in_course
    by_name = names(client, "/manage/people?sort=name&order=desc")
    assert by_name == sorted(by_name, key=str.lower, reverse=True)
    assert names(client, "/manage/people?q=waiT") == ["Waiting"]
    assert client.get("/manage/people?sort=percent").status_code == 200
    assert client.get("/manage/people?sort=trend&order=desc").status_code == 200
    assert client.get("/manage/people?sort=nonsense").status_code == 400
    assert client.get("/manage/people?status=nonsense").status_code == 400
    assert client.get("/manage/people?team=abc").status_code == 400
    assert client.get("/manage/people?course=99999").status_code == 404


def test_pages_of_the_table(org, histories):
    now = clock(14)
    filters = PeopleFilter(sort="name")
    first, total = people_page(Scope(None), filters, now, page=1, per_page=4)
    second, _ = people_page(Scope(None), filters, now, page=2, per_page=4)
    beyond, total_beyond = people_page(Scope(None), filters, now, page=99, per_page=4)
    assert len(first) == 4 and total >= 10
    assert [row.name.lower() for row in first + second] == sorted(row.name.lower() for row in first + second)
    assert not {row.id for row in first} & {row.id for row in second}
    assert beyond == [] and total_beyond == total


def make_learners(count, org, make_user, db):
    now = utcnow()
    for index in range(count):
        person = make_user(email=f"bulk{count}-{index}@example.org", name=f"Bulk {index}", team=org.north)
        enroll_at(person, org.course, now - (index % 40) * DAY, due=(now + (index % 9 - 4) * DAY).date())
        active_days(person, org.course, [index % 30, (index * 7) % 28])
        if index % 5 == 0:
            waiting_submission(person, lessons_of(org.course)[0], now - (index % 20) * DAY)
    db.session.commit()


def count_statements(app, client, path):
    return len(statements_of(app, client, path))


PAGES = [
    "/manage/people",
    "/manage/people?sort=trend",
    "/manage/",
    "/manage/charts/funnel.svg",
    "/manage/charts/activity.svg",
]


def test_pages_run_the_same_number_of_queries_for_5_and_50_learners(app, org, make_user, db, client, login):
    login(org.manager)
    make_learners(5, org, make_user, db)
    few = {path: count_statements(app, client, path) for path in PAGES}
    make_learners(45, org, make_user, db)
    many = {path: count_statements(app, client, path) for path in PAGES}
    assert few == many
    assert max(many.values()) <= 16


def test_one_rounding_rule_for_percentages_on_the_table_and_the_person_page(org, client, login, db):
    now = utcnow()
    first, second, _ = lessons_of(org.course)
    enroll_at(org.learner, org.course, now - 5 * DAY).started_at = now - 4 * DAY
    progress(org.learner, first, "completed", now - 3 * DAY)
    progress(org.learner, second, "completed", now - 2 * DAY)
    db.session.commit()
    login(org.manager)
    table = client.get(f"/manage/people?course={org.course.id}").get_data(as_text=True)
    person = client.get(f"/manage/people/{org.learner.id}").get_data(as_text=True)
    # 2 of 3 lessons: 66.7 %, shown as 66 % (rounded down) on both pages.
    for html in (table, person):
        assert re.search(r'<progress max="100" value="66"[^>]*>66%</progress>', html)
        assert "67%" not in html

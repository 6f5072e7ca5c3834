"""Managers' figures kept for ``MANAGE_FIGURES_SECONDS``: the pages say as of when, a change shows
once they are worked out again, and the person page and exports are always up to date."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time

import pytest
from dogpile.cache import region as dogpile_region

from courseware.db import utcnow
from courseware.manage import figures
from courseware.manage.people import clock, status_counts
from courseware.manage.policies import Scope
from tests.conftest import private_redis
from tests.manage.conftest import DAY, active_days, enroll_at

AS_OF = re.compile(r'Figures as of <time datetime="([^"]+)">(\d\d:\d\d) UTC</time>(, updated every ([a-z0-9 ]+))?\.')


@pytest.fixture
def keep_figures(app):
    """Keep the managers' figures for ``seconds`` (the managers' conftest puts the setting back)."""

    def keep(seconds: int) -> None:
        app.config["MANAGE_FIGURES_SECONDS"] = seconds
        figures.forget_all()

    return keep


def enrolled_count(html: str) -> int:
    return int(re.search(r'stat-number">(\d+)</span> <span class="stat-label">enrolled<', html).group(1))


def people_count(html: str) -> int:
    return int(re.search(r'result-count" role="status">(\d+) (?:person|people)', html).group(1))


def as_of(html: str) -> tuple[dt.datetime, str, str | None]:
    match = AS_OF.search(html)
    assert match, "no 'Figures as of' line"
    return dt.datetime.fromisoformat(match.group(1)), match.group(2), match.group(4)


def newcomer(org, make_user, db, name: str):
    person = make_user(name=name, team=org.north)
    enroll_at(person, org.course, utcnow() - DAY)
    active_days(person, org.course, [0.5])
    db.session.commit()
    return person


def test_the_overview_says_as_of_when_and_how_often_its_figures_are_updated(
    client, login, org, make_user, db, keep_figures
):
    keep_figures(60)
    newcomer(org, make_user, db, "First Learner")
    login(org.manager)
    before = utcnow()
    html = client.get("/manage/").get_data(as_text=True)
    when, shown, every = as_of(html)
    assert before - dt.timedelta(seconds=1) <= when <= utcnow()
    assert when.tzinfo is not None and when.utcoffset() == dt.timedelta(0)
    assert shown == when.strftime("%H:%M")
    assert every == "minute"
    assert enrolled_count(html) == 1


def test_within_the_time_a_change_waits_but_the_person_page_and_the_export_show_it(
    client, login, org, make_user, db, keep_figures
):
    keep_figures(60)
    newcomer(org, make_user, db, "First Learner")
    login(org.manager)
    overview, people = (
        client.get("/manage/").get_data(as_text=True),
        client.get("/manage/people").get_data(as_text=True),
    )
    later = newcomer(org, make_user, db, "Second Learner")

    again = client.get("/manage/").get_data(as_text=True)
    assert enrolled_count(again) == enrolled_count(overview) == 1
    assert as_of(again) == as_of(overview)
    assert people_count(client.get("/manage/people").get_data(as_text=True)) == people_count(people) == 3
    # Another filter or page is worked out for itself, so it is up to date.
    assert people_count(client.get("/manage/people?sort=name").get_data(as_text=True)) == 4

    person = client.get(f"/manage/people/{later.id}").get_data(as_text=True)
    assert "Second Learner" in person and "On track" in person
    exported = list(csv.DictReader(io.StringIO(client.get("/manage/people.csv").get_data(as_text=True))))
    assert "Second Learner" in {row["name"] for row in exported} and len(exported) == 4


def test_after_the_time_the_figures_are_worked_out_again(client, login, org, make_user, db, keep_figures):
    keep_figures(1)
    newcomer(org, make_user, db, "First Learner")
    login(org.manager)
    overview, people = (
        client.get("/manage/").get_data(as_text=True),
        client.get("/manage/people").get_data(as_text=True),
    )
    assert as_of(overview)[2] == "second"
    newcomer(org, make_user, db, "Second Learner")
    time.sleep(1.1)

    fresh = client.get("/manage/").get_data(as_text=True)
    assert enrolled_count(overview) == 1 and enrolled_count(fresh) == 2
    assert as_of(fresh)[0] - as_of(overview)[0] >= dt.timedelta(seconds=1)
    assert people_count(people) == 3
    assert people_count(client.get("/manage/people").get_data(as_text=True)) == 4


def test_the_charts_draw_the_figures_of_the_table_beside_them(client, login, org, make_user, db, keep_figures):
    keep_figures(60)
    newcomer(org, make_user, db, "First Learner")
    login(org.manager)
    client.get(f"/manage/?course={org.course.id}")
    newcomer(org, make_user, db, "Second Learner")
    svg = client.get(f"/manage/charts/funnel.svg?course={org.course.id}").get_data(as_text=True)
    # pygal prints each bar's value; the table said one person was assigned.
    assert re.search(r'class="value[^"]*"[^>]*>1<', svg) and not re.search(r'class="value[^"]*"[^>]*>2<', svg)


def test_each_scope_has_its_own_figures(client, login, org, make_user, db, keep_figures):
    keep_figures(60)
    newcomer(org, make_user, db, "Northern Learner")
    southern = make_user(name="Southern Learner", team=org.south)
    enroll_at(southern, org.course, utcnow() - DAY)
    db.session.commit()
    login(org.manager)
    assert enrolled_count(client.get("/manage/").get_data(as_text=True)) == 1
    admin = client.application.test_client()
    login(org.admin, target=admin)
    assert enrolled_count(admin.get("/manage/").get_data(as_text=True)) == 2


def test_with_no_time_set_every_request_works_the_figures_out(client, login, org, make_user, db, keep_figures):
    keep_figures(0)
    newcomer(org, make_user, db, "First Learner")
    login(org.manager)
    html = client.get("/manage/").get_data(as_text=True)
    assert as_of(html)[2] is None and "updated every" not in html
    newcomer(org, make_user, db, "Second Learner")
    assert enrolled_count(client.get("/manage/").get_data(as_text=True)) == 2


def test_kept_figures_last_the_set_time_and_never_past_midnight(app, org, make_user, db, keep_figures, monkeypatch):
    keep_figures(60)
    scope = Scope((org.north.id,))
    newcomer(org, make_user, db, "First Learner")
    evening = dt.datetime(2026, 3, 2, 23, 58, 30, tzinfo=dt.UTC)
    machine = {"now": evening}
    # The cache library measures the time figures were kept by the clock of the machine.
    monkeypatch.setattr(dogpile_region.time, "time", lambda: machine["now"].timestamp())

    def counts_at(moment: dt.datetime) -> figures.Kept:
        machine["now"] = moment
        now = clock(14, now=moment)
        return figures.kept(scope, ("counts",), now, lambda: status_counts(scope, now))

    first = counts_at(evening)
    assert first.value["people"] == 3 and first.as_of == evening  # with the trainer and the plain learner
    newcomer(org, make_user, db, "Second Learner")
    assert counts_at(evening + dt.timedelta(seconds=59)) == first
    past_the_minute = evening + dt.timedelta(seconds=61)
    after_a_minute = counts_at(past_the_minute)
    assert after_a_minute.value["people"] == 4 and after_a_minute.as_of == past_the_minute

    newcomer(org, make_user, db, "Third Learner")
    assert counts_at(evening + dt.timedelta(seconds=89)) == after_a_minute
    after_midnight = counts_at(dt.datetime(2026, 3, 3, 0, 0, 5, tzinfo=dt.UTC))
    assert after_midnight.value["people"] == 5 and after_midnight.as_of.date() == dt.date(2026, 3, 3)


@pytest.mark.parametrize(
    ("seconds", "words"), [(60, "minute"), (300, "5 minutes"), (1, "second"), (30, "30 seconds"), (90, "90 seconds")]
)
def test_how_often_in_words(seconds, words):
    assert figures.Kept(None, utcnow(), seconds).updated_every == words


@pytest.fixture
def shared_figures(app, keep_figures):
    """Figures kept in a Redis of the test's own, as with COURSEWARE_REDIS_URL set."""
    with private_redis() as server:
        app.config["REDIS_URL"] = server.url
        keep_figures(60)
        yield
        figures.forget_all()
        app.config["REDIS_URL"] = None


def test_with_redis_every_worker_shows_the_same_kept_figures(client, login, org, make_user, db, app, shared_figures):
    newcomer(org, make_user, db, "First Learner")
    login(org.manager)
    first = client.get("/manage/").get_data(as_text=True)
    newcomer(org, make_user, db, "Second Learner")
    # Another worker: nothing kept in its own memory, the figures come from Redis.
    app.extensions.pop("courseware.figures")

    other = client.get("/manage/").get_data(as_text=True)

    assert enrolled_count(other) == enrolled_count(first) == 1
    assert as_of(other) == as_of(first)
    figures.forget_all()
    assert enrolled_count(client.get("/manage/").get_data(as_text=True)) == 2


def test_when_redis_does_not_answer_the_figures_are_worked_out(client, login, org, make_user, db, keep_figures, app):
    keep_figures(60)
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    try:
        newcomer(org, make_user, db, "First Learner")
        login(org.manager)
        html = client.get("/manage/").get_data(as_text=True)
        assert enrolled_count(html) == 1 and as_of(html)
        newcomer(org, make_user, db, "Second Learner")
        assert enrolled_count(client.get("/manage/").get_data(as_text=True)) == 2
    finally:
        app.config["REDIS_URL"] = None
        app.extensions.pop("courseware.figures", None)

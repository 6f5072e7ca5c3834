"""Times shown in the viewer's zone, relative where natural, and ISO 8601 with an offset in CSVs."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from courseware.core import times

NOON_UTC = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)


def test_a_time_is_shown_in_the_zone_asked_for_with_its_abbreviation():
    assert times.format_date(NOON_UTC, dt.UTC) == "1 Jul 2026, 12:00 UTC"
    assert times.format_date(NOON_UTC, zoneinfo.ZoneInfo("Europe/Paris")) == "1 Jul 2026, 14:00 CEST"
    assert times.format_date(NOON_UTC, zoneinfo.ZoneInfo("America/New_York")) == "1 Jul 2026, 08:00 EDT"


def test_a_zone_without_an_abbreviation_is_named_by_its_offset():
    assert times.format_date(NOON_UTC, zoneinfo.ZoneInfo("Asia/Dubai")) == "1 Jul 2026, 16:00 UTC+04"
    assert times.format_date(NOON_UTC, zoneinfo.ZoneInfo("Asia/Kathmandu")) == "1 Jul 2026, 17:45 UTC+05:45"


def test_a_calendar_date_is_never_moved_to_another_day():
    assert times.format_date(dt.date(2026, 7, 1)) == "1 Jul 2026"


def test_csv_times_are_iso_8601_with_the_offset_of_the_zone():
    assert times.iso_in_zone(NOON_UTC, zoneinfo.ZoneInfo("Europe/Paris")) == "2026-07-01T14:00:00+02:00"
    assert times.iso_in_zone(NOON_UTC, dt.UTC) == "2026-07-01T12:00:00+00:00"
    assert times.iso_in_zone(None) == ""


def test_relative_forms_count_minutes_hours_and_days():
    now = NOON_UTC
    assert times.time_ago(now - dt.timedelta(seconds=20), now) == "just now"
    assert times.time_ago(now - dt.timedelta(minutes=1), now) == "1 minute ago"
    assert times.time_ago(now - dt.timedelta(hours=5), now) == "5 hours ago"
    assert times.time_ago(now - dt.timedelta(days=3, hours=2), now) == "3 days ago"


def test_only_known_zones_are_accepted():
    assert times.is_zone("Europe/Paris") and times.is_zone("UTC")
    assert not times.is_zone("Mars/Olympus_Mons")
    assert not times.is_zone("")
    assert not times.is_zone("../../etc/passwd")
    assert times.zone("Mars/Olympus_Mons") is dt.UTC
    assert all(times.is_zone(name) for name, _ in times.zone_choices())


def test_the_relative_form_keeps_the_exact_time_in_its_title(app):
    recent = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    with app.test_request_context():
        markup = str(times.when(recent))
    assert markup.startswith(f'<time datetime="{recent.isoformat(timespec="seconds")}" title="')
    assert ">3 days ago</time>" in markup
    assert times.format_date(recent, dt.UTC) in markup


def test_dates_and_numbers_are_written_the_way_the_readers_language_writes_them(app):
    from flask_babel import force_locale

    from courseware.core.numbers import number, percentage

    with app.test_request_context("/"):
        with force_locale("en"):
            assert times.format_date(dt.datetime(2026, 9, 6, 14, 5, tzinfo=dt.UTC), dt.UTC) == "6 Sep 2026, 14:05 UTC"
            assert times.format_long_date(dt.date(2026, 9, 6)) == "6 September 2026"
            assert (percentage(28), number(1234.5)) == ("28%", "1,234.5")
        with force_locale("es"):
            assert times.format_date(NOON_UTC, dt.UTC) == "1 jul 2026, 12:00 UTC"
            assert times.format_long_date(dt.date(2026, 7, 1)) == "1 de julio de 2026"
            assert (percentage(28), number(1234.5)) == ("28\xa0%", "1.234,5")
        with force_locale("fr"):
            assert times.format_date(NOON_UTC, dt.UTC) == "1 juil. 2026, 12:00 UTC"
            assert (percentage(28), number(1234.5)) == ("28\xa0%", "1\u202f234,5")


def test_how_long_ago_says_one_and_many_as_the_language_does(app):
    from flask_babel import force_locale

    then = NOON_UTC - dt.timedelta(days=1)
    with app.test_request_context("/"):
        assert times.time_ago(then, now=NOON_UTC) == "1 day ago"
        assert times.time_ago(NOON_UTC - dt.timedelta(hours=5), now=NOON_UTC) == "5 hours ago"
        with force_locale("es"):
            assert times.time_ago(then, now=NOON_UTC) == "hace 1 día"
            assert times.time_ago(NOON_UTC - dt.timedelta(days=3), now=NOON_UTC) == "hace 3 días"
        with force_locale("fr"):
            assert times.time_ago(NOON_UTC - dt.timedelta(seconds=90), now=NOON_UTC) == "il y a 1 minute"
            assert times.time_ago(None) == "jamais"

"""The learner-status rules managers see (trend, overdue, stalled, blocked), on hand-made figures."""

import datetime as dt

import pytest

from courseware.progress.status import (
    BLOCKED,
    DONE_ALL,
    NOT_ENROLLED,
    NOT_STARTED,
    ON_TRACK,
    OVERDUE,
    STALLED,
    blocked_cause,
    learner_status,
    overdue_days,
    stalled_cause,
    trend,
    trend_in_words,
)

NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
DAY = dt.timedelta(days=1)
SECOND = dt.timedelta(seconds=1)


@pytest.mark.parametrize(
    ("recent", "before", "expected"),
    [(0, 0, "flat"), (5, 5, "flat"), (6, 5, "up"), (1, 0, "up"), (4, 5, "down"), (0, 1, "down")],
)
def test_trend_compares_the_last_14_days_with_the_14_before(recent, before, expected):
    assert trend(recent, before) == expected


def test_due_today_is_not_overdue_but_due_yesterday_is():
    assert overdue_days(None, TODAY) is None
    assert overdue_days(TODAY + DAY, TODAY) is None
    assert overdue_days(TODAY, TODAY) is None
    assert overdue_days(TODAY - DAY, TODAY) == 1
    assert overdue_days(TODAY - 30 * DAY, TODAY) == 30


def test_inactive_for_exactly_the_setting_is_stalled_a_second_less_is_not():
    assert stalled_cause(NOW - 14 * DAY, None, None, NOW, 14) == ("inactive", 14)
    assert stalled_cause(NOW - 14 * DAY + SECOND, None, None, NOW, 14) is None
    assert stalled_cause(NOW - 40 * DAY, None, None, NOW, 14) == ("inactive", 40)
    assert stalled_cause(NOW - 3 * DAY, None, None, NOW, 3) == ("inactive", 3)


def test_someone_who_never_started_stalls_counted_from_their_assignment():
    assert stalled_cause(None, NOW - 13 * DAY, None, NOW, 14) is None
    assert stalled_cause(None, NOW - 20 * DAY, None, NOW, 14) == ("inactive", 20)
    assert stalled_cause(None, None, None, NOW, 14) is None


def test_a_new_assignment_restarts_the_clock():
    assert stalled_cause(NOW - 60 * DAY, NOW - 2 * DAY, None, NOW, 14) is None
    assert stalled_cause(NOW - 60 * DAY, NOW - 30 * DAY, None, NOW, 14) == ("inactive", 30)


def test_stalled_on_work_waiting_for_a_review_names_how_long_it_waits():
    # Handed in 20 days ago, nothing since: the review is the cause, counted from the hand-in.
    assert stalled_cause(NOW - 20 * DAY, None, NOW - 20 * DAY, NOW, 14) == ("review", 20)
    # Still active while waiting: not stalled at all.
    assert stalled_cause(NOW - DAY, None, NOW - 20 * DAY, NOW, 14) is None


def test_blocked_only_when_every_lesson_left_waits_for_a_trainer():
    assert blocked_cause(0, 0) is None
    assert blocked_cause(3, 0) is None
    assert blocked_cause(3, 2) is None
    assert blocked_cause(2, 2) == "blocked: all 2 remaining lessons wait for a trainer's review"
    assert blocked_cause(1, 1) == "blocked: the last lesson waits for a trainer's review"


def status(**overrides):
    figures = {
        "enrolled": 1,
        "completed": 0,
        "started": 1,
        "due_date": None,
        "lessons_left": 10,
        "lessons_waiting": 0,
        "last_active_at": NOW - DAY,
        "assigned_at": NOW - 30 * DAY,
        "waiting_since": None,
        "now": NOW,
        "stalled_days": 14,
    }
    figures.update(overrides)
    return learner_status(**figures)


def test_status_on_track_completed_and_not_enrolled():
    assert status().status == ON_TRACK
    assert status(enrolled=0).status == NOT_ENROLLED
    assert status(enrolled=2, completed=2, due_date=TODAY - 9 * DAY).status == DONE_ALL


def test_status_causes_in_order_of_urgency():
    late = status(due_date=TODAY - 3 * DAY, last_active_at=NOW - 40 * DAY, lessons_left=1, lessons_waiting=1)
    assert (late.status, late.days) == (OVERDUE, 3)
    assert late.cause == "overdue: due 17 Mar 2026, 3 days ago"
    blocked = status(lessons_left=1, lessons_waiting=1, last_active_at=NOW - 40 * DAY, waiting_since=NOW - 40 * DAY)
    assert blocked.status == BLOCKED
    waiting = status(lessons_left=4, lessons_waiting=1, last_active_at=NOW - 16 * DAY, waiting_since=NOW - 16 * DAY)
    assert (waiting.status, waiting.cause) == (STALLED, "stalled: waiting 16 days for a review")
    idle = status(last_active_at=NOW - 15 * DAY)
    assert (idle.status, idle.cause, idle.days) == (STALLED, "stalled: inactive 15 days", 15)
    assert status(due_date=TODAY, last_active_at=NOW - DAY).status == ON_TRACK


def test_not_started_when_no_unfinished_course_is_begun():
    fresh = status(started=0, last_active_at=None, assigned_at=NOW - 2 * DAY)
    assert (fresh.status, fresh.cause) == (NOT_STARTED, "not started, assigned 2 days ago")
    # One course done, the next one not begun: not started on what is left.
    assert status(enrolled=2, completed=1, started=1).status == NOT_STARTED
    assert status(enrolled=2, completed=1, started=2).status == ON_TRACK
    # Overdue stays the more urgent.
    assert status(started=0, due_date=TODAY - 3 * DAY).status == OVERDUE


def test_the_trend_reads_in_words():
    assert trend_in_words(12, 4) == "up: 12 this fortnight, 4 the one before"
    assert trend_in_words(0, 3) == "down: 0 this fortnight, 3 the one before"
    assert trend_in_words(2, 2) == "flat: 2 this fortnight, 2 the one before"

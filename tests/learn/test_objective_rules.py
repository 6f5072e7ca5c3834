"""The on-track rule, the review dates and the team roll-up, at their edges."""

import datetime as dt

import pytest

from courseware.learn.objective_rules import (
    BEHIND,
    DUE,
    MET,
    NOT_DUE,
    ON_TRACK,
    OVERDUE,
    Plan,
    review_dates,
    review_days,
    roll_up,
    standing,
)

JAN_1, MAR_1, MAY_1 = dt.date(2026, 1, 1), dt.date(2026, 3, 1), dt.date(2026, 5, 1)


def plan(direction="higher", baseline=10.0, baseline_date=JAN_1, target=50.0, target_date=MAY_1):
    return Plan(direction, baseline, baseline_date, target, target_date)


def halfway() -> dt.date:
    return JAN_1 + (MAY_1 - JAN_1) / 2


def test_higher_is_better_on_the_line_or_above_is_on_track_below_is_behind():
    day = halfway()  # the line stands at 30
    assert plan().expected_on(day) == pytest.approx(30)
    assert standing(plan(), (day, 30.0)) == ON_TRACK
    assert standing(plan(), (day, 31.0)) == ON_TRACK
    assert standing(plan(), (day, 29.9)) == BEHIND


def test_lower_is_better_turns_the_rule_round():
    lower = plan("lower", baseline=50.0, target=10.0)
    day = halfway()
    assert standing(lower, (day, 30.0)) == ON_TRACK
    assert standing(lower, (day, 25.0)) == ON_TRACK
    assert standing(lower, (day, 31.0)) == BEHIND
    assert standing(lower, (day, 10.0)) == MET
    assert standing(lower, (day, 60.0)) == BEHIND


def test_a_target_reached_or_passed_is_met_whatever_the_date():
    assert standing(plan(), (JAN_1 + dt.timedelta(days=1), 50.0)) == MET
    assert standing(plan(), (MAY_1 + dt.timedelta(days=30), 75.0)) == MET
    # Met even before the baseline date, and without a baseline at all.
    assert standing(plan(), (JAN_1 - dt.timedelta(days=5), 60.0)) == MET
    assert standing(plan(baseline=None, baseline_date=None), (MAR_1, 50.0)) == MET


def test_a_check_in_on_the_baseline_date_is_judged_against_the_baseline():
    assert standing(plan(), (JAN_1, 10.0)) == ON_TRACK
    assert standing(plan(), (JAN_1, 9.0)) == BEHIND


def test_a_check_in_on_the_target_date_or_after_must_reach_the_target():
    assert standing(plan(), (MAY_1, 50.0)) == MET
    assert standing(plan(), (MAY_1, 49.0)) == BEHIND
    assert standing(plan(), (MAY_1 + dt.timedelta(days=1), 49.0)) == BEHIND
    assert standing(plan(), (MAY_1 - dt.timedelta(days=1), 49.8)) == ON_TRACK  # the line: 49.67


def test_without_a_baseline_only_a_met_target_can_be_said():
    no_baseline = plan(baseline=None, baseline_date=None)
    assert no_baseline.expected_on(MAR_1) is None
    assert standing(no_baseline, (MAR_1, 20.0)) is None


def test_nothing_is_said_without_a_check_in_a_target_or_a_direction():
    assert standing(plan(), None) is None
    assert standing(plan(target=None), (MAR_1, 20.0)) is None
    assert standing(plan(direction=None), (MAR_1, 20.0)) is None
    # A target date not after the baseline draws no line.
    assert standing(plan(target_date=JAN_1), (MAR_1, 20.0)) is None


def test_review_falls_due_after_one_interval_and_is_overdue_after_two():
    dates = review_dates(JAN_1, 14)
    assert dates.state(JAN_1 + dt.timedelta(days=13)) == NOT_DUE
    assert dates.state(JAN_1 + dt.timedelta(days=14)) == DUE
    assert dates.state(JAN_1 + dt.timedelta(days=27)) == DUE
    assert dates.state(JAN_1 + dt.timedelta(days=28)) == OVERDUE


def test_review_interval_is_the_objectives_own_or_the_default_for_its_horizon():
    defaults = {"short": 14, "medium": 30, "long": 91}
    assert review_days("short", None, defaults) == 14
    assert review_days("medium", None, defaults) == 30
    assert review_days("long", None, defaults) == 91
    assert review_days("long", 7, defaults) == 7


def test_roll_up_takes_each_members_latest_value_for_sum_and_mean():
    readings = [
        (1, JAN_1, 1, 10.0),
        (2, JAN_1, 2, 4.0),
        (1, MAR_1, 3, 12.0),  # member 1's latest
        (2, MAR_1, 4, 6.0),  # member 2's latest
        (1, MAR_1, 5, 14.0),  # same day, later check-in: member 1's latest now
    ]
    assert roll_up(readings, "sum") == 20.0
    assert roll_up(readings, "mean") == 10.0
    assert roll_up(readings, "latest") == 14.0
    assert roll_up([], "sum") is None
    # A check-in dated earlier but made later does not replace a later-dated one.
    assert roll_up([(1, MAR_1, 1, 5.0), (1, JAN_1, 2, 1.0)], "latest") == 5.0


def test_the_horizons_offered_are_those_the_course_teaches():
    """The objective form's horizons say what the built-in course's table of horizons says."""
    import re
    from pathlib import Path

    from courseware.learn.forms import HORIZONS

    lesson = Path(__file__).parents[2] / "lessons/social-media-practice/objectives/03-short-medium-and-long-term.md"
    taught = dict(re.findall(r"^\| (Short|Medium|Long) term \| ([^|]+?) \|", lesson.read_text(), re.M))
    assert len(taught) == 3
    for key, label in HORIZONS:
        assert label == f"{key.capitalize()} term ({taught[key.capitalize()].lower()})"

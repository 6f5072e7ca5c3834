"""The rules that say how an objective is going and when it is due for review.

Pure functions of plain values, so that the objective page, My learning, the team page and the
managers' overview all judge alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

HIGHER = "higher"
LOWER = "lower"
DIRECTIONS = (HIGHER, LOWER)

MET = "met"
ON_TRACK = "on_track"
BEHIND = "behind"
STANDING_WORDS = {MET: "already met", ON_TRACK: "on track", BEHIND: "behind"}

NOT_DUE = "not_due"
DUE = "due"
OVERDUE = "overdue"

ROLLUPS = ("sum", "mean", "latest")


@dataclass(frozen=True)
class Plan:
    """A quantitative objective's line: from the baseline to the target, and which way is better."""

    direction: str | None
    baseline_value: float | None
    baseline_date: dt.date | None
    target_value: float | None
    target_date: dt.date | None

    def expected_on(self, day: dt.date) -> float | None:
        """Where the line from baseline to target stands on ``day``; None when there is no line
        (no baseline, or no target date after the baseline's).

        Up to the baseline date the line stands at the baseline, from the target date on at the target.
        """
        start, end = self.baseline_date, self.target_date
        if self.baseline_value is None or self.target_value is None or start is None or end is None:
            return None
        if end <= start:
            return None
        if day <= start:
            return self.baseline_value
        if day >= end:
            return self.target_value
        share = (day - start).days / (end - start).days
        return self.baseline_value + share * (self.target_value - self.baseline_value)

    def at_least_as_good(self, value: float, mark: float) -> bool:
        return value <= mark if self.direction == LOWER else value >= mark


def standing(plan: Plan, latest: tuple[dt.date, float] | None) -> str | None:
    """How a quantitative objective is going, judged by its latest check-in (date, value).

    "met" once the value reaches the target (equal counts); "on_track" when it is at least as
    good as the line from baseline to target on the check-in's date; "behind" when it is worse.
    None when there is nothing to judge: no check-in, no target, or (short of the target being
    met) no line to judge by, for want of a baseline or a target date.
    """
    if latest is None or plan.target_value is None or plan.direction not in DIRECTIONS:
        return None
    day, value = latest
    if plan.at_least_as_good(value, plan.target_value):
        return MET
    expected = plan.expected_on(day)
    if expected is None:
        return None
    return ON_TRACK if plan.at_least_as_good(value, expected) else BEHIND


@dataclass(frozen=True)
class ReviewDates:
    due_on: dt.date
    overdue_on: dt.date

    def state(self, today: dt.date) -> str:
        """Due from ``due_on``; overdue from ``overdue_on``, two intervals without a review."""
        if today >= self.overdue_on:
            return OVERDUE
        if today >= self.due_on:
            return DUE
        return NOT_DUE


def review_days(horizon: str, own_days: int | None, defaults: Mapping[str, int]) -> int:
    """Days between reviews: the objective's own interval, else the organisation's for its horizon."""
    if own_days:
        return own_days
    return int(defaults.get(horizon) or defaults["short"])


def review_dates(last_reviewed: dt.date, interval_days: int) -> ReviewDates:
    """When a review falls due and when it is overdue, counted from the last review (or creation)."""
    interval = dt.timedelta(days=max(1, interval_days))
    return ReviewDates(due_on=last_reviewed + interval, overdue_on=last_reviewed + 2 * interval)


def roll_up(readings: Iterable[tuple[int, dt.date, int, float]], how: str) -> float | None:
    """A team's figure from its members' check-ins, given as (author, date, check-in id, value).

    "sum" and "mean" take each member's latest value; "latest" is the most recent value anyone
    gave. None when nobody has checked in.
    """
    latest_by_member: dict[int, tuple[dt.date, int, float]] = {}
    newest: tuple[dt.date, int, float] | None = None
    for author, day, check_in_id, value in readings:
        reading = (day, check_in_id, value)
        if author not in latest_by_member or reading[:2] > latest_by_member[author][:2]:
            latest_by_member[author] = reading
        if newest is None or reading[:2] > newest[:2]:
            newest = reading
    if newest is None:
        return None
    if how == "latest":
        return newest[2]
    values = [reading[2] for reading in latest_by_member.values()]
    total = sum(values)
    return total if how == "sum" else total / len(values)

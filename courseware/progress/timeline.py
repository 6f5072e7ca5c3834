"""Timelines as people read them: one sitting of checklist ticks is one line, not one per tick."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from courseware.progress import rules

# Ticks on the same checklist no further apart than this belong to one sitting.
SITTING_GAP = dt.timedelta(minutes=30)

T = TypeVar("T")


@dataclass(frozen=True)
class TimelineLine(Generic[T]):
    """One line of a timeline: ``item`` (the newest of its events) and, for a sitting of ticks,
    how many saves it holds and when the first was made."""

    item: T
    saves: int = 1
    first_at: dt.datetime | None = None


def group_sittings(items: Iterable[T], event_of: Callable[[T], object]) -> list[TimelineLine[T]]:
    """``items`` (newest first) as timeline lines: consecutive ticks of one checklist less than
    ``SITTING_GAP`` apart make a single line showing the latest state of the list."""
    lines: list[TimelineLine[T]] = []
    for item in items:
        event = event_of(item)
        if lines and _same_sitting(event_of(lines[-1].item), lines[-1].first_at, event):
            lines[-1] = TimelineLine(lines[-1].item, lines[-1].saves + 1, event.created_at)
        else:
            lines.append(TimelineLine(item, 1, event.created_at))
    return lines


def _same_sitting(newest, earliest_at: dt.datetime, event) -> bool:
    return (
        event.verb == newest.verb == rules.CHECKED
        and event.lesson_id == newest.lesson_id
        and event.activity_key == newest.activity_key
        and earliest_at - event.created_at <= SITTING_GAP
    )

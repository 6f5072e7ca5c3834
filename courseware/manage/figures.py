"""Managers' figures kept for a short while (``MANAGE_FIGURES_SECONDS``, a minute by default).

Working out where ten thousand people are takes hundreds of milliseconds of database time; a
manager who pages back and forth through the people table, or several managers looking at the
overview at once, get figures worked out at most ``MANAGE_FIGURES_SECONDS`` ago, and every page
says when.

Figures are kept per worker process; per scope, figure, filter and page; and per day (so that
"overdue" never straddles midnight). The person page, the CSV exports and reminders never use them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import current_app

from courseware.caching import app_cache
from courseware.manage.policies import Scope
from courseware.manage.services import Clock

T = TypeVar("T")

# Pages of 50 rows and overviews are small; this bounds a worker's memory whatever people search for.
MAX_KEPT = 256


@dataclass(frozen=True)
class Kept(Generic[T]):
    """Figures and the moment they were worked out; ``max_age`` in seconds, 0 when not kept."""

    value: T
    as_of: dt.datetime
    max_age: int

    @property
    def updated_every(self) -> str:
        """How often the figures are worked out again, in words: "minute", "5 minutes", "30 seconds"."""
        minutes, seconds = divmod(self.max_age, 60)
        if seconds:
            return "second" if self.max_age == 1 else f"{self.max_age} seconds"
        return "minute" if minutes == 1 else f"{minutes} minutes"


def kept(scope: Scope, key: tuple[Hashable, ...], now: Clock, work_out: Callable[[], T]) -> Kept[T]:
    """The figures of ``scope`` under ``key`` when worked out less than ``MANAGE_FIGURES_SECONDS``
    before ``now`` on the same day, else ``work_out()`` now (and kept)."""
    seconds = max(int(current_app.config["MANAGE_FIGURES_SECONDS"]), 0)
    if not seconds:
        return Kept(work_out(), now.now, 0)
    cache = app_cache("manage.figures", MAX_KEPT)
    teams = None if scope.everyone else tuple(sorted(scope.team_ids))
    full_key = (teams, *key, now.today, now.stalled_days)
    found = cache.get(full_key)
    if found is not None and now.now - found.as_of < dt.timedelta(seconds=seconds):
        return found
    fresh = Kept(work_out(), now.now, seconds)
    cache.set(full_key, fresh)
    return fresh


def oldest(*kept: Kept | None) -> Kept:
    """Of figures shown together, the ones worked out first (the page is as of then)."""
    return min((each for each in kept if each is not None), key=lambda each: each.as_of)


def forget_all() -> None:
    """Drop every kept figure of this worker (the next request works them out again)."""
    app_cache("manage.figures", MAX_KEPT).clear()

"""Managers' figures kept for a short while (``MANAGE_FIGURES_SECONDS``, a minute by default).

Working out where ten thousand people are takes hundreds of milliseconds of database time; a
manager who pages back and forth through the people table, or several managers looking at the
overview at once, get figures worked out at most ``MANAGE_FIGURES_SECONDS`` ago, and every page
says when.

Figures are kept per scope, figure, filter and page, and per day (so that "overdue" never
straddles midnight): in Redis when ``COURSEWARE_REDIS_URL`` is set, so that every worker and
server shows the same ones, else in each worker process. The person page, the CSV exports and
reminders never use them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import pickle
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import current_app

from courseware.caching import app_cache
from courseware.manage.policies import Scope
from courseware.manage.services import Clock

T = TypeVar("T")

log = logging.getLogger(__name__)

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
    shared = _shared_store()
    found = shared.get(full_key) if shared else cache.get(full_key)
    if found is not None and dt.timedelta(0) <= now.now - found.as_of < dt.timedelta(seconds=seconds):
        return found
    fresh = Kept(work_out(), now.now, seconds)
    if shared:
        shared.set(full_key, fresh, seconds)
    else:
        cache.set(full_key, fresh)
    return fresh


class SharedFigures:
    """Kept figures in Redis, under the database they were worked out from. When Redis does not
    answer, figures are worked out as if nothing were kept (and the problem is logged)."""

    PREFIX = "courseware:manage-figures:"

    def __init__(self, url: str, database_url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self._errors = redis.RedisError
        self.namespace = self.PREFIX + hashlib.sha256(database_url.encode()).hexdigest()[:16] + ":"

    def _name(self, key: tuple) -> str:
        return self.namespace + hashlib.sha256(repr(key).encode()).hexdigest()

    def get(self, key: tuple) -> Kept | None:
        try:
            raw = self._redis.get(self._name(key))
        except self._errors as error:
            log.warning("managers' figures: Redis did not answer (%s)", error)
            return None
        return pickle.loads(raw) if raw else None

    def set(self, key: tuple, value: Kept, seconds: int) -> None:
        try:
            self._redis.set(self._name(key), pickle.dumps(value), ex=seconds)
        except self._errors as error:
            log.warning("managers' figures: Redis did not answer (%s)", error)

    def clear(self) -> None:
        try:
            for name in self._redis.scan_iter(match=self.namespace + "*", count=500):
                self._redis.delete(name)
        except self._errors as error:
            log.warning("managers' figures: Redis did not answer (%s)", error)


def _shared_store() -> SharedFigures | None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    stores = current_app.extensions.setdefault("courseware.shared_figures", {})
    if url not in stores:
        stores[url] = SharedFigures(url, current_app.config["SQLALCHEMY_URL"])
    return stores[url]


def oldest(*kept: Kept | None) -> Kept:
    """Of figures shown together, the ones worked out first (the page is as of then)."""
    return min((each for each in kept if each is not None), key=lambda each: each.as_of)


def forget_all() -> None:
    """Drop every kept figure (the next request works them out again)."""
    app_cache("manage.figures", MAX_KEPT).clear()
    shared = _shared_store()
    if shared:
        shared.clear()

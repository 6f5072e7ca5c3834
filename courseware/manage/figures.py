"""Managers' figures kept for a short while (``MANAGE_FIGURES_SECONDS``, a minute by default).

Working out where ten thousand people are takes hundreds of milliseconds of database time; a
manager who pages back and forth through the people table, or several managers looking at the
overview at once, get figures worked out at most ``MANAGE_FIGURES_SECONDS`` ago, and every page
says when.

Figures are kept by dogpile.cache, per scope, figure, filter and page, and per day (so that
"overdue" never straddles midnight), as JSON: in Redis when ``COURSEWARE_REDIS_URL`` is set, so
that every worker and server shows the same ones, else in each worker (at most
``FIGURES_CACHE_BYTES``). A lock makes sure that two managers asking at once do not both work
out the same figures (across servers with Redis). When Redis does not answer, figures are worked
out on every request. A search by name is never kept. The person page, the CSV exports and
reminders never use kept figures.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import threading
from collections.abc import Callable, Hashable, MutableMapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import redis
from cachetools import LRUCache
from dogpile.cache import make_region
from dogpile.cache.region import CacheRegion
from flask import current_app
from flask_babel import ngettext

from courseware.manage.overview import Stage, Week
from courseware.manage.people import Clock, LearnerRow
from courseware.manage.policies import Scope

T = TypeVar("T")

log = logging.getLogger(__name__)


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
            return ngettext("second", "%(num)d seconds", self.max_age)
        return ngettext("minute", "%(num)d minutes", minutes)


# --- each kind of figure as JSON and back -------------------------------------------------------

_ROW_DATETIMES = ("last_active_at", "assigned_at", "waiting_since")
_ROW_DATES = ("due_date",)


def _row_to_json(row: LearnerRow) -> dict:
    data = {name: getattr(row, name) for name in LearnerRow.__dataclass_fields__ if name != "clock"}
    for name in (*_ROW_DATETIMES, *_ROW_DATES):
        data[name] = data[name].isoformat() if data[name] is not None else None
    return data


def _row_from_json(data: dict, clock: Clock) -> LearnerRow:
    for name in _ROW_DATETIMES:
        data[name] = dt.datetime.fromisoformat(data[name]) if data[name] else None
    for name in _ROW_DATES:
        data[name] = dt.date.fromisoformat(data[name]) if data[name] else None
    return LearnerRow(**data, clock=clock)


def _people_to_json(value: tuple[list[LearnerRow], int]) -> dict:
    rows, total = value
    return {"rows": [_row_to_json(row) for row in rows], "total": total}


def _people_from_json(data: dict, clock: Clock) -> tuple[list[LearnerRow], int]:
    return [_row_from_json(row, clock) for row in data["rows"]], data["total"]


# kind: (figures to JSON, JSON and the clock they were worked out by to figures)
CODECS: dict[str, tuple[Callable[[Any], Any], Callable[[Any, Clock], Any]]] = {
    "counts": (dict, lambda data, _clock: dict(data)),
    "funnel": (
        lambda stages: [[stage.title, stage.count, stage.kind, stage.optional] for stage in stages],
        lambda data, _clock: [Stage(*stage) for stage in data],
    ),
    "weeks": (
        lambda weeks: [[week.start.isoformat(), week.events] for week in weeks],
        lambda data, _clock: [Week(dt.date.fromisoformat(start), events) for start, events in data],
    ),
    "people": (_people_to_json, _people_from_json),
}


# --- where they are kept --------------------------------------------------------------------------


class _LockedBytesLRU(MutableMapping):
    """A least-recently-used mapping of serialised figures, bounded in bytes, safe between threads."""

    def __init__(self, max_bytes: int) -> None:
        self._cache: LRUCache = LRUCache(maxsize=max_bytes, getsizeof=len)
        self._lock = threading.Lock()

    def __getitem__(self, key):
        with self._lock:
            return self._cache[key]

    def __setitem__(self, key, value) -> None:
        if len(value) > self._cache.maxsize:
            return
        with self._lock:
            self._cache[key] = value

    def __delitem__(self, key) -> None:
        with self._lock:
            del self._cache[key]

    def __iter__(self):
        with self._lock:
            return iter(list(self._cache))

    def __len__(self) -> int:
        return len(self._cache)


def _serialise(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def _namespace(app) -> str:
    """Where one database's figures are kept in Redis (several installations may share one)."""
    return "courseware:manage-figures:" + hashlib.sha256(app.config["SQLALCHEMY_URL"].encode()).hexdigest()[:16]


def _make_region(app) -> CacheRegion:
    seconds = max(int(app.config["MANAGE_FIGURES_SECONDS"]), 0)
    namespace = _namespace(app)
    region = make_region(
        serializer=_serialise,
        deserializer=json.loads,
        key_mangler=lambda key: namespace + ":" + hashlib.sha256(key.encode()).hexdigest(),
    )
    if app.config.get("REDIS_URL"):
        region.configure(
            "dogpile.cache.redis",
            expiration_time=seconds,
            arguments={
                "url": app.config["REDIS_URL"],
                "redis_expiration_time": seconds + 5,
                "distributed_lock": True,
                "lock_timeout": 120,
                "thread_local_lock": False,
                "connection_kwargs": {"socket_timeout": 2, "socket_connect_timeout": 1},
            },
        )
    else:
        region.configure(
            "dogpile.cache.memory",
            expiration_time=seconds,
            arguments={"cache_dict": _LockedBytesLRU(int(app.config["FIGURES_CACHE_BYTES"]))},
        )
    return region


def _region() -> CacheRegion:
    regions = current_app.extensions.setdefault("courseware.figures", {})
    if "region" not in regions:
        regions["region"] = _make_region(current_app)
    return regions["region"]


_redis_away = threading.Event()


def kept(scope: Scope, key: tuple[Hashable, ...], now: Clock, work_out: Callable[[], T]) -> Kept[T]:
    """The figures of ``scope`` under ``key`` (its first item names the kind of figure) when worked
    out less than ``MANAGE_FIGURES_SECONDS`` before ``now`` on the same day, else ``work_out()``
    now (and kept)."""
    seconds = max(int(current_app.config["MANAGE_FIGURES_SECONDS"]), 0)
    if not seconds or _searches_by_name(key):
        return Kept(work_out(), now.now, 0)
    to_json, from_json = CODECS[str(key[0])]
    teams = None if scope.everyone else sorted(scope.team_ids)
    cache_key = repr((teams, *key, now.today.isoformat(), now.stalled_days))

    def create() -> dict:
        return {"as_of": now.now.isoformat(), "figures": to_json(work_out())}

    try:
        found = _region().get_or_create(cache_key, create)
    except (redis.RedisError, OSError) as error:
        if not _redis_away.is_set():
            _redis_away.set()
            log.warning("managers' figures: Redis did not answer (%s); working them out on every request", error)
        return Kept(work_out(), now.now, 0)
    if _redis_away.is_set():
        _redis_away.clear()
        log.warning("managers' figures: Redis answers again; figures are kept again")
    as_of = dt.datetime.fromisoformat(found["as_of"])
    if as_of > now.now:
        # Worked out by another server whose clock is ahead; say so no later than now.
        as_of = now.now
    clock = Clock(as_of, now.stalled_days)
    return Kept(from_json(found["figures"], clock), as_of, seconds)


def _searches_by_name(key: tuple) -> bool:
    return any(getattr(part, "query", "") for part in key)


def oldest(*kept: Kept | None) -> Kept:
    """Of figures shown together, the ones worked out first (the page is as of then)."""
    return min((each for each in kept if each is not None), key=lambda each: each.as_of)


def forget_all() -> None:
    """Drop every kept figure (the next request works them out again)."""
    region = current_app.extensions.get("courseware.figures", {}).pop("region", None)
    if region is not None and current_app.config.get("REDIS_URL"):
        client = region.backend.writer_client
        for name in client.scan_iter(match=_namespace(current_app) + ":*", count=500):
            client.delete(name)

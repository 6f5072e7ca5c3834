"""The one in-process cache: content that never changes, or that carries its own version.

Published lesson revisions and their HTML are kept by revision id (a revision never changes once
saved), course outlines by course id and the course's ``updated_at``, and page fragments by the
ids and versions they are rendered from. Nothing about a person is kept here: sessions, roles,
enrollments, progress and attempts are read from the database on every request.

The cache is bounded in bytes (``CONTENT_CACHE_BYTES``) and shared by a worker's threads. Values
are frozen plain data (:func:`freeze`), so no request can change what another one reads.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Hashable
from typing import Any

from cachetools import LRUCache
from flask import current_app

_MISSING = object()


class FrozenDict(dict):
    """A dict that refuses every change (it still compares, iterates and serialises as a dict)."""

    def _refuse(self, *_args, **_kwargs):
        raise TypeError("a kept value cannot be changed")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]
    __ior__ = _refuse  # type: ignore[assignment]

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items(), key=repr)))


def freeze(value: Any) -> Any:
    """``value`` with every dict made a :class:`FrozenDict` and every list a tuple, all the way down."""
    if isinstance(value, dict):
        return FrozenDict((key, freeze(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return tuple(freeze(item) for item in value)
    return value


def size_of(value: Any) -> int:
    """About how many bytes ``value`` takes, its contents included."""
    size = sys.getsizeof(value)
    if isinstance(value, dict):
        size += sum(size_of(key) + size_of(item) for key, item in value.items())
    elif isinstance(value, (list, tuple, set, frozenset)):
        size += sum(size_of(item) for item in value)
    elif hasattr(value, "__dataclass_fields__"):
        size += sum(size_of(getattr(value, name)) for name in value.__dataclass_fields__)
    return size


class ContentCache:
    """A least-recently-used cache bounded in bytes, behind a lock (a worker's threads share it)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._cache: LRUCache = LRUCache(maxsize=max_bytes, getsizeof=self._entry_size)
        self._lock = threading.Lock()

    @staticmethod
    def _entry_size(entry: tuple[Hashable, Any]) -> int:
        key, value = entry
        return size_of(key) + size_of(value)

    def get_or_make(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """The value kept under ``key``; when missing, ``make()`` (outside the lock), frozen and kept.

        A value larger than the whole cache is returned but not kept.
        """
        with self._lock:
            entry = self._cache.get(key, _MISSING)
        if entry is not _MISSING:
            return entry[1]
        value = freeze(make())
        entry = (key, value)
        if self._entry_size(entry) <= self.max_bytes:
            with self._lock:
                self._cache[key] = entry
        return value

    @property
    def bytes_used(self) -> int:
        return self._cache.currsize

    def __len__(self) -> int:
        return len(self._cache)

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()


def init_app(app) -> None:
    app.extensions["courseware.content_cache"] = ContentCache(int(app.config["CONTENT_CACHE_BYTES"]))


def content_cache() -> ContentCache:
    """The application's content cache."""
    return current_app.extensions["courseware.content_cache"]

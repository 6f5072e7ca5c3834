"""Small in-process caches, one set per application, safe to share between threads."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any

from cachetools import LRUCache
from flask import current_app

_MISSING = object()


class LockedLRU:
    """A least-recently-used cache behind a lock (gunicorn's threads share a worker's caches)."""

    def __init__(self, maxsize: int) -> None:
        self._cache: LRUCache = LRUCache(maxsize=maxsize)
        self._lock = threading.Lock()

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            return self._cache.get(key, default)

    def set(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._cache[key] = value

    def get_or_make(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """The value under ``key``, made (outside the lock) and kept when missing."""
        value = self.get(key, _MISSING)
        if value is _MISSING:
            value = make()
            self.set(key, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    def __len__(self) -> int:
        return len(self._cache)


def app_cache(name: str, maxsize: int) -> LockedLRU:
    """The application's cache called ``name`` (made on first use)."""
    caches = current_app.extensions.setdefault("courseware.caches", {})
    cache = caches.get(name)
    if cache is None:
        cache = caches.setdefault(name, LockedLRU(maxsize))
    return cache

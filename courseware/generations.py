"""What a worker may keep about a person, and when it must read it again.

Every committed write changes a *generation*: a generation of each person whose rows it
touched, or, when the write is not about one known person (a course edited, a team renamed, a
bulk statement), the generation of everyone. A person has two: who they are (their account,
roles, sessions and notifications) and what they learn (enrollments, progress, attempts…). A worker keeps what it read about a person together with the
generations it read *before* reading the database, and uses it again only while both are
unchanged, and for at most ``MAX_AGE`` seconds in any case.

The generations live where every process using the database sees them at once:

- in Redis when ``COURSEWARE_REDIS_URL`` is set (several machines);
- else in a small shared-memory file on this machine: beside a SQLite database
  (``<database>-generations``), or in the instance folder for PostgreSQL;
- in the process itself for an in-memory SQLite database, which no other process can open.

A generation is a number that changes, not a count: in the file each change writes a fresh
random value, so that two processes changing one at the same instant cannot leave it at a
value some worker already holds.
"""

from __future__ import annotations

import hashlib
import logging
import mmap
import os
import re
import secrets
import struct
import threading
import time
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.sql import elements, operators

from courseware.caching import app_cache

log = logging.getLogger(__name__)

# What a worker keeps is read again at least this often, whatever the generations say.
MAX_AGE = 60.0
EVERYONE = 0
# Each person has two generations: who they are (their account, roles, sessions and notifications,
# which every page's header shows) and what they learn (everything else written about them), so
# that a learner's step does not make the workers check their session again.
IDENTITY, LEARNING = 0, 1
IDENTITY_TABLES = frozenset({"users", "user_roles", "user_sessions", "notifications"})
# Touching more people than this in one transaction changes everyone's generation instead.
MANY = 1000
_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|MERGE)\b", re.IGNORECASE)
# Execution option naming the generations a statement changes (see ``writes_about``), () for none.
PEOPLE_OPTION = "courseware_people"

Token = tuple[int, int]


class MemoryGenerations:
    """Generations inside this process (an in-memory database: no other process sees it)."""

    def __init__(self) -> None:
        self._values: dict[int, int] = {}
        self._lock = threading.Lock()

    def token(self, generation: int) -> Token | None:
        values = self._values
        return values.get(EVERYONE, 0), values.get(generation, 0)

    def change(self, generations: Iterable[int]) -> None:
        with self._lock:
            for generation in generations:
                self._values[generation] = secrets.randbits(63)


class FileGenerations:
    """Generations in a file mapped into every process on this machine that uses the database.

    Slot 0 is everyone's; generation ``n`` has slot ``1 + n mod (SLOTS - 1)``, so that people who
    share a slot only ever read again more often than they need to.
    """

    SLOTS = 1 << 16
    _ITEM = struct.Struct("<q")

    def __init__(self, path: str) -> None:
        self.path = path
        self._map: mmap.mmap | None = None
        self._lock = threading.Lock()

    def _mapped(self) -> mmap.mmap:
        # Mapped on first use; a shared mapping stays shared in processes forked after it.
        if self._map is None:
            with self._lock:
                if self._map is None:
                    size = self.SLOTS * self._ITEM.size
                    fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                    try:
                        if os.fstat(fd).st_size < size:
                            os.ftruncate(fd, size)
                        self._map = mmap.mmap(fd, size)
                    finally:
                        os.close(fd)
        return self._map

    def _slot(self, generation: int) -> int:
        return (1 + generation % (self.SLOTS - 1)) * self._ITEM.size if generation else 0

    def token(self, generation: int) -> Token | None:
        mapped = self._mapped()
        read = self._ITEM.unpack_from
        return read(mapped, 0)[0], read(mapped, self._slot(generation))[0]

    def change(self, generations: Iterable[int]) -> None:
        mapped = self._mapped()
        for generation in generations:
            self._ITEM.pack_into(mapped, self._slot(generation), secrets.randbits(63))


class RedisGenerations:
    """Generations in Redis, for several machines. When Redis does not answer, nothing is kept
    (every request reads the database) and the problem is logged."""

    PREFIX = "courseware:generation:"

    def __init__(self, url: str, database_url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self._errors = redis.RedisError
        self.namespace = self.PREFIX + hashlib.sha256(database_url.encode()).hexdigest()[:16] + ":"

    def token(self, generation: int) -> Token | None:
        try:
            everyone, own = self._redis.mget(self.namespace + "0", self.namespace + str(generation))
        except self._errors as error:
            log.warning("generations: Redis did not answer (%s); reading everything from the database", error)
            return None
        return int(everyone or 0), int(own or 0)

    def change(self, generations: Iterable[int]) -> None:
        try:
            with self._redis.pipeline(transaction=False) as pipe:
                for generation in generations:
                    pipe.incr(self.namespace + str(generation))
                pipe.execute()
        except self._errors as error:
            log.error("generations: Redis did not answer (%s); other workers may show what they kept", error)


def store_for(config: dict, instance_path: str):
    """The generations store the settings call for."""
    url = config["SQLALCHEMY_URL"]
    if config.get("REDIS_URL"):
        return RedisGenerations(config["REDIS_URL"], url)
    if url.startswith("sqlite"):
        path = make_url(url).database or ""
        if not path or path == ":memory:" or path.startswith("file:"):
            return MemoryGenerations()
        return FileGenerations(path + "-generations")
    os.makedirs(instance_path, exist_ok=True)
    return FileGenerations(file_for(url, instance_path))


def file_for(database_url: str, instance_path: str) -> str:
    """Where the generations of a database other than a SQLite file are kept on this machine."""
    digest = hashlib.sha256(database_url.encode()).hexdigest()[:16]
    return os.path.join(instance_path, f"generations-{digest}")


def init_app(app) -> None:
    app.extensions["courseware.generations"] = store_for(app.config, app.instance_path)


def _store():
    return current_app.extensions["courseware.generations"]


# --- reading --------------------------------------------------------------------------------


def generation_of(person_id: int, kind: int) -> int:
    """The number under which the store keeps one of a person's two generations."""
    return person_id * 2 + kind


def writes_about(person_id: int, kind: int = LEARNING) -> dict:
    """Execution options for a statement the hooks cannot read (SQL text) or that should say
    exactly which of a person's generations it changes."""
    return {PEOPLE_OPTION: (generation_of(person_id, kind),)}


def token(person_id: int, kind: int, session: Session | None = None) -> Token | None:
    """One of the person's generations now, read once per request and again after each commit.

    None when nothing may be kept: the store does not answer, or the request's transaction
    began before the generations were read (it might not see the last change).
    """
    generation = generation_of(person_id, kind)
    memo = g.setdefault("courseware_tokens", {}) if has_request_context() else {}
    if generation in memo:
        return memo[generation]
    if session is not None and session.in_transaction():
        return None
    # Both of the person's generations are read now, before the request's transaction begins,
    # and everyone's with them.
    store = _store()
    for each in (IDENTITY, LEARNING):
        found = memo[generation_of(person_id, each)] = store.token(generation_of(person_id, each))
        memo.setdefault(EVERYONE, found and (found[0], found[0]))
    return memo[generation]


def everyones_token(session: Session | None = None) -> Token | None:
    """Everyone's generation now (see :func:`token`)."""
    memo = g.setdefault("courseware_tokens", {}) if has_request_context() else {}
    if EVERYONE not in memo:
        if session is not None and session.in_transaction():
            return None
        memo[EVERYONE] = _store().token(EVERYONE)
    return memo[EVERYONE]


def kept_for(
    person_id: int, key: tuple[Hashable, ...], make: Callable[[], Any], session: Session, kinds=(LEARNING,)
) -> Any:
    """What ``make()`` reads about the person, kept by this worker while the person's generations
    of ``kinds`` (and everyone's) hold."""
    current = tuple(token(person_id, kind, session) for kind in kinds)
    return _kept((person_id, *key), current, make)


def kept(key: tuple[Hashable, ...], make: Callable[[], Any], session: Session) -> Any:
    """What ``make()`` reads about no one in particular (a published course), kept by this worker
    while everyone's generation holds."""
    return _kept((None, *key), (everyones_token(session),), make)


def _kept(full_key: tuple, current: tuple, make: Callable[[], Any]) -> Any:
    if None in current:
        return make()
    cache = app_cache("people", 50_000)
    found = cache.get(full_key)
    now = time.monotonic()
    if found is not None and found[0] == current and now - found[1] < MAX_AGE:
        return found[2]
    value = make()
    cache.set(full_key, (current, now, value))
    return value


def detached(instance):
    """A copy of a loaded row that belongs to no session: safe to keep and share between requests.

    Only its columns are copied; use :func:`attached` to work with it in a request.
    """
    mapper = type(instance).__mapper__
    copy = mapper.class_manager.new_instance()
    for attribute in mapper.column_attrs:
        setattr(copy, attribute.key, getattr(instance, attribute.key))
    make_transient_to_detached(copy)
    return copy


def attached(session: Session, copy):
    """The request's own instance of a kept copy (no query: its columns are taken as they are)."""
    return session.merge(copy, load=False)


# --- changing -------------------------------------------------------------------------------

_TOUCHED = "courseware.touched_people"


def _note(session: Session, people) -> None:
    touched = session.info.setdefault(_TOUCHED, set())
    if people is None:
        touched.add(EVERYONE)
    else:
        touched.update(people)


def _kind(table) -> int:
    return IDENTITY if table.name in IDENTITY_TABLES else LEARNING


def _generation_of_row(instance) -> int | None:
    table = instance.__table__
    if table.name == "users":
        return generation_of(instance.id, IDENTITY)
    if "user_id" in table.c and instance.user_id is not None:
        return generation_of(instance.user_id, _kind(table))
    return None


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    for instance in (*session.new, *session.dirty, *session.deleted):
        generation = _generation_of_row(instance)
        _note(session, None if generation is None else (generation,))


def _person_condition(clause, params: dict) -> int | None:
    """``user_id`` in ``<table>.user_id = <value>``, else None."""
    if not isinstance(clause, elements.BinaryExpression) or clause.operator is not operators.eq:
        return None
    for column, value in ((clause.left, clause.right), (clause.right, clause.left)):
        if getattr(column, "key", None) == "user_id" and isinstance(value, elements.BindParameter):
            found = params.get(value.key, value.value) if not value.callable else value.effective_value
            return found if isinstance(found, int) else None
    return None


def _people_of_statement(statement, params) -> set[int] | None:
    """The people an INSERT, UPDATE or DELETE writes about, or None when that is not clear."""
    rows = params if isinstance(params, (list, tuple)) else [params or {}]
    if getattr(statement, "is_insert", False):
        table = statement.table
        if table.name == "users" or "user_id" not in table.c:
            return None
        people = {row.get("user_id") for row in rows}
        return people if people and all(isinstance(p, int) for p in people) else None
    where = getattr(statement, "whereclause", None)
    if where is None or len(rows) != 1:
        return None
    is_and = isinstance(where, elements.BooleanClauseList) and where.operator is operators.and_
    conjuncts = where.clauses if is_and else [where]
    for conjunct in conjuncts:
        person = _person_condition(conjunct, rows[0])
        if person is not None:
            return {person}
    return None


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state) -> None:
    named = state.execution_options.get(PEOPLE_OPTION)
    if named is not None:
        _note(state.session, set(named))
    elif state.is_insert or state.is_update or state.is_delete:
        people = _people_of_statement(state.statement, state.parameters)
        kind = _kind(state.statement.table)
        _note(state.session, None if people is None else {generation_of(person, kind) for person in people})
    else:
        written = getattr(state.statement, "element", state.statement)  # text(…).columns(…) too
        if isinstance(written, elements.TextClause) and _WRITES.match(written.text):
            _note(state.session, None)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        # A savepoint released: nothing is visible to others until the transaction commits.
        return
    touched = session.info.pop(_TOUCHED, None)
    if has_request_context():
        g.pop("courseware_tokens", None)
    if not touched or not has_app_context() or "courseware.generations" not in current_app.extensions:
        return
    if EVERYONE in touched or len(touched) > MANY:
        touched = {EVERYONE}
    _store().change(touched)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_TOUCHED, None)

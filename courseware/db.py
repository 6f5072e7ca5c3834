"""Engine and session setup, the declarative base and its constraint naming convention."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import fcntl
import functools
import logging
import os
import sqlite3
import threading
import time

from flask import Flask, current_app, g, has_request_context, request
from flask.globals import app_ctx
from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC and always returned timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


# Set while a read-only request (GET) deliberately writes, so that SQLite takes the write lock
# at BEGIN and waits its turn instead of failing to upgrade a read transaction.
_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=False)
READ_ONLY_METHODS = ("GET", "HEAD", "OPTIONS")


def write_lock_at_begin() -> bool:
    """Whether a transaction begun now is a writing one (on SQLite: ``BEGIN IMMEDIATE``).

    Outside requests (commands, tests' setup) and in writing requests, yes; in GET requests, and
    in writing requests whose view reads first (:meth:`Database.reads_first`), only inside
    :meth:`Database.writing`.
    """
    if _write_intent.get() or not has_request_context():
        return True
    return request.method not in READ_ONLY_METHODS and not g.get("reads_first", False)


BUSY_TIMEOUT_SECONDS = 15
_turns = threading.local()


class SQLiteConnection(sqlite3.Connection):
    """A SQLite connection whose writing transactions take turns through a lock file.

    SQLite lets one transaction write at a time; one that finds the database locked sleeps and
    tries again, in steps that grow to 100 ms, so that under load the lock often sits free while
    the next writer sleeps. Writing transactions of this application first take an exclusive
    ``flock`` on ``<database>-writers`` (asked for again every 0.2–2 ms) and give it back as
    they commit or roll back, so the next one starts within a couple of milliseconds. After the
    busy timeout it stops waiting and leaves the matter to SQLite's own lock.
    """

    def __init__(self, database, *args, **kwargs) -> None:
        super().__init__(database, *args, **kwargs)
        self._turn_file: int | None = None
        self._holding = False
        path = str(database)
        if path and path != ":memory:" and not path.startswith("file:"):
            self._turn_file = os.open(path + "-writers", os.O_RDWR | os.O_CREAT, 0o600)

    def take_write_turn(self, timeout: float = BUSY_TIMEOUT_SECONDS) -> None:
        # A thread that already writes through another connection would wait for itself.
        if self._turn_file is None or self._holding or getattr(_turns, "holding", False):
            return
        deadline = time.monotonic() + timeout
        delay = 0.0002
        while True:
            try:
                fcntl.flock(self._turn_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return
                time.sleep(delay)
                delay = min(delay * 2, 0.002)
        self._holding = _turns.holding = True

    def _end_turn(self) -> None:
        if self._holding:
            fcntl.flock(self._turn_file, fcntl.LOCK_UN)
            self._holding = _turns.holding = False

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._end_turn()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._end_turn()

    def close(self) -> None:
        self._end_turn()
        if self._turn_file is not None:
            os.close(self._turn_file)
            self._turn_file = None
        super().close()


def _configure_sqlite(engine: Engine) -> None:
    """WAL, a busy timeout and foreign keys; writes take the lock at BEGIN so they queue
    instead of failing when two requests upgrade from reading to writing at once, and take
    turns through a lock file so that the next writer starts as soon as the last one ends."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if write_lock_at_begin():
            dbapi_connection = connection.connection.dbapi_connection
            if isinstance(dbapi_connection, SQLiteConnection):
                dbapi_connection.take_write_turn()
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


def make_engine(url: str, echo: bool = False) -> Engine:
    """An engine for ``url`` with the settings each supported database needs."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_SECONDS, "factory": SQLiteConnection},
        )
        _configure_sqlite(engine)
    else:
        engine = create_engine(url, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=10)
    return engine


class Database:
    """Binds one engine per application and hands out one session per app context."""

    def __init__(self) -> None:
        self.session = scoped_session(self._create_session, scopefunc=self._scope)

    @staticmethod
    def _scope():
        return id(app_ctx._get_current_object())

    @staticmethod
    def _create_session() -> Session:
        return current_app.extensions["courseware.db"]["sessionmaker"]()

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["SQLALCHEMY_URL"], echo=app.config["DATABASE_ECHO"])
        app.extensions["courseware.db"] = {
            "engine": engine,
            "sessionmaker": sessionmaker(bind=engine, expire_on_commit=False),
        }

        @app.teardown_appcontext
        def _remove_session(_exc):
            try:
                self.session.remove()
            except Exception:
                # The connection broke after the response was made (the database went away while
                # a read transaction was still open): nothing is pending, so the response stands.
                log.warning("closing the database session failed", exc_info=True)
                self.session.registry.clear()

    @staticmethod
    def reads_first(view):
        """For a writing view that reads a while before it writes (put it above the login check).

        Its request begins with a read transaction and writes inside ``with db.writing():``, so
        that SQLite's single write lock is held for the writing part alone, not for loading the
        person, the course and the lesson too. What the view read is checked again where it
        matters by the service, under the lock (idempotency keys, the enrollment row lock).
        """

        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            g.reads_first = True
            return view(*args, **kwargs)

        return wrapped

    @contextlib.contextmanager
    def writing(self):
        """Write from a GET request, or a ``reads_first`` view: on SQLite, ends the current (read)
        transaction and opens a writing one; elsewhere the transaction simply goes on.

        The block must commit what it writes.
        """
        if self.session.get_bind().dialect.name == "sqlite":
            self.session.commit()
        token = _write_intent.set(True)
        try:
            yield self.session
        finally:
            _write_intent.reset(token)
            self.session.rollback()

    @property
    def engine(self) -> Engine:
        return current_app.extensions["courseware.db"]["engine"]


def dialect_insert(session):
    """The ``insert`` of the database ``session`` is bound to: the one that knows ON CONFLICT."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert

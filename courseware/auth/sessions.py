"""Server-side login sessions behind Flask-Login.

The signed cookie holds the user id and the id of a ``UserSession`` row; a session is
valid only while that row is unrevoked, within the idle and absolute timeouts, and its
person is active. Logging out or deactivating a person revokes the rows, so a copied
cookie stops working at once.

Each worker keeps the sessions it checked (with the person, their roles and unread count) while
the person's identity generation is unchanged and for at most a minute; every change to those
rows changes that generation (``courseware.generations``), so the next request everywhere
checks the database again.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from dataclasses import dataclass

from flask import Flask, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import login_user, logout_user
from itsdangerous import BadSignature
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import lazyload

from courseware import generations
from courseware.caching import app_cache
from courseware.db import utcnow, write_lock_at_begin
from courseware.extensions import db, login_manager
from courseware.models import Notification, User, UserRole, UserSession

TOUCH_EVERY = dt.timedelta(minutes=1)


class CheckedCookieSessions(SecureCookieSessionInterface):
    """Flask's signed session cookie, whose signature a worker checks once per cookie.

    A cookie that checked out is kept (its contents as JSON, and when it was signed), so that
    the next request bringing the same cookie skips the signature, base64 and zlib work; it still
    expires after ``PERMANENT_SESSION_LIFETIME`` from its signing. Each request gets its own
    session object made from the JSON, so nothing one request changes reaches another.
    """

    def open_session(self, app: Flask, request):
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie or not app.secret_key:
            return super().open_session(app, request)
        checked = app_cache("session-cookies", 8192)
        max_age = int(app.permanent_session_lifetime.total_seconds())
        found = checked.get(cookie)
        if found is not None:
            contents, signed_at = found
            if time.time() - signed_at <= max_age:
                return self.session_class(self.serializer.loads(contents))
        try:
            data, signed = self.get_signing_serializer(app).loads(cookie, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        checked.set(cookie, (self.serializer.dumps(data), signed.timestamp()))
        return self.session_class(data)


def init_login(app: Flask) -> None:
    app.session_interface = CheckedCookieSessions()
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = None
    login_manager.user_loader(load_user)


# The session, its person, their roles and unread notifications in one statement, built once:
# this runs on every request.
_SESSION_AND_PERSON = (
    select(
        User,
        UserSession.user_id,
        UserSession.revoked_at,
        UserSession.created_at,
        UserSession.last_seen_at,
        select(func.aggregate_strings(UserRole.role, ",")).where(UserRole.user_id == User.id).scalar_subquery(),
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == User.id, Notification.read_at.is_(None))
        .scalar_subquery(),
    )
    .join(UserSession, UserSession.user_id == User.id)
    .where(UserSession.id == bindparam("sid"))
    .options(lazyload(User.role_rows))
)


@dataclass(frozen=True, slots=True)
class KeptSession:
    """A checked session as a worker keeps it between requests (see ``courseware.generations``)."""

    token: generations.Token
    read_at: float
    person: User
    roles: tuple[str, ...]
    unread: int
    created_at: dt.datetime
    last_seen_at: dt.datetime


def _kept_sessions():
    return app_cache("sessions", 20_000)


def load_user(user_id: str) -> User | None:
    sid = session.get("sid")
    if not sid or not user_id.isdigit():
        return None
    person_id = int(user_id)
    now = utcnow()
    current = generations.token(person_id, generations.IDENTITY, db.session())
    kept = _kept_sessions().get(sid) if current is not None else None
    if (
        kept is not None
        and kept.token == current
        and kept.person.id == person_id
        and time.monotonic() - kept.read_at < generations.MAX_AGE
        and now - kept.last_seen_at <= TOUCH_EVERY
    ):
        if not _within_timeouts(now, kept.created_at, kept.last_seen_at):
            return None
        user = generations.attached(db.session, kept.person)
        user.loaded_roles(kept.roles)
        g.unread_notifications = kept.unread
        return user
    found = db.session.execute(_SESSION_AND_PERSON, {"sid": sid}).first()
    if found is None:
        return None
    user, owner_id, revoked_at, created_at, last_seen_at, roles, unread = found
    if owner_id != person_id or revoked_at is not None or not user.is_active:
        return None
    if not _within_timeouts(now, created_at, last_seen_at):
        return None
    if now - last_seen_at > TOUCH_EVERY:
        _touch(sid, now)
        last_seen_at = now
    roles = tuple(roles.split(",")) if roles else ()
    user.loaded_roles(roles)
    g.unread_notifications = unread
    if current is not None:
        kept = KeptSession(
            current, time.monotonic(), generations.detached(user), roles, unread, created_at, last_seen_at
        )
        _kept_sessions().set(sid, kept)
    return user


def _within_timeouts(now: dt.datetime, created_at: dt.datetime, last_seen_at: dt.datetime) -> bool:
    idle = dt.timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    absolute = dt.timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])
    return now - last_seen_at <= idle and now - created_at <= absolute


# Recording a visit changes nothing a worker keeps about the person.
_TOUCH = (
    update(UserSession)
    .where(UserSession.id == bindparam("sid"))
    .values(last_seen_at=bindparam("now", type_=UserSession.__table__.c.last_seen_at.type))
    .execution_options(**{generations.PEOPLE_OPTION: ()})
)


def _touch(sid: str, now: dt.datetime) -> None:
    """Record that the session was seen now (at most once a minute)."""
    params = {"sid": sid, "now": now}
    if not write_lock_at_begin():
        # A reading transaction (a GET, or the reading part of a view that reads first) never
        # commits, so record the visit in a short transaction of its own.
        with db.engine.begin() as connection:
            connection.execute(_TOUCH, params)
    else:
        # A writing request already holds SQLite's write lock (BEGIN IMMEDIATE): a second
        # connection would wait for it until the busy timeout and fail. The view commits this.
        db.session.execute(_TOUCH, params)


def start_session(user: User) -> UserSession:
    """Log ``user`` in under a fresh session identifier (the old cookie contents are dropped)."""
    session.clear()
    row = UserSession(id=secrets.token_urlsafe(32), user_id=user.id, user_agent=(request.user_agent.string or "")[:255])
    db.session.add(row)
    db.session.flush()
    session["sid"] = row.id
    session.permanent = True
    login_user(user)
    return row


def end_session() -> None:
    """Revoke the current server-side session and clear the cookie."""
    sid = session.get("sid")
    if sid:
        owner = session.get("_user_id")
        revoke = update(UserSession).where(UserSession.id == sid).values(revoked_at=utcnow())
        if owner and owner.isdigit():
            revoke = revoke.execution_options(**generations.writes_about(int(owner), generations.IDENTITY))
        db.session.execute(revoke)
    logout_user()
    session.clear()


def revoke_sessions(user: User) -> None:
    """End every session of ``user`` (used on deactivation and password change)."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )

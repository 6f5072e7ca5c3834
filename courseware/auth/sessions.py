"""Server-side login sessions behind Flask-Login.

The signed cookie holds the user id and the id of a ``UserSession`` row; a session is
valid only while that row is unrevoked, within the idle and absolute timeouts, and its
person is active. Every request reads the session, its person, their roles and unread
notifications from the database in one statement, so logging out, deactivation and a role
change take effect on the very next request, on every worker and server.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from flask import Flask, current_app, g, request, session
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import lazyload

from courseware.db import utcnow, write_lock_at_begin
from courseware.extensions import db, login_manager
from courseware.i18n import lazy_gettext as _l
from courseware.models import Notification, User, UserRole, UserSession

TOUCH_EVERY = dt.timedelta(minutes=1)


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see that page.")
    # Put into words when flashed, in the language of that request.
    login_manager.localize_callback = str
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


def load_user(user_id: str) -> User | None:
    """The person of the request's session, or None when the session is unknown, revoked, past
    its idle or absolute timeout, or its person is deactivated."""
    sid = session.get("sid")
    if not isinstance(sid, str) or not user_id.isascii() or not user_id.isdigit():
        return None
    found = db.session.execute(_SESSION_AND_PERSON, {"sid": sid}).first()
    if found is None:
        return None
    user, owner_id, revoked_at, created_at, last_seen_at, roles, unread = found
    if str(owner_id) != user_id or revoked_at is not None or not user.is_active:
        return None
    now = utcnow()
    if not _within_timeouts(now, created_at, last_seen_at):
        return None
    if now - last_seen_at > _touch_every():
        _touch(sid, now)
    user.loaded_roles(tuple(roles.split(",")) if roles else ())
    g.unread_notifications = unread
    return user


def _touch_every() -> dt.timedelta:
    """How often a visit is recorded: once a minute, or more often under a short idle timeout, so
    that a session in use never reaches its idle timeout between two recorded visits."""
    idle = dt.timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    return min(TOUCH_EVERY, idle / 4)


def _within_timeouts(now: dt.datetime, created_at: dt.datetime, last_seen_at: dt.datetime) -> bool:
    idle = dt.timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    absolute = dt.timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])
    return now - last_seen_at <= idle and now - created_at <= absolute


_TOUCH = (
    update(UserSession)
    .where(UserSession.id == bindparam("sid"))
    .values(last_seen_at=bindparam("now", type_=UserSession.__table__.c.last_seen_at.type))
)


def _touch(sid: str, now: dt.datetime) -> None:
    """Record that the session was seen now (see :func:`_touch_every`)."""
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
        db.session.execute(update(UserSession).where(UserSession.id == sid).values(revoked_at=utcnow()))
    logout_user()
    session.clear()


def revoke_sessions(user: User) -> None:
    """End every session of ``user`` (used on deactivation and password change)."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def revoke_other_sessions(user: User, keep: str | None) -> int:
    """End every session of ``user`` but ``keep`` (the one making the request); how many ended."""
    statement = update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    if keep:
        statement = statement.where(UserSession.id != keep)
    return db.session.execute(statement.values(revoked_at=utcnow())).rowcount


def session_handle(sid: str) -> str:
    """A name for a session that can be shown and posted back: the identifier itself is the
    cookie's secret, and never leaves the server."""
    return hashlib.sha256(sid.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class SessionView:
    handle: str
    browser: str
    device: str
    created_at: dt.datetime
    last_seen_at: dt.datetime
    current: bool


def describe_user_agent(user_agent: str | None) -> tuple[str, str]:
    """(browser, device) in words for a User-Agent header, such as ("Firefox 128", "Windows")."""
    if not user_agent:
        return _("Unknown browser"), _("unknown device")
    from ua_parser import parse

    found = parse(user_agent)
    browser = _("Unknown browser")
    if found.user_agent and found.user_agent.family != "Other":
        browser = found.user_agent.family + (f" {found.user_agent.major}" if found.user_agent.major else "")
    device = _("unknown device")
    if found.os and found.os.family != "Other":
        device = found.os.family
        if found.device and found.device.family not in ("Other", "", None) and found.device.family != "Mac":
            device = f"{found.device.family} ({found.os.family})"
    return browser, device


def active_sessions(user: User, current_sid: str | None) -> list[SessionView]:
    """The person's sessions that still work, the one making the request first, then the most
    recently seen."""
    rows = db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .order_by(UserSession.last_seen_at.desc())
    ).all()
    now = utcnow()
    views = []
    for row in rows:
        if not _within_timeouts(now, row.created_at, row.last_seen_at):
            continue
        browser, device = describe_user_agent(row.user_agent)
        views.append(
            SessionView(
                session_handle(row.id), browser, device, row.created_at, row.last_seen_at, row.id == current_sid
            )
        )
    return sorted(views, key=lambda view: not view.current)


def revoke_session(user: User, handle: str, current_sid: str | None) -> bool:
    """End the person's other session named by ``handle``; False when there is no such session
    (their own current one is ended by logging out)."""
    for sid in db.session.scalars(
        select(UserSession.id).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    ):
        if sid != current_sid and secrets.compare_digest(session_handle(sid), handle):
            db.session.execute(update(UserSession).where(UserSession.id == sid).values(revoked_at=utcnow()))
            return True
    return False

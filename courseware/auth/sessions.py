"""Server-side login sessions behind Flask-Login.

The signed cookie holds the user id and the id of a ``UserSession`` row; a session is
valid only while that row is unrevoked, within the idle and absolute timeouts, and its
person is active. Logging out or deactivating a person revokes the rows, so a copied
cookie stops working at once.
"""

from __future__ import annotations

import datetime as dt
import secrets

from flask import Flask, current_app, request, session
from flask_login import login_user, logout_user
from sqlalchemy import update
from sqlalchemy.orm import joinedload

from courseware.db import utcnow, write_lock_at_begin
from courseware.extensions import db, login_manager
from courseware.models import User, UserSession

TOUCH_EVERY = dt.timedelta(minutes=1)


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = None
    login_manager.user_loader(load_user)


def load_user(user_id: str) -> User | None:
    sid = session.get("sid")
    if not sid:
        return None
    # One query for the session, its person and their roles: this runs on every request.
    row = db.session.get(UserSession, sid, options=[joinedload(UserSession.user).joinedload(User.role_rows)])
    if row is None or str(row.user_id) != user_id or row.revoked_at is not None or not row.user.is_active:
        return None
    now = utcnow()
    idle = dt.timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    absolute = dt.timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])
    if now - row.last_seen_at > idle or now - row.created_at > absolute:
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        if not write_lock_at_begin():
            # A reading transaction (a GET, or the reading part of a view that reads first) never
            # commits, so record the visit in a short transaction of its own.
            with db.engine.begin() as connection:
                connection.execute(update(UserSession).where(UserSession.id == sid).values(last_seen_at=now))
        else:
            # A writing request already holds SQLite's write lock (BEGIN IMMEDIATE): a second
            # connection would wait for it until the busy timeout and fail. The view commits this.
            row.last_seen_at = now
    return row.user


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

"""cmi5 at runtime: a learner's registration in a cmi5 course (one package), and each launch of
one of its AUs (a session, with its one-time fetch URL and its auth token)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from courseware.db import Base, UTCDateTime, utcnow


class Cmi5Registration(Base):
    """A learner's registration in a cmi5 course: made at their first launch, continued after.

    ``aus`` holds, by AU id (the publisher's), what the LMS knows of it: ``completed``,
    ``passed``, ``failed``, ``waived`` (the reason) and ``satisfied``; ``satisfied`` lists the
    blocks (and the course) whose satisfied statement is written."""

    __tablename__ = "cmi5_registrations"
    __table_args__ = (UniqueConstraint("user_id", "package_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration: Mapped[str] = mapped_column(String(36), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id", ondelete="CASCADE"), index=True)
    aus: Mapped[dict] = mapped_column(JSON, default=dict)
    satisfied: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Cmi5Session(Base):
    """One launch of an AU. The fetch URL's token and the auth token are kept as SHA-256; the
    auth token works until the session is terminated or abandoned. ``seen`` lists the cmi5 verbs
    the AU sent in the session, and ``preferences`` whether it read the learner preferences."""

    __tablename__ = "cmi5_sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("cmi5_registrations.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lessons.id", ondelete="SET NULL"), index=True)
    au_id: Mapped[str] = mapped_column(String(1000))
    activity_id: Mapped[str] = mapped_column(String(1000))
    launch_mode: Mapped[str] = mapped_column(String(10))
    fetch_digest: Mapped[str] = mapped_column(String(64), unique=True)
    token_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    seen: Mapped[list] = mapped_column(JSON, default=list)
    preferences: Mapped[bool] = mapped_column(default=False)
    launched_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    fetched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_request_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    initialized_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    terminated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    abandoned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

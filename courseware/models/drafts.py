"""Text people typed and have not sent yet: their drafts, and forms kept when a session ended."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from courseware.db import Base, UTCDateTime, utcnow

FORM_NAME_LENGTH = 200


class Draft(Base):
    """A person's unsent text in one form (``form`` names it, as ``journal`` or
    ``reflection/<course>/<lesson>/<key>``): the form's text fields by name. Read by its author alone."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("user_id", "form"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    form: Mapped[str] = mapped_column(String(FORM_NAME_LENGTH))
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    saved_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class UnsentForm(Base):
    """What a form sent after its session ended held, kept until the person signs in again.

    The browser holds the only copy of the token (a short-lived cookie); the row holds its digest.
    ``user_id`` is who the ended session belonged to when the browser still said so: the text is
    then given to that person alone.
    """

    __tablename__ = "unsent_forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    form: Mapped[str] = mapped_column(String(FORM_NAME_LENGTH))
    page: Mapped[str] = mapped_column(String(500))
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)

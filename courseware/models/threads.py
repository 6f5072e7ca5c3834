"""Conversations about a learner's work: comments on an item, and mentors' private notes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courseware.db import Base, UTCDateTime, utcnow

THREAD_SUBJECTS = ("submission", "checklist", "journal")


class Comment(Base):
    """One comment in the thread about a piece of a learner's work; a deleted one keeps its row
    (without its text), so that the thread shows where it was."""

    __tablename__ = "comments"
    __table_args__ = (
        CheckConstraint("subject IN ('submission', 'checklist', 'journal')", name="subject"),
        Index("ix_comments_subject_subject_id", "subject", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(Integer)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    author = relationship("User", foreign_keys=[author_id])


class MentorNote(Base):
    """A mentor's private note about a mentee: read by that mentor alone."""

    __tablename__ = "mentor_notes"
    __table_args__ = (Index("ix_mentor_notes_mentor_id_learner_id", "mentor_id", "learner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

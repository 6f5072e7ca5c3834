"""Work that outlives a request, queued in the transaction of the change that causes it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from courseware.db import Base, UTCDateTime, utcnow

JOB_STATES = ("queued", "running", "done", "failed")


class Job(Base):
    """One piece of work for the background worker: what to do (``kind``), with what (``payload``,
    JSON text of plain data), and how far it got. ``key`` makes enqueueing idempotent."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_state_run_after", "state", "run_after"),
        CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    payload: Mapped[str] = mapped_column(Text)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    state: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column()
    run_after: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # While running: the worker holding the job, until when. A worker that dies lets the lease
    # run out, and another one takes the job again.
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    locked_by: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class MailDelivery(Base):
    """A message the mail server accepted, by its idempotency key: a job run again never resends it."""

    __tablename__ = "mail_deliveries"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


__all__ = ["JOB_STATES", "Job", "MailDelivery"]

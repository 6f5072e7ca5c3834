"""Queueing work for the background worker, and what the admin sees of the queue.

A job is a row in ``jobs``, added to the caller's session: it is committed with the change that
causes it, or rolled back with it. Nothing here commits.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from courseware.db import utcnow
from courseware.extensions import db
from courseware.models import JOB_STATES, Job, MailDelivery

log = logging.getLogger(__name__)

ERROR_LENGTH = 2000


def enqueue(kind: str, payload: dict, *, key: str | None = None, run_after: dt.datetime | None = None) -> Job:
    """Queue ``kind`` with ``payload`` (plain data: it is stored as JSON) in the current transaction.

    ``key`` makes the work idempotent: a second job with a key already queued (or done) is not
    added, and the existing job is returned. Refuses a kind the worker has no handler for.
    """
    from courseware.jobs.handlers import HANDLERS

    if kind not in HANDLERS:
        raise ValueError(f"no handler for job kind {kind!r}")
    key = key or f"{kind}:{secrets.token_hex(16)}"
    existing = db.session.scalar(select(Job).where(Job.key == key))
    if existing is not None:
        return existing
    job = Job(
        kind=kind,
        payload=json.dumps(payload, sort_keys=True),
        key=key,
        state="queued",
        attempts=0,
        max_attempts=int(current_app.config["JOB_MAX_ATTEMPTS"]),
        run_after=run_after or utcnow(),
        created_at=utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(job)
    except IntegrityError:
        # Queued at this moment by another transaction, which committed first.
        return db.session.scalars(select(Job).where(Job.key == key)).one()
    return job


def job_counts() -> dict[str, int]:
    """How many jobs are in each state (every state listed, zero included)."""
    counts = dict.fromkeys(JOB_STATES, 0)
    counts.update(dict(db.session.execute(select(Job.state, func.count()).group_by(Job.state)).tuples().all()))
    return counts


def failed_jobs(limit: int, offset: int = 0) -> list[Job]:
    """Jobs that failed for good, the latest first."""
    return list(
        db.session.scalars(
            select(Job)
            .where(Job.state == "failed")
            .order_by(Job.finished_at.desc(), Job.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )


def retry_job(job: Job) -> bool:
    """Put a job that failed for good back in the queue, with all its attempts again; False for
    a job in any other state (a second click, or one that is queued already)."""
    changed = db.session.execute(
        update(Job)
        .where(Job.id == job.id, Job.state == "failed")
        .values(state="queued", attempts=0, run_after=utcnow(), finished_at=None, locked_until=None, locked_by=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed:
        log.info("job %s (%s) queued again by an admin", job.id, job.kind)
    return bool(changed)


def delete_finished(before: dt.datetime) -> int:
    """Delete the jobs done before ``before``, with their delivery records; how many."""
    done = select(Job.id).where(Job.state == "done", Job.finished_at < before)
    db.session.execute(
        delete(MailDelivery).where(MailDelivery.job_id.in_(done)).execution_options(synchronize_session=False)
    )
    return db.session.execute(delete(Job).where(Job.id.in_(done)).execution_options(synchronize_session=False)).rowcount


def payload_of(job: Job) -> dict:
    """The job's payload as data."""
    return json.loads(job.payload)


def bounded_error(exc: BaseException) -> str:
    """The text kept of a job's error: its type and message, cut to a bounded length."""
    return f"{type(exc).__name__}: {exc}"[:ERROR_LENGTH]

"""The background worker: takes due jobs one at a time, runs their handlers, retries failures.

Any number of workers may run side by side, on any number of machines. A job is taken by one
UPDATE that marks it running under a lease (``JOB_LEASE_SECONDS``); on PostgreSQL the row is
chosen with ``FOR UPDATE SKIP LOCKED`` so that workers never wait for each other, on SQLite the
writers take turns (see ``courseware.db``), which makes the UPDATE atomic as it is. A worker
that dies holding a job lets its lease run out, and the job is taken again. A failed attempt
is retried after a delay that doubles each time (``JOB_RETRY_SECONDS``, up to an hour), until
``JOB_MAX_ATTEMPTS``: then the job has failed for good, and the admin sees it with its error.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
import signal
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import and_, or_, select, true, update
from sqlalchemy.orm import aliased

from courseware.db import utcnow
from courseware.extensions import db
from courseware.jobs.handlers import HANDLERS
from courseware.jobs.services import bounded_error, delete_finished
from courseware.models import Job

log = logging.getLogger(__name__)

MAX_RETRY_DELAY_SECONDS = 3600
CLEANUP_EVERY_SECONDS = 3600
SCHEDULE_EVERY_SECONDS = 600


@dataclass(frozen=True)
class ClaimedJob:
    """A job as its handler sees it: plain data, read when the worker took it."""

    id: int
    kind: str
    key: str
    payload: dict
    attempts: int
    max_attempts: int


def new_worker_id() -> str:
    """A name for this worker, unique among all of them, kept on the jobs it holds."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


def retry_delay(attempts: int, base_seconds: float) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failed attempt: base, twice, four times… up to an hour."""
    return dt.timedelta(seconds=min(base_seconds * 2 ** max(attempts - 1, 0), MAX_RETRY_DELAY_SECONDS))


def claim(worker_id: str, kinds: tuple[str, ...] | None = None) -> ClaimedJob | None:
    """Take the next due job (queued and due, or running with its lease run out) for
    ``worker_id`` and commit; None when nothing is due. ``kinds``: only jobs of those kinds."""
    now = utcnow()
    lease = dt.timedelta(seconds=float(current_app.config["JOB_LEASE_SECONDS"]))
    candidate = aliased(Job)
    due = (
        select(candidate.id)
        .where(
            or_(
                and_(candidate.state == "queued", candidate.run_after <= now),
                and_(candidate.state == "running", candidate.locked_until < now),
            )
        )
        .where(candidate.kind.in_(kinds) if kinds else true())
        .order_by(candidate.run_after, candidate.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    row = db.session.execute(
        update(Job)
        .where(Job.id == due)
        .values(state="running", attempts=Job.attempts + 1, locked_until=now + lease, locked_by=worker_id)
        .returning(Job.id, Job.kind, Job.key, Job.payload, Job.attempts, Job.max_attempts)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    db.session.commit()
    if row is None:
        return None
    return ClaimedJob(row.id, row.kind, row.key, json.loads(row.payload), row.attempts, row.max_attempts)


def _held(job: ClaimedJob, worker_id: str):
    # Only while this worker still holds the job: had its lease run out and another worker
    # taken it, that worker's outcome is the one that counts.
    return update(Job).where(
        Job.id == job.id, Job.state == "running", Job.locked_by == worker_id, Job.attempts == job.attempts
    )


def _finish(job: ClaimedJob, worker_id: str) -> str:
    """Mark the job done, in one commit with what its handler left in the session."""
    changed = db.session.execute(
        _held(job, worker_id)
        # A finished job keeps no payload: a message's text may hold a sign-in link.
        .values(state="done", finished_at=utcnow(), locked_until=None, last_error=None, payload="{}")
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return "done" if changed else "lost"


def _fail(job: ClaimedJob, worker_id: str, error: str, *, for_good: bool) -> str:
    """Record a failed attempt: retried later, or failed for good after the last attempt."""
    now = utcnow()
    if for_good or job.attempts >= job.max_attempts:
        outcome, values = "failed", {"state": "failed", "finished_at": now}
    else:
        delay = retry_delay(job.attempts, float(current_app.config["JOB_RETRY_SECONDS"]))
        outcome, values = "retry", {"state": "queued", "run_after": now + delay}
    changed = db.session.execute(
        _held(job, worker_id)
        .values(locked_until=None, last_error=error, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return outcome if changed else "lost"


def run_one(app: Flask, worker_id: str, kinds: tuple[str, ...] | None = None) -> str | None:
    """Take one due job and run it; its outcome ("done", "retry", "failed", or "lost" when its
    lease ran out meanwhile), or None when no job is due. Each step has an app context (and
    database session) of its own. ``kinds``: only jobs of those kinds."""
    with app.app_context():
        job = claim(worker_id, kinds)
    if job is None:
        return None
    started = time.monotonic()
    with app.app_context():
        handler = HANDLERS.get(job.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for job kind {job.kind!r}")
            handler(job)
        except Exception as exc:
            db.session.rollback()
            error = bounded_error(exc)
            outcome = _fail(job, worker_id, error, for_good=handler is None)
        else:
            error = None
            outcome = _finish(job, worker_id)
    level = logging.WARNING if error else logging.INFO
    log.log(
        level,
        "job %s %s attempt %s/%s: %s in %.2fs%s",
        job.id,
        job.kind,
        job.attempts,
        job.max_attempts,
        outcome,
        time.monotonic() - started,
        f" ({error})" if error else "",
    )
    return outcome


def run_pending(
    app: Flask,
    worker_id: str | None = None,
    kinds: tuple[str, ...] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Counter:
    """Run jobs (of ``kinds``, or any) until none is due; how many ended each way. ``progress``
    is told every hundred jobs."""
    worker_id = worker_id or new_worker_id()
    outcomes: Counter = Counter()
    while (outcome := run_one(app, worker_id, kinds)) is not None:
        outcomes[outcome] += 1
        if progress and outcomes.total() % 100 == 0:
            progress(f"  {outcomes.total()} job(s) run so far…")
    return outcomes


def schedule_periodic(app: Flask) -> None:
    """What the worker queues by itself: today's digests, from their hour on (see
    ``notifications.services.schedule_due_digests``; safe with any number of workers); and it
    abandons the cmi5 sessions that timed out (``packages.cmi5.abandon_stale_sessions``)."""
    from courseware.notifications.services import schedule_due_digests
    from courseware.packages.cmi5 import abandon_stale_sessions

    with app.app_context():
        schedule_due_digests()
        db.session.commit()
        abandon_stale_sessions()
        db.session.commit()


def clean_up(app: Flask) -> int:
    """Delete jobs done more than ``JOB_KEEP_DONE_DAYS`` ago; how many."""
    with app.app_context():
        before = utcnow() - dt.timedelta(days=float(app.config["JOB_KEEP_DONE_DAYS"]))
        deleted = delete_finished(before)
        db.session.commit()
    if deleted:
        log.info("deleted %d finished job(s)", deleted)
    return deleted


def work(app: Flask, stop: threading.Event | None = None) -> None:
    """Run jobs until told to stop (SIGTERM or SIGINT, or ``stop`` set): the job at hand is
    finished first. Idle, it looks for work every ``JOB_POLL_SECONDS``."""
    stop = stop or threading.Event()

    def _stop(signum, _frame):
        log.info("worker stopping (%s) once the job at hand is done", signal.Signals(signum).name)
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
    worker_id = new_worker_id()
    poll = float(app.config["JOB_POLL_SECONDS"])
    log.info("worker %s started", worker_id)
    next_cleanup = next_schedule = time.monotonic()
    while not stop.is_set():
        try:
            if time.monotonic() >= next_cleanup:
                next_cleanup = time.monotonic() + CLEANUP_EVERY_SECONDS
                clean_up(app)
            if time.monotonic() >= next_schedule:
                next_schedule = time.monotonic() + SCHEDULE_EVERY_SECONDS
                schedule_periodic(app)
            if run_one(app, worker_id) is not None:
                continue
        except Exception:
            # The database away, most likely: the job's lease runs out and it is taken again.
            log.exception("the worker could not take or finish a job; trying again")
        stop.wait(poll)
    log.info("worker %s stopped", worker_id)

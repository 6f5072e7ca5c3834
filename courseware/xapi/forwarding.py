"""Forwarding new statements to other LRSs, through the background queue.

Storing a statement adds, in the same transaction, one ``xapi_forwards`` row per enabled target
that takes it, and makes sure a ``xapi.forward`` job is queued for that target; nothing else
happens in the request. The job (:func:`forward_batch`) takes up to ``XAPI_FORWARD_BATCH``
waiting rows of its target and POSTs the statements, exactly as stored, in one request:

- 2xx, or 409 (the other side has a statement with that id): delivered, and the rows deleted;
- 400, 409 or 413 for several statements: each is sent on its own, to find the one at fault;
- any other 4xx or a redirect: failed for good, with the answer kept for the admin;
- 429, 5xx or no answer: the job fails and the queue retries it (its backoff and attempts);
  after the last attempt the rows have failed for good.

Rows are taken by marking them with the job's id (an UPDATE that, on PostgreSQL, skips rows
another worker is taking), so two workers never send the same statement at once. A request that
relies on a job already queued holds a share lock on it until it commits, so the worker cannot
take that job before the request's rows are there to be seen (on SQLite, writers take turns).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import re
import secrets
from urllib.parse import urlsplit

import requests
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, delete, exists, func, insert, or_, select, update

from courseware.core.validators import has_control_characters
from courseware.db import utcnow
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.models import (
    FORWARD_SELECTIONS,
    FORWARD_VERSIONS,
    Job,
    User,
    XapiAttachment,
    XapiForward,
    XapiForwardTarget,
    XapiStatement,
)

log = logging.getLogger(__name__)

JOB_KIND = "xapi.forward"
REASON_LENGTH = 500
# Answers for a batch that may concern one statement only: each is then sent alone.
SPLIT_STATUSES = (400, 409, 413)


class ForwardingFailed(Exception):
    """The other side did not take the batch this time (no answer, 429 or 5xx): try again later."""


# ---------------------------------------------------------------- the secret


def _fernet() -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"courseware LRS forwarding secrets").derive(
        current_app.config["SECRET_KEY"].encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def target_secret(target: XapiForwardTarget) -> str | None:
    """The target's secret, or None when it was encrypted under another site secret key."""
    try:
        return _fernet().decrypt(target.secret_encrypted.encode()).decode()
    except InvalidToken:
        return None


# ---------------------------------------------------------------- targets


def all_targets() -> list[XapiForwardTarget]:
    """Every target, by name."""
    return list(db.session.scalars(select(XapiForwardTarget).order_by(XapiForwardTarget.name, XapiForwardTarget.id)))


def normalise_endpoint(text: str) -> str:
    """The LRS address as ``scheme://host[:port]/path/``; :class:`Invalid` when it cannot be one."""
    text = (text or "").strip()
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username
        or parts.password
        or parts.query
        or parts.fragment
        or has_control_characters(text)
        or " " in text
    ):
        raise Invalid(
            _(
                "Enter the LRS's address, starting with https:// (such as https://lrs.example.org/xapi/), "
                "without a query or credentials."
            ),
            field="endpoint",
        )
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


def save_target(
    target: XapiForwardTarget | None,
    *,
    name: str,
    endpoint: str,
    key: str,
    secret: str,
    version: str,
    statements: str,
    enabled: bool,
    actor: User | None,
) -> XapiForwardTarget:
    """Add a target (``target`` None) or change one; a blank ``secret`` keeps the stored one.

    Refuses (:class:`Invalid`, naming the field) a name or key not on one line, an address that
    is not http(s), a new target without a secret, an unknown version or selection. Turning a
    target on queues what waited for it meanwhile.
    """
    name = (name or "").strip()
    key = (key or "").strip()
    if not name or has_control_characters(name):
        raise Invalid(_("Name the LRS on one line, such as “Reporting warehouse”."), field="name")
    endpoint = normalise_endpoint(endpoint)
    if not key or has_control_characters(key) or ":" in key:
        raise Invalid(_("Enter the key (user name) the other LRS gave you, on one line and without “:”."), field="key")
    if secret and has_control_characters(secret):
        raise Invalid(_("The secret must be on one line."), field="secret")
    if target is None and not secret:
        raise Invalid(_("Enter the secret the other LRS gave you."), field="secret")
    if version not in FORWARD_VERSIONS:
        raise Invalid(_("Choose one of the listed xAPI versions."), field="version")
    if statements not in FORWARD_SELECTIONS:
        raise Invalid(_("Choose which statements to forward."), field="statements")
    if target is None:
        target = XapiForwardTarget(created_by_id=actor.id if actor else None, delivered_count=0)
        db.session.add(target)
    target.name, target.endpoint, target.key = name[:80], endpoint, key[:200]
    target.version, target.statements, target.enabled = version, statements, bool(enabled)
    if secret:
        target.secret_encrypted = _fernet().encrypt(secret.encode()).decode()
    db.session.flush()
    if target.enabled and _has_waiting(target.id, include_sending=True):
        # Settings changed (a secret corrected, or switched on again): try now, not after a backoff.
        kick(target.id, now=True)
    log.info(
        "%s saved LRS forwarding target %s (%s, %s, %s)",
        actor.email if actor else "a command",
        target.id,
        target.endpoint,
        target.statements,
        "on" if target.enabled else "off",
    )
    return target


def remove_target(target: XapiForwardTarget, actor: User) -> None:
    """Delete a target with the statements still waiting for it (they are not sent)."""
    db.session.execute(
        delete(XapiForward).where(XapiForward.target_id == target.id).execution_options(synchronize_session=False)
    )
    db.session.delete(target)
    db.session.flush()
    log.info("%s removed LRS forwarding target %s (%s)", actor.email, target.id, target.endpoint)


def target_counts(target_ids: list[int]) -> dict[int, dict[str, int]]:
    """For each target: statements waiting (sending included) and failed for good."""
    counts = {target_id: {"waiting": 0, "failed": 0} for target_id in target_ids}
    rows = db.session.execute(
        select(XapiForward.target_id, XapiForward.state, func.count())
        .where(XapiForward.target_id.in_(target_ids))
        .group_by(XapiForward.target_id, XapiForward.state)
    ).tuples()
    for target_id, state, count in rows:
        counts[target_id]["failed" if state == "failed" else "waiting"] += count
    return counts


def retrying_error(target: XapiForwardTarget) -> str | None:
    """Why the latest attempt to send a waiting statement failed, when one is being retried."""
    return db.session.scalar(
        select(XapiForward.last_error)
        .where(XapiForward.target_id == target.id, XapiForward.state != "failed", XapiForward.last_error.is_not(None))
        .order_by(XapiForward.id)
        .limit(1)
    )


def failed_forwards(target: XapiForwardTarget, limit: int) -> list[XapiForward]:
    """The statements that failed for good, the latest first."""
    return list(
        db.session.scalars(
            select(XapiForward)
            .where(XapiForward.target_id == target.id, XapiForward.state == "failed")
            .order_by(XapiForward.failed_at.desc(), XapiForward.id.desc())
            .limit(limit)
        )
    )


def retry_failed(target: XapiForwardTarget, actor: User) -> int:
    """Put the statements that failed for good back in line, and queue a job; how many."""
    count = db.session.execute(
        update(XapiForward)
        .where(XapiForward.target_id == target.id, XapiForward.state == "failed")
        .values(state="waiting", job_id=None, attempts=0, failed_at=None, last_error=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if count and target.enabled:
        kick(target.id, now=True)
    if count:
        log.info("%s queued %d failed statement(s) again for LRS target %s", actor.email, count, target.id)
    return count


# ---------------------------------------------------------------- in the request


def queue_forwards(statement_ids: list[str], *, client_id: int | None) -> None:
    """Queue new statements for every enabled target that takes them; only inserts rows."""
    if not statement_ids:
        return
    selections = ["all"] if client_id is not None else ["all", "own"]
    target_ids = list(
        db.session.scalars(
            select(XapiForwardTarget.id).where(
                XapiForwardTarget.enabled.is_(True), XapiForwardTarget.statements.in_(selections)
            )
        )
    )
    if not target_ids:
        return
    now = utcnow()
    db.session.execute(
        insert(XapiForward),
        [
            {"target_id": target_id, "statement_id": statement_id, "state": "waiting", "attempts": 0, "created_at": now}
            for target_id in target_ids
            for statement_id in statement_ids
        ],
    )
    for target_id in target_ids:
        kick(target_id)


def _job_payload(target_id: int) -> str:
    return json.dumps({"target": target_id}, sort_keys=True)


def kick(target_id: int, *, now: bool = False) -> None:
    """Make sure a job will send what waits for the target: one queued and not yet taken (held,
    share-locked, until this transaction ends), or a new one. ``now``: a queued job waiting out
    its backoff is due at once (an admin fixed something)."""
    from courseware.jobs.services import enqueue

    query = select(Job.id).where(Job.state == "queued", Job.kind == JOB_KIND, Job.payload == _job_payload(target_id))
    queued = db.session.scalar(query.limit(1).with_for_update(read=not now))
    if queued is None:
        enqueue(JOB_KIND, {"target": target_id}, key=f"{JOB_KIND}:{target_id}:{secrets.token_hex(8)}")
    elif now:
        db.session.execute(
            update(Job)
            .where(Job.id == queued, Job.state == "queued")
            .values(run_after=utcnow())
            .execution_options(synchronize_session=False)
        )


def _has_waiting(target_id: int, *, include_sending: bool = False) -> bool:
    states = ("waiting", "sending") if include_sending else ("waiting",)
    return (
        db.session.scalar(
            select(XapiForward.id).where(XapiForward.target_id == target_id, XapiForward.state.in_(states)).limit(1)
        )
        is not None
    )


# ---------------------------------------------------------------- in the worker


def forward_batch(job) -> None:
    """The ``xapi.forward`` job: send the target's next batch (or the one this job took on an
    earlier attempt), record the outcome, and queue the next job while statements wait. Raises
    :class:`ForwardingFailed` for the queue to retry, except after the job's last attempt."""
    target = db.session.get(XapiForwardTarget, job.payload["target"])
    if target is None or not target.enabled:
        return  # removed, or switched off: what waits is sent when it is switched on again
    ids = _taken_by(job.id) or _take(target.id, job.id)
    if not ids:
        return
    secret = target_secret(target)
    try:
        if secret is None:
            _failed_for_good(
                target, job.id, ids, "The secret cannot be read (the site's secret key changed): enter it again."
            )
        else:
            _send(target, secret, job, ids)
    except ForwardingFailed as exc:
        db.session.rollback()
        if job.attempts < job.max_attempts:
            _note_retry(job, str(exc))
            raise
        _failed_for_good(target, job.id, _taken_by(job.id), str(exc))
    if _has_waiting(target.id):
        kick(target.id)


def _taken_by(job_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(XapiForward.id)
            .where(XapiForward.job_id == job_id, XapiForward.state == "sending")
            .order_by(XapiForward.id)
        )
    )


def _take(target_id: int, job_id: int) -> list[int]:
    """Mark up to a batch of the target's waiting rows as this job's, and commit."""
    batch = max(int(current_app.config["XAPI_FORWARD_BATCH"]), 1)
    takeable = and_(
        XapiForward.target_id == target_id,
        or_(
            XapiForward.state == "waiting",
            # Left by a job that will not come back for them (it failed for good on an error
            # of its own, or was deleted).
            and_(
                XapiForward.state == "sending",
                ~exists().where(Job.id == XapiForward.job_id, Job.state.in_(("queued", "running"))),
            ),
        ),
    )
    # Chosen and locked first (other workers skip these rows), then marked as this job's.
    ids = list(
        db.session.scalars(
            select(XapiForward.id)
            .where(takeable)
            .order_by(XapiForward.id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
    )
    if ids:
        db.session.execute(
            update(XapiForward)
            .where(XapiForward.id.in_(ids))
            .values(state="sending", job_id=job_id)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    return sorted(ids)


def _statements(ids: list[int]) -> list[tuple[int, str]]:
    return list(
        db.session.execute(
            select(XapiForward.id, XapiStatement.statement)
            .join(XapiStatement, XapiStatement.id == XapiForward.statement_id)
            .where(XapiForward.id.in_(ids))
            .order_by(XapiForward.id)
        ).tuples()
    )


def _send(target: XapiForwardTarget, secret: str, job, ids: list[int]) -> None:
    """POST the rows' statements; on an answer about one of several, send each alone."""
    rows = _statements(ids)
    attachments = _attachments([text for _, text in rows])
    # No transaction stays open while the other side answers (on SQLite it would hold the writers' turn).
    db.session.commit()
    if not rows:
        return
    status, reason = _post(target, secret, _body([text for _, text in rows], attachments))
    if status in SPLIT_STATUSES and len(rows) > 1:
        for row_id, text in rows:
            status, reason = _post(target, secret, _body([text], attachments))
            if _delivered(status):
                _delivered_rows(target, job.id, [row_id])
            elif _retryable(status):
                raise ForwardingFailed(reason)
            else:
                _failed_for_good(target, job.id, [row_id], reason)
        return
    if _delivered(status):
        _delivered_rows(target, job.id, [row_id for row_id, _ in rows])
        return
    if _retryable(status):
        raise ForwardingFailed(reason)
    _failed_for_good(target, job.id, [row_id for row_id, _ in rows], reason)


def _delivered(status: int | None) -> bool:
    return status is not None and (200 <= status < 300 or status == 409)


def _retryable(status: int | None) -> bool:
    return status is None or status == 429 or status >= 500


def _post(target: XapiForwardTarget, secret: str, body: tuple[bytes, str]) -> tuple[int | None, str]:
    """Send a body of statements in one POST; the status (None: no answer) and a reason to show
    when it is not a success."""
    content, content_type = body
    timeout = float(current_app.config["XAPI_FORWARD_TIMEOUT_SECONDS"])
    try:
        response = requests.post(
            target.endpoint + "statements",
            data=content,
            headers={"Content-Type": content_type, "X-Experience-API-Version": target.version},
            auth=(target.key, secret),
            timeout=timeout,
            allow_redirects=False,
            stream=True,
        )
    except requests.RequestException as exc:
        return None, _no_answer(target, exc, timeout)
    with response:
        if 200 <= response.status_code < 300:
            return response.status_code, ""
        try:
            excerpt = response.raw.read(REASON_LENGTH, decode_content=True).decode("utf-8", "replace")
        except (OSError, requests.RequestException, ValueError):
            excerpt = ""
    reason = f"HTTP {response.status_code} {response.reason or ''}".strip()
    if 300 <= response.status_code < 400:
        reason += f": redirected to {response.headers.get('Location', '?')}; enter that address instead"
    elif excerpt.strip():
        reason += ": " + " ".join(excerpt.split())
    return response.status_code, reason[:REASON_LENGTH]


def _no_answer(target: XapiForwardTarget, exc: Exception, timeout: float) -> str:
    where = urlsplit(target.endpoint).netloc
    if isinstance(exc, requests.Timeout):
        return f"No answer from {where} within {timeout:g} s"
    cause = re.search(r"\[Errno -?\d+\] [^'\")]+", str(exc))
    detail = cause.group(0) if cause else type(exc).__name__
    return f"Could not reach {where}: {detail}"[:REASON_LENGTH]


def _attachments(texts: list[str]) -> dict[str, tuple[str, bytes]]:
    """The attachments stored here that the statements declare without a fileUrl."""
    wanted: set[str] = set()
    for text in texts:
        if '"attachments"' in text:
            wanted |= {a["sha2"] for a in json.loads(text).get("attachments", []) if "fileUrl" not in a}
    if not wanted:
        return {}
    return {
        a.sha2: (a.content_type, a.content)
        for a in db.session.scalars(select(XapiAttachment).where(XapiAttachment.sha2.in_(sorted(wanted))))
    }


def _body(texts: list[str], attachments: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    """The statements as a JSON array, or as multipart/mixed with the attachment parts they need."""
    body = ("[" + ",".join(texts) + "]").encode()
    needed: list[str] = []
    for text in texts:
        if '"attachments"' in text:
            for item in json.loads(text).get("attachments", []):
                if item["sha2"] in attachments and "fileUrl" not in item and item["sha2"] not in needed:
                    needed.append(item["sha2"])
    if not needed:
        return body, "application/json"
    boundary = secrets.token_hex(16)
    chunks = [f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(), body, b"\r\n"]
    for sha2 in needed:
        content_type, content = attachments[sha2]
        head = (
            f"--{boundary}\r\nContent-Type: {content_type}\r\n"
            f"Content-Transfer-Encoding: binary\r\nX-Experience-API-Hash: {sha2}\r\n\r\n"
        )
        chunks += [head.encode(), content, b"\r\n"]
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f'multipart/mixed; boundary="{boundary}"'


def _delivered_rows(target: XapiForwardTarget, job_id: int, ids: list[int]) -> None:
    """Delete delivered rows still held by this job, count them on the target, and commit."""
    count = db.session.execute(
        delete(XapiForward)
        .where(XapiForward.id.in_(ids), XapiForward.job_id == job_id, XapiForward.state == "sending")
        .execution_options(synchronize_session=False)
    ).rowcount
    if count:
        db.session.execute(
            update(XapiForwardTarget)
            .where(XapiForwardTarget.id == target.id)
            .values(delivered_count=XapiForwardTarget.delivered_count + count, last_delivered_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    db.session.commit()


def _failed_for_good(target: XapiForwardTarget, job_id: int, ids: list[int], reason: str) -> None:
    db.session.execute(
        update(XapiForward)
        .where(XapiForward.id.in_(ids), XapiForward.job_id == job_id, XapiForward.state == "sending")
        .values(state="failed", failed_at=utcnow(), last_error=reason, attempts=XapiForward.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    log.warning("%d statement(s) failed for good on LRS target %s: %s", len(ids), target.id, reason)


def _note_retry(job, reason: str) -> None:
    """Keep on the job's rows why this attempt failed; the queue tries again later."""
    db.session.execute(
        update(XapiForward)
        .where(XapiForward.job_id == job.id, XapiForward.state == "sending")
        .values(last_error=reason, attempts=XapiForward.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def waiting_since(target: XapiForwardTarget) -> dt.datetime | None:
    """When the oldest statement still waiting for the target was queued."""
    return db.session.scalar(
        select(func.min(XapiForward.created_at)).where(
            XapiForward.target_id == target.id, or_(XapiForward.state == "waiting", XapiForward.state == "sending")
        )
    )

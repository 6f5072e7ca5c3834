"""Email over SMTP, sent by the background worker, each message once.

Nothing here is called while a request is answered: callers queue a job in the transaction of
the change the message is about (:func:`queue_mail`, or a job kind of their own), and the job's
handler calls :func:`deliver`. A message has an idempotency key: once the mail server has
accepted it, a row in ``mail_deliveries`` says so, and a job run again never sends it twice.

A message is written in its recipient's language, whoever's action causes it: callers build the
subject and body inside :func:`in_language_of` (the person's own choice, else the organisation's
default), which also writes its dates and numbers that language's way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from courseware.db import utcnow
from courseware.extensions import db
from courseware.models import MailDelivery

log = logging.getLogger(__name__)


class MailNotSent(RuntimeError):
    """The mail server refused the message or could not be reached; the job is tried again later."""


def recipient_locale(person=None) -> str:
    """The language to write to ``person`` in: the one on their account, else the organisation's
    default, else English. ``None``: someone with no account yet (an invitation)."""
    from courseware.i18n import DEFAULT, is_language
    from courseware.organisation.services import organisation

    own = getattr(person, "locale", None)
    if is_language(own):
        return own
    default = organisation().default_locale
    return default if is_language(default) else DEFAULT


@contextmanager
def in_language_of(person=None) -> Iterator[str]:
    """Build a message for ``person`` in their language (see :func:`recipient_locale`): gettext,
    dates and numbers inside follow it. Yields the locale."""
    locale = recipient_locale(person)
    with force_locale(locale):
        yield locale


def mail_configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def queue_mail(to: str, subject: str, body: str, *, key: str):
    """Queue a plain-text message for the worker, in the caller's transaction (nothing commits).

    ``key`` names this message: queued again under the same key, it is still one message.
    """
    from courseware.jobs.services import enqueue

    return enqueue("mail.send", {"to": to, "subject": subject, "body": body, "key": key}, key=key)


def send_queued_mail(job) -> None:
    """The ``mail.send`` job: deliver the message it carries."""
    message = job.payload
    deliver(job.id, message["to"], message["subject"], message["body"], key=message["key"])


def delivered_at(key: str) -> dt.datetime | None:
    """When the mail server accepted the message with ``key``; None when it has not yet."""
    return db.session.scalar(select(MailDelivery.sent_at).where(MailDelivery.key == key))


def deliver(job_id: int, to: str, subject: str, body: str, *, key: str) -> dt.datetime | None:
    """Send the message ``key`` unless it was sent before; when the server accepted it (now or
    earlier), or None when nothing is sent because SMTP is not configured.

    Commits what the session holds before talking to the mail server, and records the delivery
    in a commit of its own the moment the server accepts the message, before the job's other
    bookkeeping, so that a failure after it can never send it again. A refusal or a server out
    of reach raises :class:`MailNotSent`, and the job is retried.
    """
    earlier = delivered_at(key)
    if earlier is not None:
        log.info("already emailed %s (%s); not sending it again", to, key)
        return earlier
    config = current_app.config
    if not config.get("SMTP_HOST"):
        log.info("SMTP not configured; not emailing %s: %s", to, subject)
        return None
    if not config.get("BASE_URL"):
        # Links in the message would have no trustworthy address (see core.links.email_url).
        log.error("COURSEWARE_BASE_URL is not set; not emailing %s: %s", to, subject)
        return None
    # What the handler wrote so far is committed first: no transaction stays open while the mail
    # server answers (on SQLite it would hold every other writer back).
    db.session.commit()
    _send(to, subject, body, message_id(key))
    sent_at = utcnow()
    db.session.add(MailDelivery(key=key, job_id=job_id, sent_at=sent_at))
    db.session.commit()
    log.info("emailed %s: %s", to, subject)
    return sent_at


def message_id(key: str) -> str:
    """A ``Message-ID`` that is the same every time the message ``key`` is sent, so that a
    receiving server can drop a copy sent again after a crash."""
    host = urlsplit(current_app.config.get("BASE_URL") or "").hostname or "localhost"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{host}>"


def _send(to: str, subject: str, body: str, msgid: str) -> None:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    # A header is one line: a name with a line break in it would otherwise make this raise.
    message["Subject"] = " ".join(subject.split())
    message["Message-ID"] = msgid
    message.set_content(body)
    smtp_class = smtplib.SMTP_SSL if config.get("SMTP_SSL") else smtplib.SMTP
    try:
        with smtp_class(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=config["SMTP_TIMEOUT"]) as smtp:
            if config.get("SMTP_STARTTLS"):
                smtp.starttls()
            if config.get("SMTP_USERNAME"):
                smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailNotSent(f"could not email {to}: {exc}") from exc

"""In-app notifications, emailed too when the caller gives an email text and SMTP is configured.

The email is queued in the transaction that makes the notification and sent by the background
worker, so a slow or absent mail server never holds up the person whose action caused it, and
no email is lost when a server stops. A notification records when its email was accepted.
"""

from __future__ import annotations

import logging

from sqlalchemy import func, select, update

from courseware.core.mail import deliver, mail_configured
from courseware.db import utcnow
from courseware.extensions import db
from courseware.jobs.services import enqueue
from courseware.models import Notification, User

log = logging.getLogger(__name__)

PAGE_SIZE = 50


def notify(person: User, kind: str, message: str, link: str | None, *, email_body: str | None = None) -> Notification:
    """Tell ``person`` something in the app; with ``email_body`` and SMTP configured, by email too
    (queued in the caller's transaction)."""
    notification = Notification(user_id=person.id, kind=kind, message=message[:500], link=link, created_at=utcnow())
    db.session.add(notification)
    db.session.flush()
    if email_body is not None and mail_configured():
        key = f"notification:{notification.id}"
        payload = {"notification_id": notification.id, "to": person.email, "subject": message, "body": email_body}
        enqueue("notification.email", {**payload, "key": key}, key=key)
    return notification


def email_notification(job) -> None:
    """The ``notification.email`` job: send the email and note on the notification when it went out."""
    message = job.payload
    sent_at = deliver(job.id, message["to"], message["subject"], message["body"], key=message["key"])
    if sent_at is not None:
        db.session.execute(
            update(Notification).where(Notification.id == message["notification_id"]).values(emailed_at=sent_at)
        )


def unread_count(person: User) -> int:
    """How many of the person's notifications are unread."""
    return db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == person.id, Notification.read_at.is_(None))
    )


def notifications_of(person: User, limit: int = PAGE_SIZE) -> list[Notification]:
    """The person's latest notifications, newest first."""
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == person.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def mark_read(person: User, notification_id: int | None = None) -> int:
    """Mark one of the person's notifications (or all of them) as read; how many changed."""
    statement = update(Notification).where(Notification.user_id == person.id, Notification.read_at.is_(None))
    if notification_id is not None:
        statement = statement.where(Notification.id == notification_id)
    return db.session.execute(statement.values(read_at=utcnow())).rowcount

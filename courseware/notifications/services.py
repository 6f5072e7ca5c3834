"""In-app notifications, emailed too when the caller gives an email text and SMTP is configured.

During a request the email goes out after the response has been sent, so a slow mail server
never holds up the person whose action caused it; outside a request (a CLI command) it is sent
at once. A notification whose email was accepted by the mail server records when.
"""

from __future__ import annotations

import logging

from flask import after_this_request, current_app, has_request_context
from sqlalchemy import func, select, update

from courseware.core.mail import mail_configured, send_mail
from courseware.db import utcnow
from courseware.extensions import db
from courseware.models import Notification, User

log = logging.getLogger(__name__)

PAGE_SIZE = 50


def notify(person: User, kind: str, message: str, link: str | None, *, email_body: str | None = None) -> Notification:
    """Tell ``person`` something in the app; with ``email_body`` and SMTP configured, by email too."""
    notification = Notification(user_id=person.id, kind=kind, message=message[:500], link=link, created_at=utcnow())
    db.session.add(notification)
    db.session.flush()
    if email_body is not None and mail_configured():
        _email_after_response(notification.id, person.email, message, email_body)
    return notification


def _email_after_response(notification_id: int, to: str, subject: str, body: str) -> None:
    if not has_request_context():
        if send_mail(to, subject, body):
            db.session.execute(
                update(Notification).where(Notification.id == notification_id).values(emailed_at=utcnow())
            )
        return
    app = current_app._get_current_object()

    @after_this_request
    def _defer(response):
        def _send():
            with app.app_context():
                if send_mail(to, subject, body):
                    db.session.execute(
                        update(Notification).where(Notification.id == notification_id).values(emailed_at=utcnow())
                    )
                    db.session.commit()

        response.call_on_close(_send)
        return response


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

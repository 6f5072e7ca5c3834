"""In-app notifications, and how each person hears of them beyond the app.

Every notification appears in the app. Beyond that each person chooses (their preference):
nothing more ("app"), an e-mail for each ("each", the default), or one e-mail a day gathering
what they have not read yet ("digest"). E-mail goes out only when SMTP is configured.

An e-mail is queued in the transaction that makes the notification and sent by the background
worker, so a slow or absent mail server never holds up the person whose action caused it, and
no e-mail is lost when a server stops. Digests are jobs too, one per person and day under a
unique key, so two workers (or the worker and the cron command) never send a person two digests
on one day. A notification records when its e-mail, or the digest holding it, was accepted.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import exists, func, select, update

from courseware.core.mail import deliver, delivered_at, in_language_of, mail_configured
from courseware.db import utcnow
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.i18n import lazy_gettext as _l
from courseware.jobs.services import enqueue
from courseware.models import NOTIFICATION_DELIVERIES, Job, Notification, NotificationPreference, User

log = logging.getLogger(__name__)

PAGE_SIZE = 50
DEFAULT_DELIVERY = "each"
DELIVERY_LABELS = {
    "app": _l("In the app only"),
    "each": _l("An e-mail for each notification"),
    "digest": _l("One e-mail a day with what I have not read (daily digest)"),
}
DELIVERY_SAVED = {
    "app": _l("Saved. You will see notifications in the app only."),
    "each": _l("Saved. You will get an e-mail for each notification (when the site has a mail server)."),
    "digest": _l("Saved. You will get one e-mail a day with the notifications you have not read."),
}
DIGEST_JOB = "notification.digest"
DIGEST_MOST = 100  # notifications listed in one digest; the rest are counted


# --- preference -----------------------------------------------------------------------------


def delivery_of(person: User) -> str:
    """How ``person`` hears of notifications beyond the app: "app", "each" or "digest"."""
    chosen = db.session.scalar(
        select(NotificationPreference.delivery).where(NotificationPreference.user_id == person.id)
    )
    return chosen or DEFAULT_DELIVERY


def set_delivery(person: User, delivery: str) -> None:
    """Keep ``person``'s choice; Invalid for anything but the three choices."""
    if delivery not in NOTIFICATION_DELIVERIES:
        raise Invalid(_("Choose how you want to hear of notifications."), field="delivery")
    preference = db.session.get(NotificationPreference, person.id)
    if preference is None:
        db.session.add(NotificationPreference(user_id=person.id, delivery=delivery, updated_at=utcnow()))
    else:
        preference.delivery = delivery
        preference.updated_at = utcnow()
    db.session.flush()
    log.info("user %s hears of notifications by %s", person.id, delivery)


def emails_each(person: User) -> bool:
    """Whether a notification to ``person`` is e-mailed on its own now (SMTP set, and their choice)."""
    return mail_configured() and delivery_of(person) == "each"


# --- notifying ------------------------------------------------------------------------------


def absolute_link(link: str | None) -> str | None:
    """A link kept with a notification (a path on the site) as an address for an e-mail, on ``BASE_URL``."""
    if not link:
        return None
    base = urlsplit(current_app.config.get("BASE_URL") or "")
    return f"{base.scheme}://{base.netloc}{link}" if base.netloc else link


def notify(
    person: User,
    kind: str,
    message: str,
    link: str | None,
    *,
    email_body: str | Callable[[], str] | None = None,
    email: bool = True,
) -> Notification:
    """Tell ``person`` something in the app; when they want an e-mail for each and SMTP is
    configured, by e-mail too (``email_body``, or the message and its link), queued in the
    caller's transaction. ``email=False``: the caller sends its own e-mail (see ``emails_each``).

    The notification is written in ``person``'s language, whoever's action causes it: pass
    ``message`` as lazy text, ``lazy_gettext("… %(title)s", title=…)``, and ``email_body`` as lazy
    text or a function that builds it with ``gettext``; both are put into words here, in their
    language (plain ``str`` is kept as it is)."""
    with in_language_of(person):
        message = str(message)
        if email_body is not None:
            email_body = email_body() if callable(email_body) else str(email_body)
        if email and email_body is None:
            where = absolute_link(link)
            if where:
                email_body = _(
                    "Hello %(name)s,\n\n%(message)s\n\nSee it here: %(link)s\n",
                    name=person.name,
                    message=message,
                    link=where,
                )
            else:
                email_body = _("Hello %(name)s,\n\n%(message)s\n", name=person.name, message=message)
    notification = Notification(user_id=person.id, kind=kind, message=message[:500], link=link, created_at=utcnow())
    db.session.add(notification)
    db.session.flush()
    if email and emails_each(person):
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


# --- daily digest -----------------------------------------------------------------------------


def _waiting_for_digest(user_id):
    """Notifications of ``user_id`` a digest is for: unread, and not yet e-mailed or digested."""
    return (
        Notification.user_id == user_id,
        Notification.read_at.is_(None),
        Notification.digested_at.is_(None),
        Notification.emailed_at.is_(None),
    )


def digest_key(user_id: int, day: dt.date) -> str:
    return f"digest:{user_id}:{day.isoformat()}"


def schedule_digests(day: dt.date) -> int:
    """Queue ``day``'s digest for each active person who chose one and has something unread
    since their last; how many were newly queued. Nothing without SMTP.

    One job per person and day, under a unique key: a second call on the same day (another
    worker, or the cron command after the worker) queues nothing more.
    """
    if not mail_configured():
        return 0
    pending = exists().where(*_waiting_for_digest(User.id))
    people = list(
        db.session.scalars(
            select(User.id)
            .join(NotificationPreference, NotificationPreference.user_id == User.id)
            .where(NotificationPreference.delivery == "digest", User.is_active.is_(True), pending)
            .order_by(User.id)
        )
    )
    keys = {user_id: digest_key(user_id, day) for user_id in people}
    queued_before = set(db.session.scalars(select(Job.key).where(Job.key.in_(keys.values())))) if keys else set()
    added = 0
    for user_id, key in keys.items():
        if key in queued_before:
            continue
        enqueue(DIGEST_JOB, {"user_id": user_id, "day": day.isoformat(), "key": key}, key=key)
        added += 1
    if added:
        log.info("queued %d digest(s) for %s", added, day.isoformat())
    return added


def schedule_due_digests(now: dt.datetime | None = None) -> int:
    """What the worker does every so often: from ``DIGEST_HOUR`` (UTC) on, queue today's digests."""
    now = now or utcnow()
    if now.hour < int(current_app.config["DIGEST_HOUR"]):
        return 0
    return schedule_digests(now.date())


def digest_body(person: User, notifications: list[Notification], more: int) -> str:
    """The digest's text, in the language of the moment (the caller chooses the person's)."""
    site = current_app.config["SITE_NAME"]
    lines = [
        _("Hello %(name)s,", name=person.name),
        "",
        _("Here is what happened for you on %(site)s since your last digest:", site=site),
        "",
    ]
    for notification in notifications:
        lines.append(f"- {notification.message}")
        where = absolute_link(notification.link)
        if where:
            lines.append(f"  {where}")
    if more:
        lines += ["", ngettext("…and %(num)d more.", "…and %(num)d more.", more)]
    everything = absolute_link(_notifications_path())
    lines += [
        "",
        _("All your notifications: %(link)s", link=everything),
        "",
        _("You chose a daily digest; change it on that page."),
    ]
    return "\n".join(lines) + "\n"


def _notifications_path() -> str:
    from courseware.core.links import site_path

    return site_path("notifications.index")


def email_digest(job) -> None:
    """The ``notification.digest`` job: one e-mail with the person's unread notifications not yet
    e-mailed, which are then marked as digested. Nothing is sent when there is nothing to say, or
    when the person no longer wants a digest."""
    payload = job.payload
    person = db.session.get(User, payload["user_id"])
    if person is None or not person.is_active:
        return
    key = payload["key"]
    earlier = delivered_at(key)
    if earlier is not None:
        # Sent by an attempt that failed afterwards: mark what that e-mail held.
        _mark_digested(person.id, earlier, up_to=earlier)
        return
    if delivery_of(person) != "digest":
        return
    waiting = select(Notification).where(*_waiting_for_digest(person.id))
    total = db.session.scalar(select(func.count()).select_from(waiting.subquery()))
    if not total:
        return
    notifications = list(
        db.session.scalars(waiting.order_by(Notification.created_at, Notification.id).limit(DIGEST_MOST))
    )
    cutoff = max(notification.created_at for notification in notifications)
    ids = [notification.id for notification in notifications]
    site = current_app.config["SITE_NAME"]
    with in_language_of(person):
        subject = ngettext(
            "Your %(site)s digest: %(num)d new notification",
            "Your %(site)s digest: %(num)d new notifications",
            total,
            site=site,
        )
        body = digest_body(person, notifications, total - len(ids))
    sent_at = deliver(job.id, person.email, subject, body, key=key)
    if sent_at is not None:
        _mark_digested(person.id, sent_at, up_to=cutoff)


def _mark_digested(user_id: int, sent_at: dt.datetime, *, up_to: dt.datetime) -> None:
    db.session.execute(
        update(Notification)
        .where(*_waiting_for_digest(user_id), Notification.created_at <= up_to)
        .values(digested_at=sent_at)
        .execution_options(synchronize_session=False)
    )


def send_digests(app, day: dt.date, *, run: bool = True, echo: Callable[[str], None] = log.info) -> tuple[int, dict]:
    """Queue ``day``'s digests and, with ``run``, send them now with the worker's machinery; how
    many were queued, and how the digest jobs ended."""
    from courseware.jobs.worker import run_pending

    queued = schedule_digests(day)
    db.session.commit()
    echo(f"{queued} digest(s) queued for {day.isoformat()}.")
    if not run:
        return queued, {}
    outcomes = run_pending(app, kinds=(DIGEST_JOB,), progress=echo)
    return queued, dict(outcomes)


# --- reading --------------------------------------------------------------------------------


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

"""Reminders: to stalled, overdue or long not-started learners (the daily job, the people page),
or a nudge a manager sends anyone in their scope, with a message of their own if they like. At
most one a day per learner, whoever sends it.

Each reminder appears in the learner's notifications. It is e-mailed too when SMTP is set up
and the learner wants an e-mail for each notification (or goes in their daily digest); the
reminder and its e-mail job are committed together, and the background worker sends the e-mail
and marks the reminder emailed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from courseware.core.links import email_url, site_path
from courseware.core.mail import deliver, mail_configured
from courseware.db import utcnow
from courseware.extensions import db
from courseware.jobs.services import enqueue
from courseware.manage.people import REMINDABLE, LearnerRow, PeopleFilter, all_people, clock
from courseware.manage.policies import Scope
from courseware.manage.wording import in_language_of, long_date
from courseware.models import Reminder, User
from courseware.notifications.services import delivery_of, notify
from courseware.organisation.services import site_name
from courseware.progress.status import NOT_STARTED, OVERDUE

log = logging.getLogger(__name__)


NUDGE = "nudge"  # the reason kept for a reminder to someone neither stalled nor overdue
MAX_MESSAGE = 300


@dataclass
class ReminderSummary:
    sent: int = 0
    queued: int = 0
    already: int = 0
    skipped: int = 0
    digest: int = 0
    app_only: int = 0

    def describe(self) -> str:
        not_queued = self.sent - self.queued - self.digest - self.app_only
        parts = [ngettext("%(num)d reminder recorded", "%(num)d reminders recorded", self.sent)]
        parts.append(ngettext("%(num)d queued for email", "%(num)d queued for email", self.queued))
        if self.digest:
            parts.append(ngettext("%(num)d in their daily digest", "%(num)d in their daily digest", self.digest))
        if self.app_only:
            parts.append(
                ngettext(
                    "%(num)d in the app only (their choice)", "%(num)d in the app only (their choice)", self.app_only
                )
            )
        if not_queued:
            parts.append(
                ngettext(
                    "%(num)d not emailed (SMTP not configured)", "%(num)d not emailed (SMTP not configured)", not_queued
                )
            )
        if self.already:
            parts.append(ngettext("%(num)d already reminded today", "%(num)d already reminded today", self.already))
        if self.skipped:
            parts.append(
                ngettext("%(num)d neither stalled nor overdue", "%(num)d neither stalled nor overdue", self.skipped)
            )
        return "; ".join(parts) + "."


def claim_reminder(
    user_id: int, reason: str, sent_by_id: int | None, day: dt.date, message: str | None = None
) -> Reminder | None:
    """Record today's reminder for ``user_id``; None when they already have one for ``day``.

    The unique (user_id, sent_on) index settles a race between two senders: the second insert
    fails inside its savepoint and that sender skips the learner.
    """
    if db.session.scalar(select(Reminder.id).where(Reminder.user_id == user_id, Reminder.sent_on == day)):
        return None
    reminder = Reminder(
        user_id=user_id, sent_on=day, reason=reason, sent_by_id=sent_by_id, message=message, created_at=utcnow()
    )
    try:
        with db.session.begin_nested():
            db.session.add(reminder)
    except IntegrityError:
        return None
    return reminder


def reminded_on(day: dt.date, user_ids: list[int]) -> set[int]:
    """Which of ``user_ids`` already have their reminder for ``day``."""
    if not user_ids:
        return set()
    return set(
        db.session.scalars(select(Reminder.user_id).where(Reminder.sent_on == day, Reminder.user_id.in_(user_ids)))
    )


def _situation(row: LearnerRow) -> str:
    status = row.status
    if row.status_code not in REMINDABLE:
        return _("your manager would like you to keep your training going")
    if status.status == OVERDUE:
        return _("your course was due on %(due)s and is not finished yet", due=long_date(row.due_date))
    if status.status == NOT_STARTED:
        return _("a course was assigned to you and you haven't started it yet")
    if status.reason == "review":  # stalled, with work waiting for a trainer
        return ngettext(
            "your practice work has been waiting %(num)d day for a trainer's review; "
            "meanwhile you can go on with the next lessons",
            "your practice work has been waiting %(num)d days for a trainer's review; "
            "meanwhile you can go on with the next lessons",
            status.days,
        )
    return ngettext(
        "you haven't done anything in your course for %(num)d day",
        "you haven't done anything in your course for %(num)d days",
        status.days,
    )


def _in_app(row: LearnerRow, sender: User | None, message: str | None) -> str:
    """The reminder as the learner's notification says it."""
    if sender:
        text = _("%(name)s sent you a reminder: %(situation)s.", name=sender.name, situation=_situation(row))
    else:
        text = _("A reminder about your training: %(situation)s.", situation=_situation(row))
    if message:
        text = _("%(reminder)s “%(message)s”", reminder=text, message=message)
    return text


def queue_reminder_email(reminder: Reminder, row: LearnerRow, sender: User | None = None) -> None:
    """Queue the reminder's email in the current transaction: one job per learner and day."""
    site = site_name()
    link = email_url("learn.home")
    paragraphs = [
        _("Hello %(name)s,", name=row.name),
        _("A friendly reminder about your training on %(site)s: %(situation)s.", site=site, situation=_situation(row)),
    ]
    if reminder.message:
        if sender:
            paragraphs.append(_("%(name)s adds:\n%(message)s", name=sender.name, message=reminder.message))
        else:
            paragraphs.append(_("Your manager adds:\n%(message)s", message=reminder.message))
    paragraphs += [
        _("A few minutes today is enough to pick up where you left off."),
        _("Continue here: %(link)s", link=link),
        _("If something is in your way, reply to your manager; they can help."),
    ]
    body = "\n\n".join(paragraphs) + "\n"
    key = f"reminder:{reminder.user_id}:{reminder.sent_on.isoformat()}"
    subject = _("A reminder about your training on %(site)s", site=site)
    payload = {"reminder_id": reminder.id, "to": row.email, "subject": subject}
    enqueue("reminder.email", {**payload, "body": body, "key": key}, key=key)


def email_reminder(job) -> None:
    """The ``reminder.email`` job: send the email and mark the reminder emailed once it went out."""
    message = job.payload
    if deliver(job.id, message["to"], message["subject"], message["body"], key=message["key"]) is not None:
        db.session.execute(update(Reminder).where(Reminder.id == message["reminder_id"]).values(emailed=True))


def run_reminders(
    rows: Iterable[LearnerRow],
    sent_by_id: int | None,
    day: dt.date,
    echo: Callable[[str], None] | None = None,
    *,
    message: str | None = None,
    anyone: bool = False,
) -> ReminderSummary:
    """Remind each stalled or overdue learner among ``rows`` (``anyone``: each of them) once for
    ``day``, with the sender's ``message`` if any.

    The one unit of work here that commits, once per learner: the reminder, its notification
    and its email job together, so that the email is neither lost nor sent twice, and a
    concurrent run finds the reminder and skips the learner.
    """
    summary = ReminderSummary()
    emailing = mail_configured()
    sender = db.session.get(User, sent_by_id) if sent_by_id else None
    message = (message or "").strip()[:MAX_MESSAGE] or None
    for row in rows:
        if not row.remindable and not anyone:
            summary.skipped += 1
            continue
        reason = row.status_code if row.status_code in REMINDABLE else NUDGE
        reminder = claim_reminder(row.id, reason, sent_by_id, day, message)
        if reminder is None:
            summary.already += 1
            continue
        with in_language_of(db.session.get(User, row.id)):
            notify(row, "reminder", _in_app(row, sender, message), site_path("learn.home"), email=False)
            delivery = delivery_of(row) if emailing else None
            if delivery == "each":
                queue_reminder_email(reminder, row, sender)
        if delivery == "each":
            summary.queued += 1
        elif delivery == "digest":
            summary.digest += 1
        elif delivery == "app":
            summary.app_only += 1
        db.session.commit()
        log.info("reminded user %s (%s), by %s", row.id, reminder.reason, delivery or "the app (no SMTP)")
        summary.sent += 1
        if echo and summary.sent % 100 == 0:
            echo(f"  {summary.sent} reminded so far…")
    return summary


def send_due_reminders(echo: Callable[[str], None] | None = None, now: dt.datetime | None = None) -> ReminderSummary:
    """Remind every stalled or overdue learner in the organisation (the cron job)."""
    moment = clock(current_app.config["STALLED_DAYS"], now)
    everyone = Scope(None)
    rows = [row for status in REMINDABLE for row in all_people(everyone, PeopleFilter(status=status), moment)]
    if echo:
        echo(f"{len(rows)} learner(s) stalled or overdue; sending reminders…")
    return run_reminders(rows, None, moment.today, echo)

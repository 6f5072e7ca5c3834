"""Reminders to stalled or overdue learners: at most one a day each, emailed when SMTP is set up."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from courseware.core.links import email_url
from courseware.core.mail import send_mail
from courseware.db import utcnow
from courseware.extensions import db
from courseware.manage.people import REMINDABLE, LearnerRow, PeopleFilter, all_people, clock
from courseware.manage.policies import Scope
from courseware.models import Reminder
from courseware.progress.status import OVERDUE

log = logging.getLogger(__name__)


@dataclass
class ReminderSummary:
    sent: int = 0
    emailed: int = 0
    already: int = 0
    skipped: int = 0

    def describe(self) -> str:
        not_emailed = self.sent - self.emailed
        parts = [f"{self.sent} reminder{'s' if self.sent != 1 else ''} recorded"]
        parts.append(f"{self.emailed} emailed")
        if not_emailed:
            parts.append(f"{not_emailed} not emailed (SMTP not configured or refused)")
        if self.already:
            parts.append(f"{self.already} already reminded today")
        if self.skipped:
            parts.append(f"{self.skipped} neither stalled nor overdue")
        return "; ".join(parts) + "."


def claim_reminder(user_id: int, reason: str, sent_by_id: int | None, day: dt.date) -> Reminder | None:
    """Record today's reminder for ``user_id``; None when they already have one for ``day``.

    The unique (user_id, sent_on) index settles a race between two senders: the second insert
    fails inside its savepoint and that sender skips the learner.
    """
    if db.session.scalar(select(Reminder.id).where(Reminder.user_id == user_id, Reminder.sent_on == day)):
        return None
    reminder = Reminder(user_id=user_id, sent_on=day, reason=reason, sent_by_id=sent_by_id, created_at=utcnow())
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
    if status.status == OVERDUE:
        return f"your course was due on {row.due_date:%-d %B %Y} and is not finished yet"
    if "review" in status.cause:
        return (
            f"your practice work has been waiting {status.days} days for a trainer's review; "
            "meanwhile you can go on with the next lessons"
        )
    return f"you haven't done anything in your course for {status.days} days"


def deliver_reminder(reminder: Reminder, row: LearnerRow) -> bool:
    """Email the reminder (when SMTP is configured) and note whether it went out."""
    site = current_app.config["SITE_NAME"]
    link = email_url("learn.home")
    body = (
        f"Hello {row.name},\n\n"
        f"A friendly reminder about your training on {site}: {_situation(row)}.\n\n"
        "A few minutes today is enough to pick up where you left off."
        + f"\n\nContinue here: {link}"
        + "\n\nIf something is in your way, reply to your manager; they can help.\n"
    )
    reminder.emailed = send_mail(row.email, f"A reminder about your training on {site}", body)
    log.info("reminded user %s (%s), emailed=%s", row.id, reminder.reason, reminder.emailed)
    return reminder.emailed


def run_reminders(
    rows: Iterable[LearnerRow],
    sent_by_id: int | None,
    day: dt.date,
    echo: Callable[[str], None] | None = None,
) -> ReminderSummary:
    """Remind each stalled or overdue learner among ``rows`` once for ``day``.

    The one unit of work here that commits, and twice per learner: the reminder is committed
    before the email goes out, so a crash or a concurrent run can never email anyone twice in
    a day; whether the email went out is committed after.
    """
    summary = ReminderSummary()
    for row in rows:
        if row.status_code not in REMINDABLE:
            summary.skipped += 1
            continue
        reminder = claim_reminder(row.id, row.status_code, sent_by_id, day)
        if reminder is None:
            summary.already += 1
            continue
        db.session.commit()
        if deliver_reminder(reminder, row):
            summary.emailed += 1
        db.session.commit()
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

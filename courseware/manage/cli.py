"""``flask --app app reminders send``: reminders to stalled or overdue learners (for cron)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

reminders_cli = AppGroup("reminders", help="Reminders to stalled or overdue learners.")


@reminders_cli.command("send")
def reminders_send() -> None:
    """Remind each stalled or overdue learner, at most once a day; with SMTP set up, queue their emails."""
    from courseware.manage.reminders import send_due_reminders

    summary = send_due_reminders(echo=click.echo)
    click.echo(summary.describe())

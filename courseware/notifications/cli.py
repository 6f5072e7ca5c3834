"""``flask --app app digests send``: the day's digest e-mails (for cron; the worker also sends them)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

digests_cli = AppGroup("digests", help="Daily digest e-mails of notifications.")


@digests_cli.command("send")
@click.option(
    "--queue-only", is_flag=True, help="Queue today's digests for the running worker instead of sending them here."
)
def digests_send(queue_only: bool) -> None:
    """Send today's digest to each person who chose one and has unread notifications since their
    last; at most one a day each, however often this runs and whatever the workers do."""
    from courseware.core.mail import mail_configured
    from courseware.db import utcnow
    from courseware.notifications.services import send_digests

    if not mail_configured():
        click.echo(
            "SMTP is not configured (COURSEWARE_SMTP_HOST): no digest can be sent. Notifications stay in the app."
        )
        return
    app = current_app._get_current_object()
    _queued, outcomes = send_digests(app, utcnow().date(), run=not queue_only, echo=click.echo)
    if queue_only:
        click.echo("The worker sends them.")
        return
    click.echo(
        f"{outcomes.get('done', 0)} digest job(s) done, {outcomes.get('retry', 0)} to be retried, "
        f"{outcomes.get('failed', 0)} failed for good."
    )

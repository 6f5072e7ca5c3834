"""Commands for managers' work: ``demo generate`` and ``reminders send`` (for cron)."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup

from courseware.cli import demo_cli, fail
from courseware.exceptions import DomainError
from courseware.extensions import db

reminders_cli = AppGroup("reminders", help="Reminders to stalled or overdue learners.")


@demo_cli.command("generate")
@click.option(
    "--learners", type=click.IntRange(1, 1_000_000), default=200, show_default=True, help="How many learners."
)
@click.option("--seed", type=int, default=1, show_default=True, help="The same seed gives the same organisation.")
def demo_generate(learners: int, seed: int) -> None:
    """Create a synthetic organisation: teams, managers, enrollments and 90 days of events."""
    from courseware.manage.generate import find_or_import_course, generate_organisation

    started = time.perf_counter()
    try:
        course = find_or_import_course(current_app.config.get("LESSONS_PATH"), echo=click.echo)
        result = generate_organisation(learners, seed, course=course, echo=click.echo)
    except DomainError as exc:
        db.session.rollback()
        fail(exc.message)
    db.session.commit()
    click.echo(f"{result.summary()} ({time.perf_counter() - started:.1f} s)")


@reminders_cli.command("send")
def reminders_send() -> None:
    """Remind each stalled or overdue learner, at most once a day; email them when SMTP is set up."""
    from courseware.manage.reminders import send_due_reminders

    summary = send_due_reminders(echo=click.echo)
    click.echo(summary.describe())

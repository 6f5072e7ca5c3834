"""``flask --app app objectives prompt-reviews``: tell people of objectives due for review (for cron)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

objectives_cli = AppGroup("objectives", help="Objectives: review prompts.")


@objectives_cli.command("prompt-reviews")
def prompt_reviews() -> None:
    """Notify each person, in the app, of their objectives due for review: once per due period."""
    from courseware.db import utcnow
    from courseware.extensions import db
    from courseware.learn.objectives import prompt_all_due_reviews

    told = prompt_all_due_reviews(utcnow().date())
    db.session.commit()
    click.echo(f"{told} review prompt{'s' if told != 1 else ''} sent.")

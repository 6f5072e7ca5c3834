"""``flask --app app progress rebuild``: lesson progress derived again from the event log."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from courseware.extensions import db

progress_cli = AppGroup("progress", help="Learner progress derived from the event log.")


@progress_cli.command("rebuild")
def progress_rebuild() -> None:
    """Recompute lesson progress from the event log and report how many rows differed."""
    from courseware.progress.services import rebuild

    click.echo("Rebuilding lesson progress from the event log…")
    differed = rebuild(echo=click.echo)
    db.session.commit()
    click.echo(f"{differed} progress row(s) differed from the event log and were corrected.")

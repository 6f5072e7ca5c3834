"""``flask --app app db ...``: the database's migrations, and what every command group shares."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

db_cli = AppGroup("db", help="Apply or roll back database migrations.")


def fail(message: str) -> None:
    """Stop the command with ``message`` on stderr and a non-zero exit, without a traceback."""
    raise click.ClickException(message)


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    from courseware import migrations

    migrations.upgrade(current_app, revision)
    click.echo(f"Database is at revision {migrations.current_revision(current_app)}.")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Roll migrations back to REVISION (``base`` removes every table)."""
    from courseware import migrations

    migrations.downgrade(current_app, revision)
    click.echo(f"Database is at revision {migrations.current_revision(current_app) or 'base'}.")


@db_cli.command("current")
def db_current() -> None:
    """Print the revision the database is at."""
    from courseware import migrations

    click.echo(migrations.current_revision(current_app) or "base (no tables)")

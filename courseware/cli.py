"""``flask --app app ...`` commands: database, accounts and demo data."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from courseware.exceptions import DomainError
from courseware.extensions import db

db_cli = AppGroup("db", help="Apply or roll back database migrations.")
users_cli = AppGroup("users", help="Manage accounts.")
demo_cli = AppGroup("demo", help="Demo accounts and data.")
progress_cli = AppGroup("progress", help="Learner progress derived from the event log.")


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


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@users_cli.command("create")
@click.option("--email", required=True, help="Email address, used to log in.")
@click.option("--name", required=True, help="Name shown to colleagues.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(["learner", "trainer", "manager", "admin"]),
    default=["learner"],
    show_default=True,
    help="Repeat for several roles.",
)
@click.option("--team", default=None, help="Team name (created when missing).")
def users_create(email: str, name: str, roles: tuple[str, ...], team: str | None) -> None:
    """Create an account. The password is asked for, or read from the first line of stdin."""
    from courseware.auth import services
    from courseware.demo import get_or_create_team

    password = _read_password()
    try:
        user = services.create_user(email, name, password, roles=roles, team=get_or_create_team(team) if team else None)
    except DomainError as exc:
        fail(exc.message)
    db.session.commit()
    click.echo(f"Created {user.email} ({', '.join(sorted(user.roles))}).")


@demo_cli.command("load")
def demo_load() -> None:
    """Create the demo accounts and teams, import the built-in course and assign it (idempotent)."""
    from courseware.demo import load_demo

    try:
        summary = load_demo(echo=click.echo)
    except DomainError as exc:
        db.session.rollback()
        fail(exc.message)
    db.session.commit()
    click.echo(summary)


@progress_cli.command("rebuild")
def progress_rebuild() -> None:
    """Recompute lesson progress from the event log and report how many rows differed."""
    from courseware.progress.services import rebuild

    click.echo("Rebuilding lesson progress from the event log…")
    differed = rebuild(echo=click.echo)
    db.session.commit()
    click.echo(f"{differed} progress row(s) differed from the event log and were corrected.")


def register_commands(app: Flask) -> None:
    from courseware.content.cli import lessons_cli
    from courseware.manage.cli import reminders_cli  # also adds `demo generate`

    app.cli.add_command(db_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(lessons_cli)
    app.cli.add_command(progress_cli)
    app.cli.add_command(reminders_cli)

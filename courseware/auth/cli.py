"""``flask --app app users create``: accounts from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from courseware.cli import fail
from courseware.exceptions import DomainError
from courseware.extensions import db

users_cli = AppGroup("users", help="Manage accounts.")


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

    password = _read_password()
    try:
        user = services.create_user(
            email, name, password, roles=roles, team=services.get_or_create_team(team) if team else None
        )
    except DomainError as exc:
        fail(exc.message)
    db.session.commit()
    click.echo(f"Created {user.email} ({', '.join(sorted(user.roles))}).")

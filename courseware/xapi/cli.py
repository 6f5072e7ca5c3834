"""``flask --app app lrs ...``: LRS clients from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from courseware.cli import fail
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.models import XAPI_SCOPES

lrs_cli = AppGroup("lrs", help="The Learning Record Store at /xapi.")


@lrs_cli.command("issue-client")
@click.argument("name")
@click.option("--scope", "scopes", multiple=True, type=click.Choice(XAPI_SCOPES), help="Repeat; default: all.")
def issue_client_command(name: str, scopes: tuple[str, ...]) -> None:
    """Issue an LRS client; prints its key and secret (the secret is not shown again)."""
    from courseware.xapi.clients import issue_client

    try:
        client, secret = issue_client(name, list(scopes) or list(XAPI_SCOPES), None)
    except Invalid as exc:
        fail(exc.message)
    db.session.commit()
    click.echo(f"{client.key} {secret}")

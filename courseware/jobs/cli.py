"""``flask --app app worker``: the background worker, beside the web servers."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("worker")
@click.option("--once", is_flag=True, help="Run the jobs that are due now, then exit.")
@with_appcontext
def worker_command(once: bool) -> None:
    """Work through queued jobs (email and other background work) until stopped."""
    from courseware.jobs.worker import run_pending, work

    app = current_app._get_current_object()
    if not once:
        work(app)
        return
    outcomes = run_pending(app)
    click.echo(
        f"{outcomes.total()} job(s) run: {outcomes['done']} done, {outcomes['retry']} to be retried, "
        f"{outcomes['failed']} failed for good."
    )

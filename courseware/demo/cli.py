"""``flask --app app demo load|generate``: demo accounts, and a synthetic organisation for demos and benchmarks."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup

from courseware.cli import fail
from courseware.exceptions import DomainError
from courseware.extensions import db

demo_cli = AppGroup("demo", help="Demo accounts and data.")


@demo_cli.command("load")
@click.option(
    "--organisation",
    "organisation",
    type=click.IntRange(0, 1000),
    default=0,
    show_default=True,
    help="Also generate a small organisation of this many learners for the manager's pages (once).",
)
def demo_load(organisation: int) -> None:
    """Create the demo accounts and teams, import the built-in course and assign it (idempotent)."""
    from courseware.demo.load import load_demo, load_sample_organisation

    try:
        summary = load_demo(echo=click.echo)
        if organisation:
            click.echo(load_sample_organisation(organisation, echo=click.echo))
    except DomainError as exc:
        db.session.rollback()
        fail(exc.message)
    db.session.commit()
    click.echo(summary)


@demo_cli.command("generate")
@click.option(
    "--learners", type=click.IntRange(1, 1_000_000), default=200, show_default=True, help="How many learners."
)
@click.option("--seed", type=int, default=1, show_default=True, help="The same seed gives the same organisation.")
def demo_generate(learners: int, seed: int) -> None:
    """Create a synthetic organisation: teams, managers, enrollments and 90 days of events."""
    from courseware.demo.generate import find_or_import_course, generate_organisation

    started = time.perf_counter()
    try:
        course = find_or_import_course(current_app.config.get("LESSONS_PATH"), echo=click.echo)
        result = generate_organisation(learners, seed, course=course, echo=click.echo)
    except DomainError as exc:
        db.session.rollback()
        fail(exc.message)
    db.session.commit()
    click.echo(f"{result.summary()} ({time.perf_counter() - started:.1f} s)")


@demo_cli.command("screenshots")
@click.option(
    "--output",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder for the PNGs (default: static/screenshots).",
)
@click.option("--chromium", default="/usr/bin/chromium", show_default=True, help="The Chromium that Playwright drives.")
def demo_screenshots(output: str | None, chromium: str) -> None:
    """Make the README's screenshots from a fresh demo served on a free port (desktop and phone)."""
    import os

    from courseware.demo.screenshots import make_screenshots

    started = time.perf_counter()
    output = output or os.path.join(current_app.static_folder, "screenshots")
    try:
        written = make_screenshots(output, chromium, echo=click.echo)
    except DomainError as exc:
        fail(exc.message)
    size = sum(os.path.getsize(path) for path in written)
    click.echo(f"{len(written)} screenshots in {output}, {size // 1024} KB ({time.perf_counter() - started:.0f} s)")

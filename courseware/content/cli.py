"""``flask --app app lessons import|export``: courses to and from lesson files."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from courseware.content.format import InvalidLessonFile
from courseware.exceptions import DomainError
from courseware.extensions import db

lessons_cli = AppGroup("lessons", help="Import and export courses as lesson files.")


@lessons_cli.command("import")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def lessons_import(path: Path | None) -> None:
    """Create or update the courses in PATH (default: the built-in lessons folder).

    PATH is a course folder or a folder of course folders. Every file is checked first; if any
    has a problem, all problems are listed and nothing is imported.
    """
    from courseware.content.services import import_courses

    path = path or Path(current_app.config["LESSONS_PATH"])
    try:
        result = import_courses(path, echo=click.echo)
    except InvalidLessonFile as exc:
        db.session.rollback()
        count = len(exc.problems)
        raise click.ClickException(
            f"nothing was imported; fix {'this problem' if count == 1 else f'these {count} problems'} "
            f"and run the import again:\n{exc.message}"
        ) from None
    db.session.commit()
    click.echo(result.summary())


@lessons_cli.command("export")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite course folders that already exist in PATH.")
def lessons_export(path: Path, replace: bool) -> None:
    """Write every course that is not archived into PATH, one folder per course."""
    from courseware.content.services import export_courses

    try:
        folders = export_courses(path, replace=replace)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    for folder in folders:
        click.echo(f"Exported {folder.name} to {folder}")
    click.echo(f"Exported {len(folders)} course{'' if len(folders) == 1 else 's'}.")

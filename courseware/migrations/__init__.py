"""Alembic migrations kept inside the package, run through ``flask --app app db ...``."""

from __future__ import annotations

import os

from alembic import command
from alembic.config import Config
from flask import Flask

HERE = os.path.dirname(os.path.abspath(__file__))


def alembic_config(app: Flask) -> Config:
    """An Alembic configuration pointing at this package's scripts and the app's database."""
    config = Config()
    config.set_main_option("script_location", HERE)
    config.set_main_option("sqlalchemy.url", app.config["SQLALCHEMY_URL"].replace("%", "%%"))
    config.attributes["engine"] = app.extensions["courseware.db"]["engine"]
    return config


def upgrade(app: Flask, revision: str = "head") -> None:
    command.upgrade(alembic_config(app), revision)


def downgrade(app: Flask, revision: str) -> None:
    command.downgrade(alembic_config(app), revision)


def current_revision(app: Flask) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with app.extensions["courseware.db"]["engine"].connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()

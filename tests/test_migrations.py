"""The migrations build the whole schema, tear it down and build it again, on SQLite and PostgreSQL,
and what they build is exactly what the models describe."""

from __future__ import annotations

import os
from contextlib import ExitStack, contextmanager

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

import courseware.models  # noqa: F401  (puts every table on Base.metadata)
from courseware import create_app, migrations
from courseware.db import Base

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
MODEL_TABLES = set(Base.metadata.tables)
BOOKKEEPING = {"alembic_version"}


@contextmanager
def scratch_postgres_database():
    """Create an empty database next to the test one; yields its URL and drops it afterwards."""
    server = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"courseware_migrations_{os.getpid()}"
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL: TEST_DATABASE_URL is not set"),
        ),
    ]
)
def fresh_app(request, tmp_path):
    """An app on a brand-new, empty database of each kind."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        else:
            url = stack.enter_context(scratch_postgres_database())
        app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": url})
        stack.callback(app.extensions["courseware.db"]["engine"].dispose)
        yield app


def tables(app) -> set[str]:
    engine = app.extensions["courseware.db"]["engine"]
    return set(inspect(engine).get_table_names()) - BOOKKEEPING


def schema_differences(app) -> list:
    engine = app.extensions["courseware.db"]["engine"]
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_upgrade_downgrade_upgrade_builds_removes_and_rebuilds_every_table(fresh_app):
    assert tables(fresh_app) == set()

    migrations.upgrade(fresh_app)
    assert tables(fresh_app) == MODEL_TABLES
    head = migrations.current_revision(fresh_app)
    assert head is not None

    migrations.downgrade(fresh_app, "base")
    assert tables(fresh_app) == set()
    assert migrations.current_revision(fresh_app) is None

    migrations.upgrade(fresh_app)
    assert tables(fresh_app) == MODEL_TABLES
    assert migrations.current_revision(fresh_app) == head


def test_the_migrated_schema_matches_the_models(fresh_app):
    """A model changed without a migration shows up here as a difference."""
    migrations.upgrade(fresh_app)

    assert schema_differences(fresh_app) == []


def test_the_db_commands_apply_and_roll_back_the_migrations(fresh_app):
    runner = fresh_app.test_cli_runner()

    upgraded = runner.invoke(args=["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert tables(fresh_app) == MODEL_TABLES
    current = runner.invoke(args=["db", "current"])
    assert current.output.strip() == migrations.current_revision(fresh_app)

    downgraded = runner.invoke(args=["db", "downgrade", "base"])
    assert downgraded.exit_code == 0, downgraded.output
    assert "Database is at revision base." in downgraded.output
    assert tables(fresh_app) == set()


def test_the_whole_data_model_of_the_design_is_there():
    expected = {
        "users",
        "user_roles",
        "teams",
        "manager_scopes",
        "mentorships",
        "invitations",
        "password_resets",
        "user_sessions",
        "courses",
        "modules",
        "lessons",
        "lesson_revisions",
        "enrollments",
        "learning_events",
        "lesson_progress",
        "quiz_attempts",
        "submissions",
        "reviews",
        "journal_entries",
        "objectives",
        "objective_revisions",
    }
    assert expected <= MODEL_TABLES


def test_upgrading_a_database_with_duplicates_renames_teams_and_revokes_older_invitations(fresh_app):
    """Teams equal but for case, and several open invitations to one address, do not stop the
    migration that makes them unique: later teams are renamed, older invitations revoked."""
    migrations.upgrade(fresh_app, "0003")
    engine = fresh_app.extensions["courseware.db"]["engine"]
    with engine.begin() as connection:
        for name in ("Sales", "sales", "SALES (2)", "Support"):
            connection.execute(text("INSERT INTO teams (name, created_at) VALUES (:n, CURRENT_TIMESTAMP)"), {"n": name})
        for n, email in enumerate(("ann@example.org", "ann@example.org", "bob@example.org")):
            connection.execute(
                text(
                    "INSERT INTO invitations (email, roles, token_hash, created_at, expires_at) "
                    "VALUES (:email, 'learner', :token, :created, :created)"
                ),
                {"email": email, "token": f"token-{n}", "created": f"2026-01-0{n + 1} 00:00:00"},
            )

    migrations.upgrade(fresh_app)

    with engine.connect() as connection:
        names = [row[0] for row in connection.execute(text("SELECT name FROM teams ORDER BY id"))]
        assert names[0] == "Sales" and names[3] == "Support"
        assert len({name.casefold() for name in names}) == 4  # every one distinct, whatever the case
        assert names[1] == "sales (2-2)" and names[2] == "SALES (2)"
        opened = connection.execute(
            text("SELECT token_hash FROM invitations WHERE accepted_at IS NULL AND revoked_at IS NULL ORDER BY id")
        )
        assert [row[0] for row in opened] == ["token-1", "token-2"]
    assert schema_differences(fresh_app) == []

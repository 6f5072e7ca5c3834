"""Migrations run down and up again on a populated database without losing a row."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from courseware import migrations
from courseware.db import Base
from courseware.extensions import db
from tests.conftest import POSTGRES_URL, build_app, drop_scratch_postgres, scratch_name


def row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table)) for table in Base.metadata.sorted_tables
    }


@pytest.fixture
def populated(backend, tmp_path):
    app = build_app(backend, str(tmp_path), purpose="migrate")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "generate", "--learners", "60", "--seed", "7"])
    assert result.exit_code == 0, result.output
    yield app
    app.extensions["courseware.db"]["engine"].dispose()
    if backend == "postgresql":
        drop_scratch_postgres(POSTGRES_URL, scratch_name("migrate"))


def test_down_one_step_and_up_again_keeps_every_row(populated):
    app = populated
    with app.app_context():
        before = row_counts()
        assert before["learning_events"] > 1000 and before["users"] > 60
        db.session.remove()
        head = migrations.current_revision(app)
        migrations.downgrade(app, "-1")
        assert migrations.current_revision(app) != head
        migrations.upgrade(app)
        assert migrations.current_revision(app) == head
        assert row_counts() == before

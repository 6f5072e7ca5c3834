"""Helpers for the jobs tests: pointing the app at a mail server, reading the queue."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from courseware.models import Job


@pytest.fixture
def mail_to(app, monkeypatch):
    """Point the app at ``server`` (a :class:`Switchboard`), as settings would."""

    def point(server) -> None:
        monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
        monkeypatch.setitem(app.config, "SMTP_PORT", server.port)
        monkeypatch.setitem(app.config, "BASE_URL", "http://courseware.test")

    return point


def all_jobs(db) -> list[Job]:
    db.session.expire_all()
    return list(db.session.scalars(select(Job).order_by(Job.id)))

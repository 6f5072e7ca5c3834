"""A mail server the jobs tests can steer: accept, refuse every recipient, or hold the first
message until the test lets it go."""

from __future__ import annotations

import asyncio
import email
import threading

import pytest
from sqlalchemy import select

from courseware.models import Job
from tests.conftest import free_port


class Switchboard:
    """An aiosmtpd handler: keeps what it accepts in ``messages``."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []
        self.refuse = False
        self.hold_first = False
        self.first_arrived = threading.Event()
        self.release = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.hold_first and not self.first_arrived.is_set():
            self.first_arrived.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
            return "451 4.3.0 Not kept: try again later"
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def mail_server():
    """A real SMTP server on loopback, steered through the returned :class:`Switchboard`
    (its port in ``.port``)."""
    from aiosmtpd.controller import Controller

    switchboard = Switchboard()
    switchboard.port = free_port()
    controller = Controller(switchboard, hostname="127.0.0.1", port=switchboard.port)
    controller.start()
    try:
        yield switchboard
    finally:
        switchboard.release.set()
        controller.stop()


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

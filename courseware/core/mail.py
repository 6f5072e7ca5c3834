"""Sending email over SMTP when it is configured; otherwise the message is only logged."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from email.message import EmailMessage

from flask import after_this_request, current_app, has_request_context

log = logging.getLogger(__name__)


def mail_configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def send_mail(to: str, subject: str, body: str) -> bool:
    """Send a plain-text message; True when an SMTP server accepted it.

    Failures are logged and reported as False so that the caller can tell the person
    (and show the link on screen instead) rather than lose their request.
    """
    config = current_app.config
    if not config.get("SMTP_HOST"):
        log.info("SMTP not configured; not emailing %s: %s", to, subject)
        return False
    if not config.get("BASE_URL"):
        # Links in the message would have no trustworthy address (see core.links.email_url).
        log.error("COURSEWARE_BASE_URL is not set; not emailing %s: %s", to, subject)
        return False
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    # A header is one line: a name with a line break in it would otherwise make this raise.
    message["Subject"] = " ".join(subject.split())
    message.set_content(body)
    smtp_class = smtplib.SMTP_SSL if config.get("SMTP_SSL") else smtplib.SMTP
    try:
        with smtp_class(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=config["SMTP_TIMEOUT"]) as smtp:
            if config.get("SMTP_STARTTLS"):
                smtp.starttls()
            if config.get("SMTP_USERNAME"):
                smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("could not email %s (%s): %s", to, subject, exc)
        return False
    log.info("emailed %s: %s", to, subject)
    return True


def after_response(work: Callable[[], None]) -> None:
    """Run ``work`` in an application context once the response has been handed to the client.

    Nothing the client sees then depends on it: neither the answer nor how long it took. Outside
    a request (a command) it runs at once. A failure is logged, as nobody is left to tell.
    """
    app = current_app._get_current_object()

    def _run():
        with app.app_context():
            try:
                work()
            except Exception:
                log.exception("work deferred until after the response failed")

    if not has_request_context():
        _run()
        return

    @after_this_request
    def _defer(response):
        response.call_on_close(_run)
        return response

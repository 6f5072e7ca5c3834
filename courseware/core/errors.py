"""Error pages in plain words, and JSON error bodies under ``/api/``."""

from __future__ import annotations

import logging

from flask import Flask, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from courseware.extensions import db, login_manager
from courseware.i18n import lazy_gettext as _l

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back, check what you entered and try again.")),
    401: (_l("Log in needed"), _l("You need to log in to do that.")),
    403: (
        _l("Not allowed"),
        _l("Your account is not allowed to see this page. If you think it should be, ask an administrator."),
    ),
    404: (
        _l("Page not found"),
        _l("There is no page at this address. It may have moved, or the link may be mistyped."),
    ),
    405: (
        _l("Not allowed here"),
        _l("This address does not accept that kind of request. Use the buttons and links on the site."),
    ),
    410: (_l("No longer available"), _l("What this link pointed to is no longer available.")),
    413: (_l("Too large"), _l("What you sent is larger than this site accepts. Try a smaller file or a shorter text.")),
    422: (_l("Check what you entered"), _l("Some of what you entered could not be accepted.")),
    429: (
        _l("Too many attempts"),
        _l("There have been too many attempts in a short time. Wait a minute, then try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l(
            "Something went wrong on our side and what you were doing was not saved. Try again; if it keeps happening, tell an administrator."
        ),
    ),
    503: (
        _l("Temporarily unavailable"),
        _l(
            "The service cannot reach its database just now. Nothing you saved earlier is lost; try again in a few seconds."
        ),
    ),
}


def wants_json() -> bool:
    return request.path.startswith(("/api/", "/drafts/")) or request.path == "/healthz"


def wants_scim() -> bool:
    return request.path == "/scim/v2" or request.path.startswith("/scim/v2/")


def error_response(status: int, message: str | None = None):
    if wants_scim():
        from courseware.scim.routes import scim_error

        return scim_error(status, str(message or MESSAGES.get(status, ("", _l("The request was refused.")))[1]))
    title, default_message = MESSAGES.get(status, (_l("Error"), _l("Something went wrong.")))
    title, message = str(title), str(message or default_message)
    if wants_json():
        response = jsonify(error={"status": status, "title": title, "message": message})
        response.status_code = status
        return response
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(exc):
        from courseware.drafts.keeping import keep_unsent_form

        kept = keep_unsent_form()
        if kept is not None:
            return kept
        return error_response(
            400,
            _(
                "This form had expired or was sent from another site, so nothing was saved. "
                "Go back, reload the page and try again."
            ),
        )

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if exc.code is None or exc.code < 400:
            return exc
        message = _rate_limit_message(exc) or (
            exc.description if exc.description and exc.code in (400, 403, 404, 410, 422) and _custom(exc) else None
        )
        response = error_response(exc.code, message)
        if exc.code == 405 and getattr(exc, "valid_methods", None):
            resp = app.make_response(response)
            resp.headers["Allow"] = ", ".join(exc.valid_methods)
            return resp
        return response

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def _database(exc):
        log.warning("database unavailable: %s: %s", exc.__class__.__name__, getattr(exc, "orig", exc))
        _rollback()
        _serve_as_anonymous()
        if not _is_connection_problem(exc):
            return _unexpected(exc)
        response = app.make_response(error_response(503))
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc):
        if isinstance(exc, HTTPException):
            return _http(exc)
        log.exception("unhandled error on %s %s", request.method, request.path)
        _rollback()
        return error_response(InternalServerError.code)


def _custom(exc: HTTPException) -> bool:
    """True when the view passed its own description to ``abort``."""
    return exc.description != type(exc).description


def _serve_as_anonymous() -> None:
    """Finish this request as a visitor: who is logged in is looked up in the database, so the
    error page and the response headers must not ask again (that would raise inside the handler)."""
    g._login_user = login_manager.anonymous_user()


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # the connection may already be gone
        log.debug("rollback failed", exc_info=True)


def _is_connection_problem(exc: DBAPIError) -> bool:
    if getattr(exc, "connection_invalidated", False):
        return True
    text = str(exc.orig).lower() if getattr(exc, "orig", None) else str(exc).lower()
    return any(
        phrase in text
        for phrase in (
            "connection",
            "server closed",
            "terminating",
            "could not connect",
            "database is locked",
            "shutting down",
            "starting up",
        )
    )


def _rate_limit_message(exc: HTTPException) -> str | None:
    """The plain-words message a rate limit carries (an account lockout), if it has one."""
    limit = getattr(exc, "limit", None)
    return getattr(limit, "error_message", None) if exc.code == 429 else None

"""Package content on an origin of its own (``COURSEWARE_CONTENT_ORIGIN``).

A package's own scripts run with the rights of the origin its files come from. Served from
Courseware's origin, they could call Courseware as the learner. With a content origin set, the
same application answers a second host name: there it serves only the package runtime and the
package's files, and Courseware's pages, API and cookies are on the other host, out of reach.

Nothing on the content origin reads a cookie. The lesson page (on Courseware's origin, signed
in) frames the runtime with a signed, expiring ticket in the address, naming the learner, the
lesson, the package and the origin of the page that framed it. The runtime hosts the SCORM API
(scorm-again) the package finds through ``window.parent`` and hands every commit up to the lesson
page by ``postMessage``; the lesson page saves it with its own session and CSRF token.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, abort, current_app, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from courseware.core.links import asked_host, page_origin

# How long a ticket lets the runtime and the package's files load; a lesson page left open
# longer is reloaded to go on.
TICKET_SECONDS = 12 * 60 * 60
# What the content host serves; every other address there is a 404.
CONTENT_ENDPOINTS = {"packages.content_runtime", "packages.content_file", "static"}
# What only the content host serves once it is set: package files and their runtime.
SAME_ORIGIN_ENDPOINTS = {"packages.package_file", "packages.runtime"}


def content_origin() -> str | None:
    return current_app.config.get("CONTENT_ORIGIN") or None


def _on_content_host() -> bool:
    origin = content_origin()
    return bool(origin) and asked_host() == urlsplit(origin).netloc


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="courseware.package-content")


def issue_ticket(*, user_id: int, lesson_id: int, package_id: int, course_slug: str, lesson_slug: str) -> str:
    """A ticket for one learner's lesson, bound to the origin of the page asking for it."""
    return _serializer().dumps(
        {
            "u": user_id,
            "l": lesson_id,
            "p": package_id,
            "c": course_slug,
            "s": lesson_slug,
            "o": page_origin(),
        }
    )


def read_ticket(ticket: str) -> dict:
    """The ticket's contents; 404 when it is forged, damaged or older than ``TICKET_SECONDS``."""
    try:
        data = _serializer().loads(ticket, max_age=TICKET_SECONDS)
    except BadSignature:
        abort(404)
    if not isinstance(data, dict) or not {"u", "l", "p", "c", "s", "o"} <= data.keys():
        abort(404)
    return data


def player_address(user, course, lesson, activity: dict) -> str | None:
    """Where the lesson page frames the package's runtime from: this origin, or the content
    origin with a ticket for ``user``; None when the package is missing."""
    from courseware.packages.services import package_for

    found = package_for(course.id, activity)
    if found is None:
        return None
    origin = content_origin()
    if not origin:
        return url_for("packages.runtime", course_slug=course.slug, lesson_slug=lesson.slug)
    ticket = issue_ticket(
        user_id=user.id, lesson_id=lesson.id, package_id=found[0].id, course_slug=course.slug, lesson_slug=lesson.slug
    )
    return origin + url_for("packages.content_runtime", ticket=ticket)


def init_app(app: Flask) -> None:
    """Keep each host to its own addresses when a content origin is set."""

    @app.before_request
    def _separate_hosts():
        if not content_origin():
            if request.endpoint in CONTENT_ENDPOINTS - {"static"}:
                abort(404)
            return None
        if _on_content_host():
            if request.endpoint not in CONTENT_ENDPOINTS:
                abort(404)
        elif request.endpoint in CONTENT_ENDPOINTS - {"static"} or request.endpoint in SAME_ORIGIN_ENDPOINTS:
            abort(404)
        return None

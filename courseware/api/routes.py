"""JSON endpoints, reached with the browser session or a personal API token."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from courseware.auth.services import token_digest
from courseware.core.errors import error_response
from courseware.db import utcnow
from courseware.extensions import csrf, db
from courseware.learn.course_map import my_courses
from courseware.models import ApiToken

bp = Blueprint("api", __name__)
csrf.exempt(bp)


def api_user():
    """The person behind the request: a valid ``Authorization: Bearer`` token, else the session."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        token = db.session.scalar(
            select(ApiToken).where(
                ApiToken.token_hash == token_digest(header[7:].strip()), ApiToken.revoked_at.is_(None)
            )
        )
        if token is None or not token.user.is_active:
            return None
        token.last_used_at = utcnow()
        g.api_token = token
        return token.user
    return current_user if current_user.is_authenticated else None


@bp.before_request
def _authenticate():
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        return error_response(405, _("The API is read-only."))
    user = api_user()
    if user is None:
        response = error_response(401, _("Log in, or send a personal API token as `Authorization: Bearer <token>`."))
        return response
    g.api_user = user
    return None


@bp.route("/v1/me/progress")
def my_progress():
    """The learner's courses, modules and lessons with their states."""
    user = g.api_user
    cards = my_courses(user)
    body = {
        "user": {"id": user.id, "name": user.name, "email": user.email},
        "courses": [
            {
                "slug": card.course.slug,
                "title": card.course.title,
                "percent": card.map.percent,
                "due_date": card.enrollment.due_date.isoformat() if card.enrollment.due_date else None,
                "started_at": _iso(card.enrollment.started_at),
                "completed_at": _iso(card.enrollment.completed_at),
                "next_lesson": card.map.next_lesson.slug if card.map.next_lesson else None,
                "modules": [
                    {
                        "slug": module.slug,
                        "title": module.title,
                        "optional": module.optional,
                        "lessons": [
                            {
                                "slug": lesson.slug,
                                "title": lesson.title,
                                "status": lesson.status,
                                "state": lesson.state,
                                "locked": lesson.locked,
                            }
                            for lesson in module.lessons
                        ],
                    }
                    for module in card.map.modules
                ],
            }
            for card in cards
        ],
    }
    if "api_token" in g:
        db.session.commit()
    return jsonify(body)


def _iso(value):
    return value.isoformat() if value else None

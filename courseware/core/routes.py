"""The home page that sends each person where their roles lead, the liveness and health checks."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, redirect, url_for
from flask_login import current_user
from sqlalchemy import select, text

from courseware.extensions import db, limiter
from courseware.models import Enrollment

bp = Blueprint("core", __name__)


# Where a person without courses of their own starts, by role, first match wins.
ROLE_HOMES = (("manager", "manage.overview"), ("trainer", "review.queue"), ("admin", "admin.people"))


@bp.route("/")
def home():
    """Anonymous visitors go to the login page; people with courses to their learning;
    people without (a manager, a trainer, an admin) to the page their role starts from."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    enrolled = db.session.scalar(select(Enrollment.id).where(Enrollment.user_id == current_user.id).limit(1))
    if not enrolled:
        for role, endpoint in ROLE_HOMES:
            if current_user.has_role(role) and endpoint in current_app.view_functions:
                return redirect(url_for(endpoint))
    return redirect(url_for("learn.home"))


@bp.route("/healthz")
@limiter.exempt
def healthz():
    """200 with the database reachable; 503 (from the error handler) when it is not."""
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok", database="ok")


@bp.route("/livez")
@limiter.exempt
def livez():
    """200 "ok" while the process answers: no database, no session, no template.

    For a process supervisor's liveness probe, and the benchmarks' baseline (the fastest this
    stack can answer); /healthz is the readiness check that includes the database.
    """
    return Response("ok", mimetype="text/plain")

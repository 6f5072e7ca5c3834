"""The home page that sends each person where their roles lead, and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from courseware.extensions import db, limiter

bp = Blueprint("core", __name__)


@bp.route("/")
def home():
    """Anonymous visitors see the login page; everyone else their own learning."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if "learn.home" in _endpoints():
        return redirect(url_for("learn.home"))
    return render_template("core/home.html")


def _endpoints() -> set[str]:
    from flask import current_app

    return set(current_app.view_functions)


@bp.route("/healthz")
@limiter.exempt
def healthz():
    """200 with the database reachable; 503 (from the error handler) when it is not."""
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok", database="ok")

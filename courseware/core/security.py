"""Security headers on every response."""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_login import current_user

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: https:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def versioned_asset(view):
    """Mark a view that serves a file under an address carrying its version (a logo, a cover):
    its own long ``Cache-Control`` stands, where every other page seen signed in gets
    ``no-store``. Put it directly under ``@bp.route``."""
    view.versioned_asset = True
    return view


def _is_versioned_asset() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "versioned_asset", False))


def init_security(app: Flask) -> None:
    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config["SECURE_COOKIES"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if not request.path.startswith("/static/") and current_user.is_authenticated and not _is_versioned_asset():
            headers["Cache-Control"] = "no-store"
        return response

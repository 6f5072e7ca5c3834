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
# Browsers that know CSP take frame-ancestors over X-Frame-Options; responses that name who may
# frame them in their own policy get no X-Frame-Options (it cannot name another origin), the
# rest get DENY alongside the site's frame-ancestors 'none'.


def _policy(content_origin: str | None) -> str:
    """The site's policy; pages may also frame the package runtime on the content origin."""
    if not content_origin:
        return CONTENT_SECURITY_POLICY
    return f"{CONTENT_SECURITY_POLICY}; frame-src 'self' {content_origin}"


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
        headers.setdefault("Content-Security-Policy", _policy(app.config.get("CONTENT_ORIGIN")))
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        policy = headers["Content-Security-Policy"]
        if "frame-ancestors 'none'" in policy or "frame-ancestors" not in policy:
            headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config["SECURE_COOKIES"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if not request.path.startswith("/static/") and current_user.is_authenticated and not _is_versioned_asset():
            headers["Cache-Control"] = "no-store"
        return response

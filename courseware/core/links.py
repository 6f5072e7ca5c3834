"""Building absolute links for email, and checking redirect targets."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, url_for

from courseware.validators import has_control_characters


def external_url(endpoint: str, **values) -> str:
    """An absolute URL, on ``BASE_URL`` when set (behind a proxy), else on the request's host."""
    base = current_app.config.get("BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site; None for anything that could leave it."""
    if not target or has_control_characters(target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target

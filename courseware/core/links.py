"""Building absolute links for email and for pages, and checking redirect targets."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from flask import current_app, has_request_context, request, url_for

from courseware.core.validators import has_control_characters


def email_url(endpoint: str, **values) -> str:
    """An absolute link for a message that leaves the site (email), always on ``BASE_URL``.

    Never built from the request: its ``Host`` header is whatever the client chose to send, and a
    link built on it would carry a secret token to someone else's server. Works in requests,
    commands and the background worker alike. Without ``BASE_URL`` the site-relative path is
    returned; no email is sent then (``BASE_URL`` is required with SMTP, and
    :func:`courseware.core.mail.deliver` refuses to send without it).
    """
    anchor = values.pop("_anchor", None)
    current_app.inject_url_defaults(endpoint, values)
    base = current_app.config.get("BASE_URL")
    if base:
        parts = urlsplit(base)
        adapter = current_app.url_map.bind(
            parts.netloc, script_name=parts.path.rstrip("/") or "/", url_scheme=parts.scheme
        )
    else:
        adapter = current_app.url_map.bind("localhost")
    url = adapter.build(endpoint, values, force_external=bool(base))
    if anchor is not None:
        url += "#" + quote(anchor, safe="%!#$&'()*+,/:;=?@")
    return url


def site_path(endpoint: str, **values) -> str:
    """A link within the site, without a host, for links kept with a row (a notification's):
    works in requests, commands and the background worker alike. Outside a request the site's
    path comes from ``BASE_URL`` (a site served below ``/learning`` keeps that prefix)."""
    if has_request_context():
        return url_for(endpoint, **values)
    anchor = values.pop("_anchor", None)
    values.pop("_external", None)  # always a path here
    base = current_app.config.get("BASE_URL")
    script_name = (urlsplit(base).path.rstrip("/") or "/") if base else "/"
    path = current_app.url_map.bind("localhost", script_name=script_name).build(endpoint, values)
    return path + "#" + quote(anchor, safe="%!#$&'()*+,/:;=?@") if anchor is not None else path


def page_url(endpoint: str, **values) -> str:
    """An absolute link to show on a page to the person making this request.

    On ``BASE_URL`` when set; otherwise on the host this request came to, which is the host that
    person's own browser reached. Never put its result in an email (see :func:`email_url`).
    """
    if current_app.config.get("BASE_URL"):
        return email_url(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def page_origin() -> str:
    """The origin (scheme, host and port) of :func:`page_url`'s links: where the person making
    this request has the site open."""
    parts = urlsplit(page_url("core.home"))
    return f"{parts.scheme}://{parts.netloc}"


def asked_host() -> str:
    """The host (and port) this request was sent to, in lower case: for telling the site's own
    host from another one it answers (the content origin's), never for building a link."""
    return request.host.lower()


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site; None for anything that could leave it."""
    if not target or has_control_characters(target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def from_own_pages() -> bool:
    """Whether the browser says this request came from this site's own pages (``Sec-Fetch-Site``,
    else ``Origin``, else ``Referer``, compared with the address it reached). A request that says
    none of them is not from a browser, and passes."""
    own = request.host_url.rstrip("/")
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin == own
    referrer = request.headers.get("Referer")
    if referrer:
        parts = urlsplit(referrer)
        return f"{parts.scheme}://{parts.netloc}" == own
    return True

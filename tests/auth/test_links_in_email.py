"""Links in email are built on the site's public address, never on the request's Host header."""

from __future__ import annotations

import re

import pytest

from courseware.core.links import email_url, page_url, site_path
from tests.conftest import CSRF_RE, TEST_PASSWORD, run_jobs
from tests.core.web import page

BASE_URL = "https://learn.example.org"
FORGED = "http://evil.example"


@pytest.fixture
def any_host(app, monkeypatch):
    """The app as deployed: no SERVER_NAME, so each request's own Host header is what Flask sees."""
    monkeypatch.setitem(app.config, "SERVER_NAME", None)


@pytest.fixture
def base_url(app, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", BASE_URL)
    return BASE_URL


def post_forged(client, path: str, data: dict):
    """POST ``data`` to ``path`` with ``Host: evil.example``, as an attacker's script would."""
    form = client.get(path, base_url=FORGED, follow_redirects=True).get_data(as_text=True)
    token = CSRF_RE.search(form).group(1)
    return client.post(path, data={**data, "csrf_token": token}, base_url=FORGED)


def bodies(smtp_server) -> list[str]:
    """The bodies of the messages the mail server received, once the worker has done what is queued."""
    from flask import current_app

    run_jobs(current_app._get_current_object())
    return [message.get_payload(decode=True).decode() for message in smtp_server.messages]


def test_a_reset_asked_for_under_a_forged_host_mails_a_link_on_the_base_url(
    client, make_user, any_host, smtp_server, base_url
):
    make_user(email="ada@example.org")

    assert post_forged(client, "/password/forgot", {"email": "ada@example.org"}).status_code == 302

    [body] = bodies(smtp_server)
    assert "evil.example" not in body
    assert re.search(r"https://learn\.example\.org/password/reset/[A-Za-z0-9_-]{20,}", body), body


def test_with_smtp_but_no_base_url_nothing_is_mailed_rather_than_a_link_on_the_request_host(
    app, client, make_user, any_host, smtp_server, monkeypatch
):
    """Started without the check (settings changed while running), sending still refuses."""
    monkeypatch.setitem(app.config, "BASE_URL", None)
    make_user(email="ada@example.org")

    assert post_forged(client, "/password/forgot", {"email": "ada@example.org"}).status_code == 302

    assert bodies(smtp_server) == []


def test_an_invitation_made_under_a_forged_host_mails_a_link_on_the_base_url(
    client, make_user, any_host, smtp_server, base_url
):
    admin = make_user(email="admin@example.org", roles=("admin",))
    assert post_forged(client, "/login", {"email": admin.email, "password": TEST_PASSWORD}).status_code == 302

    response = post_forged(
        client, "/admin/people/invite", {"email": "noor@example.org", "roles": ["learner"], "team": 0}
    )

    assert response.status_code == 200
    [body] = bodies(smtp_server)
    assert "evil.example" not in body
    shown = page(response).by_id("invite-link")["value"]
    assert shown.startswith(BASE_URL + "/invite/")
    assert shown in body


def test_without_smtp_the_invitation_link_shown_to_the_admin_is_on_the_host_they_reached(client, make_user, any_host):
    """Nothing is mailed then: the admin copies the link from their own page, on their own host."""
    admin = make_user(email="admin@example.org", roles=("admin",))
    post_forged(client, "/login", {"email": admin.email, "password": TEST_PASSWORD})

    response = post_forged(
        client, "/admin/people/invite", {"email": "noor@example.org", "roles": ["learner"], "team": 0}
    )

    assert page(response).by_id("invite-link")["value"].startswith(FORGED + "/invite/")


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("https://learn.example.org", "https://learn.example.org/password/reset/abc#top"),
        ("https://example.org/learn/", "https://example.org/learn/password/reset/abc#top"),
    ],
)
def test_email_links_ignore_the_request_and_keep_the_base_urls_path(app, monkeypatch, base, expected):
    monkeypatch.setitem(app.config, "BASE_URL", base)
    monkeypatch.setitem(app.config, "SERVER_NAME", None)

    with app.test_request_context("/", base_url=FORGED):
        assert email_url("auth.reset_password", token="abc", _anchor="top") == expected
        assert page_url("auth.reset_password", token="abc", _anchor="top") == expected


def test_email_links_are_built_outside_any_request_too(app, monkeypatch):
    """Reminders are sent by a command, and reset links after the response: no request to build on."""
    monkeypatch.setitem(app.config, "BASE_URL", BASE_URL)
    monkeypatch.setitem(app.config, "SERVER_NAME", None)

    assert email_url("learn.home") == BASE_URL + "/learn"


@pytest.mark.parametrize(("base", "expected"), [(None, "/learn"), ("https://example.org/training/", "/training/learn")])
def test_links_kept_with_notifications_are_built_outside_any_request(app, monkeypatch, base, expected):
    """A notification made by a command or the worker links within the site, below BASE_URL's path."""
    monkeypatch.setitem(app.config, "BASE_URL", base)
    monkeypatch.setitem(app.config, "SERVER_NAME", None)

    assert site_path("learn.home") == expected


def test_only_core_links_builds_absolute_links():
    """Every emailed link goes through core.links.email_url: no other module builds an absolute
    address from the request it is handling."""
    import pathlib

    import courseware

    package = pathlib.Path(courseware.__file__).parent
    builders = re.compile(r"(?<!\w)_external\s*=\s*True|request\.(host|host_url|url_root|root_url)\b")
    offenders = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if path.name != "links.py" and builders.search(path.read_text())
    ]
    assert offenders == []

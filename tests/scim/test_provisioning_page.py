"""The admins' provisioning page: a token is shown once, works against /scim/v2, shows when it was
last used, and once revoked (after a confirmation) is refused."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from courseware.core.times import format_date
from courseware.models import ScimToken
from tests.conftest import csrf_token, post

PAGE = "/admin/provisioning"


def _row(page: str, name: str) -> str:
    match = re.search(r"<tr>\s*<th scope=\"row\">" + re.escape(name) + r"</th>(.*?)</tr>", page, re.S)
    assert match, f"no row for {name}"
    return match.group(1)


def test_a_token_is_shown_once_works_shows_its_last_use_and_once_revoked_is_refused(app, db, client, make_user, login):
    login(make_user(email="it@example.org", roles=("admin",)))
    assert "No token has been issued yet." in client.get(PAGE).get_data(as_text=True)

    issued = post(client, PAGE, {"name": "Okta", "csrf_token": csrf_token(client, PAGE)})
    assert issued.status_code == 201
    page = issued.get_data(as_text=True)
    secret = re.search(r'<code class="secret">([^<]+)</code>', page).group(1)
    assert "it is not shown again" in page and "http://" in page and "/scim/v2" in page
    token = db.session.scalar(select(ScimToken).where(ScimToken.name == "Okta"))
    assert secret not in token.token_hash

    later = client.get(PAGE).get_data(as_text=True)
    assert secret not in later and "never" in _row(later, "Okta")
    revoke_page = f"{PAGE}/tokens/{token.id}/revoke"
    assert secret not in client.get(revoke_page).get_data(as_text=True)

    directory = app.test_client()
    bearer = {"Authorization": f"Bearer {secret}"}
    assert directory.get("/scim/v2/Users", headers=bearer).status_code == 200
    db.session.refresh(token)
    assert token.last_used_at is not None
    listed = client.get(PAGE).get_data(as_text=True)
    row = _row(listed, "Okta")
    assert f'title="{format_date(token.last_used_at, dt.UTC)}">just now</time>' in row
    assert secret not in listed

    # Revoking asks first: the confirmation page leaves the token working.
    confirm = client.get(revoke_page).get_data(as_text=True)
    assert "Revoke the token “Okta”?" in confirm and 'method="post"' in confirm
    assert directory.get("/scim/v2/Users", headers=bearer).status_code == 200
    done = post(client, revoke_page, {"csrf_token": csrf_token(client, revoke_page)})
    assert done.status_code == 302 and done.headers["Location"].endswith(PAGE)
    refused = directory.get("/scim/v2/Users", headers=bearer)
    assert refused.status_code == 401 and refused.json["status"] == "401"
    after = client.get(PAGE).get_data(as_text=True)
    assert "Revoked" in _row(after, "Okta") and "is revoked" in after and secret not in after


def test_a_token_needs_a_name(client, make_user, login):
    login(make_user(email="it@example.org", roles=("admin",)))
    refused = post(client, PAGE, {"name": "  ", "csrf_token": csrf_token(client, PAGE)})
    assert refused.status_code == 422 and 'class="secret"' not in refused.get_data(as_text=True)

"""Admins issue LRS clients (the secret shown once, kept only as a hash) and revoke them."""

from __future__ import annotations

import base64
import re

from sqlalchemy import select

from courseware.models import XapiClient
from tests.conftest import post


def test_an_admin_issues_a_client_whose_secret_works_once_shown_and_then_revokes_it(app, db, client, login, make_user):
    admin = make_user(email="admin@example.org", roles=("admin",))
    login(admin)
    page = post(client, "/admin/lrs", {"name": "Authoring tool", "scopes": ["statements/write", "statements/read"]})
    assert page.status_code == 201
    html = page.get_data(as_text=True)
    key, secret = re.findall(r'<code class="secret">([^<]+)</code>', html)
    row = db.session.scalar(select(XapiClient).where(XapiClient.key == key))
    assert row.scope_set == {"statements/write", "statements/read"} and secret not in row.secret_hash
    assert secret not in client.get("/admin/lrs").get_data(as_text=True)

    basic = {"Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()}
    lrs = app.test_client()
    headers = {**basic, "X-Experience-API-Version": "1.0.3"}
    assert lrs.get("/xapi/statements", headers=headers).status_code == 200

    assert post(client, f"/admin/lrs/clients/{row.id}/revoke", {}).status_code == 302
    assert lrs.get("/xapi/statements", headers=headers).status_code == 401


def test_a_client_needs_a_name_and_a_permission(db, client, login, make_user):
    login(make_user(email="admin@example.org", roles=("admin",)))
    assert post(client, "/admin/lrs", {"name": "No permission"}).status_code == 422
    assert post(client, "/admin/lrs", {"name": "", "scopes": ["state"]}).status_code == 422
    assert db.session.scalar(select(XapiClient)) is None

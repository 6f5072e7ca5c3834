"""Fixtures for signing in with a real OpenID provider (oidc-provider on loopback)."""

from __future__ import annotations

import pytest

from tests.core.web import path_of
from tests.sso.idp_server import CLIENT_ID, CLIENT_SECRET, running_idp, sign_in_at_provider

SITE = "http://courseware.test"


@pytest.fixture(scope="session")
def idp():
    """The provider, for the test apps (served as courseware.test); its people are set per test."""
    with running_idp(
        [f"{SITE}/sso/example-idp/callback", f"{SITE}/sso/example-idp-2/callback"], [f"{SITE}/login"]
    ) as provider:
        yield provider


@pytest.fixture
def make_provider(db, make_user, idp):
    """``make_provider(**fields)``: "Example IdP" set up as an admin would, its discovery read for real."""
    from courseware.sso.services import save_provider

    admin = make_user(name="Ada Admin", roles=("admin",))

    def factory(**fields):
        values = {
            "name": "Example IdP",
            "issuer": idp.issuer,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "enabled": True,
            "allowed_domains": "",
            "groups_claim": "groups",
            "group_mappings": "",
        }
        values.update(fields)
        provider = save_provider(None, actor=admin, **values)
        db.session.commit()
        return provider

    return factory


@pytest.fixture
def sign_in(idp):
    """``sign_in(client, account_id)``: start at the login page's link, sign in at the provider,
    and return the app's answer to the provider's redirect (with the callback's address on it)."""

    def do(client, account_id, key="example-idp"):
        start = client.get(f"/sso/{key}/start")
        assert start.status_code == 302, start.get_data(as_text=True)
        back = sign_in_at_provider(start.headers["Location"], account_id)
        assert back.startswith(SITE), back
        response = client.get(path_of(back) if "?" not in back else back[len(SITE) :])
        response.callback = back[len(SITE) :]
        return response

    return do

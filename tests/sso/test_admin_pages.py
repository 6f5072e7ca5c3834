"""Admins set providers up in the browser (discovery checked on saving, the secret never shown
back), read and filter the sign-in log, and can keep password sign-in for admins only."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from courseware.models import SignInProvider
from courseware.sso.client_secrets import client_secret
from tests.conftest import TEST_PASSWORD, post
from tests.core.web import is_logged_in, new_client
from tests.sso.idp_server import CLIENT_ID, CLIENT_SECRET

pytestmark = pytest.mark.slow


@pytest.fixture
def admin_client(client, make_user, login):
    login(make_user(email="root@example.org", roles=("admin",)))
    return client


def provider_form(issuer, **changes):
    data = {
        "name": "Example IdP",
        "issuer": issuer,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "enabled": "y",
        "allowed_domains": "example.org, Example.com",
        "groups_claim": "groups",
        "group_mappings": "",
    }
    data.update(changes)
    return data


def test_an_issuer_without_a_discovery_document_is_a_form_error(admin_client, db, idp):
    response = post(admin_client, "/admin/sign-in/providers/new", provider_form(idp.issuer + "/nothing-here"))
    assert response.status_code == 422
    assert "discovery document" in response.get_data(as_text=True)
    assert db.session.scalar(select(SignInProvider)) is None


def test_an_unknown_team_in_the_group_mappings_is_a_form_error(admin_client, db, idp):
    response = post(
        admin_client, "/admin/sign-in/providers/new", provider_form(idp.issuer, group_mappings="sales = Nowhere")
    )
    assert response.status_code == 422
    assert "there is no team called “Nowhere”" in response.get_data(as_text=True)


def test_a_provider_is_saved_with_its_secret_encrypted_and_never_shown_back(app, admin_client, db, idp):
    response = post(admin_client, "/admin/sign-in/providers/new", provider_form(idp.issuer))
    assert response.status_code == 302
    provider = db.session.scalar(select(SignInProvider))
    assert provider.key == "example-idp" and provider.allowed_domains == "example.org example.com"
    assert provider.discovery["token_endpoint"].startswith(idp.issuer)
    assert CLIENT_SECRET not in provider.client_secret_encrypted
    assert client_secret(provider) == CLIENT_SECRET

    page = admin_client.get(response.location).get_data(as_text=True)
    assert CLIENT_SECRET not in page
    assert "Set. Leave empty to keep it" in page
    assert "http://courseware.test/sso/example-idp/callback" in page

    # Left blank, the stored secret stays; switched off, the login page no longer offers it.
    again = post(admin_client, response.location, provider_form(idp.issuer, client_secret="", enabled=""))
    assert again.status_code == 302
    db.session.refresh(provider)
    assert client_secret(provider) == CLIENT_SECRET and not provider.enabled
    assert "Sign in with" not in new_client(app).get("/login").get_data(as_text=True)


def test_a_secret_from_the_environment_wins(app, db, make_provider, monkeypatch):
    provider = make_provider(client_secret="stored")
    monkeypatch.setitem(app.config, "SSO_SECRET_EXAMPLE_IDP", "from-the-environment")
    assert client_secret(provider) == "from-the-environment"


def test_the_sign_in_log_filters_by_outcome_and_email(admin_client, client, db, idp, make_user, make_provider, sign_in):
    make_user(email="kim@example.org")
    idp.set_account("kim-sub", email="kim@example.org", email_verified=True)
    idp.set_account("lee-sub", email="lee@example.org", email_verified=False)
    make_provider()
    sign_in(new_client(client.application), "kim-sub")
    sign_in(new_client(client.application), "lee-sub")

    refused = admin_client.get("/admin/sign-in/log?outcome=refused").get_data(as_text=True)
    assert "lee@example.org" in refused and "not verified" in refused
    assert "kim@example.org" not in refused
    kim = admin_client.get("/admin/sign-in/log?email=KIM").get_data(as_text=True)
    assert re.search(r"<td>signed in</td>", kim) and "lee@example.org" not in kim


def test_password_sign_in_can_be_kept_for_admins_only(app, admin_client, db, make_user, login):
    learner = make_user(email="learner@example.org")
    admin = make_user(email="other-admin@example.org", roles=("admin",))
    assert post(admin_client, "/admin/sign-in/options", {"password_admins_only": "y"}).status_code == 302

    refused = post(new_client(app), "/login", {"email": learner.email, "password": TEST_PASSWORD})
    assert refused.status_code == 422
    assert "passwords are for administrators only" in refused.get_data(as_text=True)
    admin_browser = new_client(app)
    login(admin, target=admin_browser)
    assert is_logged_in(admin_browser)


def test_where_passwords_are_for_admins_only_an_invitation_or_reset_link_signs_no_learner_in(
    app, admin_client, db, make_user
):
    from courseware.auth.services import invite, request_password_reset

    admin = make_user(email="inviting-admin@example.org", roles=("admin",))
    learner = make_user(email="reset-me@example.org")
    _, invitation_token = invite("newcomer@example.org", ["learner"], None, admin)
    _, reset_token = request_password_reset(learner.email)
    db.session.commit()
    assert post(admin_client, "/admin/sign-in/options", {"password_admins_only": "y"}).status_code == 302

    newcomer = new_client(app)
    newcomer.get(f"/invite/{invitation_token}")
    accepted = post(
        newcomer,
        f"/invite/{invitation_token}",
        {"name": "New Comer", "password": "a long new passphrase 7", "confirm": "a long new passphrase 7"},
    )
    assert accepted.status_code == 302 and accepted.headers["Location"].endswith("/login")
    assert not is_logged_in(newcomer)
    assert "sign in with your organisation" in newcomer.get("/login").get_data(as_text=True)

    resetting = new_client(app)
    resetting.get(f"/password/reset/{reset_token}")
    passphrase = "another long passphrase 8"
    reset = post(resetting, f"/password/reset/{reset_token}", {"password": passphrase, "confirm": passphrase})
    assert reset.status_code == 302 and reset.headers["Location"].endswith("/login")
    assert not is_logged_in(resetting)

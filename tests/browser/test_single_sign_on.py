"""In Chromium: a person signs in with the organisation's provider and lands in My learning."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from courseware.auth.services import create_user
from courseware.sso.services import save_provider
from tests.conftest import TEST_PASSWORD
from tests.sso.idp_server import CLIENT_ID, CLIENT_SECRET, running_idp

pytestmark = pytest.mark.browser


def test_sign_in_with_example_idp_lands_in_my_learning(browser, base_url, live_db, tmp_path):
    suffix = tmp_path.name[-10:]
    with running_idp([f"{base_url}/sso/example-idp/callback"], [f"{base_url}/login"]) as idp:
        email = f"sam-{suffix}@example.org"
        create_user(email, "Sam Single", TEST_PASSWORD)
        admin = create_user(f"root-{suffix}@example.org", "Root", TEST_PASSWORD, roles=("admin",))
        live_db.session.commit()
        idp.set_account("sam", email=email, email_verified=True, name="Sam Single")
        provider = save_provider(
            None,
            name="Example IdP",
            issuer=idp.issuer,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            enabled=True,
            allowed_domains="",
            groups_claim="",
            group_mappings="",
            actor=admin,
        )
        live_db.session.commit()
        assert provider.key == "example-idp"

        context = browser.new_context()
        page = context.new_page()
        try:
            page.goto(f"{base_url}/login")
            page.get_by_role("link", name="Sign in with Example IdP").click()
            page.fill("input[name=login]", "sam")
            page.fill("input[name=password]", "any password")
            page.click("button[type=submit]")
            page.wait_for_url(f"{base_url}/**")
            assert "My learning" in page.title()
            expect(page.get_by_text("Welcome back, Sam Single.")).to_be_visible()
        finally:
            context.close()
            provider.enabled = False
            live_db.session.commit()

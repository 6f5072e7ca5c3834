"""Signing in with a real OpenID provider (oidc-provider): who gets in, as whom, and every check
on the way (state, code, id_token signature, issuer, audience, expiry, nonce)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from courseware.auth.services import invite
from courseware.models import Invitation, SignInEvent, SignInLink, User
from tests.conftest import post
from tests.core.web import is_logged_in, new_client
from tests.sso.idp_server import CLIENT_ID, sign_in_at_provider

pytestmark = pytest.mark.slow


def events(db, outcome=None):
    statement = select(SignInEvent).order_by(SignInEvent.id)
    if outcome:
        statement = statement.where(SignInEvent.outcome == outcome)
    return db.session.scalars(statement).all()


def last_refusal(db) -> str:
    refused = events(db, "refused")
    assert refused, "no refusal was logged"
    return refused[-1].reason


def test_the_login_page_offers_each_enabled_provider(client, make_provider):
    make_provider()
    make_provider(name="Second IdP", enabled=False)
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with Example IdP" in page
    assert "Second IdP" not in page


def test_a_person_with_an_account_signs_in_and_is_linked(app, db, client, idp, make_user, make_provider, sign_in):
    alice = make_user(email="alice@example.org", name="Alice")
    idp.set_account("alice-sub", email="alice@example.org", email_verified=True, name="Alice A.")
    provider = make_provider()

    response = sign_in(client, "alice-sub")

    assert response.status_code == 302 and urlsplit(response.location).path == "/"
    assert is_logged_in(client)
    link = db.session.scalar(select(SignInLink).where(SignInLink.subject == "alice-sub"))
    assert link.user_id == alice.id and link.provider_id == provider.id
    assert [e.outcome for e in events(db)] == ["linked", "signed-in"]

    # Linked by subject from now on, whatever e-mail address the provider gives later.
    idp.set_account("alice-sub", email="a.anderson@example.org", email_verified=False)
    second = new_client(app)
    assert sign_in(second, "alice-sub").status_code == 302
    assert is_logged_in(second)
    assert events(db)[-1].outcome == "signed-in" and events(db)[-1].user_id == alice.id


def test_a_wrong_state_is_refused(db, client, idp, make_user, make_provider):
    make_user(email="alice@example.org")
    idp.set_account("alice-sub", email="alice@example.org", email_verified=True)
    make_provider()
    start = client.get("/sso/example-idp/start")
    back = sign_in_at_provider(start.headers["Location"], "alice-sub")
    forged = back.replace("state=", "state=forged")

    response = client.get(forged.removeprefix("http://courseware.test"))

    assert response.status_code == 400
    assert "wrong or expired state" in response.get_data(as_text=True)
    assert not is_logged_in(client)
    assert "wrong or expired state" in last_refusal(db)


def test_a_replayed_code_is_refused(app, db, client, idp, make_user, make_provider, sign_in):
    make_user(email="alice@example.org")
    idp.set_account("alice-sub", email="alice@example.org", email_verified=True)
    make_provider()
    first = sign_in(client, "alice-sub")
    assert first.status_code == 302
    code = parse_qs(urlsplit(first.callback).query)["code"][0]

    # The same answer again: its state is spent.
    assert client.get(first.callback).status_code == 400
    # The code under a fresh state of another browser: the provider refuses a code used once.
    other = new_client(app)
    start = other.get("/sso/example-idp/start")
    state = parse_qs(urlsplit(start.headers["Location"]).query)["state"][0]
    response = other.get(f"/sso/example-idp/callback?code={code}&state={state}")

    assert response.status_code == 403
    assert "refused the sign-in code" in last_refusal(db)
    assert not is_logged_in(other)


@pytest.mark.parametrize(
    ("misbehave", "reason"),
    [
        ("expired", "has expired"),
        ("wrong-audience", "audience is not the expected one"),
        ("bad-signature", "signature does not match"),
    ],
)
def test_an_id_token_that_fails_a_check_is_refused(
    db, client, idp, make_user, make_provider, sign_in, misbehave, reason
):
    make_user(email="mallory@example.org")
    idp.set_account("mallory-sub", email="mallory@example.org", email_verified=True, misbehave=misbehave)
    make_provider()

    response = sign_in(client, "mallory-sub")

    assert response.status_code == 403
    assert reason in response.get_data(as_text=True)
    assert not is_logged_in(client)
    assert reason in last_refusal(db)
    assert db.session.scalar(select(SignInLink)) is None


def test_an_unverified_email_never_links_to_an_account(db, client, idp, make_user, make_provider, sign_in):
    victim = make_user(email="victim@example.org")
    idp.set_account("attacker-sub", email="victim@example.org", email_verified=False)
    make_provider(allowed_domains="example.org")

    response = sign_in(client, "attacker-sub")

    assert response.status_code == 403
    assert not is_logged_in(client)
    assert db.session.scalar(select(SignInLink)) is None
    refusal = events(db, "refused")[-1]
    assert "not verified" in refusal.reason and refusal.user_id == victim.id


def test_only_allowed_domains_get_an_account_at_their_first_sign_in(app, db, client, idp, make_provider, sign_in):
    idp.set_account("bob-sub", email="bob@elsewhere.org", email_verified=True)
    idp.set_account("carol-sub", email="carol@example.org", email_verified=True, name="Carol Jones")
    make_provider(allowed_domains="example.org")

    refused = sign_in(client, "bob-sub")
    assert refused.status_code == 403
    assert "no account for this address" in refused.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "bob@elsewhere.org")) is None

    carol_client = new_client(app)
    assert sign_in(carol_client, "carol-sub").status_code == 302
    carol = db.session.scalar(select(User).where(User.email == "carol@example.org"))
    assert carol.name == "Carol Jones" and carol.roles == {"learner"} and carol.password_hash is None
    assert is_logged_in(carol_client)
    assert [e.outcome for e in events(db)][-3:] == ["created", "linked", "signed-in"]


def test_without_allowed_domains_only_existing_accounts_sign_in(db, client, idp, make_provider, sign_in):
    idp.set_account("dan-sub", email="dan@example.org", email_verified=True)
    make_provider(allowed_domains="")
    assert sign_in(client, "dan-sub").status_code == 403
    assert db.session.scalar(select(User).where(User.email == "dan@example.org")) is None


def test_an_invited_person_signs_in_and_the_invitation_is_used(
    db, client, idp, make_user, make_team, make_provider, sign_in
):
    admin = make_user(roles=("admin",))
    support = make_team("Support")
    invitation, _ = invite("erin@example.org", ["trainer"], support, admin)
    db.session.commit()
    idp.set_account("erin-sub", email="Erin@Example.org", email_verified=True, name="Erin")
    make_provider()

    assert sign_in(client, "erin-sub").status_code == 302

    erin = db.session.scalar(select(User).where(User.email == "erin@example.org"))
    assert erin.roles == {"learner", "trainer"} and erin.team_id == support.id
    db.session.refresh(invitation)
    assert invitation.accepted_at is not None and invitation.user_id == erin.id


def test_an_expired_invitation_gives_no_account(db, client, idp, make_user, make_provider, sign_in):
    admin = make_user(roles=("admin",))
    invitation, _ = invite("fay@example.org", ["learner"], None, admin)
    invitation.expires_at = invitation.created_at - dt.timedelta(days=1)
    db.session.commit()
    idp.set_account("fay-sub", email="fay@example.org", email_verified=True)
    make_provider()
    assert sign_in(client, "fay-sub").status_code == 403
    assert db.session.get(Invitation, invitation.id).accepted_at is None


def test_a_deactivated_person_is_refused(db, client, idp, make_user, make_provider, sign_in):
    gone = make_user(email="gone@example.org")
    gone.is_active = False
    db.session.commit()
    idp.set_account("gone-sub", email="gone@example.org", email_verified=True)
    make_provider(allowed_domains="example.org")

    response = sign_in(client, "gone-sub")

    assert response.status_code == 403
    assert "deactivated" in response.get_data(as_text=True)
    assert not is_logged_in(client)
    refusal = events(db, "refused")[-1]
    assert refusal.user_id == gone.id and "deactivated" in refusal.reason


def test_a_group_change_moves_the_person_to_another_team_at_their_next_sign_in(
    app, db, client, idp, make_user, make_team, make_provider, sign_in
):
    sales, support = make_team("Sales"), make_team("Support")
    hal = make_user(email="hal@example.org", roles=("manager",))
    make_provider(group_mappings="sales-staff = Sales | learner\nsupport-staff = Support\ncourse-authors = | trainer")
    idp.set_account("hal-sub", email="hal@example.org", email_verified=True, groups=["sales-staff", "course-authors"])

    assert sign_in(client, "hal-sub").status_code == 302
    db.session.refresh(hal)
    assert hal.team_id == sales.id
    assert hal.roles == {"learner", "trainer", "manager"}  # a role no mapping names is left alone

    idp.set_account("hal-sub", email="hal@example.org", email_verified=True, groups=["support-staff"])
    assert sign_in(new_client(app), "hal-sub").status_code == 302
    db.session.expire_all()
    hal = db.session.get(User, hal.id)
    assert hal.team_id == support.id
    assert hal.roles == {"learner", "manager"}


def test_a_rotated_signing_key_is_fetched_when_a_token_names_it(app, db, idp, make_user, make_provider, sign_in):
    make_user(email="ivy@example.org")
    idp.set_account("ivy-sub", email="ivy@example.org", email_verified=True)
    make_provider()
    assert sign_in(new_client(app), "ivy-sub").status_code == 302
    old_kid = idp.jwks()["keys"][0]["kid"]

    idp.restart_with_new_key(old_kid + "-next")

    assert idp.jwks()["keys"][0]["kid"] != old_kid
    after = new_client(app)
    assert sign_in(after, "ivy-sub").status_code == 302
    assert is_logged_in(after)


def test_signing_out_ends_the_session_and_goes_to_the_providers_end_session_page(
    db, client, idp, make_user, make_provider, sign_in
):
    make_user(email="jo@example.org")
    idp.set_account("jo-sub", email="jo@example.org", email_verified=True)
    make_provider()
    sign_in(client, "jo-sub")

    response = post(client, "/logout")

    target = urlsplit(response.location)
    assert f"{target.scheme}://{target.netloc}" == idp.issuer and target.path == "/session/end"
    query = parse_qs(target.query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["post_logout_redirect_uri"] == ["http://courseware.test/login"]
    assert not is_logged_in(client)


def test_the_callback_is_rate_limited_per_address_like_the_login_form(app, db, client, make_provider):
    make_provider()
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        answers = [client.get(f"/sso/example-idp/callback?state=forged-{n}&code=x").status_code for n in range(5)]
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    assert answers == [400, 400, 400, 429, 429]
    assert len(events(db, "refused")) == 3  # refused requests past the limit write nothing

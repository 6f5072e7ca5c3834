"""The account page: a person changes their own name, email address (confirmed from the new
address) and password, and sees and ends their sessions on other devices."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select, update

from courseware.models import EmailChange, UserSession
from tests.conftest import TEST_PASSWORD, post, run_jobs
from tests.core.web import is_logged_in, new_client, page, path_of

NEW_PASSWORD = "a brand new passphrase"
CONFIRM_LINK_RE = re.compile(r"http://courseware\.test/account/email/confirm/[A-Za-z0-9_-]{20,}")
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"


def body_of(message) -> str:
    return message.get_payload(decode=True).decode()


def test_a_person_changes_their_name(client, make_user, login, db):
    user = make_user(name="Ada")
    login(user)

    response = post(client, "/account/name", {"display_name": "  Ada Lovelace "})

    assert path_of(response.location) == "/account"
    assert "Your name is changed." in page(client.get("/account")).flashes
    db.session.refresh(user)
    assert user.name == "Ada Lovelace"


def test_an_empty_name_is_refused_and_the_rest_of_the_page_still_shows(client, make_user, login):
    login(make_user(name="Ada"))

    response = post(client, "/account/name", {"display_name": "   "})

    assert response.status_code == 422
    shown = page(response)
    assert "Enter your name." in shown.errors
    assert "Where you are signed in" in shown.text


def test_a_new_address_changes_only_when_the_link_sent_to_it_is_opened_once(
    app, client, make_user, login, db, smtp_server
):
    user = make_user(email="ada@example.org", name="Ada")
    login(user)

    response = post(client, "/account/email", {"email": "Ada@New.example.org", "email_password": TEST_PASSWORD})

    assert path_of(response.location) == "/account"
    account = page(client.get("/account"))
    assert any("We sent a link to ada@new.example.org" in flash for flash in account.flashes)
    assert "A confirmation link was sent to" in account.text
    db.session.refresh(user)
    assert user.email == "ada@example.org"
    run_jobs(app)
    [message] = smtp_server.messages
    assert message["To"] == "ada@new.example.org"
    link = CONFIRM_LINK_RE.search(body_of(message)).group(0)

    # Opening the link (as a mail scanner would) changes nothing; the button does.
    assert client.get(path_of(link)).status_code == 200
    db.session.refresh(user)
    assert user.email == "ada@example.org"
    confirmed = post(client, path_of(link))
    assert path_of(confirmed.location) == "/account"
    db.session.refresh(user)
    assert user.email == "ada@new.example.org"

    # The old address is told; the link does not work twice; the new address logs in.
    run_jobs(app)
    told = [m for m in smtp_server.messages if m["To"] == "ada@example.org"]
    assert len(told) == 1 and "ada@new.example.org" in body_of(told[0])
    assert client.get(path_of(link)).status_code == 410
    assert (
        post(new_client(app), "/login", {"email": "ada@new.example.org", "password": TEST_PASSWORD}).status_code == 302
    )


def test_an_expired_confirmation_link_changes_nothing(app, client, make_user, login, db, smtp_server):
    user = make_user(email="ada@example.org")
    login(user)
    post(client, "/account/email", {"email": "ada@new.example.org", "email_password": TEST_PASSWORD})
    run_jobs(app)
    link = CONFIRM_LINK_RE.search(body_of(smtp_server.messages[0])).group(0)
    db.session.execute(update(EmailChange).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)))
    db.session.commit()

    assert post(client, path_of(link)).status_code == 410
    db.session.refresh(user)
    assert user.email == "ada@example.org"


def test_an_address_change_is_refused_with_a_wrong_password_or_a_taken_address(client, make_user, login, smtp_server):
    make_user(email="taken@example.org")
    login(make_user(email="ada@example.org"))

    wrong = post(client, "/account/email", {"email": "ada@new.example.org", "email_password": "not it"})
    assert wrong.status_code == 422
    assert "That is not your current password." in page(wrong).errors
    assert page(wrong).value("email") == "ada@new.example.org"

    taken = post(client, "/account/email", {"email": "taken@example.org", "email_password": TEST_PASSWORD})
    assert taken.status_code == 422
    assert "Another account already uses this address." in page(taken).errors


def test_without_email_the_page_says_an_address_cannot_be_confirmed(client, make_user, login, db):
    login(make_user(email="ada@example.org"))

    shown = page(client.get("/account"))
    assert "This site cannot send email, so a new address cannot be confirmed here." in shown.text
    response = post(client, "/account/email", {"email": "ada@new.example.org", "email_password": TEST_PASSWORD})
    assert response.status_code == 422
    assert db.session.scalar(select(EmailChange)) is None


def test_a_password_change_needs_the_current_one_and_signs_out_other_devices(app, client, make_user, login, db):
    user = make_user(email="ada@example.org")
    elsewhere = new_client(app)
    login(user, target=elsewhere)
    login(user)

    wrong = post(
        client, "/account/password", {"current_password": "nope", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert wrong.status_code == 422
    assert "That is not your current password." in page(wrong).errors
    weak = post(
        client, "/account/password", {"current_password": TEST_PASSWORD, "password": "short", "confirm": "short"}
    )
    assert weak.status_code == 422
    assert "Use at least 8 characters." in page(weak).errors

    response = post(
        client,
        "/account/password",
        {"current_password": TEST_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )

    assert path_of(response.location) == "/account"
    assert "You are signed out on 1 other device." in page(client.get("/account")).flashes[0]
    assert is_logged_in(client)
    assert not is_logged_in(elsewhere)
    assert post(new_client(app), "/login", {"email": user.email, "password": NEW_PASSWORD}).status_code == 302


def test_an_account_that_signs_in_with_the_organisation_is_told_its_password_is_there(
    client, make_user, login, db, app
):
    from courseware.sso.services import set_password_admins_only

    admin = make_user(roles=("admin",))
    user = make_user(email="ada@example.org")
    login(user)
    set_password_admins_only(True, admin)
    db.session.commit()
    try:
        shown = page(client.get("/account"))
        assert "You sign in with your organisation's account, so your password is managed there" in shown.text
        response = post(
            client,
            "/account/password",
            {"current_password": TEST_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        )
        assert response.status_code == 422
        assert "your password is changed there, not here" in page(response).text
    finally:
        set_password_admins_only(False, admin)
        db.session.commit()


def test_the_sessions_list_names_each_device_and_marks_this_one(app, client, make_user, login):
    user = make_user()
    phone = new_client(app)
    phone.environ_base["HTTP_USER_AGENT"] = IPHONE
    login(user, target=phone)
    client.environ_base["HTTP_USER_AGENT"] = FIREFOX
    login(user)

    shown = page(client.get("/account"))

    assert "Firefox 128" in shown.text and "Windows" in shown.text
    assert "Mobile Safari 17" in shown.text and "iPhone (iOS)" in shown.text
    row = re.search(r"<tr aria-current=\"true\">(.*?)</tr>", client.get("/account").get_data(as_text=True), re.S)
    assert "Firefox 128" in row.group(1) and "This device" in row.group(1)


def test_a_person_signs_out_one_other_device_then_all(app, client, make_user, login, db):
    user = make_user()
    first, second = new_client(app), new_client(app)
    first.environ_base["HTTP_USER_AGENT"] = IPHONE
    login(user, target=first)
    login(user, target=second)
    login(user)
    markup = client.get("/account").get_data(as_text=True)
    phone_row = re.search(r"<tr>\s*<th scope=\"row\">Mobile Safari.*?</tr>", markup, re.S).group(0)
    handle = re.search(r"/account/sessions/([0-9a-f]{24})/end", phone_row).group(1)
    assert handle not in user.email  # a digest, never the session's identifier
    assert db.session.scalar(select(UserSession.id).where(UserSession.id == handle)) is None

    assert path_of(post(client, f"/account/sessions/{handle}/end").location) == "/account"

    assert not is_logged_in(first)
    assert is_logged_in(second) and is_logged_in(client)
    assert post(client, "/account/sessions/0123456789abcdef01234567/end").status_code == 404

    post(client, "/account/sessions/end-others")

    assert not is_logged_in(second)
    assert is_logged_in(client)
    assert "You are signed in on this device only." in page(client.get("/account")).text


def test_someone_cannot_end_another_persons_session(app, client, make_user, login):
    owner, other = make_user(), make_user()
    owners = new_client(app)
    login(owner, target=owners)
    login(owner, target=new_client(app))
    markup = owners.get("/account").get_data(as_text=True)
    handle = re.search(r"/account/sessions/([0-9a-f]{24})/end", markup).group(1)
    login(other)

    assert post(client, f"/account/sessions/{handle}/end").status_code == 404
    assert is_logged_in(owners)


def test_the_forgotten_password_page_tells_the_truth_without_email(client, make_user):
    make_user(email="ada@example.org")

    assert "This site cannot send email" in page(client.get("/password/forgot")).text
    response = post(client, "/password/forgot", {"email": "ada@example.org"})

    flashes = page(client.get(response.location)).flashes
    assert any("no reset link was sent. Ask an administrator" in flash for flash in flashes)
    assert not any("we have emailed" in flash for flash in flashes)


def test_with_email_the_forgotten_password_page_offers_the_link(client, smtp_server):
    shown = page(client.get("/password/forgot"))

    assert "This site cannot send email" not in shown.text
    assert "We will email you a link" in shown.text

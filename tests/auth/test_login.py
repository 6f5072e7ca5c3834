"""Logging in and out: the login contract, CSRF, clear refusals, server-side sessions."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import select

from courseware.models import UserSession
from tests.conftest import TEST_PASSWORD, csrf_token, post
from tests.core.web import (
    is_logged_in,
    new_client,
    page,
    path_of,
    redirects_to_login,
    restore_session_cookie,
    session_cookie,
)

REFUSAL = "That email and password do not match an active account."


def test_login_page_offers_the_fields_password_managers_expect(client):
    response = client.get("/login")

    assert response.status_code == 200
    form = page(response)
    assert form.control("email")["autocomplete"] == "username"
    assert form.control("email")["type"] == "email"
    assert form.control("password")["autocomplete"] == "current-password"
    assert form.control("password")["type"] == "password"
    assert form.control("csrf_token")["value"]


def test_correct_email_and_password_log_in_and_land_on_the_home_page(client, make_user):
    user = make_user(email="ada@example.org")

    response = post(client, "/login", {"email": "ada@example.org", "password": TEST_PASSWORD})

    assert response.status_code == 302
    assert path_of(response.location) == "/"
    assert f"Welcome back, {user.name}." in page(client.get("/", follow_redirects=True)).flashes
    assert is_logged_in(client)


def test_email_is_matched_whatever_its_case(client, make_user):
    make_user(email="ada@example.org")

    response = post(client, "/login", {"email": "Ada@Example.ORG", "password": TEST_PASSWORD})

    assert response.status_code == 302
    assert is_logged_in(client)


def test_login_without_a_csrf_token_is_refused_in_plain_words_and_logs_nobody_in(client, make_user):
    make_user(email="ada@example.org")

    response = client.post("/login", data={"email": "ada@example.org", "password": TEST_PASSWORD})

    assert response.status_code == 400
    assert "nothing was saved" in page(response).text
    assert "CSRF" not in page(response).text
    assert not is_logged_in(client)


def test_login_with_a_forged_csrf_token_is_refused(client, make_user):
    make_user(email="ada@example.org")
    client.get("/login")

    response = client.post(
        "/login", data={"email": "ada@example.org", "password": TEST_PASSWORD, "csrf_token": "forged"}
    )

    assert response.status_code == 400
    assert not is_logged_in(client)


def test_wrong_password_and_unknown_email_get_the_same_message_with_the_email_kept(client, make_user):
    make_user(email="ada@example.org")

    wrong_password = post(client, "/login", {"email": "ada@example.org", "password": "not the password 1"})
    unknown_email = post(client, "/login", {"email": "nobody@example.org", "password": "not the password 2"})

    for response, email, password in (
        (wrong_password, "ada@example.org", "not the password 1"),
        (unknown_email, "nobody@example.org", "not the password 2"),
    ):
        assert response.status_code == 422
        shown = page(response)
        assert shown.errors == [REFUSAL]
        assert "<h1>Log in</h1>" in response.get_data(as_text=True)
        assert shown.value("email") == email
        assert not shown.value("password")
        assert password not in shown.text
    assert not is_logged_in(client)


def test_empty_and_malformed_emails_are_refused_with_what_was_typed_kept(client):
    response = post(client, "/login", {"email": "ada-at-example", "password": "whatever it is"})

    assert response.status_code == 422
    shown = page(response)
    assert "Enter a valid email address, like name@example.org." in shown.errors
    assert shown.value("email") == "ada-at-example"
    assert "whatever it is" not in shown.text

    response = post(client, "/login", {"email": "", "password": ""})
    assert response.status_code == 422
    assert {"Enter your email address.", "Enter your password."} <= set(page(response).errors)


def test_a_deactivated_account_cannot_log_in(client, make_user, db):
    user = make_user(email="gone@example.org")
    user.is_active = False
    db.session.commit()

    response = post(client, "/login", {"email": "gone@example.org", "password": TEST_PASSWORD})

    assert response.status_code == 422
    assert page(response).errors == [REFUSAL]
    assert not is_logged_in(client)


def test_logging_in_replaces_the_session_cookie_so_a_planted_one_gains_nothing(app, client, make_user):
    user = make_user()
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    before = session_cookie(client, app).value
    attacker = new_client(app)
    restore_session_cookie(attacker, app, before)

    post(client, "/login", {"email": user.email, "password": TEST_PASSWORD})

    assert session_cookie(client, app).value != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["sid"]
    assert is_logged_in(client)
    assert not is_logged_in(attacker)


def test_login_returns_to_the_page_that_asked_for_it_but_never_to_another_site(app, client, make_user):
    admin = make_user(roles=("admin",))
    asked = client.get("/admin/people")
    assert redirects_to_login(asked)

    response = client.post(
        asked.location,
        data={"email": admin.email, "password": TEST_PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert path_of(response.location) == "/admin/people"

    other = new_client(app)
    response = other.post(
        "/login?next=https://evil.example/steal",
        data={"email": admin.email, "password": TEST_PASSWORD, "csrf_token": csrf_token(other)},
    )
    assert response.location == "/"


def test_the_login_page_sends_someone_already_logged_in_home(client, make_user, login):
    login(make_user())

    response = client.get("/login")

    assert response.status_code == 302
    assert path_of(response.location) == "/"


def test_logout_is_a_post_only(client, make_user, login):
    login(make_user())

    response = client.get("/logout")

    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert is_logged_in(client)


def test_logout_without_a_csrf_token_does_not_log_out(client, make_user, login):
    login(make_user())

    response = client.post("/logout")

    assert response.status_code == 400
    assert is_logged_in(client)


def test_logout_ends_the_session_on_the_server_so_a_copied_cookie_stops_working(app, client, make_user, login, db):
    user = make_user()
    login(user)
    saved = session_cookie(client, app).value

    response = post(client, "/logout")

    assert response.status_code == 302
    assert path_of(response.location) == "/login"
    assert not is_logged_in(client)
    restore_session_cookie(client, app, saved)
    assert redirects_to_login(client.get("/"))
    rows = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()
    assert [row.revoked_at is not None for row in rows] == [True]


def test_logging_out_in_one_browser_leaves_the_other_logged_in(app, client, make_user, login):
    user = make_user()
    laptop, phone = client, new_client(app)
    login(user, target=laptop)
    login(user, target=phone)

    post(laptop, "/logout")

    assert not is_logged_in(laptop)
    assert is_logged_in(phone)


@pytest.mark.parametrize(
    ("created_ago", "seen_ago"),
    [(dt.timedelta(hours=3), dt.timedelta(hours=2, minutes=1)), (dt.timedelta(hours=12, minutes=1), dt.timedelta(0))],
    ids=["idle-too-long", "older-than-the-absolute-limit"],
)
def test_a_session_ends_after_the_idle_or_absolute_timeout(client, make_user, login, db, created_ago, seen_ago):
    user = make_user()
    login(user)
    row = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).one()
    now = dt.datetime.now(dt.UTC)
    row.created_at, row.last_seen_at = now - created_ago, now - seen_ago
    db.session.commit()

    assert redirects_to_login(client.get("/"))


def test_a_password_hashed_with_older_settings_still_logs_in_and_is_rehashed(client, make_user, db):
    from argon2 import PasswordHasher

    from courseware.auth.passwords import needs_rehash, verify_password

    user = make_user(email="old@example.org")
    user.password_hash = PasswordHasher(time_cost=3, memory_cost=65_536, parallelism=4).hash(TEST_PASSWORD)
    db.session.commit()
    assert needs_rehash(user.password_hash)

    response = post(client, "/login", {"email": "old@example.org", "password": TEST_PASSWORD})

    assert response.status_code == 302
    assert is_logged_in(client)
    db.session.expire_all()
    assert not needs_rehash(user.password_hash)
    assert verify_password(user.password_hash, TEST_PASSWORD)


def test_a_wrong_password_leaves_an_outdated_hash_alone(client, make_user, db):
    from argon2 import PasswordHasher

    old_hash = PasswordHasher(time_cost=3, memory_cost=65_536, parallelism=4).hash(TEST_PASSWORD)
    user = make_user(email="old@example.org")
    user.password_hash = old_hash
    db.session.commit()

    response = post(client, "/login", {"email": "old@example.org", "password": "not-the-password"})

    assert response.status_code == 422
    db.session.expire_all()
    assert user.password_hash == old_hash


def test_the_session_cookie_lasts_no_longer_than_the_session_can(app, client, make_user):
    make_user(email="ada@example.org")

    response = post(client, "/login", {"email": "ada@example.org", "password": TEST_PASSWORD})

    cookie = session_cookie(client, app)
    hours = app.config["SESSION_ABSOLUTE_HOURS"]
    lasts = cookie.expires - dt.datetime.now(dt.UTC)
    assert response.status_code == 302
    assert dt.timedelta(hours=hours) - dt.timedelta(minutes=5) < lasts <= dt.timedelta(hours=hours)


def test_a_session_cookie_altered_after_a_worker_checked_it_is_refused(app, client, make_user, login):
    user = make_user(email="ada@example.org")
    login(user)
    assert is_logged_in(client)  # the worker has checked this cookie and keeps it
    good = session_cookie(client, app).value
    payload, stamp, signature = good.rsplit(".", 2)
    altered = f"{payload}.{stamp}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"

    restore_session_cookie(client, app, altered)
    assert not is_logged_in(client)
    restore_session_cookie(client, app, good)
    assert is_logged_in(client)


def test_a_checked_session_cookie_still_expires(app, client, make_user, login, monkeypatch):
    user = make_user(email="ada@example.org")
    login(user)
    assert is_logged_in(client)
    monkeypatch.setattr(app, "permanent_session_lifetime", dt.timedelta(seconds=1))
    assert is_logged_in(client)

    time.sleep(2.1)

    assert not is_logged_in(client)


def test_what_one_request_puts_in_the_session_does_not_reach_a_request_with_the_same_cookie(
    app, client, make_user, login
):
    """Two tabs sending the same cookie: a message flashed for one is not shown to the other."""
    user = make_user(email="ada@example.org")
    login(user)
    client.get("/learn")
    cookie = session_cookie(client, app).value
    other_tab = new_client(app)
    restore_session_cookie(other_tab, app, cookie)

    assert post(client, "/journal", {"body": "Something I learned."}).status_code == 302

    assert 'class="flash' not in other_tab.get("/learn").get_data(as_text=True)
    assert "Journal entry saved." in client.get("/journal").get_data(as_text=True)

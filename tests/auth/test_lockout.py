"""Repeated failed logins lock the account for a while, with a clear message; others are unaffected."""

import pytest

from courseware.extensions import limiter
from tests.conftest import TEST_PASSWORD, post


@pytest.fixture
def lockout(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LOCKOUT", "3 per 15 minutes")
    limiter.reset()
    yield
    limiter.reset()


def test_an_account_locks_after_repeated_failures_even_for_the_right_password(client, make_user, lockout):
    user = make_user()
    for _ in range(3):
        response = post(client, "/login", {"email": user.email, "password": "not the password"})
        assert response.status_code == 422
    response = post(client, "/login", {"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "Too many failed attempts to log in to this account" in html
    assert "reset your password" in html


def test_successful_logins_do_not_count_towards_the_lockout(client, app, make_user, lockout):
    user = make_user()
    for _ in range(5):
        assert post(client, "/login", {"email": user.email, "password": TEST_PASSWORD}).status_code == 302
        post(client, "/logout")


def test_a_locked_account_does_not_lock_other_accounts(client, make_user, lockout):
    locked, other = make_user(), make_user()
    for _ in range(4):
        post(client, "/login", {"email": locked.email, "password": "nope nope nope"})
    assert post(client, "/login", {"email": other.email, "password": TEST_PASSWORD}).status_code == 302

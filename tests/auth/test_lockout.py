"""Repeated failed logins lock the account for a while, with a clear message; others are unaffected.

Failures count per account and client address, so that someone guessing from one machine locks
only that machine out; a higher ceiling per account stops guessing from many machines.
"""

import pytest

from courseware.extensions import limiter
from tests.conftest import TEST_PASSWORD, csrf_token, post
from tests.core.web import new_client

ATTACKER, OWNER, OTHER = "203.0.113.9", "198.51.100.7", "192.0.2.44"


@pytest.fixture
def lockout(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LOCKOUT", "3 per 15 minutes")
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_LOCKOUT", "7 per 15 minutes")
    limiter.reset()
    yield
    limiter.reset()


def log_in_from(app, address: str, email: str, password: str) -> int:
    """The status a login from ``address`` (a new browser there) gets."""
    return post(
        new_client(app), "/login", {"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    ).status_code


def log_in_with_json(client, email: str, password: str) -> int:
    """The status a login sent as a JSON body (as a script would) gets."""
    token = csrf_token(client)
    return client.post(
        "/login", json={"email": email, "password": password}, headers={"X-CSRFToken": token}
    ).status_code


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


def test_failures_from_one_address_do_not_lock_the_person_out_from_elsewhere(app, make_user, lockout):
    """Knowing someone's address is not enough to lock them out of their account."""
    user = make_user()
    for _ in range(3):
        assert log_in_from(app, ATTACKER, user.email, "not the password") == 422

    assert log_in_from(app, ATTACKER, user.email, TEST_PASSWORD) == 429
    assert log_in_from(app, OWNER, user.email, TEST_PASSWORD) == 302


def test_failures_from_many_addresses_lock_the_account_everywhere_at_the_ceiling(app, make_user, lockout):
    user = make_user()
    for address in ("203.0.113.1", "203.0.113.2"):
        for _ in range(3):
            assert log_in_from(app, address, user.email, "not the password") == 422
    assert log_in_from(app, "203.0.113.3", user.email, "not the password") == 422

    assert log_in_from(app, OWNER, user.email, TEST_PASSWORD) == 429


def test_json_logins_are_counted_under_the_account_they_name(client, make_user, lockout):
    target, bystander = make_user(), make_user()
    for _ in range(3):
        assert log_in_with_json(client, target.email, "not the password") == 422

    assert log_in_with_json(client, target.email, TEST_PASSWORD) == 429
    assert log_in_with_json(client, bystander.email, TEST_PASSWORD) == 302


@pytest.mark.parametrize("body", [["a", "b"], "text", 5, {"email": 5, "password": "x"}, {"email": ["a@b.org"]}])
def test_a_json_login_of_any_shape_gets_an_answer_not_an_error(client, lockout, body):
    token = csrf_token(client)

    response = client.post("/login", json=body, headers={"X-CSRFToken": token})

    assert response.status_code in (400, 422)

"""Forgotten passwords: an emailed link that sets a new password once and ends other sessions."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from courseware.models import PasswordReset
from tests.conftest import TEST_PASSWORD, csrf_token, post, run_jobs
from tests.core.web import is_logged_in, new_client, page, path_of

RESET_LINK_RE = re.compile(r"http://courseware\.test/password/reset/[A-Za-z0-9_-]{20,}")
NEW_PASSWORD = "a brand new passphrase"
ANSWER = (
    "If an account exists for that address, we have emailed it a link to reset the password. "
    "If nothing arrives, ask an administrator."
)


def ask_for_reset(client, email: str):
    response = post(client, "/password/forgot", {"email": email})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert path_of(response.location) == "/login"
    run_jobs(client.application)
    return page(client.get("/login")).flashes


def emailed_link(smtp_server, to: str) -> str:
    [message] = smtp_server.messages
    assert message["To"] == to
    body = message.get_payload(decode=True).decode()
    match = RESET_LINK_RE.search(body)
    assert match, body
    return match.group(0)


def choose_password(client, link: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    return post(client, path_of(link), {"password": password, "confirm": password if confirm is None else confirm})


def can_log_in(app, email: str, password: str) -> bool:
    return post(new_client(app), "/login", {"email": email, "password": password}).status_code == 302


def test_the_forgotten_password_page_asks_for_the_email_a_password_manager_knows(client):
    response = client.get("/password/forgot")

    assert response.status_code == 200
    assert page(response).control("email")["autocomplete"] == "username"


def test_the_reset_email_arrives_and_its_link_sets_a_new_password_and_logs_in(app, client, make_user, smtp_server):
    user = make_user(email="ada@example.org", name="Ada")

    assert ask_for_reset(client, "Ada@Example.org") == [ANSWER]
    link = emailed_link(smtp_server, "ada@example.org")
    assert "Reset your Courseware password" in smtp_server.messages[0]["Subject"]
    form = client.get(path_of(link))
    assert form.status_code == 200
    assert page(form).control("password")["autocomplete"] == "new-password"

    response = choose_password(client, link)

    assert response.status_code == 302
    assert is_logged_in(client)
    assert can_log_in(app, user.email, NEW_PASSWORD)
    assert not can_log_in(app, user.email, TEST_PASSWORD)


def test_setting_a_new_password_ends_every_other_session(app, client, make_user, login, smtp_server):
    user = make_user(email="ada@example.org")
    elsewhere = new_client(app)
    login(user, target=elsewhere)
    assert is_logged_in(elsewhere)
    ask_for_reset(client, user.email)

    choose_password(client, emailed_link(smtp_server, user.email))

    assert is_logged_in(client)
    assert not is_logged_in(elsewhere)


def test_an_unknown_email_gets_the_same_answer_and_no_email_is_sent(client, make_user, smtp_server):
    make_user(email="ada@example.org")

    assert ask_for_reset(client, "nobody@example.org") == [ANSWER]
    assert smtp_server.messages == []
    assert ask_for_reset(client, "ada@example.org") == [ANSWER]
    assert len(smtp_server.messages) == 1


def answer_to_reset_request(app, email: str):
    """The answer to a reset request for ``email`` from a new browser, and the SQL run before it
    was handed over (what the client could time)."""
    from flask import request_finished
    from sqlalchemy import event

    client = new_client(app)
    token = csrf_token(client, "/password/forgot")
    engine = app.extensions["courseware.db"]["engine"]
    before_answer, answered = [], []

    def record(_connection, _cursor, statement, *_args):
        if not answered:
            before_answer.append(re.sub(r"sa_savepoint_\d+", "sa_savepoint", statement))

    def finished(_sender, **_extra):
        answered.append(True)

    event.listen(engine, "before_cursor_execute", record)
    request_finished.connect(finished, app)
    try:
        response = client.post("/password/forgot", data={"email": email, "csrf_token": token})
    finally:
        event.remove(engine, "before_cursor_execute", record)
        request_finished.disconnect(finished, app)
    return (response.status_code, response.location, response.get_data()), before_answer


def test_known_and_unknown_addresses_get_the_same_answer_after_the_same_work(app, make_user, smtp_server):
    """Whether an account exists must not show in the answer, nor in the time it takes: the
    lookup, the token and the email are all the worker's, after the answer has gone out."""
    make_user(email="ada@example.org")

    known, known_work = answer_to_reset_request(app, "ada@example.org")
    unknown, unknown_work = answer_to_reset_request(app, "nobody@example.org")

    assert known == unknown
    assert known_work == unknown_work
    run_jobs(app)
    assert len(smtp_server.messages) == 1


def test_a_deactivated_account_gets_the_same_answer_and_no_email(client, make_user, db, smtp_server):
    user = make_user(email="gone@example.org")
    user.is_active = False
    db.session.commit()

    assert ask_for_reset(client, "gone@example.org") == [ANSWER]
    assert smtp_server.messages == []


def test_a_used_link_is_refused(app, client, make_user, smtp_server):
    user = make_user(email="ada@example.org")
    ask_for_reset(client, user.email)
    link = emailed_link(smtp_server, user.email)
    choose_password(client, link)

    again = new_client(app)
    shown = again.get(path_of(link))
    sent = choose_password(again, link, password="yet another passphrase")

    assert shown.status_code == 410
    assert "This reset link has expired or has already been used. Ask for a new one." in page(shown).text
    assert sent.status_code == 410
    assert can_log_in(app, user.email, NEW_PASSWORD)
    assert not is_logged_in(again)


def test_an_expired_link_is_refused(app, client, make_user, db, smtp_server):
    user = make_user(email="ada@example.org")
    ask_for_reset(client, user.email)
    link = emailed_link(smtp_server, user.email)
    reset = db.session.scalars(select(PasswordReset).where(PasswordReset.user_id == user.id)).one()
    assert reset.expires_at - reset.created_at == dt.timedelta(hours=app.config["PASSWORD_RESET_HOURS"])
    reset.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    db.session.commit()

    response = choose_password(client, link)

    assert response.status_code == 410
    assert can_log_in(app, user.email, TEST_PASSWORD)


def test_asking_again_makes_the_earlier_link_stop_working(app, client, make_user, smtp_server):
    user = make_user(email="ada@example.org")
    ask_for_reset(client, user.email)
    first = emailed_link(smtp_server, user.email)
    smtp_server.messages.clear()
    ask_for_reset(client, user.email)
    second = emailed_link(smtp_server, user.email)

    assert choose_password(client, first).status_code == 410
    assert choose_password(client, second).status_code == 302


def test_an_unknown_reset_token_is_refused(client):
    assert client.get("/password/reset/not-a-real-token").status_code == 410


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("short1!", None, "Use at least 8 characters."),
        ("password1", None, "This password is one of the most commonly used ones; choose something less guessable."),
        ("a perfectly fine password", "a perfectly fine passw0rd", "The two passwords do not match."),
    ],
    ids=["too-short", "common", "mismatched"],
)
def test_a_refused_new_password_changes_nothing_and_leaves_the_link_usable(
    app, client, make_user, smtp_server, password, confirm, message
):
    user = make_user(email="ada@example.org")
    ask_for_reset(client, user.email)
    link = emailed_link(smtp_server, user.email)

    response = choose_password(client, link, password=password, confirm=confirm)

    assert response.status_code == 422
    shown = page(response)
    assert message in shown.errors
    assert not shown.value("password")
    assert password not in shown.text
    assert not is_logged_in(client)
    assert can_log_in(app, user.email, TEST_PASSWORD)
    assert choose_password(client, link).status_code == 302


def test_a_malformed_email_on_the_forgotten_password_form_is_refused_with_it_kept(client):
    response = post(client, "/password/forgot", {"email": "ada-at-example"})

    assert response.status_code == 422
    shown = page(response)
    assert "Enter a valid email address, like name@example.org." in shown.errors
    assert shown.value("email") == "ada-at-example"

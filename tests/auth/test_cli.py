"""``flask users create``: one clear line, non-zero exit on refusal."""

from __future__ import annotations

from sqlalchemy import func, select

from courseware.models import Team, User
from tests.conftest import post
from tests.core.web import is_logged_in

STRONG = "a long and private passphrase"


def user_count(db) -> int:
    return db.session.scalar(select(func.count(User.id)))


def create(runner, *args: str, password: str = STRONG):
    return runner.invoke(
        args=["users", "create", "--email", "first@example.org", "--name", "First Admin", *args],
        input=password + "\n",
    )


def assert_refused(result, message: str):
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an uncaught error


def test_users_create_reads_the_password_from_stdin_and_the_account_can_log_in(runner, client, db):
    result = create(runner, "--role", "admin", "--role", "trainer", "--team", "Communications")

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Created first@example.org (admin, learner, trainer)."
    user = db.session.scalar(select(User).where(User.email == "first@example.org"))
    assert user.roles == {"admin", "learner", "trainer"}
    assert user.team.name == "Communications"
    assert post(client, "/login", {"email": "first@example.org", "password": STRONG}).status_code == 302
    assert is_logged_in(client)


def test_users_create_reuses_an_existing_team(runner, make_team, db):
    team = make_team("Communications")

    create(runner, "--team", "Communications")

    assert db.session.scalar(select(User.team_id).where(User.email == "first@example.org")) == team.id
    assert db.session.scalar(select(func.count(Team.id))) == 1


def test_users_create_refuses_a_common_password(runner, db):
    before = user_count(db)

    result = create(runner, password="password1")

    assert_refused(result, "This password is one of the most commonly used ones")
    assert user_count(db) == before


def test_users_create_refuses_a_short_or_missing_password(runner, db):
    before = user_count(db)

    assert_refused(create(runner, password="short"), "Use at least 8 characters.")
    assert_refused(create(runner, password=""), "Use at least 8 characters.")
    assert user_count(db) == before


def test_users_create_refuses_an_email_that_already_has_an_account(runner, make_user, db):
    make_user(email="first@example.org")
    before = user_count(db)

    result = create(runner)

    assert_refused(result, "An account with this email address already exists.")
    assert user_count(db) == before


def test_users_create_never_takes_the_password_as_an_argument(runner, db):
    before = user_count(db)

    result = create(runner, "--password", STRONG)

    assert result.exit_code != 0
    assert "No such option" in result.output
    assert user_count(db) == before


def test_users_create_refuses_an_unknown_role(runner, db):
    before = user_count(db)

    result = create(runner, "--role", "owner")

    assert result.exit_code != 0
    assert "owner" in result.output
    assert user_count(db) == before

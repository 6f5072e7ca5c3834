"""Inviting people: the admin's form, the emailed link, and the invitee choosing a password."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from courseware.models import Invitation, User
from tests.conftest import TEST_PASSWORD, free_port, post, post_confirmed, run_jobs
from tests.core.web import is_logged_in, new_client, page, path_of

LINK_RE = re.compile(r"http://courseware\.test/invite/[A-Za-z0-9_-]{20,}")


@pytest.fixture
def admin(make_user, login):
    """An admin, logged in on ``client``."""
    user = make_user(email="admin@example.org", name="Ada Admin", roles=("admin",))
    login(user)
    return user


def user_count(db) -> int:
    return db.session.scalar(select(func.count(User.id)))


def invite(client, email: str, roles=("learner",), team=None):
    return post(client, "/admin/people/invite", {"email": email, "roles": list(roles), "team": team.id if team else 0})


def invitation_link(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)
    link = page(response).by_id("invite-link")["value"]
    assert LINK_RE.fullmatch(link), link
    return link


def invitation_for(db, email: str) -> Invitation:
    db.session.expire_all()
    return db.session.scalars(
        select(Invitation).where(Invitation.email == email).order_by(Invitation.id.desc())
    ).first()


def accept(app, link: str, name="New Person", password=TEST_PASSWORD, confirm=None):
    """Open the link in a new browser and send the form; returns (browser, response)."""
    invitee = new_client(app)
    path = path_of(link)
    response = invitee.get(path)
    if response.status_code != 200:
        return invitee, response
    token = page(response).control("csrf_token")["value"]
    response = invitee.post(
        path,
        data={
            "name": name,
            "password": password,
            "confirm": password if confirm is None else confirm,
            "csrf_token": token,
        },
    )
    return invitee, response


def test_an_admin_invites_someone_and_the_link_creates_their_account_with_the_invited_roles_and_team(
    app, client, admin, make_team, db
):
    team = make_team("Communications")

    response = invite(client, "New.Person@Example.org", roles=("trainer", "manager"), team=team)

    shown = page(response)
    assert "Email is not set up on this site" in shown.text
    link = invitation_link(response)
    invitee, response = accept(app, link, name="Noor Person")

    assert response.status_code == 302
    assert is_logged_in(invitee)
    user = db.session.scalar(select(User).where(User.email == "new.person@example.org"))
    assert user.name == "Noor Person"
    assert user.roles == {"learner", "trainer", "manager"}
    assert user.team_id == team.id
    assert user.is_active
    assert invitation_for(db, "new.person@example.org").accepted_at is not None


def test_the_invitee_can_log_in_again_later_with_the_password_they_chose(app, client, admin):
    link = invitation_link(invite(client, "noor@example.org"))
    accept(app, link, password="a sentence of my own choosing")

    later = new_client(app)
    response = post(later, "/login", {"email": "noor@example.org", "password": "a sentence of my own choosing"})

    assert response.status_code == 302
    assert is_logged_in(later)


def test_the_invitation_page_says_who_is_invited_and_asks_only_for_a_name_and_a_password(app, client, admin, make_team):
    team = make_team("Services")
    link = invitation_link(invite(client, "noor@example.org", team=team))

    response = new_client(app).get(path_of(link))

    assert response.status_code == 200
    shown = page(response)
    assert "noor@example.org" in shown.text
    assert "Services" in shown.text
    assert shown.control("name")["autocomplete"] == "name"
    assert shown.control("password")["autocomplete"] == "new-password"
    assert shown.control("confirm")["autocomplete"] == "new-password"


QUEUED = (
    "The invitation email to noor@example.org is queued for sending. You can also send them the link below yourself."
)


def test_with_smtp_configured_the_invitation_email_arrives_with_the_link(app, client, admin, smtp_server):
    response = invite(client, "noor@example.org")

    link = invitation_link(response)
    assert page(response).flashes == [QUEUED]
    assert smtp_server.messages == []
    run_jobs(app)
    [message] = smtp_server.messages
    assert message["To"] == "noor@example.org"
    assert "Ada Admin invited you" in message["Subject"]
    body = message.get_payload(decode=True).decode()
    assert link in body
    assert "expires on" in body


def test_an_inviter_name_with_a_line_break_still_gets_the_email_sent(app, client, admin, db, smtp_server):
    admin.name = "Ada\nAdmin"
    db.session.commit()

    response = invite(client, "noor@example.org")

    assert page(response).flashes == [QUEUED]
    run_jobs(app)
    [message] = smtp_server.messages
    assert message["Subject"] == "Ada Admin invited you to Courseware"


def test_when_the_email_cannot_be_sent_the_admin_still_has_the_link_and_sees_the_failure(
    app, client, admin, monkeypatch, db
):
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", free_port())
    monkeypatch.setitem(app.config, "BASE_URL", "http://courseware.test")
    monkeypatch.setitem(app.config, "JOB_MAX_ATTEMPTS", 1)

    response = invite(client, "noor@example.org")

    assert page(response).flashes == [QUEUED]
    link = invitation_link(response)
    assert run_jobs(app)["failed"] == 1
    jobs = page(client.get("/admin/jobs"))
    assert "noor@example.org" in jobs.text and "could not email noor@example.org" in jobs.text
    _, accepted = accept(app, link)
    assert accepted.status_code == 302


def test_a_malformed_email_is_refused_with_the_typed_values_kept(client, admin, make_team, db):
    team = make_team("Services")

    response = invite(client, "noor-at-example", roles=("trainer",), team=team)

    assert response.status_code == 422
    shown = page(response)
    assert shown.errors == ["Enter a valid email address."]
    assert shown.value("email") == "noor-at-example"
    assert shown.checked("roles") == {"trainer"}
    assert shown.selected("team") == {str(team.id)}
    assert db.session.scalar(select(func.count(Invitation.id))) == 0


def test_inviting_an_email_that_already_has_an_account_is_refused_with_the_typed_values_kept(
    client, admin, make_user, db
):
    make_user(email="taken@example.org")

    response = invite(client, "Taken@Example.org", roles=("manager",))

    assert response.status_code == 422
    shown = page(response)
    assert shown.errors == ["This person already has an account."]
    assert shown.value("email") == "Taken@Example.org"
    assert shown.checked("roles") == {"manager"}
    assert db.session.scalar(select(func.count(Invitation.id))) == 0


def test_an_expired_invitation_is_refused_and_creates_no_account(app, client, admin, db):
    link = invitation_link(invite(client, "late@example.org"))
    invitation = invitation_for(db, "late@example.org")
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=7)
    invitation.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    db.session.commit()
    before = user_count(db)

    invitee = new_client(app)
    shown = invitee.get(path_of(link))
    sent = post(invitee, path_of(link), {"name": "Late", "password": TEST_PASSWORD, "confirm": TEST_PASSWORD})

    assert shown.status_code == 410
    assert "This invitation has expired. Ask the person who invited you to send a new one." in page(shown).text
    assert sent.status_code == 410
    assert user_count(db) == before


def test_an_invitation_works_only_once(app, client, admin, db):
    link = invitation_link(invite(client, "once@example.org"))
    _, first = accept(app, link, name="First")
    assert first.status_code == 302
    before = user_count(db)

    second_browser, second = accept(app, link, name="Second")

    assert second.status_code == 410
    assert "This invitation has already been used." in page(second).text
    assert user_count(db) == before
    assert db.session.scalar(select(User.name).where(User.email == "once@example.org")) == "First"
    assert not is_logged_in(second_browser)


def test_a_refused_password_leaves_the_invitation_open_for_the_next_try(app, client, admin, db):
    link = invitation_link(invite(client, "careful@example.org"))

    _, refused = accept(app, link, password="short")
    _, accepted = accept(app, link)

    assert refused.status_code == 422
    assert accepted.status_code == 302
    invitation = invitation_for(db, "careful@example.org")
    db.session.refresh(invitation)
    assert invitation.accepted_at is not None and invitation.user_id is not None


def test_a_withdrawn_invitation_is_refused(app, client, admin, db):
    link = invitation_link(invite(client, "withdrawn@example.org"))
    invitation = invitation_for(db, "withdrawn@example.org")
    people = client.get("/admin/people")
    assert "withdrawn@example.org" in page(people).text

    response = post_confirmed(client, f"/admin/invitations/{invitation.id}/revoke")

    assert path_of(response.location) == "/admin/people"
    assert "The invitation to withdrawn@example.org is withdrawn." in page(client.get("/admin/people")).flashes
    _, refused = accept(app, link)
    assert refused.status_code == 410
    assert "withdrawn" in page(refused).text
    assert db.session.scalar(select(User).where(User.email == "withdrawn@example.org")) is None


def test_inviting_the_same_person_again_replaces_the_earlier_link(app, client, admin, db):
    first = invitation_link(invite(client, "twice@example.org"))
    second = invitation_link(invite(client, "twice@example.org"))

    _, refused = accept(app, first)
    _, accepted = accept(app, second)

    assert refused.status_code == 410
    assert "replaced by a newer one" in page(refused).text
    assert accepted.status_code == 302


def test_an_unknown_invitation_token_gets_a_clear_not_found_page_and_creates_no_account(client, db):
    before = user_count(db)

    shown = client.get("/invite/not-a-real-token")
    sent = post(
        client, "/invite/not-a-real-token", {"name": "Guess", "password": TEST_PASSWORD, "confirm": TEST_PASSWORD}
    )

    assert shown.status_code == 404
    assert "This invitation link is not valid." in page(shown).text
    assert sent.status_code == 404
    assert user_count(db) == before


def test_an_invitation_for_an_address_that_meanwhile_got_an_account_is_refused_clearly(
    app, client, admin, make_user, db
):
    link = invitation_link(invite(client, "both@example.org"))
    make_user(email="both@example.org", name="Created Elsewhere")
    before = user_count(db)

    _, response = accept(app, link, name="From The Invitation")

    assert response.status_code == 410
    assert "already exists" in page(response).text
    assert user_count(db) == before


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("short1!", None, "Use at least 8 characters."),
        ("password1", None, "This password is one of the most commonly used ones; choose something less guessable."),
        ("a perfectly fine password", "a perfectly fine passw0rd", "The two passwords do not match."),
    ],
    ids=["too-short", "common", "mismatched"],
)
def test_a_refused_password_keeps_the_name_creates_no_account_and_leaves_the_link_usable(
    app, client, admin, db, password, confirm, message
):
    link = invitation_link(invite(client, "new.person@example.org"))
    before = user_count(db)

    _, response = accept(app, link, name="Noor Person", password=password, confirm=confirm)

    assert response.status_code == 422
    shown = page(response)
    assert message in shown.errors
    assert shown.value("name") == "Noor Person"
    assert not shown.value("password")
    assert not shown.value("confirm")
    assert password not in shown.text
    assert user_count(db) == before
    assert invitation_for(db, "new.person@example.org").accepted_at is None
    _, accepted = accept(app, link)
    assert accepted.status_code == 302


def test_the_invited_email_address_is_refused_as_a_password(app, client, admin, db):
    link = invitation_link(invite(client, "new.person@example.org"))
    before = user_count(db)

    _, response = accept(app, link, password="New.Person@example.org")

    assert response.status_code == 422
    assert "Don't use your email address or name as your password." in page(response).errors
    assert user_count(db) == before


def test_a_missing_name_is_refused_and_creates_no_account(app, client, admin, db):
    link = invitation_link(invite(client, "noname@example.org"))
    before = user_count(db)

    _, response = accept(app, link, name="   ")

    assert response.status_code == 422
    assert "Enter your name." in page(response).errors
    assert user_count(db) == before


@pytest.mark.parametrize("name", ["Noor\nAdmin: approved", "Noor\x1b[2J", "Noor\tNasser"])
def test_a_name_with_control_characters_is_refused_with_the_name_kept(app, client, admin, db, name):
    link = invitation_link(invite(client, "crafted@example.org"))
    before = user_count(db)

    _, response = accept(app, link, name=name)

    assert response.status_code == 422
    assert "Use letters, numbers, spaces and punctuation only." in page(response).errors
    assert page(response).control("name")["value"] == name
    assert user_count(db) == before


def test_a_64_character_password_is_accepted(app, client, admin, db):
    password = "correct horse battery staple and then some more words to reach64"
    assert len(password) == 64
    link = invitation_link(invite(client, "long@example.org"))

    _, response = accept(app, link, password=password)

    assert response.status_code == 302
    assert post(new_client(app), "/login", {"email": "long@example.org", "password": password}).status_code == 302

"""Admins help people with their accounts: reset links to hand over, invitations sent again,
invitations in bulk from a CSV file (checked row by row before anything is written), teams renamed
and deleted, and a question before every destructive action."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from courseware.models import Invitation, Job, ManagerScope, PasswordReset, Team, User
from tests.conftest import TEST_PASSWORD, post, post_confirmed, run_jobs
from tests.core.web import is_logged_in, new_client, page, path_of

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def admin(make_user, login):
    user = make_user(email="admin@example.org", name="Ada Admin", roles=("admin",))
    login(user)
    return user


def shown_link(response, element_id: str) -> str:
    return page(response).by_id(element_id)["value"]


def open_invitations(db) -> list[str]:
    return sorted(
        db.session.scalars(
            select(Invitation.email).where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        )
    )


# --- reset links ---------------------------------------------------------------------------------


def test_an_admin_makes_a_reset_link_that_works_once_without_email(app, client, admin, make_user, db):
    person = make_user(email="sam@example.org", name="Sam")
    assert "Make a password reset link" in page(client.get(f"/admin/people/{person.id}")).text

    response = post(client, f"/admin/people/{person.id}/reset-link")

    assert response.status_code == 200
    assert "This site cannot send email, so hand this link to Sam yourself" in page(response).text
    link = shown_link(response, "reset-link")
    sams = new_client(app)
    assert post(sams, path_of(link), {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert is_logged_in(sams)
    assert sams.get(path_of(link)).status_code == 410
    assert post(new_client(app), "/login", {"email": "sam@example.org", "password": NEW_PASSWORD}).status_code == 302


def test_a_newer_reset_link_replaces_the_one_before(app, client, admin, make_user):
    person = make_user(email="sam@example.org")
    first = shown_link(post(client, f"/admin/people/{person.id}/reset-link"), "reset-link")
    second = shown_link(post(client, f"/admin/people/{person.id}/reset-link"), "reset-link")

    assert new_client(app).get(path_of(first)).status_code == 410
    assert new_client(app).get(path_of(second)).status_code == 200


def test_no_reset_link_for_a_deactivated_account(client, admin, make_user, db):
    person = make_user(email="gone@example.org")
    post_confirmed(client, f"/admin/people/{person.id}/active", {"active": "0"})

    response = post(client, f"/admin/people/{person.id}/reset-link")

    assert "reactivate it before giving a reset link" in page(client.get(response.location)).flashes[0]
    assert db.session.scalar(select(func.count(PasswordReset.id))) == 0


# --- invitations sent again ----------------------------------------------------------------------


def test_an_invitation_sent_again_has_a_new_link_and_the_old_one_stops(app, client, admin, make_team, db, smtp_server):
    team = make_team("Communications")
    first = post(client, "/admin/people/invite", {"email": "noor@example.org", "roles": ["trainer"], "team": team.id})
    old_link = shown_link(first, "invite-link")
    invitation = db.session.scalar(select(Invitation).where(Invitation.email == "noor@example.org"))
    people = client.get("/admin/people").get_data(as_text=True)
    assert f"/admin/invitations/{invitation.id}/resend" in people

    again = post(client, f"/admin/invitations/{invitation.id}/resend")

    assert again.status_code == 200
    assert "Invitation sent again" in page(again).text
    new_link = shown_link(again, "invite-link")
    assert new_link != old_link
    assert new_client(app).get(path_of(old_link)).status_code == 410
    assert new_client(app).get(path_of(new_link)).status_code == 200
    fresh = db.session.scalar(
        select(Invitation).where(Invitation.email == "noor@example.org", Invitation.revoked_at.is_(None))
    )
    assert fresh.role_list == ["learner", "trainer"] and fresh.team_id == team.id
    run_jobs(app)
    assert [m["To"] for m in smtp_server.messages] == ["noor@example.org", "noor@example.org"]
    assert path_of(new_link) in smtp_server.messages[1].get_payload(decode=True).decode()


def test_a_withdrawn_invitation_cannot_be_sent_again(client, admin, db):
    post(client, "/admin/people/invite", {"email": "noor@example.org", "roles": ["learner"], "team": 0})
    invitation = db.session.scalar(select(Invitation))
    post_confirmed(client, f"/admin/invitations/{invitation.id}/revoke")

    response = post(client, f"/admin/invitations/{invitation.id}/resend")

    assert "invite the person again instead" in page(client.get(response.location)).flashes[0]
    assert open_invitations(db) == []


# --- invitations from a CSV file ------------------------------------------------------------------

GOOD_CSV = (
    "E-mail,Name,Team,Roles\n"
    "ana@example.org,Ana Silva,Communications,learner trainer\n"
    "ben@example.org,Ben Okafor,,\n"
    'cy@example.org,"Cy, the manager",communications,manager;admin\n'
)


def test_a_good_file_is_previewed_without_writing_then_everyone_is_invited(app, client, admin, make_team, db):
    make_team("Communications")

    preview = post(client, "/admin/people/invite/bulk", {"csv_text": GOOD_CSV})

    assert preview.status_code == 200
    shown = page(preview)
    assert "All 3 rows are fine. Nothing is written until you invite them." in shown.text
    assert "Cy, the manager" in shown.text
    assert open_invitations(db) == []
    assert shown.value("csv_text") == GOOD_CSV

    done = post(client, "/admin/people/invite/bulk", {"csv_text": GOOD_CSV, "confirmed": "yes"})

    assert done.status_code == 200
    assert "3 people invited" in page(done).text
    assert open_invitations(db) == ["ana@example.org", "ben@example.org", "cy@example.org"]
    cy = db.session.scalar(select(Invitation).where(Invitation.email == "cy@example.org"))
    assert cy.role_list == ["admin", "learner", "manager"] and cy.team.name == "Communications"
    links = re.findall(r'value="(http://[^"]+/invite/[^"]+)"', done.get_data(as_text=True))
    assert len(links) == 3
    # The name given in the file is offered when the invitation is accepted.
    cys = new_client(app)
    cy_link = next(link for link in links if link in done.get_data(as_text=True).split("cy@example.org")[1])
    assert page(cys.get(path_of(cy_link))).value("name") == "Cy, the manager"


def test_bad_rows_are_each_named_with_what_is_wrong_and_nothing_is_written(client, admin, make_user, make_team, db):
    make_team("Communications")
    make_user(email="taken@example.org")
    text = (
        "e-mail,name,team,roles\n"
        "ok@example.org,Okay,Communications,learner\n"
        "not-an-address,Bad Mail,,\n"
        "taken@example.org,Has Account,,\n"
        "dup@example.org,First,,\n"
        "dup@example.org,Second,,\n"
        "nt@example.org,No Team,Marketing,\n"
        "role@example.org,Bad Role,,learner wizard\n"
        ",No Mail,,\n"
    )

    response = post(client, "/admin/people/invite/bulk", {"csv_text": text, "confirmed": "yes"})

    assert response.status_code == 422
    shown = page(response)
    assert "6 of 8 rows need fixing; nobody was invited" in shown.text
    assert "Row 3: “not-an-address” is not a valid e-mail address." in shown.text
    assert "Row 4: This person already has an account." in shown.text
    assert "Row 6: The same address is on row 5." in shown.text
    assert "Row 7: There is no team called “Marketing”" in shown.text
    assert "Row 8: Unknown role “wizard”: use learner, trainer, manager, admin." in shown.text
    assert "Row 9: The e-mail address is missing." in shown.text
    assert "Invite 8 people" not in shown.text
    assert open_invitations(db) == []
    assert db.session.scalar(select(func.count(Job.id))) == 0


def test_a_file_with_an_unknown_column_or_no_email_column_is_refused_whole(client, admin, db):
    unknown = post(client, "/admin/people/invite/bulk", {"csv_text": "email,department\na@example.org,Sales\n"})
    assert unknown.status_code == 422
    assert "Row 1 has a column “department” that is not one of e-mail, name, team, roles." in page(unknown).text

    missing = post(client, "/admin/people/invite/bulk", {"csv_text": "name,team\nAna,Sales\n"})
    assert "at least an “e-mail” column" in page(missing).text
    assert open_invitations(db) == []


def test_an_uploaded_file_is_read_too_semicolons_and_a_byte_order_mark_included(client, admin, db):
    from io import BytesIO

    data = "\ufeffe-mail;name\nana@example.org;Ana\n".encode()
    response = client.post(
        "/admin/people/invite/bulk",
        data={"csrf_token": _token(client), "file": (BytesIO(data), "people.csv")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 200
    assert "All 1 rows are fine." in page(response).text


def test_a_file_that_is_not_utf8_text_gets_a_clear_message(client, admin):
    from io import BytesIO

    response = client.post(
        "/admin/people/invite/bulk",
        data={"csrf_token": _token(client), "file": (BytesIO(b"e-mail\n\xff\xfe\x00bad"), "people.csv")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    assert "Save it as “CSV UTF-8”" in page(response).text


def test_when_one_row_is_refused_while_inviting_nobody_is_invited(client, admin, make_user, db, monkeypatch):
    """All or nothing: an account made for the second address between the preview and the
    confirmation undoes the first invitation too."""
    from courseware.admin import bulk

    real = bulk.read_invitation_csv

    def read_then_race(text):
        plan = real(text)
        make_user(email="ben@example.org")
        return plan

    monkeypatch.setattr(bulk, "read_invitation_csv", read_then_race)
    text = "e-mail\nana@example.org\nben@example.org\n"

    response = post(client, "/admin/people/invite/bulk", {"csv_text": text, "confirmed": "yes"})

    assert response.status_code == 422
    assert "Row 3: This person already has an account. Nobody was invited." in page(response).text
    assert open_invitations(db) == []


def _token(client) -> str:
    markup = client.get("/admin/people/invite/bulk").get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', markup).group(1)


# --- teams ----------------------------------------------------------------------------------------


def test_an_admin_renames_a_team_and_a_taken_name_is_refused(client, admin, make_team, db):
    team = make_team("Comms")
    make_team("Services")

    assert post(client, f"/admin/teams/{team.id}", {"name": "Communications"}).status_code == 302
    db.session.refresh(team)
    assert team.name == "Communications"

    taken = post(client, f"/admin/teams/{team.id}", {"name": "services"})
    assert taken.status_code == 422
    assert "A team with this name already exists." in page(taken).errors
    assert page(taken).value("name") == "services"


def test_an_empty_team_is_deleted_after_confirming(client, admin, make_team, make_user, db):
    team = make_team("Old team")
    team_id = team.id
    manager = make_user(roles=("manager",))
    db.session.add(ManagerScope(manager_id=manager.id, team_id=team.id))
    db.session.commit()

    asked = post(client, f"/admin/teams/{team.id}/delete")
    assert "Delete the team Old team?" in page(asked).text
    assert db.session.get(Team, team.id) is not None

    done = post_confirmed(client, f"/admin/teams/{team.id}/delete")

    assert path_of(done.location) == "/admin/teams"
    db.session.expire_all()
    assert db.session.get(Team, team_id) is None
    assert db.session.scalar(select(func.count()).select_from(ManagerScope)) == 0


def test_a_team_with_people_in_it_is_not_deleted(client, admin, make_team, make_user, db):
    team = make_team("Busy")
    make_user(team=team)
    assert "Only an empty team can be deleted" in page(client.get(f"/admin/teams/{team.id}")).text

    response = post(client, f"/admin/teams/{team.id}/delete", {"confirmed": "yes"})

    assert "Only an empty team can be deleted" in page(client.get(response.location)).flashes[0]
    assert db.session.get(Team, team.id) is not None


# --- asking first ---------------------------------------------------------------------------------


def test_deactivating_asks_first_and_cancelling_changes_nothing(app, client, admin, make_user, db):
    person = make_user(email="sam@example.org", name="Sam")
    sams = new_client(app)
    post(sams, "/login", {"email": "sam@example.org", "password": TEST_PASSWORD})

    asked = post(client, f"/admin/people/{person.id}/active", {"active": "0"})

    shown = page(asked)
    assert "Deactivate Sam?" in shown.text
    assert f'href="/admin/people/{person.id}"' in asked.get_data(as_text=True)  # Cancel goes back
    db.session.refresh(person)
    assert person.is_active and is_logged_in(sams)


def test_taking_a_role_away_asks_first_and_adding_one_does_not(client, admin, make_user, db):
    person = make_user(roles=("trainer",))
    base = {"name": person.name, "team": 0, "managed_teams": []}

    added = post(client, f"/admin/people/{person.id}", {**base, "roles": ["trainer", "manager"]})
    assert added.status_code == 302

    asked = post(client, f"/admin/people/{person.id}", {**base, "roles": ["learner"]})
    assert asked.status_code == 200
    assert "loses the manager, trainer roles." in page(asked).text
    db.session.refresh(person)
    assert person.roles == {"learner", "trainer", "manager"}


def test_withdrawing_an_invitation_asks_first(client, admin, db):
    post(client, "/admin/people/invite", {"email": "noor@example.org", "roles": ["learner"], "team": 0})
    invitation = db.session.scalar(select(Invitation))

    asked = post(client, f"/admin/invitations/{invitation.id}/revoke")

    assert "Withdraw the invitation to noor@example.org?" in page(asked).text
    assert open_invitations(db) == ["noor@example.org"]


def test_the_question_page_keeps_the_original_fields(client, admin, make_user):
    person = make_user(roles=("trainer",))

    asked = post(client, f"/admin/people/{person.id}", {"name": "Renamed", "roles": ["learner"], "team": 0})

    markup = asked.get_data(as_text=True)
    assert 'name="name" value="Renamed"' in markup
    assert 'name="roles" value="learner"' in markup
    assert db_user(person).name != "Renamed"


def db_user(person) -> User:
    from courseware.extensions import db

    return db.session.get(User, person.id)

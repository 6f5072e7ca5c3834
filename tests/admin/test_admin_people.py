"""Admins edit people (roles, team, managed teams), deactivate and reactivate them, make teams."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from courseware.auth.services import managed_team_ids
from courseware.models import Team
from tests.conftest import TEST_PASSWORD, post, post_confirmed
from tests.core.web import is_logged_in, new_client, page, path_of


@pytest.fixture
def admin(make_user, login):
    """An admin, logged in on ``client``."""
    user = make_user(email="admin@example.org", name="Ada Admin", roles=("admin",))
    login(user)
    return user


def fresh(db, obj):
    db.session.refresh(obj)
    return obj


def edit_person(client, user, **fields):
    data = {"name": user.name, "roles": sorted(user.roles), "team": user.team_id or 0, "managed_teams": []}
    data.update(fields)
    # Taking a role away asks first; here the answer is yes.
    return post(client, f"/admin/people/{user.id}", {**data, "confirmed": "yes"})


def set_active(client, user, active: bool, asks: bool = True):
    """Deactivating someone asks first (the answer here is yes); reactivating does not."""
    if active or not asks:
        return post(client, f"/admin/people/{user.id}/active", {"active": "1" if active else "0"})
    return post_confirmed(client, f"/admin/people/{user.id}/active", {"active": "0"})


def test_the_people_page_lists_everyone_and_finds_them_by_name_or_email(client, admin, make_user):
    make_user(email="noor@example.org", name="Noor Haddad")
    make_user(email="sam@example.org", name="Sam Okafor")

    everyone = page(client.get("/admin/people")).text
    by_name = page(client.get("/admin/people?q=haddad")).text
    by_email = page(client.get("/admin/people?q=SAM@")).text

    assert "Noor Haddad" in everyone and "Sam Okafor" in everyone
    assert "Noor Haddad" in by_name and "Sam Okafor" not in by_name
    assert "Sam Okafor" in by_email and "Noor Haddad" not in by_email


def test_an_admin_sets_roles_team_and_managed_teams(client, admin, make_user, make_team, db):
    communications, services = make_team("Communications"), make_team("Services")
    person = make_user(name="Morgan")

    response = edit_person(
        client,
        person,
        name="Morgan Manager",
        roles=["trainer", "manager"],
        team=communications.id,
        managed_teams=[communications.id, services.id],
    )

    assert response.status_code == 302
    assert path_of(response.location) == f"/admin/people/{person.id}"
    person = fresh(db, person)
    assert person.name == "Morgan Manager"
    assert person.roles == {"learner", "trainer", "manager"}
    assert person.team_id == communications.id
    assert set(managed_team_ids(person)) == {communications.id, services.id}
    shown = page(client.get(f"/admin/people/{person.id}"))
    assert "Saved Morgan Manager." in shown.flashes
    assert shown.checked("roles") == {"learner", "trainer", "manager"}
    assert shown.selected("team") == {str(communications.id)}
    assert shown.checked("managed_teams") == {str(communications.id), str(services.id)}


def test_taking_away_the_manager_role_also_takes_away_the_managed_teams(client, admin, make_user, make_team, db):
    team = make_team("Communications")
    person = make_user(roles=("manager",))
    edit_person(client, person, roles=["manager"], managed_teams=[team.id])
    assert managed_team_ids(person) == [team.id]

    edit_person(client, fresh(db, person), roles=["learner"], managed_teams=[team.id])

    assert fresh(db, person).roles == {"learner"}
    assert managed_team_ids(person) == []


def test_every_person_stays_a_learner(client, admin, make_user, db):
    person = make_user(roles=("trainer",))

    edit_person(client, person, roles=["trainer"])

    assert fresh(db, person).roles == {"learner", "trainer"}


def test_an_admin_cannot_remove_their_own_admin_role(client, admin, db):
    response = edit_person(client, admin, name="Ada Renamed", roles=["learner", "trainer"])

    assert response.status_code == 422
    shown = page(response)
    assert "You cannot remove your own admin role." in shown.errors
    assert shown.value("name") == "Ada Renamed"
    assert shown.checked("roles") == {"learner", "trainer"}
    admin = fresh(db, admin)
    assert "admin" in admin.roles
    assert admin.name == "Ada Admin"


def test_an_empty_name_is_refused_with_the_other_choices_kept(client, admin, make_user, make_team, db):
    team = make_team("Services")
    person = make_user(name="Sam")

    response = edit_person(client, person, name="", roles=["trainer"], team=team.id)

    assert response.status_code == 422
    shown = page(response)
    assert "Enter a name." in shown.errors
    assert shown.checked("roles") == {"trainer"}
    assert shown.selected("team") == {str(team.id)}
    assert fresh(db, person).roles == {"learner"}


def test_a_name_with_a_line_break_is_refused_and_the_old_name_stays(client, admin, make_user, db):
    person = make_user(name="Sam")

    response = edit_person(client, person, name="Sam\r\nRole: admin", roles=["learner"])

    assert response.status_code == 422
    assert "Use letters, numbers, spaces and punctuation only." in page(response).errors
    assert fresh(db, person).name == "Sam"


def test_editing_someone_who_does_not_exist_is_a_404(client, admin):
    assert client.get("/admin/people/999999").status_code == 404


def test_deactivating_someone_logs_them_out_at_once_and_keeps_them_out(app, client, admin, make_user, login, db):
    person = make_user(email="leaving@example.org", name="Lee Leaving")
    their_browser = new_client(app)
    login(person, target=their_browser)
    assert is_logged_in(their_browser)

    response = set_active(client, person, False)

    assert path_of(response.location) == f"/admin/people/{person.id}"
    assert "Lee Leaving is deactivated and logged out everywhere." in page(client.get(response.location)).flashes
    assert not fresh(db, person).is_active
    assert not is_logged_in(their_browser)
    retry = post(their_browser, "/login", {"email": person.email, "password": TEST_PASSWORD})
    assert retry.status_code == 422
    assert not is_logged_in(their_browser)
    assert "Deactivated" in page(client.get("/admin/people")).text


def test_a_reactivated_person_can_log_in_again_but_old_sessions_stay_ended(app, client, admin, make_user, login, db):
    person = make_user(email="back@example.org")
    old_browser = new_client(app)
    login(person, target=old_browser)
    set_active(client, person, False)

    set_active(client, person, True)

    assert fresh(db, person).is_active
    assert not is_logged_in(old_browser)
    login(person, target=old_browser)
    assert is_logged_in(old_browser)


def test_an_admin_cannot_deactivate_themselves(client, admin, db):
    response = set_active(client, admin, False, asks=False)

    assert "You cannot deactivate your own account." in page(client.get(response.location)).flashes
    assert fresh(db, admin).is_active
    assert is_logged_in(client)


def test_an_admin_creates_a_team_and_a_duplicate_name_is_refused_with_it_kept(client, admin, make_team, db):
    response = post(client, "/admin/teams", {"name": "Communications"})
    assert response.status_code == 302
    assert "Communications" in page(client.get("/admin/teams")).text

    response = post(client, "/admin/teams", {"name": "communications"})

    assert response.status_code == 422
    shown = page(response)
    assert "A team with this name already exists." in shown.errors
    assert shown.value("name") == "communications"
    assert db.session.scalar(select(func.count(Team.id))) == 1

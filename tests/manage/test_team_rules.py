"""Assignments that follow people: a course assigned to a team enrolls whoever joins it later,
with the same due date, however they join; changing a due date asks first and tells the learners."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from courseware.auth.services import invite
from courseware.models import Enrollment, Notification, TeamAssignment
from tests.conftest import TEST_PASSWORD, post, post_confirmed, run_jobs
from tests.core.web import new_client, page
from tests.scim.conftest import ScimClient, patch_body, user_body

DUE = dt.date.today() + dt.timedelta(days=30)
LATER = DUE + dt.timedelta(days=14)


def enrollment_of(db, person, course) -> Enrollment | None:
    return db.session.scalar(
        select(Enrollment).where(Enrollment.user_id == person.id, Enrollment.course_id == course.id)
    )


def assign(client, course, *, teams=(), people=(), due=DUE, reach="rule", **extra):
    data = {"course": course.id, "due_date": due.isoformat() if due else "", "reach": reach, **extra}
    data["teams"] = [team.id for team in teams]
    data["people"] = [person.id for person in people]
    return post(client, "/manage/assign", data)


@pytest.fixture
def directory(app, db, make_user):
    """A directory provisioning over SCIM with its own token."""
    from courseware.scim.tokens import issue_token

    _token, secret = issue_token("Directory", make_user(email="it@example.org", roles=("admin",)))
    db.session.commit()
    return ScimClient(app.test_client(), secret)


@pytest.fixture
def manager_client(client, login, org):
    login(org.manager)
    return client


def test_a_team_assignment_is_a_rule_that_enrolls_someone_an_admin_moves_in_later(
    app, client, login, org, make_user, db
):
    newcomer = make_user(email="newcomer@example.org", name="New Comer", team=org.south)
    login(org.manager)
    response = assign(client, org.course, teams=[org.north])
    assert response.status_code == 302
    flashed = page(client.get(response.location)).flashes
    assert any("People who join the team later are enrolled too." in f for f in flashed)
    assert enrollment_of(db, org.learner, org.course).due_date == DUE
    assert enrollment_of(db, newcomer, org.course) is None

    admin = new_client(app)
    login(org.admin, target=admin)
    response = post(
        admin,
        f"/admin/people/{newcomer.id}",
        {"name": newcomer.name, "roles": ["learner"], "team": org.north.id, "managed_teams": []},
    )
    assert response.status_code == 302

    enrollment = enrollment_of(db, newcomer, org.course)
    assert enrollment is not None and enrollment.due_date == DUE
    assert enrollment.assigned_by_id == org.manager.id


def test_just_the_people_in_it_today_leaves_later_members_alone(client, login, org, make_user, db):
    login(org.manager)
    assert assign(client, org.course, teams=[org.north], reach="today").status_code == 302
    assert enrollment_of(db, org.learner, org.course) is not None
    assert db.session.scalar(select(TeamAssignment)) is None

    later = make_user(email="later@example.org", team=org.north)

    assert enrollment_of(db, later, org.course) is None


def test_someone_who_accepts_an_invitation_to_the_team_is_enrolled(app, client, login, org, db):
    login(org.manager)
    assign(client, org.course, teams=[org.north])
    _invitation, token = invite("joiner@example.org", ["learner"], org.north, org.admin)
    db.session.commit()
    response = post(
        client, f"/invite/{token}", {"name": "Jo Joiner", "password": TEST_PASSWORD, "confirm": TEST_PASSWORD}
    )
    assert response.status_code == 302

    from courseware.auth.services import find_user_by_email

    joiner = find_user_by_email("joiner@example.org")
    assert enrollment_of(db, joiner, org.course).due_date == DUE


def test_someone_a_directory_adds_to_the_group_is_enrolled(client, login, org, db, directory):
    login(org.manager)
    assign(client, org.course, teams=[org.north], due=None)
    person = directory.post("/Users", user_body("dir@example.org")).json
    group_id = f"team-{org.north.id}"
    response = directory.patch(
        f"/Groups/{group_id}", patch_body({"op": "add", "path": "members", "value": [{"value": person["id"]}]})
    )
    assert response.status_code in (200, 204), response.json

    from courseware.auth.services import find_user_by_email

    enrollment = enrollment_of(db, find_user_by_email("dir@example.org"), org.course)
    assert enrollment is not None and enrollment.due_date is None


def test_single_sign_on_group_mapping_into_the_team_enrolls(client, login, org, make_user, db):
    from courseware.models import SignInGroupMapping, SignInProvider
    from courseware.sso.services import apply_groups
    from tests.security.personas import SIGN_IN_PROVIDER

    login(org.manager)
    assign(client, org.course, teams=[org.north])
    provider = SignInProvider(key="idp", name="IdP", groups_claim="groups", **SIGN_IN_PROVIDER)
    provider.group_mappings = [SignInGroupMapping(position=0, group_value="north-staff", team=org.north, roles="")]
    db.session.add(provider)
    person = make_user(email="sso@example.org", team=org.south)

    apply_groups(provider, person, {"groups": ["north-staff"]})
    db.session.commit()

    assert person.team_id == org.north.id
    assert enrollment_of(db, person, org.course).due_date == DUE


def test_a_later_member_keeps_a_course_they_already_had_as_it_was(app, client, login, org, make_user, db):
    from courseware.learn.enrollment import enroll

    person = make_user(email="had@example.org", team=org.south)
    enroll(person, org.course, due_date=LATER)
    db.session.commit()
    login(org.manager)
    assign(client, org.course, teams=[org.north])
    admin = new_client(app)
    login(org.admin, target=admin)
    post(admin, f"/admin/people/{person.id}", {"name": person.name, "roles": ["learner"], "team": org.north.id})

    assert enrollment_of(db, person, org.course).due_date == LATER


def test_a_draft_course_rule_enrolls_nobody_until_published(client, login, org, make_user, db):
    login(org.manager)
    assign(client, org.course, teams=[org.north])
    org.course.status = "draft"
    db.session.commit()

    later = make_user(email="draftjoin@example.org", team=org.north)

    assert enrollment_of(db, later, org.course) is None


def test_changing_a_due_date_asks_first_then_tells_each_learner_in_the_app_and_by_email(
    app, manager_client, org, db, smtp_server
):
    assert assign(manager_client, org.course, teams=[org.north]).status_code == 302
    run_jobs(app)
    smtp_server.messages.clear()

    asked = assign(manager_client, org.course, teams=[org.north], due=LATER)

    assert asked.status_code == 200
    shown = page(asked)
    assert "Change 2 due dates?" in shown.text
    assert org.learner.name in shown.text and org.trainer.name in shown.text
    assert enrollment_of(db, org.learner, org.course).due_date == DUE
    assert db.session.scalar(select(Notification).where(Notification.kind == "due-date")) is None

    confirmed = assign(manager_client, org.course, teams=[org.north], due=LATER, confirmed="yes")

    assert confirmed.status_code == 302
    assert enrollment_of(db, org.learner, org.course).due_date == LATER
    rule = db.session.scalar(select(TeamAssignment))
    assert rule.due_date == LATER
    notes = db.session.scalars(select(Notification).where(Notification.kind == "due-date")).all()
    assert {n.user_id for n in notes} == {org.learner.id, org.trainer.id}
    assert f"{LATER:%-d %B %Y}" in notes[0].message and f"{DUE:%-d %B %Y}" in notes[0].message
    run_jobs(app)
    recipients = sorted(message["To"] for message in smtp_server.messages)
    assert recipients == sorted([org.learner.email, org.trainer.email])
    assert re.search(r"is now", smtp_server.messages[0]["Subject"])


def test_the_same_due_date_again_asks_nothing_and_tells_nobody(manager_client, org, db):
    assign(manager_client, org.course, teams=[org.north])

    assert assign(manager_client, org.course, teams=[org.north]).status_code == 302
    assert db.session.scalar(select(Notification).where(Notification.kind == "due-date")) is None


def test_a_manager_stops_a_rule_after_confirming_and_later_members_are_not_enrolled(manager_client, org, make_user, db):
    assign(manager_client, org.course, teams=[org.north])
    rule = db.session.scalar(select(TeamAssignment))
    assert "Courses that follow people into teams" in page(manager_client.get("/manage/assign")).text

    assert post_confirmed(manager_client, f"/manage/assign/rules/{rule.id}/stop").status_code == 302

    assert db.session.scalar(select(TeamAssignment)) is None
    assert enrollment_of(db, org.learner, org.course) is not None
    later = make_user(email="after@example.org", team=org.north)
    assert enrollment_of(db, later, org.course) is None


def test_a_manager_cannot_stop_another_teams_rule(app, client, login, org, db):
    admin = new_client(app)
    login(org.admin, target=admin)
    assert assign(admin, org.course, teams=[org.south]).status_code == 302
    rule = db.session.scalar(select(TeamAssignment))
    login(org.manager)

    assert post(client, f"/manage/assign/rules/{rule.id}/stop", {"confirmed": "yes"}).status_code == 404
    assert db.session.scalar(select(TeamAssignment)) is not None


def test_an_account_made_in_the_team_later_is_enrolled_too(manager_client, org, make_user, db):
    """Accounts made by the command line or a test's factory go through the same rule."""
    assign(manager_client, org.course, teams=[org.north], due=None)

    later = make_user(email="made@example.org", team=org.north)

    enrollment = enrollment_of(db, later, org.course)
    assert enrollment is not None and enrollment.due_date is None

"""Every administration route, walked as each role: only admins get in."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from courseware.models import Invitation, PasswordReset, Team
from tests.conftest import post
from tests.core.web import page, path_of, redirects_to_login

KNOWN_ADMIN_ENDPOINTS = {
    "admin.people",
    "admin.invite",
    "admin.revoke_invitation",
    "admin.person",
    "admin.set_active",
    "admin.teams",
    "admin.job_queue",
    "admin.retry_job",
    "admin.team",
    "admin.delete_team",
    "admin.reset_link",
    "admin.resend_invitation",
    "admin.invite_bulk",
}
# What a request would change if it got through: each POST sends it, each test checks nothing did.
FORM_DATA = {
    "admin.invite": {"email": "intruder@example.org", "roles": ["admin"], "team": 0},
    "admin.person": {"name": "Changed", "roles": ["admin"], "team": 0},
    "admin.set_active": {"active": "0"},
    "admin.teams": {"name": "Intruders"},
    "admin.revoke_invitation": {},
    "admin.people": {},
    "admin.retry_job": {},
    "admin.team": {"name": "Intruders"},
    "admin.delete_team": {"confirmed": "yes"},
    "admin.reset_link": {},
    "admin.resend_invitation": {},
    "admin.invite_bulk": {"csv_text": "e-mail\nintruder@example.org", "confirmed": "yes"},
}


@pytest.fixture
def targets(make_user, db):
    """Someone to edit, an open invitation to withdraw, made by an admin, a job that failed for
    good, and an empty team."""
    from courseware.auth.services import create_team, invite
    from courseware.jobs.services import enqueue

    admin = make_user(email="admin@example.org", roles=("admin",))
    person = make_user(email="target@example.org", name="Target Person")
    invitation, _token = invite("invited@example.org", ["learner"], None, admin)
    job = enqueue("mail.send", {"to": "x@example.org", "subject": "s", "body": "b", "key": "k"}, key="k")
    job.state, job.last_error = "failed", "refused"
    team = create_team("Empty team")
    db.session.commit()
    return {
        "team_id": team.id,
        "team": team,
        "user_id": person.id,
        "invitation_id": invitation.id,
        "job_id": job.id,
        "person": person,
        "invitation": invitation,
        "job": job,
    }


def admin_requests(app, targets):
    """(method, url, endpoint) for every route of the admin blueprint and every method it takes."""
    requests = []
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("admin."):
                continue
            values = {name: targets[name] for name in rule.arguments}
            url = url_for(rule.endpoint, **values)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                requests.append((method, url, rule.endpoint))
    assert {endpoint for _, _, endpoint in requests} >= KNOWN_ADMIN_ENDPOINTS
    return requests


def send(client, method: str, url: str, endpoint: str):
    if method == "GET":
        return client.get(url)
    return post(client, url, FORM_DATA[endpoint])


def assert_nothing_changed(db, targets):
    db.session.expire_all()
    person, invitation = targets["person"], targets["invitation"]
    assert person.is_active
    assert person.name == "Target Person"
    assert person.roles == {"learner"}
    assert invitation.revoked_at is None
    assert targets["job"].state == "failed"
    assert db.session.get(Team, targets["team_id"]).name == "Empty team"
    assert db.session.scalar(select(func.count(PasswordReset.id))) == 0
    assert db.session.scalar(select(func.count(Team.id)).where(Team.name == "Intruders")) == 0
    assert db.session.scalar(select(func.count(Invitation.id)).where(Invitation.email == "intruder@example.org")) == 0


@pytest.mark.parametrize(
    "roles",
    [("learner",), ("trainer",), ("manager",), ("trainer", "manager")],
    ids=lambda roles: "+".join(roles),
)
def test_people_without_the_admin_role_get_403_on_every_admin_route(app, client, make_user, login, targets, db, roles):
    login(make_user(roles=roles))

    for method, url, endpoint in admin_requests(app, targets):
        response = send(client, method, url, endpoint)
        assert response.status_code == 403, (method, url)
        assert "Your account is not allowed to see this page." in page(response).text

    assert_nothing_changed(db, targets)


def test_anonymous_visitors_are_sent_to_the_login_page_from_every_admin_route(app, client, targets, db):
    for method, url, endpoint in admin_requests(app, targets):
        response = send(client, method, url, endpoint)
        assert redirects_to_login(response), (method, url, response.status_code)

    assert_nothing_changed(db, targets)


def test_an_admin_reaches_every_admin_page(app, client, make_user, login, targets):
    login(make_user(roles=("admin",)))

    for method, url, _endpoint in admin_requests(app, targets):
        if method == "GET":
            assert client.get(url).status_code == 200, url


def test_admin_posts_without_a_csrf_token_are_refused_and_change_nothing(app, client, make_user, login, targets, db):
    login(make_user(roles=("admin",)))

    for method, url, endpoint in admin_requests(app, targets):
        if method == "POST":
            response = client.post(url, data=FORM_DATA[endpoint])
            assert response.status_code == 400, url

    assert_nothing_changed(db, targets)


@pytest.mark.parametrize(
    ("roles", "sees_people"),
    [(("learner",), False), (("trainer",), False), (("manager",), False), (("admin",), True)],
    ids=["learner", "trainer", "manager", "admin"],
)
def test_the_navigation_offers_the_people_page_only_to_admins(client, make_user, login, roles, sees_people):
    login(make_user(roles=roles))

    response = client.get("/", follow_redirects=True)

    assert response.status_code == 200
    links = {path_of(href) for href in page(response).links}
    assert ("/admin/people" in links) is sees_people

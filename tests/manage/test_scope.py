"""Every manage route, walked as each role: managers see their teams only, admins everyone."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from courseware.db import utcnow
from courseware.models import Enrollment, Reminder
from tests.conftest import post
from tests.manage.conftest import DAY, active_days, enroll_at

KNOWN_ENDPOINTS = {
    "manage.overview",
    "manage.funnel_chart",
    "manage.activity_chart",
    "manage.people",
    "manage.people_csv",
    "manage.events_csv",
    "manage.assign",
    "manage.people_selected",
    "manage.send_reminders",
    "manage.person",
    "manage.remind_person",
    "manage.set_objective",
    "manage.stop_rule",
}


@pytest.fixture
def people(org, make_user, db):
    """A stalled learner in each team (so that a reminder would be sent if allowed)."""
    now = utcnow()
    ours = make_user(email="ours@example.org", name="Our Learner", team=org.north)
    theirs = make_user(email="theirs@example.org", name="Their Learner", team=org.south)
    for person in (ours, theirs):
        enroll_at(person, org.course, now - 40 * DAY)
        active_days(person, org.course, [30])
    db.session.commit()
    return ours, theirs


def manage_requests(app, user_id):
    requests = []
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("manage."):
                continue
            url = url_for(rule.endpoint, **dict.fromkeys(rule.arguments, user_id))
            if rule.endpoint == "manage.events_csv":
                url += "?start=2026-01-01&end=2026-12-31"
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                requests.append((method, url, rule.endpoint))
    assert {endpoint for _, _, endpoint in requests} == KNOWN_ENDPOINTS
    return requests


def send(client, method, url, data=None):
    if method == "GET":
        return client.get(url)
    return post(client, url, data or {})


def reminders(db):
    return db.session.scalar(select(func.count()).select_from(Reminder))


def test_anonymous_visitors_are_sent_to_log_in(app, client, org, people):
    for method, url, _ in manage_requests(app, people[0].id):
        response = client.get(url) if method == "GET" else client.post(url)
        assert response.status_code in (302, 400), (method, url)
        if response.status_code == 302:
            assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["learner", "trainer"])
def test_learners_and_trainers_are_refused_everywhere(app, client, login, org, people, db, role):
    login(org.learner if role == "learner" else org.trainer)
    for method, url, _ in manage_requests(app, people[0].id):
        data = {"person": [people[0].id], "action": "remind", "course": org.course.id, "teams": [org.north.id]}
        assert send(client, method, url, data).status_code == 403, (role, method, url)
    assert reminders(db) == 0


def test_a_manager_gets_404_for_people_of_other_teams(app, client, login, org, people, db):
    ours, theirs = people
    login(org.manager)
    for method, url, endpoint in manage_requests(app, theirs.id):
        if endpoint not in ("manage.person", "manage.remind_person", "manage.set_objective"):
            continue
        data = {"title": "T", "horizon": "short", "measure_kind": "qualitative", "measure": "M"}
        assert send(client, method, url, data).status_code == 404, (method, url)
    assert client.get(f"/manage/people?team={org.south.id}").status_code == 404
    assert client.get(f"/manage/assign?person={theirs.id}").status_code == 404
    response = post(client, "/manage/people/selected", {"person": [theirs.id], "action": "remind"})
    assert response.status_code == 404
    response = post(client, "/manage/assign", {"course": org.course.id, "people": [theirs.id]})
    assert response.status_code in (404, 422)
    response = post(client, "/manage/assign", {"course": org.course.id, "teams": [org.south.id]})
    assert response.status_code in (404, 422)
    assert db.session.scalar(select(func.count()).select_from(Enrollment).where(Enrollment.user_id == theirs.id)) == 1
    assert reminders(db) == 0
    # Their own team works.
    assert client.get(f"/manage/people/{ours.id}").status_code == 200


def test_a_manager_sees_only_their_teams_everywhere(app, client, login, org, people):
    ours, theirs = people
    login(org.manager)
    for method, url, endpoint in manage_requests(app, ours.id):
        if method != "GET" or endpoint in ("manage.funnel_chart", "manage.activity_chart"):
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        assert "Their Learner" not in body and "theirs@example.org" not in body, url


def test_an_admin_sees_everyone(app, client, login, org, people):
    ours, theirs = people
    login(org.admin)
    for person in people:
        assert client.get(f"/manage/people/{person.id}").status_code == 200
    body = client.get("/manage/people").get_data(as_text=True)
    assert "Our Learner" in body and "Their Learner" in body
    for method, url, _ in manage_requests(app, theirs.id):
        if method == "GET":
            assert client.get(url).status_code == 200, url


def test_a_manager_without_teams_sees_nobody(client, login, make_user, org, people):
    lonely = make_user(email="lonely@example.org", roles=("manager",))
    login(lonely)
    body = client.get("/manage/people").get_data(as_text=True)
    assert "Our Learner" not in body and "0 people" in body
    assert client.get(f"/manage/people/{people[0].id}").status_code == 404
    assert "You don" in client.get("/manage/").get_data(as_text=True)

"""Team objectives: a manager sets one for a team; members see it and check in; the team's page
rolls their check-ins up; who may see and change it."""

import datetime as dt

import pytest
from sqlalchemy import select

from courseware.learn.check_ins import add_check_in, check_ins, progress
from courseware.models import ManagerScope, Mentorship, Notification, Objective
from tests.conftest import post

TODAY = dt.date.today()
FORM = {
    "title": "Leads from social",
    "horizon": "medium",
    "measure_kind": "quantitative",
    "measure": "Leads we can trace to posts",
    "unit": "leads a month",
    "baseline_value": "0",
    "baseline_date": (TODAY - dt.timedelta(days=10)).isoformat(),
    "target_value": "100",
    "target_date": (TODAY + dt.timedelta(days=10)).isoformat(),
    "direction": "higher",
    "rollup": "sum",
    "form_key": "t1",
}


@pytest.fixture
def teams(db, make_user, make_team):
    outreach, sales = make_team("Outreach"), make_team("Sales")
    people = {
        "ann": make_user(name="Ann", team=outreach),
        "bob": make_user(name="Bob", team=outreach),
        "sam": make_user(name="Sam", team=sales),
        "manager": make_user(name="Mia Manager", roles=("manager",)),
        "other_manager": make_user(name="Oli Manager", roles=("manager",)),
        "mentor": make_user(name="Tess Trainer", roles=("trainer",)),
    }
    db.session.add(ManagerScope(manager_id=people["manager"].id, team_id=outreach.id))
    db.session.add(ManagerScope(manager_id=people["other_manager"].id, team_id=sales.id))
    db.session.add(Mentorship(mentor_id=people["mentor"].id, learner_id=people["bob"].id))
    db.session.commit()
    return outreach, people


def switch(client, login, person):
    post(client, "/logout")
    login(person)


def set_team_objective(client, db, login, outreach, people, **overrides) -> Objective:
    login(people["manager"])
    response = post(client, f"/manage/teams/{outreach.id}/objectives", {**FORM, **overrides})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return db.session.scalar(select(Objective).order_by(Objective.id.desc()))


@pytest.mark.parametrize(("rollup", "figure"), [("sum", 50.0), ("mean", 25.0), ("latest", 30.0)])
def test_the_team_figure_rolls_up_each_members_latest_check_in(client, db, login, teams, rollup, figure):
    outreach, people = teams
    objective = set_team_objective(client, db, login, outreach, people, rollup=rollup)
    day = TODAY - dt.timedelta(days=5)
    add_check_in(objective, people["ann"], {"on_date": day, "value": 10.0})
    add_check_in(objective, people["bob"], {"on_date": day, "value": 20.0})
    add_check_in(objective, people["ann"], {"on_date": TODAY, "value": 30.0})
    # Ann's latest is 30, Bob's 20: sum 50, mean 25; the latest anyone gave is Ann's 30.
    shown = progress(objective, check_ins(objective))
    assert shown.points[-2].value == pytest.approx(figure)  # the last check-in before the target row
    page = client.get(f"/objectives/{objective.id}").get_data(as_text=True)
    assert f'<td class="num">{figure:g}</td><td class="num">50</td>' in page  # today the line stands at 50


def test_members_see_and_check_in_the_manager_changes_and_others_find_nothing(client, db, login, teams):
    outreach, people = teams
    objective = set_team_objective(client, db, login, outreach, people)
    told = db.session.scalars(select(Notification.user_id).where(Notification.kind == "objective")).all()
    assert sorted(told) == sorted([people["ann"].id, people["bob"].id])
    team_page = client.get(f"/manage/teams/{outreach.id}/objectives").get_data(as_text=True)
    assert "Leads from social" in team_page
    url = f"/objectives/{objective.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Save revision" in page and "Save review" in page and "Save check-in" not in page
    assert post(client, f"{url}/check-ins", {"on_date": TODAY.isoformat(), "value": "5"}).status_code == 404

    switch(client, login, people["ann"])
    assert "Leads from social" in client.get("/objectives").get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    assert "Save check-in" in page and "Save revision" not in page
    assert post(client, f"{url}/check-ins", {"on_date": TODAY.isoformat(), "value": "60"}).status_code == 302
    assert post(client, url, {**FORM, "title": "Mine now"}).status_code == 404
    assert post(client, f"{url}/review", {"decision": "retire", "learned": "x"}).status_code == 404
    assert client.get(f"/manage/teams/{outreach.id}/objectives").status_code == 403

    switch(client, login, people["mentor"])  # mentors Bob, a member
    page = client.get(url).get_data(as_text=True)
    assert "Leads from social" in page and "Ann" in page and "Save check-in" not in page
    assert "Leads from social" in client.get(f"/mentoring/mentees/{people['bob'].id}").get_data(as_text=True)
    assert post(client, f"{url}/check-ins", {"on_date": TODAY.isoformat(), "value": "1"}).status_code == 404

    for outsider in ("other_manager", "sam"):
        switch(client, login, people[outsider])
        assert client.get(url).status_code == 404, outsider
        assert client.get(f"{url}/chart.svg").status_code == 404, outsider
        assert post(client, f"{url}/check-ins", {"on_date": TODAY.isoformat(), "value": "1"}).status_code == 404
        assert post(client, f"{url}/review", {"decision": "keep", "learned": "x"}).status_code == 404
    switch(client, login, people["other_manager"])
    assert client.get(f"/manage/teams/{outreach.id}/objectives").status_code == 404
    assert post(client, f"/manage/teams/{outreach.id}/objectives", {**FORM, "form_key": "t9"}).status_code == 404
    db.session.refresh(objective)
    assert objective.title == FORM["title"] and len(check_ins(objective)) == 1


def test_the_overview_shows_team_objectives_behind_or_due_for_review(client, db, login, teams):
    outreach, people = teams
    objective = set_team_objective(client, db, login, outreach, people)
    overview = client.get("/manage/").get_data(as_text=True)
    assert "No team objective is due for review or behind." in overview
    add_check_in(objective, people["ann"], {"on_date": TODAY, "value": 5.0})  # the line stands at 50
    db.session.commit()
    overview = client.get("/manage/").get_data(as_text=True)
    assert "Leads from social" in overview and ">behind<" in overview
    # The other team's manager does not see it.
    switch(client, login, people["other_manager"])
    assert "Leads from social" not in client.get("/manage/").get_data(as_text=True)


def test_a_personal_objective_does_not_show_as_a_team_one(client, db, login, teams):
    outreach, people = teams
    login(people["ann"])
    post(
        client, "/objectives", {"title": "Only mine", "horizon": "short", "measure_kind": "qualitative", "measure": "m"}
    )
    switch(client, login, people["bob"])
    assert "Only mine" not in client.get("/objectives").get_data(as_text=True)

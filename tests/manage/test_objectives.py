"""A manager sets an objective with a person in their scope; the person is told and owns it."""

from sqlalchemy import select

from courseware.models import ManagerScope, Notification, Objective
from tests.conftest import post

FORM = {
    "title": "Reply to every partner within a day",
    "horizon": "short",
    "measure_kind": "quantitative",
    "measure": "Replies within 24 hours",
}


def test_a_manager_sets_an_objective_the_learner_can_revise(client, app, db, make_user, make_team, login):
    team = make_team("Outreach")
    learner = make_user(team=team)
    manager = make_user(roles=("manager",))
    db.session.add(ManagerScope(manager_id=manager.id, team_id=team.id))
    db.session.commit()
    login(manager)
    response = post(client, f"/manage/people/{learner.id}/objectives", {**FORM, "title": ""})
    assert response.status_code == 422
    assert "Say what you want to achieve." in response.get_data(as_text=True)
    assert "Replies within 24 hours" in response.get_data(as_text=True)  # what was typed is kept
    response = post(client, f"/manage/people/{learner.id}/objectives", FORM)
    assert response.status_code == 302
    objective = db.session.scalar(select(Objective))
    assert objective.user_id == learner.id and objective.revisions[0].author_id == manager.id
    assert FORM["title"] in client.get(f"/manage/people/{learner.id}").get_data(as_text=True)
    notice = db.session.scalar(select(Notification).where(Notification.user_id == learner.id))
    assert FORM["title"] in notice.message
    post(client, "/logout")
    login(learner)
    assert FORM["title"] in client.get("/objectives").get_data(as_text=True)
    assert client.get(f"/objectives/{objective.id}").status_code == 200


def test_a_manager_cannot_set_objectives_outside_their_teams(client, db, make_user, make_team, login):
    learner = make_user(team=make_team("Elsewhere"))
    manager = make_user(roles=("manager",))
    login(manager)
    assert post(client, f"/manage/people/{learner.id}/objectives", FORM).status_code == 404
    assert db.session.scalar(select(Objective)) is None


def test_the_person_page_shows_each_objective_with_its_recent_trend(client, db, make_user, make_team, login):
    import datetime as dt

    from courseware.learn.check_ins import add_check_in
    from courseware.learn.objectives import set_objective

    team = make_team("Outreach")
    learner = make_user(team=team)
    manager = make_user(roles=("manager",))
    db.session.add(ManagerScope(manager_id=manager.id, team_id=team.id))
    today = dt.date.today()
    objective = set_objective(
        learner,
        learner,
        {
            "title": "More replies",
            "horizon": "short",
            "measure_kind": "quantitative",
            "measure": "Replies a week",
            "unit": "replies a week",
            "baseline_value": 0.0,
            "baseline_date": today - dt.timedelta(days=10),
            "target_value": 100.0,
            "target_date": today + dt.timedelta(days=10),
            "direction": "higher",
        },
    )
    for days_ago, value in ((6, 3.0), (3, 8.0), (0, 12.0)):
        add_check_in(objective, learner, {"on_date": today - dt.timedelta(days=days_ago), "value": value})
    db.session.commit()
    login(manager)
    page = " ".join(client.get(f"/manage/people/{learner.id}").get_data(as_text=True).split())
    assert "Recent check-ins: 3 → 8 → 12 replies a week; behind." in page


def test_the_people_table_finds_the_people_whose_objectives_are_overdue_for_review(
    client, db, make_user, make_team, login
):
    """Overdue is two intervals without a review (short term: 14 days); an objective reviewed
    since, one only due, or one a manager set for the team does not count."""
    import datetime as dt

    from courseware.db import utcnow
    from courseware.learn.objectives import people_overdue_for_review, set_objective
    from courseware.models import TeamObjective

    team = make_team("Outreach")
    ann, bob, cai, dee = (
        make_user(name=name, team=team) for name in ("Ann Overdue", "Bob Due", "Cai Fresh", "Dee None")
    )
    manager = make_user(roles=("manager",))
    db.session.add(ManagerScope(manager_id=manager.id, team_id=team.id))
    now = utcnow()
    for person, days_old, reviewed_days_ago in ((ann, 28, None), (bob, 27, None), (cai, 40, 3)):
        objective = set_objective(person, person, FORM)
        objective.created_at = now - dt.timedelta(days=days_old)
        if reviewed_days_ago is not None:
            objective.reviewed_at = now - dt.timedelta(days=reviewed_days_ago)
    team_goal = set_objective(manager, manager, {**FORM, "title": "The team's own"})
    team_goal.created_at = now - dt.timedelta(days=90)
    db.session.add(TeamObjective(objective_id=team_goal.id, team_id=team.id))
    db.session.commit()
    assert people_overdue_for_review(now.date()) == [ann.id]
    login(manager)

    page = client.get("/manage/people?objectives=overdue").get_data(as_text=True)
    assert "Ann Overdue" in page
    assert not any(name in page for name in ("Bob Due", "Cai Fresh", "Dee None"))
    assert "1 person matches these filters" in page
    assert all(name in client.get("/manage/people").get_data(as_text=True) for name in ("Ann", "Bob", "Cai", "Dee"))
    assert client.get("/manage/people?objectives=someday").status_code == 400

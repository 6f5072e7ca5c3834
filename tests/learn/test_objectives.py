"""A learner's objectives: every revision kept."""

from sqlalchemy import select

from courseware.models import Objective
from tests.conftest import post


def test_objectives_keep_every_revision(client, db, make_user, login):
    learner = make_user()
    login(learner)
    response = post(
        client, "/objectives", {"title": "", "horizon": "short", "measure_kind": "qualitative", "measure": "x"}
    )
    assert response.status_code == 422 and "Say what you want to achieve." in response.get_data(as_text=True)
    post(
        client,
        "/objectives",
        {
            "title": "Hear from partners",
            "horizon": "medium",
            "measure_kind": "qualitative",
            "measure": "Partners say so",
            "form_key": "o1",
        },
    )
    objective = db.session.scalar(select(Objective))
    post(
        client,
        f"/objectives/{objective.id}",
        {
            "title": "Hear from partners monthly",
            "horizon": "medium",
            "measure_kind": "quantitative",
            "measure": "5 replies a month",
            "status": "active",
            "note": "Counting is clearer",
        },
    )
    db.session.refresh(objective)
    assert [r.title for r in objective.revisions] == ["Hear from partners", "Hear from partners monthly"]
    html = client.get(f"/objectives/{objective.id}").get_data(as_text=True)
    assert "Counting is clearer" in html and "Version 2" in html


def test_objectives_are_in_everyones_navigation(client, make_user, login):
    login(make_user())
    header = client.get("/learn").get_data(as_text=True).split("</header>")[0]
    assert '<a href="/objectives">Objectives</a>' in header
    page = client.get("/objectives").get_data(as_text=True).split("</header>")[0]
    assert '<a href="/objectives" aria-current="page">Objectives</a>' in page

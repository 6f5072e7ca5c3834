"""Mentors see their mentees' objectives and check-ins, and change none of them."""

import datetime as dt

from courseware.learn.check_ins import add_check_in
from courseware.learn.objectives import set_objective
from courseware.models import Mentorship
from tests.conftest import post

QUANTITATIVE = {
    "title": "More replies",
    "horizon": "short",
    "measure_kind": "quantitative",
    "measure": "Replies a week",
    "unit": "replies a week",
    "baseline_value": 2.0,
    "baseline_date": dt.date(2026, 1, 1),
    "target_value": 10.0,
    "target_date": dt.date(2026, 3, 1),
    "direction": "higher",
}


def test_a_mentor_sees_a_mentees_objectives_and_check_ins_but_changes_nothing(client, db, make_user, login):
    learner = make_user(name="Mentee")
    mentor = make_user(name="Mentor", roles=("trainer",))
    stranger = make_user(name="Stranger trainer", roles=("trainer",))
    db.session.add(Mentorship(mentor_id=mentor.id, learner_id=learner.id))
    objective = set_objective(learner, learner, QUANTITATIVE)
    add_check_in(objective, learner, {"on_date": dt.date(2026, 1, 31), "value": 7.0, "note": "Good week"})
    db.session.commit()

    login(mentor)
    mentee_page = client.get(f"/mentoring/mentees/{learner.id}").get_data(as_text=True)
    assert "More replies" in mentee_page and "7 replies a week" in mentee_page and "on track" in mentee_page
    page = client.get(f"/objectives/{objective.id}").get_data(as_text=True)
    assert "Good week" in page and "This objective is on track." in page
    assert client.get(f"/objectives/{objective.id}/chart.svg").status_code == 200
    assert "Save check-in" not in page and "Save revision" not in page and "Save review" not in page
    assert (
        post(client, f"/objectives/{objective.id}/check-ins", {"on_date": "2026-02-01", "value": "1"}).status_code
        == 404
    )
    assert post(client, f"/objectives/{objective.id}/review", {"decision": "retire", "learned": "x"}).status_code == 404
    post(client, "/logout")

    login(stranger)
    assert client.get(f"/objectives/{objective.id}").status_code == 404
    assert client.get(f"/mentoring/mentees/{learner.id}").status_code == 404

"""Review prompts: due after one interval, overdue after two, told once per due period; the answer
is kept with the objective's history."""

import datetime as dt

import pytest
from sqlalchemy import select

from courseware.config import ConfigError, finalise
from courseware.learn.objectives import due_reviews, prompt_due_reviews, review_state, set_objective
from courseware.models import LearningEvent, Notification, Objective
from tests.conftest import post

CREATED = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def objective_of(db, owner, horizon="short", review_days=None, created=CREATED) -> Objective:
    objective = set_objective(
        owner,
        owner,
        {
            "title": f"A {horizon} one",
            "horizon": horizon,
            "measure_kind": "qualitative",
            "measure": "m",
            "review_days": review_days,
        },
    )
    objective.created_at = created
    db.session.flush()
    return objective


@pytest.mark.parametrize(("horizon", "days"), [("short", 14), ("medium", 30), ("long", 91)])
def test_a_review_is_due_one_interval_after_creation_and_overdue_after_two(db, make_user, horizon, days):
    objective = objective_of(db, make_user(), horizon)
    start = CREATED.date()
    assert review_state(objective, start + dt.timedelta(days=days - 1)) == "not_due"
    assert review_state(objective, start + dt.timedelta(days=days)) == "due"
    assert review_state(objective, start + dt.timedelta(days=2 * days - 1)) == "due"
    assert review_state(objective, start + dt.timedelta(days=2 * days)) == "overdue"


def test_the_organisation_sets_the_default_intervals(app, db, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "OBJECTIVE_REVIEW_DAYS_SHORT", 7)
    objective = objective_of(db, make_user(), "short")
    assert review_state(objective, CREATED.date() + dt.timedelta(days=6)) == "not_due"
    assert review_state(objective, CREATED.date() + dt.timedelta(days=7)) == "due"
    # An objective's own interval comes first.
    own = objective_of(db, make_user(), "short", review_days=3)
    assert review_state(own, CREATED.date() + dt.timedelta(days=3)) == "due"


def test_a_review_interval_setting_that_is_not_a_number_of_days_is_refused(app):
    config = dict(app.config)
    config["OBJECTIVE_REVIEW_DAYS_MEDIUM"] = 0
    with pytest.raises(ConfigError, match="OBJECTIVE_REVIEW_DAYS_MEDIUM"):
        finalise(config)


def test_a_review_restarts_the_interval_and_a_retired_objective_is_never_due(app, db, make_user):
    from courseware.learn.objectives import review_objective

    owner = make_user()
    objective = objective_of(db, owner)
    with app.test_request_context():
        review_objective(objective, owner, "keep", "Still matters")
    reviewed_on = objective.reviewed_at.date()
    assert review_state(objective, reviewed_on + dt.timedelta(days=13)) == "not_due"
    assert review_state(objective, reviewed_on + dt.timedelta(days=14)) == "due"
    review_objective(objective, owner, "retire", "It never mattered")
    assert objective.status == "retired"
    assert review_state(objective, reviewed_on + dt.timedelta(days=400)) == "not_due"


def test_the_prompt_is_made_once_per_due_period(app, db, make_user):
    owner = make_user()
    objective = objective_of(db, owner)
    due_day = CREATED.date() + dt.timedelta(days=14)
    with app.test_request_context():
        assert prompt_due_reviews(owner, due_day - dt.timedelta(days=1)) == 0
        assert prompt_due_reviews(owner, due_day) == 1
        assert prompt_due_reviews(owner, due_day) == 0
        assert prompt_due_reviews(owner, due_day + dt.timedelta(days=20)) == 0  # overdue now: same period
    notices = db.session.scalars(select(Notification).where(Notification.user_id == owner.id)).all()
    assert [(n.kind, n.link) for n in notices] == [("objective-review", f"/objectives/{objective.id}#review")]
    # Reviewed, the next period brings one more prompt.
    objective.reviewed_at = dt.datetime.combine(due_day, dt.time(12), dt.UTC)
    db.session.flush()
    assert prompt_due_reviews(owner, due_day + dt.timedelta(days=14)) == 1
    assert len(db.session.scalars(select(Notification).where(Notification.user_id == owner.id)).all()) == 2


def test_my_learning_shows_due_and_overdue_reviews_and_notifies_once(client, db, make_user, login):
    owner = make_user()
    today = dt.datetime.now(dt.UTC)
    due = objective_of(db, owner, "short", created=today - dt.timedelta(days=14))
    overdue = objective_of(db, owner, "medium", created=today - dt.timedelta(days=60))
    objective_of(db, owner, "long", created=today - dt.timedelta(days=90))  # due tomorrow
    db.session.commit()
    login(owner)
    page = " ".join(client.get("/learn").get_data(as_text=True).split())
    assert "Objectives to review" in page
    assert f'href="/objectives/{due.id}#review">A short one</a>: due for review' in page
    assert (
        f'href="/objectives/{overdue.id}#review">A medium one</a>: <strong class="overdue">overdue for review' in page
    )
    assert "A long one" not in page
    client.get("/learn")
    kinds = db.session.scalars(select(Notification.kind).where(Notification.user_id == owner.id)).all()
    assert kinds == ["objective-review", "objective-review"]


def test_the_review_form_keeps_the_answer_with_the_history_and_logs_it(client, db, make_user, login):
    owner = make_user()
    objective = objective_of(db, owner)
    db.session.commit()
    login(owner)
    url = f"/objectives/{objective.id}/review"
    response = post(client, url, {"decision": "revise", "learned": ""})
    assert response.status_code == 422 and "Say what you learned" in response.get_data(as_text=True)
    assert post(client, url, {"decision": "abandon", "learned": "x"}).status_code == 422
    response = post(client, url, {"decision": "revise", "learned": "Replies matter more than posts", "form_key": "r1"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#revise")
    post(client, url, {"decision": "revise", "learned": "Replies matter more than posts", "form_key": "r1"})
    db.session.refresh(objective)
    assert [(r.review_decision, r.learned) for r in objective.revisions] == [
        (None, None),
        ("revise", "Replies matter more than posts"),
    ]
    page = client.get(f"/objectives/{objective.id}").get_data(as_text=True)
    assert "What I learned: Replies matter more than posts" in page
    event = db.session.scalar(select(LearningEvent).where(LearningEvent.verb == "reviewed-objective"))
    assert event.user_id == owner.id and event.detail["decision"] == "revise"
    assert event.detail["objective_id"] == objective.id


def test_the_daily_command_prompts_everyone_due_once(app, db, make_user, runner):
    owner = make_user()
    objective_of(db, owner, created=dt.datetime.now(dt.UTC) - dt.timedelta(days=15))
    db.session.commit()
    first = runner.invoke(args=["objectives", "prompt-reviews"])
    assert first.exit_code == 0 and "1 review prompt sent." in first.output
    again = runner.invoke(args=["objectives", "prompt-reviews"])
    assert "0 review prompts sent." in again.output
    assert due_reviews(owner, dt.date.today())[0].state == "due"

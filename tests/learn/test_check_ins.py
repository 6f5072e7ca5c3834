"""Quantitative objectives and check-ins: the page's chart, table and plain verdict; every change kept."""

import datetime as dt

from sqlalchemy import select

from courseware.models import CheckInRevision, LearningEvent, Objective, ObjectiveCheckIn
from tests.conftest import post

TODAY = dt.date.today()


def quantitative(**overrides) -> dict:
    values = {
        "title": "More sign-ups from social",
        "horizon": "medium",
        "measure_kind": "quantitative",
        "measure": "Sign-ups we can trace to our posts",
        "unit": "sign-ups a month",
        "baseline_value": "10",
        "baseline_date": (TODAY - dt.timedelta(days=30)).isoformat(),
        "target_value": "40",
        "target_date": (TODAY + dt.timedelta(days=30)).isoformat(),
        "direction": "higher",
        "form_key": "q1",
    }
    return {**values, **overrides}


def set_quantitative(client, db, **overrides) -> Objective:
    response = post(client, "/objectives", quantitative(**overrides))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return db.session.scalar(select(Objective).order_by(Objective.id.desc()))


def test_a_quantitative_objective_keeps_unit_baseline_target_and_direction_in_its_revision(
    client, db, make_user, login
):
    login(make_user())
    objective = set_quantitative(client, db)
    assert (objective.unit, objective.baseline_value, objective.target_value, objective.direction) == (
        "sign-ups a month",
        10.0,
        40.0,
        "higher",
    )
    first = objective.revisions[0]
    assert (first.unit, first.baseline_value, first.baseline_date, first.target_value) == (
        "sign-ups a month",
        10.0,
        TODAY - dt.timedelta(days=30),
        40.0,
    )


def test_a_quantitative_objective_needs_whole_baseline_and_target(client, db, make_user, login):
    login(make_user())
    response = post(client, "/objectives", quantitative(target_date="", baseline_date=""))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Give the date you aim to reach the target by." in html
    assert "Give the baseline with its date, or neither." in html
    response = post(client, "/objectives", quantitative(target_date=quantitative()["baseline_date"]))
    assert "The target date comes after the baseline date." in response.get_data(as_text=True)
    for hostile in ("nan", "inf", "-1e400", "1e300", "ten"):
        response = post(client, "/objectives", quantitative(target_value=hostile, form_key=None))
        assert response.status_code == 422, hostile
    assert db.session.scalar(select(Objective)) is None


def test_check_ins_show_as_chart_and_table_with_a_plain_verdict(client, db, make_user, login):
    login(make_user())
    objective = set_quantitative(client, db)
    page = client.get(f"/objectives/{objective.id}").get_data(as_text=True)
    assert "No check-ins yet" in page

    # The line stands at 25 today (halfway from 10 to 40).
    post(
        client, f"/objectives/{objective.id}/check-ins", {"on_date": TODAY.isoformat(), "value": "20", "form_key": "c1"}
    )
    page = client.get(f"/objectives/{objective.id}").get_data(as_text=True)
    assert "This objective is behind." in page
    assert f'src="/objectives/{objective.id}/chart.svg"' in page
    assert '<td>Baseline</td><td class="num">10</td>' in page
    assert '<td>Check-in</td><td class="num">20</td><td class="num">25</td>' in page
    assert '<td>Target</td><td class="num">–</td><td class="num">40</td>' in page

    post(
        client, f"/objectives/{objective.id}/check-ins", {"on_date": TODAY.isoformat(), "value": "26", "form_key": "c2"}
    )
    assert "This objective is on track." in client.get(f"/objectives/{objective.id}").get_data(as_text=True)
    post(
        client, f"/objectives/{objective.id}/check-ins", {"on_date": TODAY.isoformat(), "value": "41", "form_key": "c3"}
    )
    assert "This objective is already met." in client.get(f"/objectives/{objective.id}").get_data(as_text=True)

    chart = client.get(f"/objectives/{objective.id}/chart.svg")
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"
    svg = chart.get_data(as_text=True)
    assert "<script" not in svg and "Line from baseline to target" in svg and "Check-ins" in svg
    assert "script-src" not in chart.headers["Content-Security-Policy"]


def test_the_same_check_in_form_sent_twice_records_once(client, db, make_user, login):
    login(make_user())
    objective = set_quantitative(client, db)
    for _ in range(2):
        response = post(
            client,
            f"/objectives/{objective.id}/check-ins",
            {"on_date": TODAY.isoformat(), "value": "12", "form_key": "same"},
        )
        assert response.status_code == 302
    assert len(db.session.scalars(select(ObjectiveCheckIn)).all()) == 1
    events = db.session.scalars(select(LearningEvent).where(LearningEvent.verb == "checked-in")).all()
    assert len(events) == 1
    # Shaped as a statement: who (the author), did what (checked in), on what (the objective), result.
    (event,) = events
    check_in = db.session.scalar(select(ObjectiveCheckIn))
    assert event.user_id == check_in.author_id and event.score == 12.0
    assert event.detail == {
        "objective_id": objective.id,
        "check_in_id": check_in.id,
        "on": TODAY.isoformat(),
        "value": 12.0,
        "rating": None,
        "unit": "sign-ups a month",
    }


def test_a_check_in_needs_a_date_and_a_value_never_a_500(client, db, make_user, login):
    login(make_user())
    objective = set_quantitative(client, db)
    for data in (
        {"on_date": "", "value": "3"},
        {"on_date": TODAY.isoformat(), "value": ""},
        {"on_date": "9999-99-99", "value": "3"},
        {"on_date": "0001-01-01", "value": "3"},
        {"on_date": TODAY.isoformat(), "value": "nan"},
        {"on_date": TODAY.isoformat(), "value": "3", "link": "javascript:alert(1)"},
    ):
        response = post(client, f"/objectives/{objective.id}/check-ins", data)
        assert response.status_code == 422, data
    assert db.session.scalar(select(ObjectiveCheckIn)) is None


def test_editing_and_deleting_a_check_in_keeps_every_state(client, db, make_user, login):
    learner = make_user()
    login(learner)
    objective = set_quantitative(client, db)
    post(
        client, f"/objectives/{objective.id}/check-ins", {"on_date": TODAY.isoformat(), "value": "12", "note": "first"}
    )
    check_in = db.session.scalar(select(ObjectiveCheckIn))
    url = f"/objectives/{objective.id}/check-ins/{check_in.id}"
    assert 'value="12.0"' in client.get(url).get_data(as_text=True) or 'value="12"' in client.get(url).get_data(
        as_text=True
    )
    post(client, url, {"on_date": TODAY.isoformat(), "value": "15", "note": "miscounted"})
    post(client, f"{url}/delete", {})
    db.session.expire_all()
    revisions = db.session.scalars(
        select(CheckInRevision).where(CheckInRevision.check_in_id == check_in.id).order_by(CheckInRevision.number)
    ).all()
    assert [(r.value, r.note, r.deleted) for r in revisions] == [
        (12.0, "first", False),
        (15.0, "miscounted", False),
        (15.0, "miscounted", True),
    ]
    page = client.get(f"/objectives/{objective.id}").get_data(as_text=True)
    assert "No check-ins yet." in page
    # Deleted: it can be neither changed nor deleted again.
    assert client.get(url).status_code == 404
    assert post(client, f"{url}/delete", {}).status_code == 404


def test_only_the_author_changes_a_check_in(client, db, make_user, login):
    owner, other = make_user(), make_user()
    login(owner)
    objective = set_quantitative(client, db)
    post(client, f"/objectives/{objective.id}/check-ins", {"on_date": TODAY.isoformat(), "value": "12"})
    check_in = db.session.scalar(select(ObjectiveCheckIn))
    post(client, "/logout")
    login(other)
    url = f"/objectives/{objective.id}/check-ins/{check_in.id}"
    assert client.get(url).status_code == 404
    assert post(client, url, {"on_date": TODAY.isoformat(), "value": "99"}).status_code == 404
    assert post(client, f"{url}/delete", {}).status_code == 404
    assert (
        post(client, f"/objectives/{objective.id}/check-ins", {"on_date": TODAY.isoformat(), "value": "1"}).status_code
        == 404
    )
    assert client.get(f"/objectives/{objective.id}/chart.svg").status_code == 404
    db.session.refresh(check_in)
    assert check_in.value == 12.0 and check_in.deleted_at is None


def test_a_qualitative_check_in_is_a_rating_with_the_learners_own_journal_entries(client, db, make_user, login):
    from courseware.learn.journal import add_journal_entry

    learner, stranger = make_user(), make_user()
    mine = add_journal_entry(learner, "Partners answered", share_mentor=False, share_manager=False, form_key="")
    theirs = add_journal_entry(stranger, "Not yours", share_mentor=False, share_manager=False, form_key="")
    db.session.commit()
    login(learner)
    post(
        client,
        "/objectives",
        {"title": "Be heard", "horizon": "short", "measure_kind": "qualitative", "measure": "Partners say so"},
    )
    objective = db.session.scalar(select(Objective))
    url = f"/objectives/{objective.id}/check-ins"
    assert post(client, url, {"on_date": TODAY.isoformat(), "rating": "6"}).status_code == 422
    assert post(client, url, {"on_date": TODAY.isoformat()}).status_code == 422
    assert (
        post(
            client, url, {"on_date": TODAY.isoformat(), "rating": "3", "journal_entries": [str(theirs.id)]}
        ).status_code
        == 422
    )
    response = post(client, url, {"on_date": TODAY.isoformat(), "rating": "4", "journal_entries": [str(mine.id)]})
    assert response.status_code == 302
    check_in = db.session.scalar(select(ObjectiveCheckIn))
    assert (check_in.rating, check_in.value, check_in.journal_entry_ids) == (4, None, [mine.id])
    assert "rated 4 of 5" in client.get(f"/objectives/{objective.id}").get_data(as_text=True)


def test_the_objective_page_takes_the_same_queries_for_2_and_12_check_ins_and_marks_changed_ones(
    app, client, db, make_user, login
):
    from tests.core.web import statements_of

    login(make_user())
    objective = set_quantitative(client, db)
    url = f"/objectives/{objective.id}"

    def check_in(n: int) -> None:
        day = (TODAY - dt.timedelta(days=n)).isoformat()
        post(client, f"{url}/check-ins", {"on_date": day, "value": str(10 + n), "form_key": f"n{n}"})

    for n in range(2):
        check_in(n)
    first = db.session.scalar(select(ObjectiveCheckIn).where(ObjectiveCheckIn.form_key == "n0"))
    changed = post(client, f"{url}/check-ins/{first.id}", {"on_date": TODAY.isoformat(), "value": "33"})
    assert changed.status_code == 302
    few = len(statements_of(app, client, url))
    for n in range(2, 12):
        check_in(n)
    page = client.get(url).get_data(as_text=True)
    assert page.count("· changed") == 1
    assert len(statements_of(app, client, url)) == few

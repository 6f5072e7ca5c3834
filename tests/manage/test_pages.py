"""Assigning courses, the overview with its charts, and one person's record."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from courseware.db import utcnow
from courseware.manage.assignment import assign_course
from courseware.manage.policies import Scope
from courseware.models import Enrollment, JournalEntry, Objective, ObjectiveRevision, Review
from courseware.progress import rules
from tests.conftest import post
from tests.manage.conftest import DAY, active_days, add_event, enroll_at, lessons_of, progress, waiting_submission


def enrollment(db, person, course):
    return db.session.scalar(
        select(Enrollment).where(Enrollment.user_id == person.id, Enrollment.course_id == course.id)
    )


def test_assign_a_course_to_a_team_with_a_due_date(client, login, org, make_user, db):
    members = [make_user(team=org.north) for _ in range(3)]
    outsider = make_user(team=org.south)
    login(org.manager)
    page = client.get("/manage/assign").get_data(as_text=True)
    assert "North" in page and "South" not in page
    due = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    response = post(client, "/manage/assign", {"course": org.course.id, "due_date": due, "teams": [org.north.id]})
    assert response.status_code == 302, response.get_data(as_text=True)
    for person in [*members, org.trainer, org.learner]:
        assert enrollment(db, person, org.course).due_date.isoformat() == due
    assert enrollment(db, outsider, org.course) is None
    assert "is assigned to 5 people" in client.get("/manage/people").get_data(as_text=True)


def test_assigning_again_changes_the_due_date_and_keeps_progress(db, org, make_user):
    person = make_user(team=org.north)
    scope = Scope((org.north.id,))
    first = assign_course(org.manager, scope, org.course, due_date=dt.date.today(), user_ids=[person.id])
    assert (first.people, first.new) == (1, 1)
    enrollment(db, person, org.course).started_at = utcnow()
    later = dt.date.today() + dt.timedelta(days=9)
    again = assign_course(org.manager, scope, org.course, due_date=later, user_ids=[person.id])
    assert (again.people, again.new) == (1, 0)
    assert enrollment(db, person, org.course).due_date == later
    assert enrollment(db, person, org.course).started_at is not None


def test_bulk_assign_from_the_people_page(client, login, org, make_user, db):
    chosen = [make_user(name=f"Chosen {i}", team=org.north) for i in range(2)]
    login(org.manager)
    response = post(client, "/manage/people/selected", {"person": [p.id for p in chosen], "action": "assign"})
    assert response.status_code == 302
    form = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Chosen 0" in form and "Chosen 1" in form
    response = post(client, "/manage/assign", {"course": org.course.id, "people": [p.id for p in chosen]})
    assert response.status_code == 302
    assert all(enrollment(db, person, org.course) for person in chosen)
    assert enrollment(db, org.learner, org.course) is None


def test_assign_refuses_a_past_due_date_or_nobody(client, login, org, db):
    login(org.manager)
    past = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    response = post(client, "/manage/assign", {"course": org.course.id, "due_date": past, "teams": [org.north.id]})
    assert response.status_code == 422
    assert "The due date is in the past" in response.get_data(as_text=True)
    response = post(client, "/manage/assign", {"course": org.course.id})
    assert response.status_code == 422
    assert "Choose at least one team or person" in response.get_data(as_text=True)
    assert enrollment(db, org.learner, org.course) is None
    assert post(client, "/manage/people/selected", {"action": "assign"}).status_code == 302


def test_overview_counts_and_accessible_charts(client, login, org, make_user, db):
    now = utcnow()
    lessons = lessons_of(org.course)
    for index in range(4):
        person = make_user(name=f"Learner {index}", team=org.north)
        enroll_at(person, org.course, now - 40 * DAY, due=(now + (5 if index else -2) * DAY).date()).started_at = now
        active_days(person, org.course, [index * 7 + 1])
        if index == 0:
            for lesson in lessons:  # the whole module done
                progress(person, lesson, "completed", now - DAY)
        if index == 1:
            progress(person, lessons[0], "completed", now - DAY)  # one lesson is not the module
    db.session.commit()
    login(org.manager)
    html = client.get("/manage/").get_data(as_text=True)
    assert "style=" not in html and "<script>" not in html
    figures = {
        label: int(number)
        for number, label in re.findall(r'stat-number">(\d+)</span> <span class="stat-label">([a-z ]+)<', html)
    }
    assert (figures["enrolled"], figures["in progress"], figures["not started"]) == (4, 4, 0)
    assert (figures["overdue"], figures["completed"], figures["blocked"]) == (1, 0, 0)
    assert figures["stalled"] == 2  # last active 15 and 22 days ago
    assert "<figure" in html and "<figcaption>" in html and 'alt="Bar chart' in html
    assert re.search(r"<th scope=\"row\">Module basics</th><td class=\"num\">1</td>", html)
    assert re.search(r"<th scope=\"row\">Assigned</th><td class=\"num\">4</td>", html)
    for chart in ("funnel", "activity"):
        response = client.get(f"/manage/charts/{chart}.svg?course={org.course.id}")
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        svg = response.get_data(as_text=True)
        assert svg.startswith("<?xml") and "<svg" in svg
        assert "<script" not in svg and "http://kozea.github.io" not in svg
        assert "script-src" not in response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert client.get("/manage/?course=abc").status_code == 400


def test_person_page_shows_the_whole_record(client, login, org, make_user, db):
    now = utcnow()
    person = make_user(name="Rita Record", team=org.north)
    first, second, _ = lessons_of(org.course)
    enroll_at(person, org.course, now - 10 * DAY, due=(now + 20 * DAY).date())
    add_event(
        person,
        rules.PASSED,
        now - 2 * DAY,
        lesson=first,
        activity_key="quiz-1",
        success=True,
        detail={"right": 1, "questions": 1},
    )
    submission = waiting_submission(person, second, now - DAY)
    approved = waiting_submission(person, first, now - 3 * DAY)
    approved.status = "approved"
    db.session.flush()
    db.session.add(
        Review(
            submission_id=approved.id,
            reviewer_id=org.trainer.id,
            decision="approved",
            comment="Well argued.",
            scores={"Specific": 3},
        )
    )
    objective = Objective(
        user_id=person.id,
        title="Answer within a day",
        horizon="short",
        measure_kind="quantitative",
        measure="Hours to reply",
    )
    db.session.add(objective)
    db.session.flush()
    for number, title in ((1, "Answer within two days"), (2, "Answer within a day")):
        db.session.add(
            ObjectiveRevision(
                objective_id=objective.id,
                number=number,
                title=title,
                horizon="short",
                measure_kind="quantitative",
                measure="Hours to reply",
                author_id=person.id,
            )
        )
    db.session.add(JournalEntry(user_id=person.id, body="Shared with my manager.", shared_with_manager=True))
    db.session.add(
        JournalEntry(user_id=person.id, body="Private thoughts.", shared_with_manager=False, shared_with_mentor=True)
    )
    db.session.commit()
    login(org.manager)
    html = client.get(f"/manage/people/{person.id}").get_data(as_text=True)
    assert "Rita Record" in html and "North" in html
    assert "Passed the quiz in" in html and "Lesson first" in html and "Module basics" in html
    assert "Was enrolled in" in html
    assert "Waiting for review" in html and "Well argued." in html and "Tess Trainer" in html
    assert "Answer within two days" in html and "2 revisions" in html
    assert "Shared with my manager." in html and "Private thoughts." not in html
    assert "33%" in html or "0%" in html
    assert submission.id


def test_funnel_counts_whole_modules_even_when_they_need_several_bit_masks(db, make_course, make_user):
    from courseware.manage.overview import course_funnel

    modules = [(f"m{m:02d}", [(f"l{m:02d}-{i:02d}", []) for i in range(20)]) for m in range(13)]
    course = make_course(slug="long-course", modules=modules)
    lessons = lessons_of(course)
    by_module: dict[int, list] = {}
    for lesson in lessons:
        by_module.setdefault(lesson.module_id, []).append(lesson)
    ordered = [by_module[key] for key in sorted(by_module)]
    now = utcnow()
    finisher, partial = make_user(), make_user()
    for person in (finisher, partial):
        enroll_at(person, course, now - 9 * DAY)
    for lesson in ordered[0] + ordered[12]:  # the first module, and the last (in the second mask)
        progress(finisher, lesson, "completed", now)
    for lesson in ordered[0][:19] + ordered[12]:
        progress(partial, lesson, "completed", now)
    db.session.commit()
    stages = {stage.label: stage.count for stage in course_funnel(Scope(None), course)}
    assert stages["Assigned"] == 2
    assert stages["Module m00"] == 1
    assert stages["Module m01"] == 0
    assert stages["Module m12"] == 2

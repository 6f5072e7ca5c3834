"""One journey per role in Chromium: the learner's steps reach the manager's view of them."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

from courseware.auth.services import create_user, get_or_create_team
from courseware.content.services import import_courses
from courseware.learn.enrollment import enroll
from courseware.models import ManagerScope
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import violations
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def organisation(live_app, live_db, tmp_path):
    suffix = tmp_path.name[-10:]
    course = import_courses(live_app.config["LESSONS_PATH"]).courses[0]
    team = get_or_create_team(f"Outreach {suffix}")
    learner = create_user(f"jo-{suffix}@example.org", f"Jo Journey {suffix}", TEST_PASSWORD, team=team)
    manager = create_user(f"mo-{suffix}@example.org", "Mo Manager", TEST_PASSWORD, roles=("manager",))
    live_db.session.flush()
    live_db.session.add(ManagerScope(manager_id=manager.id, team_id=team.id))
    enroll(learner, course, assigned_by=manager)
    live_db.session.commit()
    return {"learner": learner, "manager": manager, "course": course}


def test_a_learners_steps_show_on_the_managers_timeline_and_export(browser, base_url, organisation):
    learner, manager = organisation["learner"], organisation["manager"]

    learner_page = browser.new_page()
    log_in(learner_page, base_url, learner.email)
    learner_page.click("text=Start")
    learner_page.fill("textarea[name=body]", "Our leaders expect followers by Friday.")
    learner_page.click("text=Save to my journal")
    learner_page.click("a[rel=next]")
    for question in learner_page.locator("fieldset.question").all():
        question.locator("input").first.check()
    learner_page.click("form.quiz button[type=submit]")
    expect(learner_page.locator(".quiz-result")).to_contain_text("right")
    learner_page.close()

    page = browser.new_page(accept_downloads=True)
    log_in(page, base_url, manager.email)
    page.goto(f"{base_url}/manage/people")
    page.fill("input[name=q]", learner.name)
    page.click("main form button:has-text('Apply')")
    page.click(f"a:has-text('{learner.name}')")
    timeline = page.inner_text("main")
    assert "Wrote in the journal" in timeline
    assert "Why results take months" in timeline
    assert "the quiz in" in timeline and "of 4 right" in timeline
    assert violations(page) == []

    page.goto(f"{base_url}/manage/people?q={learner.email}")
    with page.expect_download() as download_info:
        page.click("text=Download as CSV")
    content = download_info.value.path().read_text()
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [row for row in rows if learner.email in row.values()], content[:500]
    for path in ("/manage/", "/manage/people", "/manage/assign"):
        page.goto(base_url + path)
        assert violations(page) == [], path
    page.close()

"""axe-core finds no WCAG 2.2 A or AA violation on the trainers' and mentoring pages, and they fit a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from courseware.auth.services import create_user, get_or_create_team
from courseware.content.services import create_revision
from courseware.learn.activities import save_checklist
from courseware.models import Lesson, ManagerScope, Mentorship, Submission
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import violations
from tests.browser.test_trainer_keyboard import PRACTICE, trainer_setup  # noqa: F401 (a fixture used here)
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

CHECKLIST = {"key": "checklist-1", "type": "checklist", "items": ["Save a search"], "verified_by": "trainer"}


@pytest.fixture
def trainer_pages(live_db, trainer_setup):  # noqa: F811
    """A waiting submission, a checklist to confirm, a draft revision and a mentee, and the paths to see them."""
    course, learner, trainer = trainer_setup["course"], trainer_setup["learner"], trainer_setup["trainer"]
    lesson = live_db.session.scalar(select(Lesson).where(Lesson.course_id == course.id))
    checklist = Lesson(course_id=course.id, module_id=trainer_setup["module"].id, slug="set-up", position=2)
    live_db.session.add(checklist)
    create_revision(
        checklist, title="Set up", minutes=5, body="Tick.", activities=[CHECKLIST], author=trainer, source="file"
    )
    create_revision(
        lesson,
        title="An objective",
        minutes=6,
        body="Write it down.",
        activities=[PRACTICE],
        author=trainer,
        source="editor",
        publish=False,
    )
    state = save_checklist(learner, checklist, CHECKLIST, [0], None)
    live_db.session.add(Mentorship(mentor_id=trainer.id, learner_id=learner.id))
    live_db.session.commit()
    submission_id = live_db.session.scalar(select(Submission.id).where(Submission.user_id == learner.id))
    pages = {
        "email": trainer.email,
        "editor": f"/author/lessons/{lesson.id}/edit",
        "course_page": f"/author/courses/{course.id}",
        "submission": f"/review/submissions/{submission_id}",
        "paths": [
            "/author/",
            "/author/courses/new",
            "/author/import",
            f"/author/courses/{course.id}",
            f"/author/lessons/{lesson.id}/edit",
            f"/author/lessons/{lesson.id}/revisions",
            f"/review/submissions/{submission_id}",
            f"/review/checklists/{state.id}",
            "/review/",
            "/review/workload",
            "/mentoring/mentees",
            f"/mentoring/mentees/{learner.id}",
            "/notifications/",
        ],
    }
    live_db.session.rollback()  # end the read, so that the server can write (SQLite locks the file)
    return pages


def test_trainer_pages_have_no_violations(page, base_url, trainer_pages):
    log_in(page, base_url, trainer_pages["email"])
    problems: dict[str, list[str]] = {}
    for path in trainer_pages["paths"]:
        page.goto(base_url + path)
        problems[path] = violations(page)

    # The editor with a quiz added, then its error summary and a preview; and a diff.
    page.goto(base_url + trainer_pages["editor"])
    page.click("text=Add activity")
    page.fill("#title", "")
    page.click("button[value=preview]")
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator(".preview")).to_be_visible()
    problems["editor with errors and a preview"] = violations(page)
    page.goto(base_url + trainer_pages["paths"][5])
    page.click("text=Compare the chosen revisions")
    assert page.locator("ol.diff").is_visible()
    problems["diff"] = violations(page)

    page.goto(base_url + trainer_pages["submission"])
    page.click("text=Send review")  # nothing chosen: every error shows
    assert page.locator(".error-summary").is_visible()
    problems["review with errors"] = violations(page)
    assert {where: found for where, found in problems.items() if found} == {}


def test_mentoring_pages_for_a_manager_have_no_violations(page, base_url, live_db, tmp_path):
    suffix = tmp_path.name[-10:]
    team = get_or_create_team(f"Team {suffix}")
    manager = create_user(f"manager-{suffix}@example.org", "Mo Manager", TEST_PASSWORD, roles=("manager",), team=team)
    live_db.session.add(ManagerScope(manager_id=manager.id, team_id=team.id))
    live_db.session.commit()
    log_in(page, base_url, manager.email)
    problems = {}
    for path in ("/mentoring/pairs", "/mentoring/reviewers", "/review/workload"):
        page.goto(base_url + path)
        problems[path] = violations(page)
    page.goto(base_url + "/mentoring/pairs")
    page.click("text=Pair")
    problems["pairing errors"] = violations(page)
    assert {where: found for where, found in problems.items() if found} == {}


def test_the_editor_course_and_review_pages_fit_a_phone(phone_page, base_url, trainer_pages):
    log_in(phone_page, base_url, trainer_pages["email"])
    for path in (trainer_pages["editor"], trainer_pages["course_page"], trainer_pages["submission"], "/review/"):
        phone_page.goto(base_url + path)
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways on a phone ({width}px wide)"

"""On a phone the lesson comes first; the quiz keeps the learner's picks on the lesson's own
address; tables keep their actions on screen; the editor's preview updates in place."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from courseware.auth.services import create_user, get_or_create_team
from courseware.content.services import import_courses
from courseware.learn.activities import submit_practice
from courseware.learn.enrollment import enroll
from courseware.models import Course, Lesson, ManagerScope, Module
from tests.browser.conftest import log_in
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}
QUIZ_LESSON = "quantitative-and-qualitative-objectives"
PRACTICE = {
    "key": "practice-1",
    "type": "practice",
    "prompt": "Write one objective for the next month.",
    "rubric": [{"name": "Specific", "good": "Says what will change."}],
    "approval": "required",
}


def violations(page) -> list[str]:
    results = Axe().run(page, options=WCAG_AA)
    return [f"{v['id']}: {v['help']} — {[n['target'] for n in v['nodes']][:3]}" for v in results.response["violations"]]


@pytest.fixture
def people(live_app, live_db, tmp_path):
    suffix = tmp_path.name[-12:]
    course = import_courses(live_app.config["LESSONS_PATH"]).courses[0]
    team = get_or_create_team(f"Phones {suffix}")
    learner = create_user(f"phone-learner-{suffix}@example.org", "Pat Phone", TEST_PASSWORD, team=team)
    manager = create_user(f"phone-manager-{suffix}@example.org", "Max Manager", TEST_PASSWORD, roles=("manager",))
    trainer = create_user(
        f"phone-trainer-{suffix}@example.org", "Tia Trainer", TEST_PASSWORD, roles=("trainer", "admin")
    )
    live_db.session.flush()
    live_db.session.add(ManagerScope(manager_id=manager.id, team_id=team.id))
    enroll(learner, course)
    quiz_lesson_id = live_db.session.query(Lesson.id).filter_by(course_id=course.id, slug=QUIZ_LESSON).scalar()
    live_db.session.commit()
    return {
        "learner": learner,
        "manager": manager,
        "trainer": trainer,
        "course": course,
        "quiz_lesson_id": quiz_lesson_id,
    }


def open_quiz_lesson(page, base_url, people):
    """The learner writes the first lesson's reflection, which opens the quiz lesson."""
    slug = people["course"].slug
    page.goto(f"{base_url}/learn/{slug}/why-results-take-months")
    page.fill("textarea[name=body]", "Leaders expect quick results.")
    page.click("text=Save to my journal")
    page.goto(f"{base_url}/learn/{slug}/{QUIZ_LESSON}")


def test_on_a_phone_the_lesson_comes_first_and_the_course_menu_opens_on_demand(phone_page, base_url, people):
    page = phone_page
    log_in(page, base_url, people["learner"].email)
    page.goto(f"{base_url}/learn/{people['course'].slug}/why-results-take-months")
    menu = page.locator(".course-nav details")
    assert menu.get_attribute("open") is None
    summary = page.locator(".course-nav summary")
    expect(summary).to_contain_text("Course menu")
    title = page.locator("h1#lesson-title").bounding_box()
    assert title["y"] + title["height"] <= 844, f"the lesson title starts {title['y']:.0f}px down"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.locator(".course-nav ol a").first).to_be_hidden()
    summary.click()
    expect(page.locator(".course-nav ol").first).to_be_visible()
    assert violations(page) == []


def test_on_a_wide_screen_the_course_menu_is_open_beside_the_lesson(page, base_url, people):
    log_in(page, base_url, people["learner"].email)
    page.goto(f"{base_url}/learn/{people['course'].slug}/why-results-take-months")
    assert page.locator(".course-nav details").get_attribute("open") is not None
    nav, lesson = page.locator(".course-nav").bounding_box(), page.locator("article.lesson").bounding_box()
    assert nav["x"] > lesson["x"] + lesson["width"] - 1 and abs(nav["y"] - lesson["y"]) < 50


def test_the_quiz_keeps_the_picks_beside_their_feedback_on_the_lessons_address(page, base_url, people):
    log_in(page, base_url, people["learner"].email)
    open_quiz_lesson(page, base_url, people)
    lesson_path = f"/learn/{people['course'].slug}/{QUIZ_LESSON}"
    questions = page.locator("fieldset.question")
    # Only the first question answered: the others are marked where they are.
    questions.nth(0).locator("input").nth(1).check()
    page.click("form.quiz button[type=submit]")
    assert re.fullmatch(rf"{re.escape(base_url + lesson_path)}(#activity-quiz-1)?", page.url), page.url
    expect(page.locator(".error-summary")).to_contain_text("Not answered yet")
    assert page.locator("fieldset.question").nth(0).get_attribute("class") == "question"
    expect(page.locator("fieldset.question.unanswered")).to_have_count(questions.count() - 1)
    expect(page.locator("fieldset.question.unanswered").first.locator(".error")).to_contain_text("Not answered yet")
    assert questions.nth(0).locator("input").nth(1).is_checked()

    # A wrong attempt: every pick stays ticked, with its feedback beside it.
    for index in range(questions.count()):
        questions.nth(index).locator("input").nth(1).check()
    page.click("form.quiz button[type=submit]")
    assert page.url.startswith(base_url + lesson_path + "?attempt="), page.url
    assert "/quiz/" not in page.url
    expect(page.locator(".quiz-result")).to_contain_text("Not yet")
    first = page.locator("fieldset.question").nth(0)
    assert first.locator("input").nth(1).is_checked()
    expect(first.locator("label").nth(1).locator(".feedback")).to_contain_text("choosing whatever happens to look good")
    expect(first.locator(".verdict")).to_contain_text("Not right")
    assert violations(page) == []


def test_on_a_phone_status_and_review_are_on_screen_without_scrolling_sideways(phone_page, base_url, people, live_db):
    from courseware.content.services import create_revision

    page = phone_page
    learner, trainer = people["learner"], people["trainer"]
    course = Course(
        slug=f"phone-{learner.id}", title="Practice on phones", summary="For the test.", owner_id=trainer.id
    )
    live_db.session.add(course)
    live_db.session.flush()
    module = Module(course_id=course.id, slug="basics", title="Basics", position=1)
    live_db.session.add(module)
    live_db.session.flush()
    practice = Lesson(course_id=course.id, module_id=module.id, slug="an-objective", position=1)
    live_db.session.add(practice)
    create_revision(
        practice,
        title="An objective",
        minutes=5,
        body="Write it.",
        activities=[PRACTICE],
        author=trainer,
        source="file",
    )
    enroll(learner, course)
    submit_practice(learner, practice, PRACTICE, "See https://example.org/" + "a-very-long-address-" * 8, None, "ph")
    live_db.session.commit()

    log_in(page, base_url, people["manager"].email)
    page.goto(f"{base_url}/manage/people")
    status = page.locator("table.people-table tbody tr").first.locator(".badge").first
    box = status.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert violations(page) == []
    page.context.clear_cookies()

    log_in(page, base_url, people["trainer"].email)
    page.goto(f"{base_url}/review")
    review = page.locator("table.queue tr", has_text=learner.name).locator("a.button", has_text="Review")
    box = review.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    review.click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "a long address widened the page"
    expect(page.locator(".answer a[rel='nofollow ugc noopener']")).to_have_count(1)


def test_the_editors_preview_updates_without_a_reload(page, base_url, people):
    lesson_id = people["quiz_lesson_id"]
    log_in(page, base_url, people["trainer"].email)
    page.goto(f"{base_url}/author/lessons/{lesson_id}/edit")
    page.evaluate("window.notReloaded = true")
    page.fill("textarea[name=body]", "A **fresh** start.")
    page.click("button[name=action][value=preview]")
    expect(page.locator(".preview .lesson-body strong")).to_have_text("fresh")
    page.fill("textarea[name=body]", "A *changed* start.")
    expect(page.locator(".preview .lesson-body em")).to_have_text("changed")
    assert page.evaluate("window.notReloaded") is True
    assert page.url.endswith(f"/author/lessons/{lesson_id}/edit")
    assert page.js_errors == []


def test_a_long_address_in_the_journal_wraps_on_a_phone_and_is_a_link(phone_page, base_url, people):
    page = phone_page
    log_in(page, base_url, people["learner"].email)
    page.goto(f"{base_url}/journal")
    address = "https://social.example.org/@ourcharity/posts/" + "0123456789" * 12
    page.fill("textarea[name=body]", f"Our best thread so far: {address} — worth a look.")
    page.click("text=Save entry")
    link = page.locator(f".answer a[href='{address}']")
    expect(link).to_have_count(1)
    assert link.get_attribute("rel") == "nofollow ugc noopener"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_locked_lesson_and_the_archive_question_are_accessible(page, base_url, people):
    log_in(page, base_url, people["learner"].email)
    page.goto(f"{base_url}/learn/{people['course'].slug}/short-medium-and-long-term")
    expect(page.locator("main")).to_contain_text("Go to the lesson to do next")
    assert violations(page) == []
    page.locator("main a.button.primary").click()
    assert page.url.endswith("/why-results-take-months")
    page.context.clear_cookies()

    log_in(page, base_url, people["trainer"].email)
    page.goto(f"{base_url}/author/courses/{people['course'].id}")
    page.locator("form.inline-form button", has_text="Archive").first.click()
    expect(page.locator("h1")).to_contain_text("Archive the lesson")
    assert violations(page) == []
    page.click("text=Cancel and keep it")
    assert f"/author/courses/{people['course'].id}" in page.url

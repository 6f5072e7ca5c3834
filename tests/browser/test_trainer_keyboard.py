"""A trainer writes a lesson with a quiz, publishes it and reviews practice work, keyboard only, in Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from courseware.auth.services import create_user
from courseware.learn.activities import submit_practice
from courseware.learn.enrollment import enroll
from courseware.models import Course, Lesson, Module, Submission
from tests.browser.conftest import tab_to
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

PRACTICE = {
    "key": "practice-1",
    "type": "practice",
    "prompt": "Write one objective for the next month.",
    "rubric": [
        {"name": "Specific", "good": "Says what will change."},
        {"name": "Measurable", "good": "Says how you will know."},
    ],
    "approval": "required",
}


@pytest.fixture
def trainer_setup(live_app, live_db, tmp_path):
    """A trainer owning a course with one module, and a learner's practice work waiting in it."""
    from courseware.content.services import create_revision

    suffix = tmp_path.name[-10:]
    trainer = create_user(f"trainer-{suffix}@example.org", "Tara Trainer", TEST_PASSWORD, roles=("trainer",))
    learner = create_user(f"learner-{suffix}@example.org", "Lee Learner", TEST_PASSWORD)
    course = Course(slug=f"kb-{suffix}", title="Keyboard authoring", summary="For the test.", owner_id=trainer.id)
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
    submit_practice(learner, practice, PRACTICE, "Twenty replies a month from local groups.", None, "kb-form")
    live_db.session.commit()
    return {"trainer": trainer, "learner": learner, "course": course, "module": module}


def press_on(page, matches: str, key: str = "Enter") -> None:
    tab_to(page, matches)
    with page.expect_navigation():
        page.keyboard.press(key)


def type_into(page, matches: str, text: str) -> None:
    tab_to(page, matches)
    page.keyboard.type(text)


def test_trainer_writes_a_quiz_lesson_publishes_it_and_reviews_work_with_the_keyboard_only(
    page, base_url, live_db, trainer_setup
):
    trainer, course = trainer_setup["trainer"], trainer_setup["course"]
    page.goto(f"{base_url}/login")
    type_into(page, "el.name === 'email'", trainer.email)
    page.keyboard.press("Tab")
    page.keyboard.type(TEST_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # Author → the course → a new lesson in its module.
    press_on(page, "el.textContent.trim() === 'Author'")
    press_on(page, f"el.textContent.trim() === '{course.title}'")
    type_into(page, "el.name && el.name.endsWith('-title') && el.name.startsWith('add-')", "Listening before posting")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Edit lesson: Listening before posting")

    # Body, then a quiz added with its button (Quiz is the first kind offered).
    type_into(page, "el.name === 'body'", "Listen **first**: hear what people already say.")
    tab_to(page, "el.id === 'new_activity_type'")
    expect(page.locator("#new_activity_type")).to_have_value("quiz")
    press_on(page, "el.textContent.trim() === 'Add activity'")
    expect(page.locator("#body")).to_have_value("Listen **first**: hear what people already say.")

    type_into(page, "el.id === 'act-0-q-0-prompt'", "What do you do before posting?")
    type_into(page, "el.id === 'act-0-q-0-c-0-text'", "Listen")
    tab_to(page, "el.id === 'act-0-q-0-c-0-correct'")
    page.keyboard.press("Space")
    type_into(page, "el.id === 'act-0-q-0-c-0-feedback'", "Yes: listening shows where the conversation is.")
    type_into(page, "el.id === 'act-0-q-0-c-1-text'", "Post a lot")
    type_into(page, "el.id === 'act-0-q-0-c-1-feedback'", "Posting before listening misses the conversation.")

    # Preview keeps everything and shows the body as learners see it, in place (no reload).
    tab_to(page, "el.textContent.trim() === 'Preview'")
    page.keyboard.press("Enter")
    expect(page.locator(".preview .lesson-body strong")).to_have_text("first")
    expect(page.locator("#act-0-q-0-c-0-correct")).to_be_checked()

    press_on(page, "el.textContent.trim() === 'Publish'")
    expect(page.locator(".flash-success")).to_contain_text("published: learners see it now")

    live_db.session.expire_all()
    lesson = live_db.session.scalar(
        select(Lesson).where(Lesson.course_id == course.id, Lesson.slug == "listening-before-posting")
    )
    quiz = lesson.published_revision.activities[0]
    assert quiz["type"] == "quiz" and quiz["questions"][0]["choices"][0] == {
        "text": "Listen",
        "correct": True,
        "feedback": "Yes: listening shows where the conversation is.",
    }
    assert len(quiz["questions"][0]["choices"]) == 2  # the blank third row was left out
    live_db.session.rollback()  # end the read, so that the server can write (SQLite locks the file)

    # Review: the queue, the work, a score per criterion with arrow keys, a comment, approve.
    press_on(page, "el.matches('nav a') && el.textContent.trim().startsWith('Review')")
    expect(page.locator("main")).to_contain_text("Lee Learner")
    press_on(page, "el.tagName === 'A' && el.textContent.includes('Lee Learner\\'s work')")
    expect(page.locator("main")).to_contain_text("Twenty replies a month from local groups.")
    for criterion in (0, 1):
        tab_to(page, f"el.name === 'score-{criterion}'")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")  # not yet → partly → met
        expect(page.locator(f"#score-{criterion}-2")).to_be_checked()
    type_into(page, "el.name === 'comment'", "Clear and countable: well done.")
    tab_to(page, "el.name === 'decision'")
    page.keyboard.press("Space")
    expect(page.locator("#decision-0")).to_be_checked()
    press_on(page, "el.textContent.trim() === 'Send review'")
    expect(page.locator(".flash-success")).to_contain_text("Lee Learner's work is approved")

    live_db.session.expire_all()
    submission = live_db.session.scalar(select(Submission).where(Submission.user_id == trainer_setup["learner"].id))
    assert submission.status == "approved"
    assert submission.reviews[0].scores == {"Specific": "met", "Measurable": "met"}
    assert page.js_errors == []

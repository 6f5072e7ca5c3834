"""A learner completes a whole course in Chromium with the keyboard alone."""

from __future__ import annotations

import textwrap

import pytest
from playwright.sync_api import expect

from courseware.auth.services import create_user
from courseware.content.services import import_courses
from courseware.learn.enrollment import enroll
from tests.browser.conftest import tab_to

pytestmark = pytest.mark.browser

LESSONS = {
    "01-welcome.md": """\
        ---
        title: Welcome
        minutes: 3
        activities: []
        ---

        Read this, then mark it as read.
        """,
    "02-check.md": """\
        ---
        title: A quick check
        minutes: 4
        activities:
          - type: quiz
            pass_mark: 1
            questions:
              - prompt: What do you do first?
                choices:
                  - text: Post a lot
                    correct: false
                    feedback: Posting before listening misses what people already say.
                  - text: Listen
                    correct: true
                    feedback: Listening first shows you where the conversation is.
        ---

        Listening comes first.
        """,
    "03-setup.md": """\
        ---
        title: Set up searches
        minutes: 5
        activities:
          - type: checklist
            items:
              - Save a search for your organisation's name
              - Save a search for your cause
        ---

        Two searches to save.
        """,
    "04-practice.md": """\
        ---
        title: Your first objective
        minutes: 6
        activities:
          - type: practice
            prompt: Write one objective.
            rubric:
              - name: Specific
                good: Says what will change.
          - type: reflection
            prompt: What did you learn?
        ---

        Write it down.
        """,
}


@pytest.fixture
def keyboard_course(live_app, live_db, tmp_path):
    folder = tmp_path / "keyboard-course"
    (folder / "basics").mkdir(parents=True)
    (folder / "course.yaml").write_text(
        "slug: keyboard-course\ntitle: Keyboard course\nsummary: Four short lessons.\n"
        "modules:\n  - slug: basics\n    title: Basics\n"
    )
    for name, text in LESSONS.items():
        (folder / "basics" / name).write_text(textwrap.dedent(text))
    course = import_courses(str(folder)).courses[0]
    learner = create_user(f"keys-{tmp_path.name}@example.org", "Kim Keys", "correct horse battery staple")
    enroll(learner, course)
    live_db.session.commit()
    return learner


def press_on(page, matches: str, key: str = "Enter") -> None:
    tab_to(page, matches)
    with page.expect_navigation():
        page.keyboard.press(key)


def test_learner_completes_a_course_with_the_keyboard_only(page, base_url, keyboard_course):
    learner = keyboard_course
    page.goto(f"{base_url}/login")
    tab_to(page, "el.name === 'email'")
    page.keyboard.type(learner.email)
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse battery staple")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "My learning" in page.title()

    # My learning → Start the course
    press_on(page, "el.textContent.includes('Start')")
    assert page.url.endswith("/learn/keyboard-course/welcome")
    assert "Lesson 1 of 4" in page.inner_text("main")

    press_on(page, "el.textContent.trim() === 'Mark as read'")
    press_on(page, "el.rel === 'next'")
    assert page.url.endswith("/check")

    # The quiz: a wrong answer first, read the feedback, then the right one.
    tab_to(page, "el.type === 'radio'")
    page.keyboard.press("Space")
    press_on(page, "el.textContent.includes('Check my answers')")
    assert "Not yet: 0 of 1 right" in page.inner_text("main")
    assert "Posting before listening" in page.inner_text("main")
    tab_to(page, "el.type === 'radio'")
    page.keyboard.press("ArrowDown")  # moves to and selects the second choice
    press_on(page, "el.textContent.includes('Try again')")
    assert "Passed: 1 of 1 right" in page.inner_text("main")
    press_on(page, "el.rel === 'next'")
    assert page.url.endswith("/setup")

    # The checklist: tick both items; the page saves them (without a reload when scripts run).
    for index in (0, 1):
        tab_to(page, f"el.id === 'checklist-1-item-{index}'")
        page.keyboard.press("Space")
    expect(page.locator("#checklist-1-status")).to_contain_text("2 of 2 ticked")
    page.reload()
    assert page.is_checked("#checklist-1-item-0") and page.is_checked("#checklist-1-item-1")
    press_on(page, "el.rel === 'next'")
    assert page.url.endswith("/practice")

    # Practice and reflection, typed in.
    tab_to(page, "el.name === 'text'")
    page.keyboard.type("Twenty replies a month from local groups by June.")
    press_on(page, "el.textContent.trim() === 'Hand in'")
    assert "Approved" in page.inner_text("main")
    tab_to(page, "el.name === 'body'")
    page.keyboard.type("Small steady steps matter more than a burst.")
    press_on(page, "el.textContent.includes('Save to my journal')")

    # Done: the course is complete and the certificate is one keypress away.
    press_on(page, "el.textContent.includes('Back to the course outline')")
    assert "100%" in page.inner_text("main")
    press_on(page, "el.textContent.includes('View your certificate')")
    assert "Kim Keys" in page.inner_text("main") and "Keyboard course" in page.inner_text("main")
    assert page.js_errors == []

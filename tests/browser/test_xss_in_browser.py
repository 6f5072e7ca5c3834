"""In Chromium, a lesson written from hundreds of XSS vectors runs no script at all."""

from __future__ import annotations

import pytest
import yaml

from courseware.auth.services import create_user
from courseware.content.services import import_courses
from courseware.learn.enrollment import enroll
from tests.browser.conftest import injected_markup, log_in
from tests.conftest import TEST_PASSWORD
from tests.security.xss_vectors import lesson_vectors

pytestmark = pytest.mark.browser


@pytest.fixture
def hostile_lesson(live_app, live_db, tmp_path):
    vectors = lesson_vectors()
    folder = tmp_path / "hostile-course"
    (folder / "only").mkdir(parents=True)
    (folder / "course.yaml").write_text(
        yaml.safe_dump(
            {
                "slug": "hostile-course",
                "title": "Hostile",
                "summary": vectors[0],
                "modules": [{"slug": "only", "title": "Only"}],
            },
            sort_keys=False,
        )
    )
    front = {
        "title": "Vectors",
        "minutes": 5,
        "activities": [
            {
                "type": "quiz",
                "pass_mark": 1,
                "questions": [
                    {
                        "prompt": vector,
                        "choices": [
                            {"text": vector, "correct": True, "feedback": vector},
                            {"text": "plain", "correct": False, "feedback": vector},
                        ],
                    }
                    for vector in vectors[:80]
                ],
            },
            {"type": "reflection", "prompt": "\n\n".join(vectors[:60])},
        ],
    }
    body = "\n\n".join(vectors)
    (folder / "only" / "01-vectors.md").write_text(f"---\n{yaml.safe_dump(front, sort_keys=False)}---\n\n{body}\n")
    course = import_courses(str(folder)).courses[0]
    learner = create_user(f"xss-{tmp_path.name[-10:]}@example.org", "Vic Tim", TEST_PASSWORD)
    enroll(learner, course)
    live_db.session.commit()
    return learner


def test_no_script_runs_on_a_lesson_made_of_vectors(page, base_url, hostile_lesson):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, base_url, hostile_lesson.email)
    page.goto(f"{base_url}/learn/hostile-course/vectors")
    assert "Vectors" in page.title()
    # hover and focus everything, click every link that stays on the page, then answer the quiz
    for element in page.locator("main a:visible, main img:visible, main label:visible").all()[:300]:
        element.hover(timeout=2000, force=True)
    assert injected_markup(page) == []
    protocols = {link.evaluate("a => a.protocol") for link in page.locator("main .lesson-body a").all()}
    assert protocols <= {"http:", "https:", "mailto:"}, protocols  # as the browser resolves each link
    for question in page.locator("fieldset.question").all():
        question.locator("input").first.check()
    page.click("form.quiz button[type=submit]")
    page.wait_for_load_state()
    page.wait_for_timeout(500)
    assert dialogs == []
    assert not [error for error in page.js_errors if "1337" in error]

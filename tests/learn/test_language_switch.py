"""A learner who changes language mid-course keeps their progress: the same lessons done, the
same percentage, on the course, the lesson's menu and My progress, now in the new language."""

from __future__ import annotations

import re

from flask_babel import force_locale, gettext
from sqlalchemy import select

from courseware.learn.enrollment import enroll
from courseware.models import LessonProgress
from tests.conftest import post
from tests.learn.player import form_key, lesson_url


def page_language(html: str) -> str:
    match = re.search(r'<html lang="([^"]+)"', html)
    assert match, "no lang on <html>"
    return match.group(1)


def lesson_states(html: str) -> list[str]:
    """The state of each lesson in the course outline, in order."""
    return re.findall(r'class="lesson-row state-([\w-]+)"', html)


def menu_states(html: str) -> list[str]:
    """The state of each lesson in the course menu beside a lesson, in order."""
    menu = html[html.index('class="course-nav"') : html.index("</aside>")]
    return re.findall(r'<li class="state-([\w-]+)"', menu)


def progress_values(html: str) -> list[str]:
    return re.findall(r'<progress max="100" value="(\d+)"', html)


def completed_lessons(db, user) -> set[int]:
    return set(
        db.session.scalars(
            select(LessonProgress.lesson_id).where(
                LessonProgress.user_id == user.id, LessonProgress.status == "completed"
            )
        )
    )


def test_switching_to_spanish_mid_course_keeps_the_progress(app, db, client, make_user, make_course, login):
    learner = make_user("sofia@example.org")
    course = make_course()
    enroll(learner, course)
    db.session.commit()
    login(learner)

    # In English: pass the first lesson's quiz and read the second lesson.
    html = client.get(lesson_url(course, "first")).get_data(as_text=True)
    assert page_language(html) == "en"
    action = f"/learn/{course.slug}/first/quiz/quiz-1"
    answered = post(client, action, {"q0": "0", "form_key": form_key(html, action)})
    assert answered.status_code == 302
    client.get(lesson_url(course, "second"))
    assert post(client, f"/learn/{course.slug}/second/read").status_code == 302
    done = completed_lessons(db, learner)
    assert len(done) == 2

    menu = menu_states(client.get(lesson_url(course, "third")).get_data(as_text=True))
    assert menu == ["done", "done", "in-progress"]
    outline = client.get(f"/learn/{course.slug}").get_data(as_text=True)
    states = lesson_states(outline)
    assert states == ["done", "done", "in-progress"]
    percent = progress_values(outline)
    assert percent == ["66"]
    mine = progress_values(client.get("/progress").get_data(as_text=True))
    assert mine == ["66"]

    # The account's preferences: English → Español.
    saved = post(client, "/account/preferences", {"time_zone": "UTC", "locale": "es"})
    assert saved.status_code in (302, 303)
    db.session.refresh(learner)
    assert learner.locale == "es"

    outline = client.get(f"/learn/{course.slug}").get_data(as_text=True)
    assert page_language(outline) == "es"
    assert lesson_states(outline) == states
    assert progress_values(outline) == percent
    with app.test_request_context(), force_locale("es"):
        done_badge, menu_title = gettext("Done"), gettext("Course menu")
    assert outline.count(f">{done_badge}</span>") == 2

    lesson = client.get(lesson_url(course, "third")).get_data(as_text=True)
    assert page_language(lesson) == "es"
    assert menu_states(lesson) == menu
    # The menu kept for English readers is not the one shown in Spanish.
    assert f'<summary id="course-nav-title">{menu_title} ' in lesson

    first = client.get(lesson_url(course, "first")).get_data(as_text=True)
    with app.test_request_context(), force_locale("es"):
        completed = gettext("You have completed this lesson.")
    assert completed in first
    mine_es = client.get("/progress").get_data(as_text=True)
    assert page_language(mine_es) == "es"
    assert progress_values(mine_es) == mine
    assert completed_lessons(db, learner) == done

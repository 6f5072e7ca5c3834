"""The course map: my learning, the outline, lessons opening in order, where to continue."""

import re

import pytest
from sqlalchemy import func, select

from courseware.exceptions import NotAllowed, NotOpenYet
from courseware.learn.course_map import lesson_for_learner
from courseware.learn.enrollment import enroll
from courseware.models import QuizAttempt
from tests.conftest import QUIZ, post
from tests.learn.player import CHECKLIST, events, form_key, lesson_url


def test_home_lists_assigned_courses_with_continue(client, db, make_user, make_course, login):
    learner = make_user()
    course = make_course()
    enroll(learner, course)
    db.session.commit()
    login(learner)
    html = client.get("/learn").get_data(as_text=True)
    assert course.title in html
    assert f'href="/learn/{course.slug}/first"' in html
    assert "Start" in html and "0%" in html


def test_a_locked_lesson_offers_the_lesson_to_do_next(client, db, make_user, make_course, login):
    learner = make_user()
    course = make_course()
    enroll(learner, course)
    db.session.commit()
    login(learner)
    response = client.get(lesson_url(course, "second"))
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "opens once you have finished the lessons before it" in html
    assert re.search(rf'<a class="button primary" href="/learn/{course.slug}/first">Go to the lesson to do next', html)


def test_unenrolled_course_is_not_found(client, make_user, make_course, login):
    learner = make_user()
    course = make_course()
    login(learner)
    assert client.get(f"/learn/{course.slug}").status_code == 404
    assert client.get(lesson_url(course, "first")).status_code == 404


def test_lessons_unlock_in_order(client, db, make_user, make_course, login):
    learner = make_user()
    course = make_course()
    enroll(learner, course)
    db.session.commit()
    login(learner)
    assert client.get(lesson_url(course, "second")).status_code == 403
    outline = client.get(f"/learn/{course.slug}").get_data(as_text=True)
    assert "Locked" in outline
    html = client.get(lesson_url(course, "first")).get_data(as_text=True)
    action = f"/learn/{course.slug}/first/quiz/quiz-1"
    response = post(client, action, {"q0": "0", "form_key": form_key(html, action)})
    assert response.status_code == 302
    assert client.get(lesson_url(course, "second")).status_code == 200
    assert client.get(lesson_url(course, "third")).status_code == 403


def test_steps_on_a_locked_lesson_or_unenrolled_course_are_refused_and_change_nothing(
    app, client, db, make_user, make_course, login
):
    course = make_course(
        modules=[("m", [("first", [QUIZ]), ("second", [QUIZ]), ("third", []), ("fourth", [CHECKLIST])])]
    )
    learner, stranger = make_user(), make_user()
    enrollment = enroll(learner, course)
    db.session.commit()
    login(learner)
    response = post(client, f"/learn/{course.slug}/second/quiz/quiz-1", {"q0": "0", "form_key": "k1"})
    assert response.status_code == 403
    assert "opens once you have finished the lessons before it" in response.get_data(as_text=True)
    assert post(client, f"/learn/{course.slug}/third/read", {}).status_code == 403
    assert post(client, f"/learn/{course.slug}/fourth/checklist/checklist-1", {"item": "0"}).status_code == 403
    other = app.test_client()
    login(stranger, target=other)
    assert post(other, f"/learn/{course.slug}/first/quiz/quiz-1", {"q0": "0", "form_key": "k2"}).status_code == 404
    assert post(other, f"/learn/{course.slug}/third/read", {}).status_code == 404
    assert post(other, f"/learn/{course.slug}/nowhere/read", {}).status_code == 404
    assert post(other, f"/learn/{course.slug}/fourth/checklist/checklist-1", {"item": "0"}).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 0
    assert events(db, learner) == events(db, learner, "enrolled") and events(db, stranger) == 0
    db.session.refresh(enrollment)
    assert enrollment.started_at is None and enrollment.last_activity_at is None


def test_reading_a_lesson_without_activities_and_resume(client, db, make_user, make_course, login):
    learner = make_user()
    course = make_course(modules=[("m", [("intro", []), ("next", []), ("last", [])])])
    enroll(learner, course)
    db.session.commit()
    login(learner)
    assert client.get(f"/learn/{course.slug}/continue").headers["Location"].endswith("/intro")
    post(client, f"/learn/{course.slug}/intro/read")
    post(client, f"/learn/{course.slug}/intro/read")
    assert events(db, learner, "read") == 1
    assert client.get(f"/learn/{course.slug}/continue").headers["Location"].endswith("/next")


def test_progress_api_with_session_token_and_without(client, db, make_user, make_course, login, app):
    learner = make_user()
    course = make_course()
    enroll(learner, course)
    db.session.commit()
    anonymous = app.test_client()
    response = anonymous.get("/api/v1/me/progress")
    assert response.status_code == 401 and response.get_json()["error"]["status"] == 401
    login(learner)
    body = client.get("/api/v1/me/progress").get_json()
    lessons = body["courses"][0]["modules"][0]["lessons"]
    assert [(lesson["slug"], lesson["locked"]) for lesson in lessons] == [
        ("first", False),
        ("second", True),
        ("third", True),
    ]
    html = post(client, "/account", {"name": "my script"}).get_data(as_text=True)
    token = re.search(r'id="new-token"[^>]*value="([^"]+)"', html).group(1)
    response = anonymous.get("/api/v1/me/progress", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.get_json()["user"]["email"] == learner.email
    assert anonymous.get("/api/v1/me/progress", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_a_locked_lesson_is_not_open_yet_and_a_missing_one_is_not_allowed(db, make_user, make_course):
    learner = make_user()
    course = make_course()
    enroll(learner, course)
    db.session.commit()
    with pytest.raises(NotOpenYet):
        lesson_for_learner(learner, course, "second")
    with pytest.raises(NotAllowed) as missing:
        lesson_for_learner(learner, course, "nowhere")
    assert not isinstance(missing.value, NotOpenYet)
    lesson, cmap = lesson_for_learner(learner, course, "first")
    assert (lesson.slug, cmap.next_lesson.slug) == ("first", "first")

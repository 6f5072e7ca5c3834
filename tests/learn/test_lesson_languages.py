"""A learner reads a course in their language where it is translated, and in the course's own
language otherwise; progress and quiz scores belong to the lesson, whatever the language."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from courseware.content.services import import_courses
from courseware.learn.enrollment import enroll
from courseware.models import Course, LessonProgress, QuizAttempt
from tests.conftest import post
from tests.content.samples import TRANSLATED, write_course
from tests.core.web import page

QUIZ_URL = "/learn/sample-course/first-steps/quiz/quiz-1"


@pytest.fixture
def course(db, tmp_path):
    write_course(tmp_path / "lessons", TRANSLATED)
    import_courses(tmp_path / "lessons")
    db.session.commit()
    return db.session.scalar(select(Course).where(Course.slug == "sample-course"))


@pytest.fixture
def learner_in(db, make_user, course):
    def make(locale: str):
        person = make_user(email=f"learner-{locale or 'none'}@example.org")
        person.locale = locale
        enroll(person, course)
        db.session.commit()
        return person

    return make


def test_a_spanish_learner_reads_the_course_and_lesson_in_spanish(client, login, learner_in):
    login(learner_in("es"))
    outline = page(client.get("/learn/sample-course")).text
    assert "Curso de ejemplo" in outline and "Lo básico" in outline and "Primeros pasos" in outline
    assert "Sample course" not in outline and "First steps" not in outline
    lesson = page(client.get("/learn/sample-course/first-steps")).text
    assert "Primeros pasos" in lesson and "Por qué escuchar primero" in lesson
    assert "¿Qué va primero?" in lesson and "Los objetivos" in lesson
    assert "What comes first?" not in lesson and "Why listen first" not in lesson
    home = page(client.get("/learn")).text
    assert "Curso de ejemplo" in home


def test_a_lesson_without_a_translation_is_shown_in_the_course_language(client, login, learner_in):
    login(learner_in("fr"))
    outline = page(client.get("/learn/sample-course")).text
    assert "Cours d'exemple" in outline  # the course's title is translated into French
    assert "First steps" in outline and "Lecture seule" in outline  # one lesson of three is
    lesson = page(client.get("/learn/sample-course/first-steps")).text
    assert "What comes first?" in lesson and "Why listen first" in lesson


def _answer(client, answers: dict[str, str], key: str):
    response = post(client, QUIZ_URL, {**answers, "form_key": key})
    assert response.status_code == 302
    return page(client.get(response.headers["Location"])).text


@pytest.mark.parametrize(
    "answers", [{"q0": "1", "q1": "0"}, {"q0": "0", "q1": "0"}, {"q0": "0", "q1": ["0", "1"]}, {"q0": "1", "q1": "2"}]
)
def test_the_spanish_quiz_scores_the_same_choices_as_the_english_one(app, db, login, learner_in, answers):
    scores = {}
    for locale in ("en", "es"):
        person = learner_in(locale)
        browser = app.test_client()
        login(person, target=browser)
        text = _answer(browser, answers, f"form-{locale}")
        attempt = db.session.scalar(select(QuizAttempt).where(QuizAttempt.user_id == person.id))
        scores[locale] = (attempt.score, attempt.max_score, attempt.passed, attempt.answers, attempt.revision_id)
        if locale == "es" and answers["q0"] == "1":
            assert "Si publicas antes de escuchar, te pierdes la conversación." in text
    assert scores["en"] == scores["es"]


def test_a_learner_who_switches_language_keeps_their_progress(db, client, login, learner_in):
    person = learner_in("en")
    login(person)
    text = _answer(client, {"q0": "0", "q1": ["0", "1"]}, "form-1")
    assert "Passed" in text
    status = db.session.scalar(select(LessonProgress.status).where(LessonProgress.user_id == person.id))

    person.locale = "es"
    db.session.commit()
    lesson = page(client.get("/learn/sample-course/first-steps")).text
    assert "Primeros pasos" in lesson
    assert db.session.scalar(select(LessonProgress.status).where(LessonProgress.user_id == person.id)) == status
    assert status == "in_progress"  # the quiz is passed; the checklist waits for a trainer
    passed = db.session.scalars(select(QuizAttempt.passed).where(QuizAttempt.user_id == person.id)).all()
    assert passed == [True]


def test_a_revised_translation_is_shown_at_once(db, client, login, learner_in, course):
    from courseware.content import translations
    from courseware.models import Lesson

    login(learner_in("es"))
    assert "Primeros pasos" in page(client.get("/learn/sample-course/first-steps")).text
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "first-steps"))
    text = translations.translation_text(lesson, "es").replace("Primeros pasos", "Los primeros pasos")
    translations.save_translation_text(lesson, "es", text.replace("¿Qué va primero?", "¿Qué viene antes?"), None)
    db.session.commit()
    shown = page(client.get("/learn/sample-course/first-steps")).text
    assert "Los primeros pasos" in shown and "¿Qué viene antes?" in shown
    assert "Los primeros pasos" in page(client.get("/learn/sample-course")).text


def test_my_progress_names_the_course_and_lesson_in_the_learners_language(app, client, login, learner_in):
    login(learner_in("es"))
    response = post(client, QUIZ_URL, {"q0": "1", "q1": "0", "form_key": "timeline"})
    assert response.status_code == 302
    timeline = page(client.get("/progress")).text
    assert "Curso de ejemplo" in timeline and "Primeros pasos" in timeline
    assert "Sample course" not in timeline and "First steps" not in timeline

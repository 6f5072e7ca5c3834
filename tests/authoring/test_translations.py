"""The editor's translations: a lesson's translation beside its original, checked as its file
would be; "needs updating" after the original is revised, until the translation is saved again;
the course's titles in other languages."""

from __future__ import annotations

from sqlalchemy import select

from courseware.content import translations
from courseware.learn.enrollment import enroll
from courseware.models import LessonTranslation
from tests.authoring.test_revisions import edit_and_save
from tests.conftest import QUIZ, lesson_of, post
from tests.core.web import form_on, page


def spanish(text: str) -> str:
    for english, translated in (
        ("What comes first?", "¿Qué va primero?"),
        ("text: Objectives", "text: Los objetivos"),
        ("text: Posting", "text: Publicar"),
        ("Yes: objectives tell you what to listen for.", "Sí: los objetivos te dicen qué escuchar."),
        ("Posting before listening misses the conversation.", "Publicar antes de escuchar pierde la conversación."),
        ("title: Lesson first", "title: Lección primera"),
    ):
        text = text.replace(english, translated)
    return text


def _lesson(db, owned_course):
    course = owned_course(modules=[("m", [("first", [QUIZ])])])
    return course, lesson_of(db, course, "first")


def _save(client, lesson, text: str, language: str = "es"):
    url = f"/author/lessons/{lesson.id}/translations/{language}"
    fields = form_on(client.get(url), url)
    fields["text"] = [text]
    return client.post(url, data=fields)


def test_a_trainer_adds_a_translation_beside_the_original(client, db, login, trainer, owned_course):
    course, lesson = _lesson(db, owned_course)
    login(trainer)
    editor = page(client.get(f"/author/lessons/{lesson.id}/edit")).text
    assert "Add a translation into Spanish" in editor and "Add a translation into French" in editor

    url = f"/author/lessons/{lesson.id}/translations/es"
    shown = client.get(url)
    assert shown.status_code == 200
    text = form_on(shown, url)["text"][0]
    assert "What comes first?" in text and "minutes" not in text  # starts from the original's texts
    assert "What comes first?" in page(shown).text  # the original beside it

    response = _save(client, lesson, spanish(text))
    assert response.status_code == 302
    stored = translations.translation_of(lesson, "es")
    assert stored.title == "Lección primera" and stored.revision_id == lesson.published_revision_id
    assert stored.activities[0]["questions"][0]["choices"][1]["feedback"].startswith("Publicar antes")
    editor = page(client.get(f"/author/lessons/{lesson.id}/edit")).text
    assert "Edit the translation into Spanish" in editor and "up to date" in editor


def test_a_translation_that_changes_an_answer_is_refused_with_its_line_and_kept(
    client, db, login, trainer, owned_course
):
    course, lesson = _lesson(db, owned_course)
    login(trainer)
    url = f"/author/lessons/{lesson.id}/translations/es"
    text = spanish(form_on(client.get(url), url)["text"][0]).replace("correct: false", "correct: true")
    response = _save(client, lesson, text)
    assert response.status_code == 422
    shown = page(response).text
    assert "quiz question 1, choice 2: 'correct' is the true/false value true here but the true/false value false" in (
        shown
    )
    assert "first.es.md, line 13" in shown
    assert "¿Qué va primero?" in form_on(response, url)["text"][0]
    assert db.session.scalar(select(LessonTranslation)) is None


def test_revising_the_original_marks_the_translation_until_it_is_revised(client, db, login, trainer, owned_course):
    course, lesson = _lesson(db, owned_course)
    login(trainer)
    url = f"/author/lessons/{lesson.id}/translations/es"
    _save(client, lesson, spanish(form_on(client.get(url), url)["text"][0]))

    edit_and_save(client, lesson, button="publish", body="A new paragraph.")
    editor = page(client.get(f"/author/lessons/{lesson.id}/edit")).text
    assert "needs updating" in editor
    assert "needs updating" in page(client.get(url)).text
    assert "Spanish: needs updating" in page(client.get(f"/author/courses/{course.id}")).text

    response = _save(client, lesson, form_on(client.get(url), url)["text"][0].replace("Lesson", "Lección"))
    assert response.status_code == 302
    editor = page(client.get(f"/author/lessons/{lesson.id}/edit")).text
    assert "needs updating" not in editor and "up to date" in editor
    assert "needs updating" not in page(client.get(f"/author/courses/{course.id}")).text


def test_learners_never_see_needs_updating_and_still_read_the_translation(
    client, db, login, trainer, owned_course, make_user
):
    course, lesson = _lesson(db, owned_course)
    login(trainer)
    url = f"/author/lessons/{lesson.id}/translations/es"
    _save(client, lesson, spanish(form_on(client.get(url), url)["text"][0]))
    edit_and_save(client, lesson, button="publish", body="A new paragraph.")
    learner = make_user()
    learner.locale = "es"
    enroll(learner, course)
    db.session.commit()
    other = client.application.test_client()
    login(learner, target=other)
    text = page(other.get(f"/learn/{course.slug}/first")).text
    assert "¿Qué va primero?" in text and "needs updating" not in text


def test_translations_are_for_editors_of_the_course_and_its_other_languages(client, db, login, make_user, owned_course):
    course, lesson = _lesson(db, owned_course)
    login(make_user(roles=("trainer",)))
    assert client.get(f"/author/lessons/{lesson.id}/translations/es").status_code == 404


def test_a_language_the_course_cannot_have_is_not_found(client, db, login, trainer, owned_course):
    course, lesson = _lesson(db, owned_course)
    login(trainer)
    assert client.get(f"/author/lessons/{lesson.id}/translations/en").status_code == 404
    assert client.get(f"/author/lessons/{lesson.id}/translations/de").status_code == 404
    assert client.get(f"/author/courses/{course.id}/translations/xx").status_code == 404


def test_removing_a_translation_leaves_the_original(client, db, login, trainer, owned_course):
    course, lesson = _lesson(db, owned_course)
    login(trainer)
    url = f"/author/lessons/{lesson.id}/translations/es"
    _save(client, lesson, spanish(form_on(client.get(url), url)["text"][0]))
    response = post(client, f"{url}/remove")
    assert response.status_code == 302
    assert translations.translation_of(lesson, "es") is None


def test_the_course_titles_in_another_language(client, db, login, trainer, owned_course):
    course, lesson = _lesson(db, owned_course)
    login(trainer)
    assert "The course in Spanish" in page(client.get(f"/author/courses/{course.id}")).text
    url = f"/author/courses/{course.id}/translations/es"
    fields = form_on(client.get(url), url)
    fields.update({"title": ["Curso"], "summary": ["Un resumen."], "module-m": ["Módulo"]})
    assert client.post(url, data=fields).status_code == 302
    db.session.refresh(course)
    assert course.translations == {"es": {"title": "Curso", "summary": "Un resumen.", "modules": {"m": "Módulo"}}}

    fields.update({"title": [""]})
    response = client.post(url, data=fields)
    assert response.status_code == 422 and "Give the course" in page(response).text

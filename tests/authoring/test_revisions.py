"""Revisions: each save is kept with its author and time; diffs; restore as a new draft; publishing
an edit leaves learners' progress and quiz attempts as they were."""

from __future__ import annotations

from sqlalchemy import select

from courseware.learn.activities import answer_quiz
from courseware.learn.enrollment import enroll
from courseware.models import LessonProgress, LessonRevision, QuizAttempt
from tests.authoring.test_authoring import send
from tests.conftest import QUIZ, lesson_of, post
from tests.core.web import form_on, page


def edit_and_save(client, lesson, button="save", **changes):
    url = f"/author/lessons/{lesson.id}/edit"
    fields = form_on(client.get(url), url)
    fields.update({name: [value] for name, value in changes.items()})
    response = send(client, url, fields, button)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def revisions_of(db, lesson):
    return db.session.scalars(
        select(LessonRevision).where(LessonRevision.lesson_id == lesson.id).order_by(LessonRevision.number)
    ).all()


def test_every_save_is_listed_with_its_author_and_time(client, db, login, trainer, owned_course):
    course = owned_course(modules=[("one", [("topic", [])])])
    lesson = lesson_of(db, course, "topic")
    login(trainer)
    edit_and_save(client, lesson, body="Second words.")
    edit_and_save(client, lesson, body="Third words.")
    rows = revisions_of(db, lesson)
    assert [r.number for r in rows] == [1, 2, 3]
    assert all(r.author_id == trainer.id for r in rows[1:]) and all(r.created_at for r in rows)

    listing = page(client.get(f"/author/lessons/{lesson.id}/revisions")).text
    assert "Tess Trainer" in listing and "3: Lesson topic" in listing and "published" in listing


def test_the_diff_shows_the_lines_each_revision_changed(client, db, login, trainer, owned_course):
    course = owned_course(modules=[("one", [("topic", [])])])
    lesson = lesson_of(db, course, "topic")
    login(trainer)
    edit_and_save(client, lesson, body="Keep this line.\n\nOld ending.")
    edit_and_save(client, lesson, body="Keep this line.\n\nNew ending.", title="Better title")
    old, new = revisions_of(db, lesson)[1:]
    response = client.get(f"/author/lessons/{lesson.id}/diff?old={old.id}&new={new.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Removed line" in html and "Old ending." in html[html.index('class="removed"') :]
    assert "New ending." in html[html.index('class="added"') :]
    assert "title: Better title" in html
    # Revisions of another lesson cannot be compared here.
    other = owned_course(modules=[("x", [("elsewhere", [])])])
    foreign = revisions_of(db, lesson_of(db, other, "elsewhere"))[0]
    assert client.get(f"/author/lessons/{lesson.id}/diff?old={foreign.id}&new={new.id}").status_code == 404


def test_restore_copies_an_old_revision_into_a_new_draft_and_publish_makes_it_live(
    client, db, login, trainer, owned_course
):
    course = owned_course(modules=[("one", [("topic", [QUIZ])])])
    lesson = lesson_of(db, course, "topic")
    login(trainer)
    first = revisions_of(db, lesson)[0]
    edit_and_save(client, lesson, "publish", body="Rewritten.")
    db.session.refresh(lesson)
    assert lesson.published_revision.body == "Rewritten."

    assert post(client, f"/author/lessons/{lesson.id}/revisions/{first.id}/restore").status_code == 302
    restored = revisions_of(db, lesson)[-1]
    assert restored.number == 3 and restored.source == "restore" and restored.author_id == trainer.id
    assert (restored.body, restored.activities) == (first.body, first.activities)
    db.session.refresh(lesson)
    assert lesson.published_revision.body == "Rewritten."  # a restore is a draft until published

    assert post(client, f"/author/lessons/{lesson.id}/revisions/{restored.id}/publish").status_code == 302
    db.session.refresh(lesson)
    assert lesson.published_revision_id == restored.id
    assert [r.number for r in revisions_of(db, lesson)] == [1, 2, 3]  # nothing was rewritten


def test_publishing_an_edit_keeps_learners_progress_and_quiz_attempts(
    app, client, db, login, make_user, trainer, owned_course
):
    course = owned_course(modules=[("one", [("quizzed", [QUIZ]), ("next", [])])])
    lesson = lesson_of(db, course, "quizzed")
    first = lesson.published_revision
    learner = make_user()
    enroll(learner, course)
    attempt = answer_quiz(learner, lesson, QUIZ, {0: {0}}, form_key="k1")
    db.session.commit()
    progress = db.session.get(LessonProgress, (learner.id, lesson.id))
    assert attempt.passed and progress.status == "completed"
    completed_at = progress.completed_at

    login(trainer)
    edit_and_save(
        client,
        lesson,
        "publish",
        **{"act-0-q-0-prompt": "What do you do before posting?", "act-0-q-0-c-0-text": "Listen"},
    )
    db.session.expire_all()
    assert lesson.published_revision_id != first.id
    progress = db.session.get(LessonProgress, (learner.id, lesson.id))
    assert progress.status == "completed" and progress.completed_at == completed_at
    kept = db.session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == learner.id)).all()
    assert [(a.id, a.revision_id, a.passed) for a in kept] == [(attempt.id, first.id, True)]

    learner_client = app.test_client()
    login(learner, target=learner_client)
    shown = learner_client.get(f"/learn/{course.slug}/quizzed")
    assert shown.status_code == 200 and "What do you do before posting?" in page(shown).text


def test_a_learner_who_had_the_lesson_open_sees_what_the_trainer_publishes_next(
    app, client, db, login, make_user, trainer, owned_course
):
    """What workers keep of a course (its outline, the lesson, the menu, the quiz) follows every change."""
    course = owned_course(modules=[("one", [("quizzed", [QUIZ]), ("next", [])])])
    lesson = lesson_of(db, course, "quizzed")
    learner = make_user()
    enroll(learner, course)
    db.session.commit()
    learner_client = app.test_client()
    login(learner, target=learner_client)
    before = page(learner_client.get(f"/learn/{course.slug}/quizzed")).text
    assert "Lesson next" in before and "Brand new title" not in before

    login(trainer)
    edit_and_save(
        client,
        lesson,
        "publish",
        title="Brand new title",
        body="Freshly published words.",
        **{"act-0-q-0-prompt": "A question asked differently?"},
    )
    post(client, f"/author/lessons/{lesson_of(db, course, 'next').id}/archive", {"archived": "1", "confirmed": "1"})

    after = page(learner_client.get(f"/learn/{course.slug}/quizzed")).text
    assert "Brand new title" in after
    assert "Freshly published words." in after
    assert "A question asked differently?" in after
    assert "Lesson next" not in after
    assert "Brand new title" in page(learner_client.get(f"/learn/{course.slug}")).text


def test_publishing_in_a_draft_course_never_says_learners_see_it(client, db, login, trainer, owned_course):
    course = owned_course(modules=[("one", [("topic", [QUIZ])])])
    lesson = lesson_of(db, course, "topic")
    login(trainer)
    course.status = "draft"
    db.session.commit()
    edit_and_save(client, lesson, "publish", body="Rewritten.")
    said = client.get(f"/author/lessons/{lesson.id}/edit").get_data(as_text=True)
    assert "learners see it now" not in said
    assert "The course is a draft, so learners will see it once the course is published." in said
    assert "Learners see revision" not in said
    assert "but the course is a draft: learners see the lesson once the course is published" in said
    first = revisions_of(db, lesson)[0]
    post(client, f"/author/lessons/{lesson.id}/revisions/{first.id}/publish")
    said = client.get(f"/author/lessons/{lesson.id}/revisions").get_data(as_text=True)
    assert "Revision 1 published. The course is a draft" in said and "learners see it now" not in said

    course.status = "published"
    db.session.commit()
    edit_and_save(client, lesson, "publish", body="Live now.")
    assert "published: learners see it now." in client.get(f"/author/lessons/{lesson.id}/edit").get_data(as_text=True)

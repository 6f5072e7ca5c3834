"""Authoring in the browser: courses, modules, lessons, and the lesson editor's forms."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from courseware.models import Course, CourseStaff, Lesson, LessonRevision, Module
from tests.conftest import QUIZ, lesson_of, post, post_confirmed
from tests.core.web import form_on, page, path_of


def revision_count(db, lesson) -> int:
    return db.session.scalar(
        select(func.count()).select_from(LessonRevision).where(LessonRevision.lesson_id == lesson.id)
    )


def send(client, action: str, fields: dict, button: str | None = None, **extra):
    """Post a form as the browser would after pressing the submit button named ``action`` = ``button``."""
    data = dict(fields)
    if button is not None:
        data["action"] = button
    data.update(extra)
    return client.post(action, data=data)


# --- courses -------------------------------------------------------------------------------------


def test_a_trainer_lists_and_opens_only_the_courses_they_own_or_edit(
    client, db, login, make_user, trainer, owned_course, make_course
):
    mine = owned_course()
    granted = make_course()
    db.session.add(CourseStaff(course_id=granted.id, user_id=trainer.id, role="editor"))
    other = make_course()
    db.session.commit()
    login(trainer)

    listing = page(client.get("/author/")).text
    assert mine.title in listing and granted.title in listing
    assert other.title not in listing
    assert client.get(f"/author/courses/{mine.id}").status_code == 200
    assert client.get(f"/author/courses/{granted.id}").status_code == 200
    assert client.get(f"/author/courses/{other.id}").status_code == 404


def test_a_learner_cannot_open_the_authoring_pages_and_an_admin_sees_every_course(
    app, client, make_user, make_course, login
):
    course = make_course()
    login(make_user())
    assert client.get("/author/").status_code == 403
    assert client.get(f"/author/courses/{course.id}").status_code == 403

    admin_client = app.test_client()
    login(make_user(roles=("admin",)), target=admin_client)
    assert course.title in page(admin_client.get("/author/")).text
    assert admin_client.get(f"/author/courses/{course.id}").status_code == 200


def test_creating_a_course_makes_a_draft_owned_by_its_trainer(client, db, login, trainer):
    login(trainer)
    response = post(
        client, "/author/courses/new", {"title": "Listening well", "summary": "Hear first.", "status": "draft"}
    )
    assert response.status_code == 302
    course = db.session.scalar(select(Course).where(Course.slug == "listening-well"))
    assert course.owner_id == trainer.id and course.status == "draft"
    assert path_of(response.location) == f"/author/courses/{course.id}"

    again = post(
        client, "/author/courses/new", {"title": "Listening again", "summary": "More.", "slug": "listening-well"}
    )
    assert again.status_code == 422
    shown = page(again)
    assert any("exists already" in error for error in shown.errors)
    assert shown.value("title") == "Listening again"


def test_course_settings_change_title_summary_and_status(client, db, login, trainer, owned_course):
    course = owned_course()
    login(trainer)
    settings = {"title": "Renamed", "summary": "New words.", "status": "archived"}
    asked = post(client, f"/author/courses/{course.id}", settings)
    assert asked.status_code == 200 and "Archive the course" in asked.get_data(as_text=True)
    db.session.refresh(course)
    assert course.status != "archived"
    response = post(client, f"/author/courses/{course.id}", {**settings, "confirmed": "1"})
    assert response.status_code == 302
    db.session.refresh(course)
    assert (course.title, course.summary, course.status) == ("Renamed", "New words.", "archived")

    refused = post(client, f"/author/courses/{course.id}", {"title": "", "summary": "x", "status": "draft"})
    assert refused.status_code == 422
    db.session.refresh(course)
    assert course.title == "Renamed"


def test_an_admin_grants_and_withdraws_the_right_to_edit_a_course(
    app, client, db, login, make_user, trainer, make_course
):
    course = make_course()
    admin = make_user(roles=("admin",))
    login(trainer)
    assert client.get(f"/author/courses/{course.id}").status_code == 404
    assert post(client, f"/author/courses/{course.id}/editors", {"person": trainer.id}).status_code == 403

    admin_client = app.test_client()
    login(admin, target=admin_client)
    assert post(admin_client, f"/author/courses/{course.id}/editors", {"person": trainer.id}).status_code == 302
    assert client.get(f"/author/courses/{course.id}").status_code == 200

    learner = make_user()
    refused = post(admin_client, f"/author/courses/{course.id}/editors", {"person": learner.id})
    assert refused.status_code == 422  # only trainers appear in the list, and only they can edit

    post_confirmed(admin_client, f"/author/courses/{course.id}/staff/{trainer.id}/editor/remove")
    assert client.get(f"/author/courses/{course.id}").status_code == 404


def test_modules_are_added_renamed_made_optional_reordered_and_archived(client, db, login, trainer, owned_course):
    course = owned_course()
    login(trainer)
    assert post(client, f"/author/courses/{course.id}/modules", {"title": "Going further"}).status_code == 302
    assert post(client, f"/author/courses/{course.id}/modules", {"title": "Going further"}).status_code == 302
    modules = db.session.scalars(select(Module).where(Module.course_id == course.id).order_by(Module.position)).all()
    assert [m.slug for m in modules] == ["basics", "going-further", "going-further-2"]

    extra = modules[2]
    post(
        client,
        f"/author/modules/{extra.id}",
        {f"module-{extra.id}-title": "Extras", f"module-{extra.id}-optional": "y"},
    )
    post(client, f"/author/modules/{extra.id}/move", {"direction": "up"})
    post(client, f"/author/modules/{extra.id}/move", {"direction": "up"})
    db.session.expire_all()
    modules = db.session.scalars(select(Module).where(Module.course_id == course.id).order_by(Module.position)).all()
    assert [(m.title, m.optional) for m in modules][0] == ("Extras", True)
    assert [m.slug for m in modules] == ["going-further-2", "basics", "going-further"]

    post(client, f"/author/modules/{extra.id}/archive", {"archived": "1", "confirmed": "1"})
    db.session.refresh(extra)
    assert extra.archived_at is not None
    assert "archived" in page(client.get(f"/author/courses/{course.id}")).text


def test_lessons_are_added_reordered_moved_and_archived(client, db, login, trainer, owned_course):
    course = owned_course(modules=[("one", [("a", []), ("b", []), ("c", [])]), ("two", [])])
    login(trainer)
    two = db.session.scalar(select(Module).where(Module.course_id == course.id, Module.slug == "two"))

    response = post(client, f"/author/modules/{two.id}/lessons", {f"add-{two.id}-title": "Fresh lesson"})
    lesson = lesson_of(db, course, "fresh-lesson")
    assert path_of(response.location) == f"/author/lessons/{lesson.id}/edit"
    assert lesson.published_revision_id is None and revision_count(db, lesson) == 1

    c = lesson_of(db, course, "c")
    post(client, f"/author/lessons/{c.id}/move", {"direction": "up"})
    one = db.session.get(Module, c.module_id)
    db.session.expire_all()
    order = db.session.scalars(select(Lesson.slug).where(Lesson.module_id == one.id).order_by(Lesson.position)).all()
    assert order == ["a", "c", "b"]

    post(client, f"/author/lessons/{c.id}/move", {"module": two.id})
    db.session.expire_all()
    order = db.session.scalars(select(Lesson.slug).where(Lesson.module_id == two.id).order_by(Lesson.position)).all()
    assert order == ["fresh-lesson", "c"]

    a = lesson_of(db, course, "a")
    asked = post(client, f"/author/lessons/{a.id}/archive", {"archived": "1"})
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Archive the lesson" in html and "Yes, archive it" in html
    assert 'name="confirmed" value="1"' in html and "Cancel and keep it" in html
    db.session.refresh(a)
    assert a.archived_at is None
    post(client, f"/author/lessons/{a.id}/archive", {"archived": "1", "confirmed": "1"})
    db.session.refresh(a)
    assert a.archived_at is not None
    post(client, f"/author/lessons/{a.id}/archive", {"archived": "0"})
    db.session.refresh(a)
    assert a.archived_at is None


# --- the lesson editor ---------------------------------------------------------------------------


def editor(client, lesson):
    url = f"/author/lessons/{lesson.id}/edit"
    return url, client.get(url)


def test_the_editor_writes_a_quiz_through_forms_and_saves_a_draft_then_publishes_it(
    client, db, login, trainer, owned_course
):
    course = owned_course(modules=[("one", [])])
    module = db.session.scalar(select(Module).where(Module.course_id == course.id))
    login(trainer)
    post(client, f"/author/modules/{module.id}/lessons", {f"add-{module.id}-title": "Listening first"})
    lesson = lesson_of(db, course, "listening-first")
    url, response = editor(client, lesson)
    fields = form_on(response, url)
    fields.update(minutes=["7"], body=["## Why\n\nListen **first**."])

    added = send(client, url, fields, "add-activity", new_activity_type="quiz")
    assert added.status_code == 200
    fields = form_on(added, url)
    assert fields["body"] == ["## Why\n\nListen **first**."] and fields["minutes"] == ["7"]
    assert fields["act-0-type"] == ["quiz"] and fields["act-0-key"] == ["quiz-1"]
    fields.update(
        {
            "act-0-pass_mark": ["1"],
            "act-0-q-0-prompt": ["What comes first?"],
            "act-0-q-0-c-0-text": ["Listening"],
            "act-0-q-0-c-0-correct": ["1"],
            "act-0-q-0-c-0-feedback": ["Yes."],
            "act-0-q-0-c-1-text": ["Posting"],
            "act-0-q-0-c-1-feedback": ["Not yet."],
        }
    )
    saved = send(client, url, fields, "save")
    assert saved.status_code == 302
    db.session.refresh(lesson)
    draft = db.session.scalar(
        select(LessonRevision).where(LessonRevision.lesson_id == lesson.id).order_by(LessonRevision.number.desc())
    )
    assert draft.number == 2 and draft.author_id == trainer.id and draft.source == "editor"
    assert lesson.published_revision_id is None
    assert draft.activities == [
        {
            "key": "quiz-1",
            "type": "quiz",
            "pass_mark": 1,
            "questions": [
                {
                    "prompt": "What comes first?",
                    "choices": [
                        {"text": "Listening", "correct": True, "feedback": "Yes."},
                        {"text": "Posting", "correct": False, "feedback": "Not yet."},
                    ],
                }
            ],
        }
    ]

    # Publishing unchanged content publishes the draft without a copy of it.
    fields = form_on(client.get(url), url)
    assert send(client, url, fields, "publish").status_code == 302
    db.session.refresh(lesson)
    assert lesson.published_revision_id == draft.id and revision_count(db, lesson) == 2


def test_format_problems_show_next_to_their_fields_and_keep_every_input(client, db, login, trainer, owned_course):
    course = owned_course(modules=[("one", [("quizzed", [QUIZ])])])
    lesson = lesson_of(db, course, "quizzed")
    login(trainer)
    url, response = editor(client, lesson)
    fields = form_on(response, url)
    fields.update(
        {
            "title": [""],
            "minutes": ["500"],
            "act-0-q-0-c-1-text": [""],  # feedback still there: the row is not blank, so the text is missing
            "act-0-pass_mark": ["lots"],
        }
    )
    before = revision_count(db, lesson)
    refused = send(client, url, fields, "publish")
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    shown = page(refused)
    assert 'id="title-error"' in html and 'id="minutes-error"' in html
    assert 'id="act-0-q-0-c-1-text-error"' in html and 'id="act-0-pass_mark-error"' in html
    assert any("The estimated minutes must be a whole number from 1 to 120" in error for error in shown.errors)
    assert any("Quiz, question 1, choice 2: the choice is empty" in error for error in shown.errors)
    assert any("the pass mark must be a number, not “lots”" in error for error in shown.errors)
    # Plain words: none of the lesson file's own names.
    for error in shown.errors:
        assert not re.search(r"pass_mark|'[a-z_]+'|YAML|correct: true", error), error
    assert 'href="#act-0-q-0-c-1-text"' in html  # the error summary links to the field
    kept = form_on(refused, url)
    assert kept["minutes"] == ["500"] and kept["act-0-pass_mark"] == ["lots"]
    assert kept["act-0-q-0-c-1-feedback"] == fields["act-0-q-0-c-1-feedback"]
    assert revision_count(db, lesson) == before


def test_row_buttons_add_and_remove_rows_keeping_what_was_typed(client, db, login, trainer, owned_course):
    course = owned_course(modules=[("one", [("quizzed", [QUIZ])])])
    lesson = lesson_of(db, course, "quizzed")
    login(trainer)
    url, response = editor(client, lesson)
    fields = form_on(response, url)
    fields["body"] = ["Typed but not saved."]

    with_choice = send(client, url, fields, "add-choice-0-0")
    fields = form_on(with_choice, url)
    assert fields["act-0-q-0-c-count"] == ["3"] and fields["body"] == ["Typed but not saved."]
    assert 'id="act-0-q-0-c-2-text"' in with_choice.get_data(as_text=True)
    assert "autofocus" in with_choice.get_data(as_text=True)

    with_question = send(client, url, fields, "add-question-0")
    fields = form_on(with_question, url)
    assert fields["act-0-q-count"] == ["2"] and fields["act-0-q-1-c-count"] == ["3"]
    fields = form_on(send(client, url, fields, "remove-question-0-1"), url)
    assert fields["act-0-q-count"] == ["1"]

    fields = form_on(send(client, url, fields, "add-activity", new_activity_type="reflection"), url)
    assert fields["act-1-type"] == ["reflection"] and fields["act-1-key"] == ["reflection-1"]
    fields = form_on(send(client, url, fields, "up-activity-1"), url)
    assert fields["act-0-type"] == ["reflection"] and fields["act-1-type"] == ["quiz"]
    fields = form_on(send(client, url, fields, "remove-activity-0"), url)
    assert fields["act-count"] == ["1"] and fields["act-0-type"] == ["quiz"]
    assert fields["body"] == ["Typed but not saved."]
    assert revision_count(db, lesson) == 1  # none of this stored anything

    assert send(client, url, fields, "explode-everything").status_code == 400


def test_preview_renders_the_body_as_learners_see_it_and_stores_nothing(client, db, login, trainer, owned_course):
    course = owned_course(modules=[("one", [("plain", [])])])
    lesson = lesson_of(db, course, "plain")
    login(trainer)
    url, response = editor(client, lesson)
    fields = form_on(response, url)
    fields["body"] = ["Some **bold** words.\n\n<script>alert(1)</script>\n\n[bad](javascript:alert(1))"]
    shown = send(client, url, fields, "preview")
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200
    preview = html[html.index('id="preview-title"') :]
    assert "<strong>bold</strong>" in preview
    assert "<script>alert" not in html and 'href="javascript:' not in html
    assert form_on(shown, url)["body"] == fields["body"]
    assert revision_count(db, lesson) == 1


def test_text_too_long_to_save_gets_an_error_and_no_preview(client, db, login, trainer, owned_course):
    course = owned_course(modules=[("one", [("plain", [])])])
    lesson = lesson_of(db, course, "plain")
    login(trainer)
    url, response = editor(client, lesson)
    fields = form_on(response, url)
    fields["body"] = ["![" * 60_000]
    shown = send(client, url, fields, "preview")
    html = shown.get_data(as_text=True)
    assert shown.status_code == 422
    assert 'id="preview-title"' not in html
    assert "The lesson text is 120,000 characters long; at most 100,000 fit" in html
    assert form_on(shown, url)["body"] == fields["body"]
    assert revision_count(db, lesson) == 1


def test_checklists_practice_and_reflections_are_edited_through_forms(client, db, login, trainer, owned_course):
    course = owned_course(modules=[("one", [("mixed", [])])])
    lesson = lesson_of(db, course, "mixed")
    login(trainer)
    url, response = editor(client, lesson)
    fields = form_on(response, url)
    for kind in ("checklist", "practice", "reflection"):
        fields = form_on(send(client, url, fields, "add-activity", new_activity_type=kind), url)
    fields.update(
        {
            "act-0-item-0": ["Save a search"],
            "act-0-item-2": ["Set an alert"],  # the empty row between is left out
            "act-0-verified_by": ["1"],
            "act-1-prompt": ["Write your bio."],
            "act-1-r-0-name": ["Clear"],
            "act-1-r-0-good": ["Says who you are."],
            "act-2-prompt": ["What did you notice?"],
        }
    )
    fields.pop("act-1-approval", None)  # untick "a trainer must approve"
    assert send(client, url, fields, "publish").status_code == 302
    db.session.refresh(lesson)
    assert lesson.published_revision.activities == [
        {
            "key": "checklist-1",
            "type": "checklist",
            "items": ["Save a search", "Set an alert"],
            "verified_by": "trainer",
        },
        {
            "key": "practice-1",
            "type": "practice",
            "prompt": "Write your bio.",
            "rubric": [{"name": "Clear", "good": "Says who you are."}],
        },
        {"key": "reflection-1", "type": "reflection", "prompt": "What did you notice?"},
    ]


def test_a_new_activity_never_takes_the_key_of_one_removed_earlier(client, db, login, trainer, owned_course):
    """Progress is kept by activity key: reusing a removed key would credit old work to a new quiz."""
    course = owned_course(modules=[("one", [("quizzed", [QUIZ])])])
    lesson = lesson_of(db, course, "quizzed")
    login(trainer)
    url, response = editor(client, lesson)
    fields = form_on(send(client, url, form_on(response, url), "remove-activity-0"), url)
    assert send(client, url, fields, "publish").status_code == 302
    url, response = editor(client, lesson)
    fields = form_on(send(client, url, form_on(response, url), "add-activity", new_activity_type="quiz"), url)
    assert fields["act-0-key"] == ["quiz-2"]


def test_saving_over_a_newer_revision_is_refused_once_with_the_input_kept(
    app, client, db, login, make_user, trainer, owned_course
):
    course = owned_course(modules=[("one", [("shared", [])])])
    lesson = lesson_of(db, course, "shared")
    login(trainer)
    url, response = editor(client, lesson)
    mine = form_on(response, url)
    mine["body"] = ["My version."]

    colleague = make_user(name="Colin Colleague", roles=("admin",))
    other = app.test_client()
    login(colleague, target=other)
    theirs = form_on(other.get(url), url)
    theirs["body"] = ["Their version."]
    assert send(other, url, theirs, "save").status_code == 302

    clash = send(client, url, mine, "save")
    assert clash.status_code == 409
    assert "Colin Colleague" in page(clash).text
    kept = form_on(clash, url)
    assert kept["body"] == ["My version."]
    assert send(client, url, kept, "save").status_code == 302  # knowingly replacing theirs
    latest = db.session.scalar(
        select(LessonRevision).where(LessonRevision.lesson_id == lesson.id).order_by(LessonRevision.number.desc())
    )
    assert latest.body == "My version."


def test_an_archived_lesson_disappears_for_learners(client, app, db, login, make_user, trainer, owned_course):
    from courseware.learn.enrollment import enroll

    course = owned_course(modules=[("one", [("first", []), ("second", [])])])
    learner = make_user()
    enroll(learner, course)
    db.session.commit()
    login(trainer)
    second = lesson_of(db, course, "second")
    post(client, f"/author/lessons/{second.id}/archive", {"archived": "1", "confirmed": "1"})

    learner_client = app.test_client()
    login(learner, target=learner_client)
    assert "Lesson second" not in page(learner_client.get(f"/learn/{course.slug}")).text

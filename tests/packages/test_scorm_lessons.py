"""SCORM packages as lessons: importing them (in the editor and from lesson files), serving their
files to the lesson's learners only, and commits turning into runtime state and progress."""

from __future__ import annotations

import io
import json
import random

import pytest
from sqlalchemy import func, select

from courseware.content.format import InvalidLessonFile
from courseware.content.services import export_course, import_courses
from courseware.learn.enrollment import enroll
from courseware.models import (
    LearningEvent,
    Lesson,
    LessonProgress,
    LessonRevision,
    Module,
    Package,
    PackageFile,
    ScormState,
    StoredFile,
)
from courseware.packages.services import import_package
from tests.conftest import csrf_token
from tests.packages.manifests import BILLION_LAUGHS
from tests.packages.scorm import scorm_zip


def counts(db) -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Package, PackageFile, StoredFile, Lesson, LessonRevision, Module)
    }


@pytest.fixture
def course_with_module(make_course):
    return make_course(modules=[("basics", [("welcome", [])])])


def upload(client, course, data: bytes, filename: str = "listening.zip", module: str = "new", new_module="Vendor"):
    token = csrf_token(client, f"/author/courses/{course.id}/packages")
    return client.post(
        f"/author/courses/{course.id}/packages",
        data={
            "csrf_token": token,
            "package": (io.BytesIO(data), filename),
            "module": module,
            "new_module": new_module,
        },
        content_type="multipart/form-data",
    )


def package_lessons(db, course) -> list[tuple[str, dict]]:
    lessons = db.session.scalars(select(Lesson).where(Lesson.course_id == course.id).order_by(Lesson.id)).all()
    return [
        (lesson.published_revision.title, lesson.published_revision.activities[0])
        for lesson in lessons
        if lesson.published_revision and lesson.published_revision.activities
    ]


def test_a_trainer_uploads_a_scorm_package_and_each_sco_becomes_a_lesson(
    db, client, login, trainer, course_with_module
):
    course = course_with_module
    course.owner_id = trainer.id
    db.session.flush()
    login(trainer)
    response = upload(client, course, scorm_zip("1.2"), new_module="Listening (vendor)")
    assert response.status_code == 302
    assert package_lessons(db, course) == [
        ("Why listen first", {"key": "package-1", "type": "package", "file": "listening.zip", "unit": "intro"}),
        ("Tools for listening", {"key": "package-1", "type": "package", "file": "listening.zip", "unit": "tools"}),
    ]
    module = db.session.scalar(
        select(Module).where(Module.course_id == course.id, Module.title == "Listening (vendor)")
    )
    assert module is not None
    package = db.session.scalar(select(Package).where(Package.course_id == course.id))
    assert package.format == "scorm12" and package.filename == "listening.zip"
    assert {file.path for file in package.files} == {"imsmanifest.xml", "intro/index.html", "tools/index.html"}


def test_a_new_version_revises_the_lessons_matched_by_unit(db, trainer, course_with_module):
    course = course_with_module
    module = course.modules[0]
    first = import_package(course, scorm_zip("2004"), "profiles.zip", trainer, module=module)
    intro = first.created[0]
    again = import_package(course, scorm_zip("2004"), "profiles.zip", trainer, module=module)
    assert again.unchanged and intro.published_revision.number == 1
    newer = scorm_zip("2004", units=(("intro", "Why listen first, again"), ("extra", "One more")))
    result = import_package(course, newer, "profiles.zip", trainer, module=module)
    assert [lesson.id for lesson in result.revised] == [intro.id]
    assert intro.published_revision.number == 2 and intro.published_revision.title == "Why listen first, again"
    assert [lesson.published_revision.title for lesson in result.created] == ["One more"]


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (scorm_zip("1.2", extra={"imsmanifest.xml": BILLION_LAUGHS}), "imsmanifest.xml"),
        (b"not a zip at all", "listening.zip"),
        (scorm_zip("1.2", extra={"../escape.html": "x"}), "escape.html"),
    ],
)
def test_a_refused_package_names_the_problem_and_writes_nothing(
    db, client, login, trainer, course_with_module, data, named
):
    course = course_with_module
    course.owner_id = trainer.id
    db.session.flush()
    before = counts(db)
    login(trainer)
    response = upload(client, course, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert named in page and "Nothing was imported" in page.replace("nothing was imported", "Nothing was imported")
    assert counts(db) == before


def test_lesson_files_carry_the_package_beside_them_and_export_writes_it_back(db, tmp_path, trainer):
    data = scorm_zip("1.2")
    folder = tmp_path / "vendor-course"
    (folder / "listening").mkdir(parents=True)
    (folder / "course.yaml").write_text(
        "slug: vendor-course\ntitle: Vendor course\nsummary: Made elsewhere.\nmodules:\n"
        "  - slug: listening\n    title: Listening\n"
    )
    (folder / "listening" / "01-why-listen-first.md").write_text(
        "---\ntitle: Why listen first\nminutes: 15\nactivities:\n"
        "  - type: package\n    file: listening.zip\n    unit: intro\n---\n"
    )
    (folder / "listening" / "listening.zip").write_bytes(data)
    result = import_courses(folder)
    course = result.courses[0]
    out = export_course(course, tmp_path / "out")
    assert (out / "listening" / "listening.zip").read_bytes() == data
    assert (out / "listening" / "01-why-listen-first.md").read_text() == (
        folder / "listening" / "01-why-listen-first.md"
    ).read_text()
    # Imported again unchanged: no new revision.
    again = import_courses(out)
    assert again.unchanged == 1 and again.updated == 0


def test_a_lesson_file_naming_a_unit_the_package_lacks_is_refused_before_anything_is_written(db, tmp_path):
    folder = tmp_path / "vendor-course"
    (folder / "listening").mkdir(parents=True)
    (folder / "course.yaml").write_text(
        "slug: vendor-course\ntitle: Vendor course\nsummary: Made elsewhere.\nmodules:\n"
        "  - slug: listening\n    title: Listening\n"
    )
    (folder / "listening" / "01-lost.md").write_text(
        "---\ntitle: Lost\nminutes: 5\nactivities:\n  - type: package\n    file: listening.zip\n    unit: nowhere\n---\n"
    )
    (folder / "listening" / "listening.zip").write_bytes(scorm_zip("1.2"))
    before = counts(db)
    with pytest.raises(InvalidLessonFile) as caught:
        import_courses(folder)
    assert "no item 'nowhere'" in caught.value.message and "01-lost.md" in caught.value.message
    assert counts(db) == before


# --- playing ----------------------------------------------------------------------------------


@pytest.fixture
def played(db, make_user, trainer, make_course):
    course = make_course(modules=[("basics", [])])
    result = import_package(course, scorm_zip("1.2"), "listening.zip", trainer, module=course.modules[0])
    learner = make_user(name="Lee Learner")
    enroll(learner, course)
    db.session.flush()
    return course, result.created[0], result.package, learner


def commit(client, course, lesson, cmi, *, token=None, header=True):
    token = token or csrf_token(client, "/learn")
    body = {"cmi": cmi} if header else {"cmi": cmi, "csrf_token": token}
    return client.post(
        f"/learn/{course.slug}/{lesson.slug}/package/commit",
        data=json.dumps(body),
        headers={"X-CSRFToken": token} if header else {},
        content_type="application/json" if header else "text/plain;charset=UTF-8",
    )


def test_commits_keep_the_runtime_state_and_complete_the_lesson(db, client, login, played):
    course, lesson, package, learner = played
    login(learner)
    response = commit(
        client,
        course,
        lesson,
        {"cmi.core.lesson_status": "incomplete", "cmi.suspend_data": "answer=1", "cmi.core.lesson_location": "p2"},
    )
    assert response.status_code == 200 and response.json == {"result": "true", "errorCode": 0}
    state = db.session.scalar(select(ScormState).where(ScormState.user_id == learner.id))
    assert (state.suspend_data, state.lesson_location, state.completion_status) == ("answer=1", "p2", "incomplete")
    runtime = client.get(f"/learn/{course.slug}/{lesson.slug}/package").get_data(as_text=True)
    assert "answer=1" in runtime and "resume" in runtime
    # The last commit of a closing page comes by sendBeacon: the token is in the body.
    response = commit(
        client,
        course,
        lesson,
        {"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "90", "cmi.suspend_data": "answer=1"},
        header=False,
    )
    assert response.status_code == 200
    progress = db.session.scalar(
        select(LessonProgress).where(LessonProgress.user_id == learner.id, LessonProgress.lesson_id == lesson.id)
    )
    assert progress.status == "completed"
    verbs = db.session.execute(
        select(LearningEvent.verb, LearningEvent.score).where(LearningEvent.lesson_id == lesson.id)
    ).all()
    assert ("passed", 0.9) in verbs and ("completed", 0.9) in verbs


def test_a_commit_without_the_csrf_token_is_refused(db, client, login, played):
    course, lesson, _, learner = played
    login(learner)
    response = client.post(
        f"/learn/{course.slug}/{lesson.slug}/package/commit",
        data=json.dumps({"cmi": {"cmi.core.lesson_status": "passed"}}),
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json["result"] == "false"
    assert db.session.scalar(select(func.count()).select_from(ScormState)) == 0


def test_package_files_are_served_sandboxed_to_the_lessons_learners_only(db, client, login, make_user, played):
    course, lesson, package, learner = played
    login(learner)
    response = client.get(f"/packages/{package.id}/files/intro/index.html")
    assert response.status_code == 200 and response.content_type.startswith("text/html")
    policy = response.headers["Content-Security-Policy"]
    assert policy.startswith("sandbox allow-scripts allow-forms allow-same-origin allow-popups")
    assert "'unsafe-inline'" in policy and response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert client.get(f"/packages/{package.id}/files/missing.html").status_code == 404
    # Courseware's own pages keep the strict policy.
    assert "'unsafe-inline'" not in client.get("/learn").headers["Content-Security-Policy"]


def test_another_learner_gets_404_for_the_files_runtime_and_commits(db, client, login, make_user, played):
    course, lesson, package, _ = played
    stranger = make_user(name="Not Enrolled")
    login(stranger)
    assert client.get(f"/packages/{package.id}/files/intro/index.html").status_code == 404
    assert client.get(f"/learn/{course.slug}/{lesson.slug}/package").status_code == 404
    assert commit(client, course, lesson, {"cmi.core.lesson_status": "passed"}).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(ScormState)) == 0


def test_a_package_may_be_larger_than_other_forms_allow(db, client, login, trainer, course_with_module, app):
    course = course_with_module
    course.owner_id = trainer.id
    db.session.flush()
    login(trainer)
    video = random.Random(23).randbytes(app.config["MAX_CONTENT_LENGTH"] + 1024 * 1024)  # does not compress
    big = scorm_zip("1.2", extra={"intro/video.mp4": video})
    assert len(big) > app.config["MAX_CONTENT_LENGTH"]
    assert upload(client, course, big).status_code == 302


def test_the_lesson_editor_keeps_a_package_activity_and_offers_no_way_to_add_one(db, trainer, course_with_module):
    from werkzeug.datastructures import MultiDict

    from courseware.authoring.editor import ADDABLE_ACTIVITY_TYPES, LessonDraft, check_draft

    result = import_package(
        course_with_module, scorm_zip("1.2"), "listening.zip", trainer, module=course_with_module.modules[0]
    )
    lesson = result.created[0]
    draft = LessonDraft.from_revision(lesson.published_revision)
    form = MultiDict(
        {
            "title": "Why we listen first",
            "minutes": "15",
            "body": "",
            "act-count": "1",
            "act-0-type": "package",
            "act-0-key": "package-1",
            "act-0-file": draft.activities[0].file,
            "act-0-unit": draft.activities[0].unit,
        }
    )
    spec, errors = check_draft(LessonDraft.from_form(form), lesson.slug)
    assert not errors and spec.activities == [
        {"key": "package-1", "type": "package", "file": "listening.zip", "unit": "intro"}
    ]
    assert "package" not in ADDABLE_ACTIVITY_TYPES
    assert LessonDraft().apply("add-activity", new_type="package") is False

"""A course's cover image: named in course.yaml, kept byte for byte through import and export,
set in the editor, and shown on the course's card in My learning."""

from __future__ import annotations

import io
import re

import pytest

from courseware.content.format import InvalidLessonFile
from courseware.content.services import import_courses
from courseware.learn.enrollment import enroll
from courseware.models import Course, CourseCover
from tests.conftest import post
from tests.content.samples import COURSE_YAML, read_tree, write_course
from tests.core.web import new_client, page
from tests.evidence.images import jpeg_with_gps, png


def course_with_cover(root, cover: bytes = b"", name: str = "cover.jpg", yaml_name: str = "cover.jpg"):
    write_course(root, {"course.yaml": COURSE_YAML.replace("modules:\n", f"cover: {yaml_name}\nmodules:\n")})
    (root / "sample-course" / name).write_bytes(cover or jpeg_with_gps())
    return root


def test_import_then_export_gives_back_the_cover_byte_for_byte(runner, db, tmp_path):
    lessons = course_with_cover(tmp_path / "lessons")

    assert runner.invoke(args=["lessons", "import", str(lessons)]).exit_code == 0
    result = runner.invoke(args=["lessons", "export", str(tmp_path / "out")])

    assert result.exit_code == 0, result.output
    original, exported = read_tree(lessons / "sample-course"), read_tree(tmp_path / "out" / "sample-course")
    assert sorted(exported) == sorted(original)
    assert exported["cover.jpg"] == jpeg_with_gps()
    for name, data in original.items():
        assert exported[name] == data, name


def test_importing_again_unchanged_keeps_the_same_cover(db, tmp_path):
    lessons = course_with_cover(tmp_path / "lessons")
    course = import_courses(lessons).courses[0]
    first = db.session.get(CourseCover, course.id).stored_file_id

    import_courses(lessons)

    assert db.session.get(CourseCover, course.id).stored_file_id == first


def test_a_cover_taken_out_of_course_yaml_is_removed(db, tmp_path):
    lessons = course_with_cover(tmp_path / "lessons")
    course = import_courses(lessons).courses[0]
    write_course(lessons)

    import_courses(lessons)

    assert db.session.get(CourseCover, course.id) is None


@pytest.mark.parametrize(
    ("content", "yaml_name", "message"),
    [
        (b"GIF89a not wanted", "cover.jpg", "is not a PNG, JPEG or WebP image that can be read"),
        (b"\xff\xd8\xff broken jpeg", "cover.jpg", "is not a PNG, JPEG or WebP image that can be read"),
        (None, "missing.jpg", "does not exist: add it, or remove the 'cover' line"),
        (None, "../cover.jpg", "must be a plain file name beside course.yaml"),
    ],
)
def test_a_bad_cover_names_course_yaml_its_line_and_what_is_wrong(db, tmp_path, content, yaml_name, message):
    lessons = course_with_cover(tmp_path / "lessons", cover=content or png(), yaml_name=yaml_name)

    with pytest.raises(InvalidLessonFile) as raised:
        import_courses(lessons)

    [problem] = raised.value.problems
    assert problem.path == "lessons/sample-course/course.yaml"
    assert problem.line == 4
    assert message in problem.message
    assert db.session.query(Course).count() == 0


def test_a_trainer_sets_a_cover_in_the_editor_and_learners_see_it_on_the_card(
    client, db, make_user, make_course, login
):
    trainer = make_user(roles=("trainer",))
    course = make_course()
    course.owner_id = trainer.id
    learner = make_user()
    enroll(learner, course)
    db.session.commit()
    login(trainer)

    response = post(
        client,
        f"/author/courses/{course.id}/cover",
        {"cover": (io.BytesIO(jpeg_with_gps()), "holiday.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    cover = db.session.get(CourseCover, course.id)
    assert cover.filename == "cover.jpg"

    browser = new_client(client.application)
    login(learner, target=browser)
    home = browser.get("/learn").get_data(as_text=True)
    src = re.search(r'<img class="course-cover" src="([^"]+)"', home).group(1)
    image = browser.get(src)
    assert image.status_code == 200 and image.headers["Content-Type"] == "image/jpeg"
    assert b"PhoneMaker" not in image.data  # re-encoded: the photo's EXIF is gone
    assert "max-age" in image.headers["Cache-Control"]


def test_a_card_without_a_cover_gets_the_placeholder(client, db, make_user, make_course, login):
    learner = make_user()
    enroll(learner, make_course())
    db.session.commit()
    login(learner)

    home = client.get("/learn").get_data(as_text=True)

    assert 'class="course-cover course-cover-placeholder" aria-hidden="true"' in home
    assert '<img class="course-cover"' not in home


def test_an_upload_that_is_not_an_image_is_refused_beside_the_field(client, db, make_user, make_course, login):
    trainer = make_user(roles=("admin",))
    course = make_course()
    login(trainer)

    response = post(
        client,
        f"/author/courses/{course.id}/cover",
        {"cover": (io.BytesIO(b"%PDF-1.4"), "cover.pdf")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    assert any("cannot be the cover" in error for error in page(response).errors)
    assert db.session.get(CourseCover, course.id) is None

"""Images in lessons: a course's images/ kept byte for byte through import, export and zips,
checked by content with the file named, uploaded in the lesson editor without what a photo
carries besides pixels, shown in lessons from the course's address, and served only to the
people who may see the course's lessons."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import select

from courseware.content.format import MAX_IMAGE_BYTES, InvalidLessonFile
from courseware.content.render import render_markdown
from courseware.content.services import create_revision, import_courses
from courseware.images.services import add_uploaded_image
from courseware.learn.enrollment import enroll
from courseware.models import Course, CourseImage, CourseStaff, Lesson, LessonRevision
from tests.conftest import csrf_token, lesson_of, post
from tests.content.samples import FIRST_STEPS, read_tree, write_course
from tests.core.web import new_client, page
from tests.evidence.images import jpeg_with_gps, pdf, png, png_bomb

IMAGE_LINE = "![The listening cycle](images/cycle.png)"
SHOWS_DIAGRAM = FIRST_STEPS + "\n" + IMAGE_LINE + "\n"


def course_with_images(root, images: dict[str, bytes] | None = None, lesson: str = SHOWS_DIAGRAM):
    folder = write_course(root, {"basics/01-first-steps.md": lesson})
    (folder / "images").mkdir(exist_ok=True)
    for name, data in (images if images is not None else {"cycle.png": png(), "photo.jpg": jpeg_with_gps()}).items():
        (folder / "images" / name).write_bytes(data)
    return root


def image_src(html: str) -> str:
    return re.search(r'<img src="([^"]+)" alt="The listening cycle"', html).group(1)


# --- the course folder ----------------------------------------------------------------------


def test_import_then_export_gives_back_the_images_byte_for_byte(runner, db, tmp_path):
    lessons = course_with_images(tmp_path / "lessons")

    assert runner.invoke(args=["lessons", "import", str(lessons)]).exit_code == 0
    result = runner.invoke(args=["lessons", "export", str(tmp_path / "out")])

    assert result.exit_code == 0, result.output
    original, exported = read_tree(lessons / "sample-course"), read_tree(tmp_path / "out" / "sample-course")
    assert sorted(exported) == sorted(original)
    assert exported["images/photo.jpg"] == jpeg_with_gps()  # files are the author's own: kept as they are
    for name, data in original.items():
        assert exported[name] == data, name


def test_importing_again_keeps_unchanged_images_and_follows_the_folder(db, tmp_path):
    lessons = course_with_images(tmp_path / "lessons")
    course = import_courses(lessons).courses[0]
    stored = {image.name: image.stored_file_id for image in db.session.scalars(select(CourseImage))}

    import_courses(lessons)
    assert {image.name: image.stored_file_id for image in db.session.scalars(select(CourseImage))} == stored

    (lessons / "sample-course" / "images" / "photo.jpg").unlink()
    (lessons / "sample-course" / "images" / "cycle.png").write_bytes(png(color=(10, 10, 10)))
    import_courses(lessons)
    images = {
        image.name: image for image in db.session.scalars(select(CourseImage).where(CourseImage.course_id == course.id))
    }
    assert list(images) == ["cycle.png"]
    assert images["cycle.png"].stored_file_id != stored["cycle.png"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("fake.png", pdf(), "is not a PNG, JPEG or WebP image that can be read"),
        ("broken.jpg", b"\xff\xd8\xff broken jpeg", "is not a PNG, JPEG or WebP image that can be read"),
        ("big.png", b"\x89PNG" + b"\0" * MAX_IMAGE_BYTES, "at most 2048 KB fit"),
        ("bomb.png", png_bomb(), "is not a PNG, JPEG or WebP image that can be read"),
        ("drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "an image's name must be"),
        ("with space.png", png(), "an image's name must be"),
    ],
)
def test_a_bad_image_names_its_file_and_nothing_is_imported(db, tmp_path, name, content, message):
    lessons = course_with_images(tmp_path / "lessons", {"cycle.png": png(), name: content})

    with pytest.raises(InvalidLessonFile) as raised:
        import_courses(lessons)

    [problem] = raised.value.problems
    assert problem.path == f"lessons/sample-course/images/{name}"
    assert message in problem.message
    assert str(problem).startswith(f"lessons/sample-course/images/{name}: ")
    assert db.session.query(Course).count() == 0


def test_an_image_a_lesson_shows_but_the_folder_lacks_is_named_with_the_lesson_and_its_line(db, tmp_path):
    lessons = course_with_images(tmp_path / "lessons", {"other.png": png()})

    with pytest.raises(InvalidLessonFile) as raised:
        import_courses(lessons)

    [problem] = raised.value.problems
    assert problem.path == "lessons/sample-course/basics/01-first-steps.md"
    assert problem.line == SHOWS_DIAGRAM.splitlines().index(IMAGE_LINE) + 1
    assert "images/cycle.png is not in the course's images/ folder" in problem.message


def test_a_zip_carries_the_images_both_ways(client, db, login, trainer, tmp_path):
    folder = course_with_images(tmp_path / "lessons") / "sample-course"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder.parent).as_posix())
    login(trainer)

    response = client.post(
        "/author/import",
        data={"csrf_token": csrf_token(client, "/author/import"), "archive": (io.BytesIO(buffer.getvalue()), "c.zip")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, page(response).errors
    course = db.session.scalar(select(Course).where(Course.slug == "sample-course"))

    downloaded = zipfile.ZipFile(io.BytesIO(client.get(f"/author/courses/{course.id}/export.zip").data))
    assert downloaded.read("sample-course/images/photo.jpg") == jpeg_with_gps()
    assert downloaded.read("sample-course/images/cycle.png") == png()


# --- rendering --------------------------------------------------------------------------------


def test_an_image_of_the_course_is_shown_from_the_course_address_and_others_as_before():
    body = (
        "![The listening cycle](images/cycle.png)\n\n![Elsewhere](https://example.org/a.png)\n\n![Up](images/../x.png)"
    )

    html = str(render_markdown(body, "/courses/listening/images/"))

    assert '<img src="/courses/listening/images/cycle.png" alt="The listening cycle">' in html
    assert '<img src="https://example.org/a.png" alt="Elsewhere">' in html
    assert '<img src="images/../x.png" alt="Up">' in html
    assert "<img" not in str(render_markdown("![x](javascript:alert(1))", "/courses/c/images/"))
    # Not a plain image name: left as the relative address it is, not made the course's.
    odd = str(render_markdown("![x](images/javascript:alert(1).png)", "/courses/c/images/"))
    assert 'src="images/javascript:alert(1).png"' in odd


def test_lessons_without_images_render_exactly_as_before(db, tmp_path):
    from courseware.content.format import find_courses

    for course in find_courses("lessons"):
        for lesson in course.lessons:
            assert render_markdown(lesson.body, f"/courses/{course.slug}/images/") == render_markdown(lesson.body)


def test_a_revision_stores_the_lesson_with_the_course_image_address(db, tmp_path):
    course = import_courses(course_with_images(tmp_path / "lessons")).courses[0]
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "first-steps"))

    assert image_src(lesson.published_revision.body_html) == "/courses/sample-course/images/cycle.png"
    revision = create_revision(
        lesson, title="Again", minutes=3, body="Now.\n\n" + IMAGE_LINE, activities=[], author=None, source="editor"
    )
    assert image_src(revision.body_html) == f"/courses/{course.slug}/images/cycle.png"


# --- serving and who sees it ------------------------------------------------------------------


@pytest.fixture
def pictured(db, tmp_path, make_user):
    course = import_courses(course_with_images(tmp_path / "lessons")).courses[0]
    learner = make_user(name="Enrolled")
    enroll(learner, course)
    db.session.commit()
    return course, learner


def test_an_enrolled_learner_sees_the_image_in_the_lesson(app, db, pictured, login):
    course, learner = pictured
    browser = new_client(app)
    login(learner, target=browser)

    html = browser.get("/learn/sample-course/first-steps").get_data(as_text=True)
    response = browser.get(image_src(html))

    assert response.status_code == 200
    assert response.data == png()
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-cache"
    again = browser.get(image_src(html), headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_a_replaced_image_gets_a_new_etag(app, db, pictured, login, tmp_path):
    course, learner = pictured
    browser = new_client(app)
    login(learner, target=browser)
    first = browser.get("/courses/sample-course/images/cycle.png").headers["ETag"]

    (tmp_path / "lessons" / "sample-course" / "images" / "cycle.png").write_bytes(png(color=(1, 2, 3)))
    import_courses(tmp_path / "lessons")
    db.session.commit()

    response = browser.get("/courses/sample-course/images/cycle.png", headers={"If-None-Match": first})
    assert response.status_code == 200 and response.headers["ETag"] != first


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("learner of another course", 404),
        ("trainer without rights", 404),
        ("editor", 200),
        ("reviewer of the course", 200),
        ("admin", 200),
        ("nobody", 302),
    ],
)
def test_the_images_are_served_to_whoever_may_see_the_lessons_and_404_to_everyone_else(
    app, db, pictured, login, make_user, make_course, who, status
):
    course, _ = pictured
    browser = new_client(app)
    if who != "nobody":
        roles = {"trainer without rights": ("trainer",), "editor": ("trainer",), "admin": ("admin",)}.get(who, ())
        person = make_user(roles=roles)
        if who == "learner of another course":
            enroll(person, make_course())
        elif who in ("editor", "reviewer of the course"):
            role = "editor" if who == "editor" else "reviewer"
            db.session.add(CourseStaff(course_id=course.id, user_id=person.id, role=role))
        db.session.commit()
        login(person, target=browser)

    assert browser.get("/courses/sample-course/images/cycle.png").status_code == status
    assert browser.get("/courses/sample-course/images/missing.png").status_code in (404, 302)


def test_a_draft_course_images_are_for_its_editors_only(app, db, pictured, login):
    course, learner = pictured
    course.status = "draft"
    db.session.commit()
    browser = new_client(app)
    login(learner, target=browser)

    assert browser.get("/courses/sample-course/images/cycle.png").status_code == 404


# --- the lesson editor ------------------------------------------------------------------------


def editor_form(lesson, **fields):
    data = {
        "base_revision": str(lesson.published_revision.number),
        "act-count": "0",
        "title": "Just reading",
        "minutes": "3",
        "discussion": "",
        "body": "Some text I typed and have not saved.",
    }
    data.update(fields)
    return data


def test_a_trainer_uploads_a_photo_and_it_comes_out_without_its_exif(app, client, db, login, trainer, owned_course):
    course = owned_course(modules=[("basics", [("just-reading", [])])])
    lesson = lesson_of(db, course, "just-reading")
    login(trainer)

    response = post(
        client,
        f"/author/lessons/{lesson.id}/edit",
        editor_form(lesson, action="add-image", image=(io.BytesIO(jpeg_with_gps()), "Team Photo.JPG")),
        content_type="multipart/form-data",
    )

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Some text I typed and have not saved." in html  # the draft comes back as typed
    assert 'value="![Describe the image](images/team-photo.jpg)"' in html
    image = db.session.scalar(select(CourseImage).where(CourseImage.course_id == course.id))
    assert image.name == "team-photo.jpg" and image.content_type == "image/jpeg"
    assert db.session.scalar(select(LessonRevision.id).where(LessonRevision.number == 2)) is None  # nothing saved

    served = client.get("/courses/" + course.slug + "/images/team-photo.jpg")
    assert served.status_code == 200 and served.data[:3] == b"\xff\xd8\xff"
    assert b"PhoneMaker" not in served.data and b"Exif" not in served.data

    # A second upload with the same name never replaces the first.
    post(
        client,
        f"/author/lessons/{lesson.id}/edit",
        editor_form(lesson, action="add-image", image=(io.BytesIO(png()), "team photo.png")),
        content_type="multipart/form-data",
    )
    again = client.get(f"/author/lessons/{lesson.id}/edit").get_data(as_text=True)
    assert "images/team-photo.jpg" in again and "images/team-photo.png" in again

    preview = post(
        client,
        f"/author/lessons/{lesson.id}/edit",
        editor_form(lesson, action="preview", body="![Team](images/team-photo.jpg)"),
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert f'<img src="/courses/{course.slug}/images/team-photo.jpg" alt="Team">' in preview


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        ((pdf(), "slides.png"), "“slides.png” is not a PNG, JPEG or WebP image."),
        ((png_bomb(), "bomb.png"), "has too many pixels to open safely"),
        ((b"\x89PNG" + b"\0" * MAX_IMAGE_BYTES, "huge.png"), "“huge.png” is larger than 2 MB"),
        ((b"<svg onload='alert(1)'/>", "x.svg"), "is not a PNG, JPEG or WebP image"),
        (None, "Choose an image to upload."),
    ],
)
def test_a_refused_upload_is_explained_beside_the_field_and_keeps_the_typed_lesson(
    client, db, login, trainer, owned_course, upload, message
):
    course = owned_course(modules=[("basics", [("just-reading", [])])])
    lesson = lesson_of(db, course, "just-reading")
    login(trainer)
    fields = {"action": "add-image"}
    if upload is not None:
        fields["image"] = (io.BytesIO(upload[0]), upload[1])

    response = post(
        client, f"/author/lessons/{lesson.id}/edit", editor_form(lesson, **fields), content_type="multipart/form-data"
    )

    assert response.status_code == 422
    assert any(message in error for error in page(response).errors)
    assert "Some text I typed and have not saved." in response.get_data(as_text=True)
    assert db.session.scalar(select(CourseImage.id)) is None


def test_only_the_course_editors_may_upload(client, db, login, make_user, make_course):
    course = make_course(modules=[("basics", [("just-reading", [])])])
    lesson = lesson_of(db, course, "just-reading")
    login(make_user(roles=("trainer",)))

    response = post(
        client,
        f"/author/lessons/{lesson.id}/edit",
        {"action": "add-image", "image": (io.BytesIO(png()), "a.png")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 404
    assert db.session.scalar(select(CourseImage.id)) is None


def test_the_service_refuses_a_course_full_of_images(db, make_course, monkeypatch):
    from courseware.exceptions import Invalid
    from courseware.images import services

    course = make_course()
    monkeypatch.setattr(services, "MAX_IMAGES", 1)
    add_uploaded_image(course, "a.png", png())
    with pytest.raises(Invalid, match="already has 1 images"):
        add_uploaded_image(course, "b.png", png())

"""Courses as zips: download in the lessons/ format, upload with the CLI's checks, unsafe zips refused."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import tempfile
import zipfile

import pytest
from sqlalchemy import select

from courseware.authoring import archive
from courseware.content import format as lesson_format
from courseware.models import Course, Lesson
from tests.conftest import csrf_token, lesson_of
from tests.content.samples import nested_aliases
from tests.core.web import page, path_of

COURSE_YAML = (
    "slug: {slug}\ntitle: Zipped course\nsummary: From a zip.\nmodules:\n  - slug: basics\n    title: Basics\n"
)
LESSON = "---\ntitle: Hello\nminutes: 3\nactivities: []\n---\n\nHello there.\n"


def make_zip(
    files: dict[str, bytes | str], *, symlink: str | None = None, compression: int = zipfile.ZIP_STORED
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def good_zip(slug: str = "zipped") -> bytes:
    return make_zip({f"{slug}/course.yaml": COURSE_YAML.format(slug=slug), f"{slug}/basics/01-hello.md": LESSON})


def upload(client, data: bytes, filename: str = "course.zip"):
    return client.post(
        "/author/import",
        data={"csrf_token": csrf_token(client, "/author/import"), "archive": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def test_download_gives_the_course_in_the_lessons_format(client, db, login, trainer, owned_course):
    course = owned_course(modules=[("basics", [("first", []), ("second", [])])])
    login(trainer)
    response = client.get(f"/author/courses/{course.id}/export.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert f'filename="{course.slug}.zip"' in response.headers["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert f"{course.slug}/course.yaml" in names
    assert f"{course.slug}/basics/01-first.md" in names and f"{course.slug}/basics/02-second.md" in names


def test_a_zip_round_trips_byte_for_byte_and_uploads_again_unchanged(client, db, login, trainer):
    login(trainer)
    original = {"zipped/course.yaml": COURSE_YAML.format(slug="zipped"), "zipped/basics/01-hello.md": LESSON}
    assert upload(client, make_zip(original)).status_code == 302
    course = db.session.scalar(select(Course).where(Course.slug == "zipped"))

    data = client.get(f"/author/courses/{course.id}/export.zip").data
    downloaded = zipfile.ZipFile(io.BytesIO(data))
    assert {name: downloaded.read(name).decode() for name in original} == original

    response = upload(client, data)
    assert response.status_code == 302 and path_of(response.location) == f"/author/courses/{course.id}"
    assert "0 new lessons, 0 changed, 1 unchanged, 0 archived" in page(client.get(response.location)).text
    db.session.refresh(course)
    assert course.status == "draft"  # an existing course keeps its status


def test_a_new_course_from_a_zip_belongs_to_the_uploader_as_a_draft(client, db, login, trainer):
    login(trainer)
    response = upload(client, good_zip())
    assert response.status_code == 302
    course = db.session.scalar(select(Course).where(Course.slug == "zipped"))
    assert course.owner_id == trainer.id and course.status == "draft"
    lesson = lesson_of(db, course, "hello")
    assert lesson.published_revision.body == "Hello there."


def test_a_broken_lesson_file_is_named_with_its_line_and_nothing_is_imported(client, db, login, trainer):
    login(trainer)
    broken = "---\ntitle: Hello\nminutes: lots\nactivities: []\n---\n\nText.\n"
    data = make_zip({"zipped/course.yaml": COURSE_YAML.format(slug="zipped"), "zipped/basics/01-hello.md": broken})
    response = upload(client, data, "my course.zip")
    assert response.status_code == 422
    text = page(response).text
    assert "Nothing was imported; fix this problem and upload the zip again." in text
    assert "my_course.zip/zipped/basics/01-hello.md, line 3: 'minutes' must be a whole number" in text
    assert db.session.scalar(select(Course).where(Course.slug == "zipped")) is None


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"../evil/course.yaml": "x"}, "climbs out of its folder"),
        ({"zipped/../../evil.md": "x"}, "climbs out of its folder"),
        ({"/etc/evil.md": "x"}, "absolute path"),
        ({"C:/evil.md": "x"}, "absolute path"),
    ],
    ids=["dot-dot", "nested-dot-dot", "absolute", "drive-letter"],
)
def test_zip_slip_and_absolute_paths_are_refused(client, db, login, trainer, files, message, tmp_path):
    login(trainer)
    response = upload(client, make_zip({**files, "zipped/course.yaml": COURSE_YAML.format(slug="zipped")}))
    assert response.status_code == 422
    assert any(message in error for error in page(response).errors)
    assert db.session.scalar(select(Course).where(Course.slug == "zipped")) is None
    assert not (tmp_path.parent / "evil").exists()


def test_links_inside_a_zip_are_refused(client, login, trainer):
    login(trainer)
    response = upload(client, make_zip({"zipped/course.yaml": "x"}, symlink="zipped/basics/01-link.md"))
    assert response.status_code == 422
    assert any("symbolic link" in error for error in page(response).errors)


def test_a_file_that_is_not_a_zip_is_refused(client, login, trainer):
    login(trainer)
    response = upload(client, b"%PDF-1.4 not a zip at all", "course.zip")
    assert response.status_code == 422
    assert any("not a zip file" in error for error in page(response).errors)


def test_too_many_entries_and_too_much_unpacked_data_are_refused(client, login, trainer, monkeypatch):
    login(trainer)
    monkeypatch.setattr(archive, "MAX_ENTRIES", 3)
    many = make_zip({f"zipped/basics/{n:02d}-x.md": LESSON for n in range(1, 6)})
    assert any("at most 3 are accepted" in e for e in page(upload(client, many)).errors)

    monkeypatch.setattr(archive, "MAX_ENTRIES", 1000)
    monkeypatch.setattr(archive, "MAX_ENTRY_BYTES", 10_000)
    bomb = make_zip({"zipped/course.yaml": COURSE_YAML.format(slug="zipped"), "zipped/basics/01-big.md": "a" * 200_000})
    response = upload(client, bomb)
    assert response.status_code == 422
    assert any("larger than" in e for e in page(response).errors)


def test_a_zip_cannot_overwrite_a_course_the_trainer_does_not_edit(client, db, login, trainer, make_course):
    other = make_course(slug="zipped", modules=[("basics", [("hello", [])])])
    login(trainer)
    response = upload(client, good_zip("zipped"))
    assert response.status_code == 422
    assert any("you are not one of its editors" in e for e in page(response).errors)
    lesson = db.session.scalar(select(Lesson).where(Lesson.course_id == other.id, Lesson.slug == "hello"))
    assert lesson.published_revision.body == "Body of **hello**."


def test_unpack_refuses_a_header_that_lies_about_its_size(tmp_path, monkeypatch):
    """Sizes are counted while reading, so a forged header cannot slip a large file through."""
    monkeypatch.setattr(archive, "MAX_ENTRY_BYTES", 1000)
    data = bytearray(make_zip({"zipped/big.md": "b" * 5000}))
    # Rewrite the declared uncompressed size (local header and central directory) to 10 bytes.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        data[at + offset : at + offset + 4] = (10).to_bytes(4, "little")
    with pytest.raises(archive.UnsafeZip):
        archive.unpack_zip(bytes(data), tmp_path)


# --- hostile content and names --------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        (
            {
                "zipped/course.yaml": COURSE_YAML.format(slug="zipped"),
                "zipped/basics/01-hello.md": LESSON.replace("minutes: 3\n", "minutes: 3\n" + nested_aliases()),
            },
            "course.zip/zipped/basics/01-hello.md, line 5: the YAML cannot be read: found the alias *l0",
        ),
        (
            {"zipped/course.yaml": COURSE_YAML.format(slug="zipped") + nested_aliases()},
            "course.zip/zipped/course.yaml, line 8: the YAML cannot be read: found the alias *l0",
        ),
    ],
    ids=["lesson", "course-yaml"],
)
def test_a_small_zip_of_nested_aliases_is_refused_naming_the_file_and_line(client, db, login, trainer, files, problem):
    """Aliases that would expand to hundreds of millions of values are refused before any is built."""
    login(trainer)
    data = make_zip(files, compression=zipfile.ZIP_DEFLATED)
    assert len(data) < 1000
    response = upload(client, data)
    assert response.status_code == 422
    assert "Nothing was imported; fix this problem and upload the zip again." in page(response).errors
    assert problem in page(response).text
    assert db.session.scalar(select(Course).where(Course.slug == "zipped")) is None


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("zipped/" + "a" * 300 + "/01-x.md", "a folder or file name longer than 255 bytes"),
        ("zipped/basics/" + "\u00e9" * 127 + ".md", "a folder or file name longer than 255 bytes"),
        ("zipped/" + "d/" * 20 + "01-x.md", "more than 16 folders deep or longer than 1024 bytes"),
        ("zipped/" + ("b" * 200 + "/") * 6 + "01-x.md", "more than 16 folders deep or longer than 1024 bytes"),
        ("zipped/basics/01-\x07.md", "a file name with a control character"),
        ("zipped/basics/01-\nnew.md", "a file name with a control character"),
    ],
    ids=["long-folder", "long-utf8-file", "deep", "long-path", "bell", "newline"],
)
def test_entry_names_no_file_system_takes_are_refused(client, db, login, trainer, name, message):
    login(trainer)
    response = upload(client, make_zip({"zipped/course.yaml": COURSE_YAML.format(slug="zipped"), name: LESSON}))
    assert response.status_code == 422
    assert any(message in error and "imported" in error for error in page(response).errors)
    assert db.session.scalar(select(Course).where(Course.slug == "zipped")) is None


def test_a_name_that_is_both_a_file_and_a_folder_is_refused(client, db, login, trainer):
    login(trainer)
    files = {"zipped/course.yaml": COURSE_YAML.format(slug="zipped"), "zipped/basics": "x"}
    response = upload(client, make_zip({**files, "zipped/basics/01-hello.md": LESSON}))
    assert response.status_code == 422
    assert any("zipped/basics/01-hello.md both as a file and as a folder" in e for e in page(response).errors)

    response = upload(client, make_zip({**files, "zipped/basics/": b""}))
    assert response.status_code == 422
    assert any("zipped/basics/ both as a file and as a folder" in e for e in page(response).errors)


def test_a_name_marked_utf8_that_is_not_is_refused(client, db, login, trainer):
    data = bytearray(make_zip({"zipped/course.yaml": COURSE_YAML.format(slug="zipped"), "zipped/\u00e9.md": LESSON}))
    # Both copies of the name (local header and central directory) get bytes that are not UTF-8.
    assert data.count("\u00e9".encode()) == 2
    data = data.replace("\u00e9".encode(), b"\xff\xfe")
    login(trainer)
    response = upload(client, bytes(data))
    assert response.status_code == 422
    assert any("marked as UTF-8 but is not" in e for e in page(response).errors)


def test_a_long_upload_file_name_is_shortened(client, db, login, trainer):
    login(trainer)
    response = upload(client, good_zip(), "x" * 300 + ".zip")
    assert response.status_code == 302
    assert db.session.scalar(select(Course).where(Course.slug == "zipped")) is not None


def test_an_upload_holding_more_lesson_text_than_one_upload_may_is_refused(client, db, login, trainer, monkeypatch):
    monkeypatch.setattr(lesson_format, "MAX_BODY_CHARACTERS", 1000)
    files = {"zipped/course.yaml": COURSE_YAML.format(slug="zipped")}
    files.update({f"zipped/basics/{n:02d}-part-{n}.md": LESSON.replace("Hello there.", "x" * 400) for n in range(1, 6)})
    login(trainer)
    response = upload(client, make_zip(files))
    assert response.status_code == 422
    assert (
        "course.zip/zipped/basics/03-part-3.md, line 6: the lessons hold more than 1,000 characters of text in all"
        in page(response).text
    )
    assert db.session.scalar(select(Course).where(Course.slug == "zipped")) is None


# --- the temporary folder -------------------------------------------------------------------


@pytest.fixture
def temp_root(tmp_path, monkeypatch):
    """An empty temporary folder standing in for the system's."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def ended_process_id() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_an_import_unpacks_in_a_folder_named_after_its_process_and_removes_it(
    client, db, login, trainer, temp_root, monkeypatch
):
    seen = []
    find_courses = archive.find_courses

    def spy(path, **options):
        seen.append(sorted(child.name for child in temp_root.iterdir()))
        return find_courses(path, **options)

    monkeypatch.setattr(archive, "find_courses", spy)
    login(trainer)
    assert upload(client, good_zip()).status_code == 302
    assert len(seen) == 1 and len(seen[0]) == 1
    assert seen[0][0].startswith(f"courseware-import-{os.getpid()}-")
    assert list(temp_root.iterdir()) == []


@pytest.mark.parametrize(
    "files",
    [
        {"zipped/course.yaml": COURSE_YAML.format(slug="zipped"), "zipped/basics/01-hello.md": "no front matter"},
        {"zipped/course.yaml": COURSE_YAML.format(slug="zipped"), "zipped/" + "a" * 300 + "/01-x.md": LESSON},
    ],
    ids=["broken-lesson", "unsafe-name"],
)
def test_a_failed_import_leaves_nothing_behind(client, db, login, trainer, temp_root, files):
    login(trainer)
    assert upload(client, make_zip(files)).status_code == 422
    assert list(temp_root.iterdir()) == []


def test_what_an_ended_process_left_is_removed_before_the_next_import(client, db, login, trainer, temp_root):
    ended = ended_process_id()
    left = temp_root / f"courseware-import-{ended}-k3j2h1"
    (left / "upload.zip" / "zipped").mkdir(parents=True)
    (left / "upload.zip" / "zipped" / "course.yaml").write_text("slug: zipped\n")
    left_export = temp_root / f"courseware-export-{ended}-a1b2c3"
    left_export.mkdir()
    running = temp_root / f"courseware-import-{os.getpid()}-x9y8z7"  # an import under way in this process
    running.mkdir()
    unrelated = temp_root / f"someone-else-{ended}-abc"
    unrelated.mkdir()
    link = temp_root / f"courseware-import-{ended}-link"
    link.symlink_to(unrelated, target_is_directory=True)

    login(trainer)
    assert upload(client, good_zip()).status_code == 302

    assert sorted(path.name for path in temp_root.iterdir()) == sorted([running.name, unrelated.name, link.name])


def test_a_zip_with_translations_round_trips_byte_for_byte(client, db, login, trainer):
    from tests.content.samples import SAMPLE, TRANSLATED

    login(trainer)
    original = {f"sample-course/{name}": text for name, text in {**SAMPLE, **TRANSLATED}.items()}
    assert upload(client, make_zip(original)).status_code == 302
    course = db.session.scalar(select(Course).where(Course.slug == "sample-course"))

    data = client.get(f"/author/courses/{course.id}/export.zip").data
    downloaded = zipfile.ZipFile(io.BytesIO(data))
    files = {name: downloaded.read(name).decode() for name in downloaded.namelist() if not name.endswith("/")}
    assert files == original

    response = upload(client, data)
    assert "0 new lessons, 0 changed, 3 unchanged, 0 archived" in page(client.get(response.location)).text

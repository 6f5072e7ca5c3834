"""A lesson's discussion in the lesson files: ``discussion`` in front matter and in course.yaml."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from courseware.content.format import InvalidLessonFile, find_courses
from courseware.content.services import export_courses, import_courses
from courseware.discussions.policies import discussion_open
from courseware.models import Course, Lesson
from tests.content.samples import COURSE_YAML, FIRST_STEPS, JUST_READING, read_tree, write_course

COURSE_WITH_DISCUSSIONS = COURSE_YAML.replace("modules:\n", "discussion: true\nmodules:\n", 1)
FIRST_STEPS_CLOSED = FIRST_STEPS.replace("minutes: 5\n", "minutes: 5\ndiscussion: false\n", 1)
JUST_READING_OPEN = JUST_READING.replace("minutes: 3\n", "minutes: 3\ndiscussion: true\n", 1)


def lesson(db, slug: str) -> Lesson:
    return db.session.scalar(select(Lesson).where(Lesson.slug == slug))


def test_discussion_keys_are_imported_and_exported_byte_for_byte(db, tmp_path):
    root = tmp_path / "lessons"
    folder = write_course(
        root,
        {
            "course.yaml": COURSE_WITH_DISCUSSIONS,
            "basics/01-first-steps.md": FIRST_STEPS_CLOSED,
            "extras/01-just-reading.md": JUST_READING_OPEN,
        },
    )
    import_courses(root)
    db.session.commit()

    (exported,) = export_courses(tmp_path / "out")
    assert read_tree(exported) == read_tree(folder)


def test_the_lesson_says_first_and_the_course_default_fills_in(db, tmp_path):
    root = tmp_path / "lessons"
    write_course(root, {"course.yaml": COURSE_WITH_DISCUSSIONS, "basics/01-first-steps.md": FIRST_STEPS_CLOSED})
    import_courses(root)
    db.session.commit()
    course = db.session.scalar(select(Course).where(Course.slug == "sample-course"))

    assert course.discussion is True
    assert discussion_open(course, lesson(db, "first-steps").published_revision) is False  # the lesson closes it
    assert discussion_open(course, lesson(db, "practice-and-reflect").published_revision) is True  # the course's

    write_course(root, {"course.yaml": COURSE_YAML, "extras/01-just-reading.md": JUST_READING_OPEN})
    import_courses(root)
    db.session.commit()
    assert course.discussion is False
    assert discussion_open(course, lesson(db, "practice-and-reflect").published_revision) is False
    assert discussion_open(course, lesson(db, "just-reading").published_revision) is True  # the lesson opens it


def test_files_without_the_key_import_unchanged_and_make_no_new_revision(db, tmp_path):
    root = tmp_path / "lessons"
    write_course(root)
    import_courses(root)
    db.session.commit()
    before = lesson(db, "first-steps").published_revision_id

    result = import_courses(root)
    assert result.summary().endswith("0 new lessons, 0 changed, 3 unchanged, 0 archived.")
    assert lesson(db, "first-steps").published_revision_id == before
    assert lesson(db, "first-steps").published_revision.discussion is None


def test_a_discussion_value_that_is_not_true_or_false_names_the_file_and_line(tmp_path):
    root = tmp_path / "lessons"
    write_course(
        root,
        {
            "course.yaml": COURSE_YAML.replace("modules:\n", "discussion: sometimes\nmodules:\n", 1),
            "basics/01-first-steps.md": FIRST_STEPS.replace("minutes: 5\n", "minutes: 5\ndiscussion: 1\n", 1),
        },
    )
    with pytest.raises(InvalidLessonFile) as caught:
        find_courses(root)
    assert [str(problem) for problem in caught.value.problems] == [
        "lessons/sample-course/course.yaml, line 4: 'discussion' must be true or false, not the text 'sometimes'",
        "lessons/sample-course/basics/01-first-steps.md, line 4: 'discussion' must be true or false, not the number 1",
    ]

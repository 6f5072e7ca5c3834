"""Importing lesson files into the database, and exporting them back."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from courseware.content.format import InvalidLessonFile
from courseware.content.services import (
    course_outline,
    create_revision,
    export_course,
    export_courses,
    import_courses,
)
from courseware.exceptions import Invalid
from courseware.models import Course, Lesson, LessonRevision, Module
from tests.content.samples import FIRST_STEPS, JUST_READING, PRACTICE_AND_REFLECT, read_tree, write_course


def counts(db) -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Course, Module, Lesson, LessonRevision)
    }


def lesson(db, slug: str) -> Lesson:
    return db.session.scalar(select(Lesson).where(Lesson.slug == slug))


def revisions(db, item: Lesson) -> list[int]:
    return list(
        db.session.scalars(
            select(LessonRevision.number).where(LessonRevision.lesson_id == item.id).order_by(LessonRevision.number)
        )
    )


@pytest.fixture
def lessons_root(tmp_path):
    root = tmp_path / "lessons"
    write_course(root)
    return root


def test_import_creates_the_course_its_modules_and_lessons(db, lessons_root, make_user):
    author = make_user(roles=("trainer",))
    lines = []
    result = import_courses(lessons_root, author=author, echo=lines.append)
    db.session.commit()

    assert lines == ["Imported sample-course: 3 new lessons, 0 changed, 0 unchanged, 0 archived"]
    assert result.summary() == "Imported 1 course: 3 new lessons, 0 changed, 0 unchanged, 0 archived."
    course = db.session.scalar(select(Course).where(Course.slug == "sample-course"))
    assert result.courses == [course]
    assert (course.title, course.status) == ("Sample course", "published")
    outline = course_outline(course)
    assert [(entry.module.slug, entry.module.optional, [item.slug for item in entry.lessons]) for entry in outline] == [
        ("basics", False, ["first-steps", "practice-and-reflect"]),
        ("extras", True, ["just-reading"]),
    ]
    first = outline[0].lessons[0].published_revision
    assert (first.number, first.title, first.minutes, first.source, first.author_id) == (
        1,
        "First steps",
        5,
        "file",
        author.id,
    )
    assert [activity["key"] for activity in first.activities] == ["quiz-1", "checklist-1"]
    assert len(first.content_hash) == 64


def test_broken_file_leaves_the_database_as_it_was(db, lessons_root):
    import_courses(lessons_root)
    db.session.commit()
    before = counts(db)
    published = lesson(db, "first-steps").published_revision_id

    write_course(
        lessons_root,
        {
            "basics/01-first-steps.md": FIRST_STEPS.replace("minutes: 5", "minutes: 6"),  # a valid change
            "basics/03-new-lesson.md": FIRST_STEPS.replace("minutes: 5", "minutes: 500"),  # a broken new file
            "extras/01-just-reading.md": None,  # a removal
        },
    )
    with pytest.raises(InvalidLessonFile) as caught:
        import_courses(lessons_root)
    db.session.rollback()

    assert "basics/03-new-lesson.md, line 3: 'minutes' must be" in caught.value.message
    assert counts(db) == before
    assert lesson(db, "first-steps").published_revision_id == published
    assert lesson(db, "just-reading").archived_at is None


def test_reimport_of_unchanged_files_makes_no_new_revision(db, lessons_root):
    import_courses(lessons_root)
    db.session.commit()
    before = counts(db)

    result = import_courses(lessons_root)
    db.session.commit()

    assert result.summary() == "Imported 1 course: 0 new lessons, 0 changed, 3 unchanged, 0 archived."
    assert counts(db) == before


def test_changed_lesson_gets_one_new_revision_and_is_published(db, lessons_root):
    import_courses(lessons_root)
    db.session.commit()
    first_revision = lesson(db, "first-steps").published_revision

    write_course(lessons_root, {"basics/01-first-steps.md": FIRST_STEPS.replace("Some **bold** text", "New text")})
    lines = []
    import_courses(lessons_root, echo=lines.append)
    db.session.commit()

    item = lesson(db, "first-steps")
    assert lines == ["Imported sample-course: 0 new lessons, 1 changed, 2 unchanged, 0 archived"]
    assert revisions(db, item) == [1, 2]
    assert item.published_revision_id != first_revision.id
    assert item.published_revision.number == 2
    assert "New text" in item.published_revision.body
    assert "Some **bold** text" in db.session.get(LessonRevision, first_revision.id).body


def test_removed_lesson_is_archived_with_its_revisions_and_can_come_back(db, lessons_root):
    import_courses(lessons_root)
    db.session.commit()

    write_course(lessons_root, {"extras/01-just-reading.md": None})
    lines = []
    import_courses(lessons_root, echo=lines.append)
    db.session.commit()

    item = lesson(db, "just-reading")
    assert lines == ["Imported sample-course: 0 new lessons, 0 changed, 2 unchanged, 1 archived"]
    assert item.archived_at is not None
    assert revisions(db, item) == [1]
    assert item.published_revision_id is not None
    course = db.session.scalar(select(Course))
    assert [entry.lessons for entry in course_outline(course) if entry.module.slug == "extras"] == [[]]

    write_course(lessons_root, {"extras/01-just-reading.md": JUST_READING})
    lines.clear()
    import_courses(lessons_root, echo=lines.append)
    db.session.commit()

    assert lines == ["Imported sample-course: 0 new lessons, 1 changed, 2 unchanged, 0 archived"]
    assert lesson(db, "just-reading").archived_at is None
    assert revisions(db, item) == [1]


def test_moved_lesson_keeps_its_id_and_history(db, lessons_root):
    import_courses(lessons_root)
    db.session.commit()
    item_id = lesson(db, "practice-and-reflect").id

    write_course(
        lessons_root,
        {"basics/02-practice-and-reflect.md": None, "extras/01-practice-and-reflect.md": PRACTICE_AND_REFLECT},
    )
    (lessons_root / "sample-course" / "extras" / "01-just-reading.md").rename(
        lessons_root / "sample-course" / "extras" / "02-just-reading.md"
    )
    import_courses(lessons_root)
    db.session.commit()

    item = lesson(db, "practice-and-reflect")
    assert item.id == item_id
    assert revisions(db, item) == [1]
    course = db.session.scalar(select(Course))
    assert [(entry.module.slug, [x.slug for x in entry.lessons]) for entry in course_outline(course)] == [
        ("basics", ["first-steps"]),
        ("extras", ["practice-and-reflect", "just-reading"]),
    ]


def test_module_removed_from_course_yaml_is_archived(db, lessons_root):
    import_courses(lessons_root)
    db.session.commit()

    course_yaml = (lessons_root / "sample-course" / "course.yaml").read_text()
    write_course(
        lessons_root, {"course.yaml": course_yaml.split("  - slug: extras")[0], "extras/01-just-reading.md": None}
    )
    (lessons_root / "sample-course" / "extras").rmdir()
    result = import_courses(lessons_root)
    db.session.commit()

    assert result.archived == 1
    extras = db.session.scalar(select(Module).where(Module.slug == "extras"))
    assert extras.archived_at is not None
    assert [entry.module.slug for entry in course_outline(result.courses[0])] == ["basics"]


def test_export_after_import_reproduces_the_folder_byte_for_byte(db, lessons_root, tmp_path):
    import_courses(lessons_root)
    db.session.commit()

    paths = export_courses(tmp_path / "exported")

    assert paths == [tmp_path / "exported" / "sample-course"]
    original = read_tree(lessons_root / "sample-course")
    exported = read_tree(paths[0])
    assert sorted(exported) == sorted(original)
    for name, data in original.items():
        assert exported[name] == data, name


def test_export_renumbers_and_leaves_out_archived_lessons(db, lessons_root, tmp_path):
    import_courses(lessons_root)
    write_course(
        lessons_root,
        {"basics/01-first-steps.md": None, "basics/10-first-steps.md": FIRST_STEPS, "extras/01-just-reading.md": None},
    )
    course = import_courses(lessons_root).courses[0]
    db.session.commit()

    folder = export_course(course, tmp_path / "out")

    assert sorted(read_tree(folder)) == [
        "basics/01-practice-and-reflect.md",
        "basics/02-first-steps.md",
        "course.yaml",
    ]
    assert (folder / "extras").is_dir()
    assert (folder / "basics" / "02-first-steps.md").read_text() == FIRST_STEPS


def test_export_refuses_to_overwrite_unless_asked(db, lessons_root, tmp_path):
    course = import_courses(lessons_root).courses[0]
    db.session.commit()
    target = tmp_path / "out"
    export_course(course, target)
    (target / "sample-course" / "basics" / "99-stale.md").write_text("stale")

    with pytest.raises(Invalid, match="already exists and is not empty"):
        export_course(course, target)
    export_course(course, target, replace=True)

    assert not (target / "sample-course" / "basics" / "99-stale.md").exists()
    assert read_tree(target / "sample-course") == read_tree(lessons_root / "sample-course")


def test_create_revision_numbers_and_normalises(db, lessons_root, make_user):
    import_courses(lessons_root)
    db.session.commit()
    item = lesson(db, "just-reading")
    editor = make_user(roles=("trainer",))

    revision = create_revision(
        item,
        title="  Just reading, revised ",
        minutes=4,
        body="\n\nNew body\n\n",
        activities=[{"key": "reflection-1", "type": "reflection", "prompt": " Why? "}],
        author=editor,
        source="editor",
    )

    assert revision.number == 2
    assert item.published_revision_id == revision.id
    assert (revision.title, revision.body, revision.author_id, revision.source) == (
        "Just reading, revised",
        "New body",
        editor.id,
        "editor",
    )
    assert revision.activities == [{"key": "reflection-1", "type": "reflection", "prompt": "Why?"}]


def test_create_revision_refuses_content_the_format_does_not_allow(db, lessons_root):
    import_courses(lessons_root)
    db.session.commit()
    item = lesson(db, "just-reading")

    with pytest.raises(InvalidLessonFile, match="'minutes' must be a whole number from 1 to 120"):
        create_revision(item, title="T", minutes=0, body="", activities=[], author=None, source="editor")
    with pytest.raises(Invalid, match="activities are not in the lesson format"):
        create_revision(
            item, title="T", minutes=3, body="", activities=[{"type": "quiz"}], author=None, source="editor"
        )
    assert revisions(db, item) == [1]


def test_lesson_html_is_stored_with_the_revision_and_shown_from_it(db, lessons_root):
    from courseware.content.published import published_revision

    import_courses(lessons_root)
    db.session.commit()
    db.session.expire_all()
    revision = lesson(db, "first-steps").published_revision

    assert "<h2>Why listen first</h2>" in revision.body_html
    assert published_revision(revision.id).body_html == revision.body_html


def test_a_revision_without_stored_html_is_rendered_for_learners(db, lessons_root):
    from courseware.content.published import published_revision

    import_courses(lessons_root)
    revision = lesson(db, "first-steps").published_revision
    revision.body_html = None
    db.session.commit()

    html = published_revision(revision.id).body_html

    assert "<h2>Why listen first</h2>" in html and "<strong>bold</strong>" in html


def test_course_outline_takes_two_queries_however_many_lessons(app, db, lessons_root):
    import_courses(lessons_root)
    db.session.commit()
    course_id = db.session.scalar(select(Course.id))
    db.session.expire_all()
    course = db.session.get(Course, course_id)
    statements = []

    def count(*_args):
        statements.append(1)

    engine = app.extensions["courseware.db"]["engine"]
    event.listen(engine, "before_cursor_execute", count)
    try:
        outline = course_outline(course)
        titles = [item.published_revision.title for entry in outline for item in entry.lessons]
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert titles == ["First steps", "Practice: objectives", "Just reading"]
    assert len(statements) == 2  # the modules, then the lessons joined to their published revisions

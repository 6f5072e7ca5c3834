"""The built-in course in lessons/: it imports cleanly, exports byte for byte, and teaches well."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from courseware.content.format import find_courses
from courseware.content.services import export_courses, import_courses

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
WORDS_PER_MINUTE = 200


@pytest.fixture(scope="module")
def course():
    [course] = find_courses(LESSONS)
    return course


def test_the_shipped_course_imports_and_exports_byte_for_byte(db, tmp_path):
    result = import_courses(str(LESSONS))
    assert [c.slug for c in result.courses] == ["social-media-practice"]
    export_courses(tmp_path / "out")
    differences = []

    def compare(dcmp, prefix=""):
        differences.extend(f"{prefix}{name}" for name in dcmp.left_only + dcmp.right_only + dcmp.diff_files)
        for name, sub in dcmp.subdirs.items():
            compare(sub, f"{prefix}{name}/")

    compare(filecmp.dircmp(LESSONS, tmp_path / "out"))
    # dircmp compares by size and time; check every file's bytes too
    for path in LESSONS.rglob("*"):
        if path.is_file():
            twin = tmp_path / "out" / path.relative_to(LESSONS)
            if twin.read_bytes() != path.read_bytes():
                differences.append(str(path.relative_to(LESSONS)))
    assert differences == []
    again = import_courses(str(LESSONS))
    assert (again.created, again.updated) == (0, 0)


def test_the_course_covers_seven_modules_and_at_least_28_lessons(course):
    assert [m.slug for m in course.modules] == [
        "objectives",
        "listening",
        "profiles",
        "blogging",
        "conversations",
        "measuring",
        "training-others",
    ]
    assert len(course.lessons) >= 28
    assert all(len(module.lessons) >= 4 for module in course.modules)


def test_every_lesson_has_an_activity_and_reads_in_three_to_eight_minutes(course):
    for lesson in course.lessons:
        assert lesson.activities, f"{lesson.source_path} has no activity"
        reading = len(lesson.body.split()) / WORDS_PER_MINUTE
        assert 2.5 <= reading <= 8, f"{lesson.source_path} reads in {reading:.1f} minutes"


def test_every_module_ends_with_reviewed_practice_or_a_quiz(course):
    for module in course.modules:
        last = module.lessons[-1]
        kinds = {a["type"] for a in last.activities}
        practice = [a for a in last.activities if a["type"] == "practice"]
        assert practice or "quiz" in kinds, f"{module.slug} ends without practice or a quiz"
        for activity in practice:
            assert len(activity["rubric"]) >= 3, f"{last.source_path}: rubric too thin"


def test_quiz_feedback_teaches_rather_than_just_marking(course):
    for lesson in course.lessons:
        for activity in lesson.activities:
            if activity["type"] != "quiz":
                continue
            for question in activity["questions"]:
                for choice in question["choices"]:
                    feedback = choice["feedback"].strip()
                    assert len(feedback.split()) >= 8, f"{lesson.source_path}: thin feedback {feedback!r}"
                    assert feedback.lower().rstrip("!.") not in {"correct", "wrong", "right", "incorrect"}


def test_setup_checklists_are_confirmed_by_a_trainer(course):
    setup = {"listening", "profiles"}
    for module in course.modules:
        if module.slug not in setup:
            continue
        checklists = [a for lesson in module.lessons for a in lesson.activities if a["type"] == "checklist"]
        assert checklists, f"{module.slug} has no checklist"
        assert all(a.get("verified_by") == "trainer" for a in checklists)


def test_reflections_feed_the_journal_in_every_module(course):
    for module in course.modules:
        kinds = {a["type"] for lesson in module.lessons for a in lesson.activities}
        assert "reflection" in kinds, f"{module.slug} has no reflection prompt"

"""``flask lessons import`` and ``flask lessons export`` as a writer or operator uses them."""

from __future__ import annotations

from sqlalchemy import func, select

from courseware.models import Course, Lesson, LessonRevision
from tests.content.samples import FIRST_STEPS, nested_aliases, read_tree, write_course


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_import_prints_progress_and_a_summary(runner, db, tmp_path):
    root = tmp_path / "lessons"
    write_course(root)

    result = runner.invoke(args=["lessons", "import", str(root)])

    assert result.exit_code == 0, result.output
    assert result.output == (
        "Imported sample-course: 3 new lessons, 0 changed, 0 unchanged, 0 archived\n"
        "Imported 1 course: 3 new lessons, 0 changed, 0 unchanged, 0 archived.\n"
    )
    assert count(db, Lesson) == 3


def test_import_defaults_to_the_configured_lessons_folder(app, runner, db, tmp_path, monkeypatch):
    write_course(tmp_path / "lessons")
    monkeypatch.setitem(app.config, "LESSONS_PATH", str(tmp_path / "lessons"))

    result = runner.invoke(args=["lessons", "import"])

    assert result.exit_code == 0, result.output
    assert "Imported 1 course: 3 new lessons" in result.output


def test_import_of_broken_files_lists_every_problem_and_writes_nothing(runner, db, tmp_path):
    root = tmp_path / "lessons"
    broken = FIRST_STEPS.replace("minutes: 5", "minutes: 500").replace("  - type: checklist", "  - type: checklst")
    write_course(root, {"basics/01-first-steps.md": broken})

    result = runner.invoke(args=["lessons", "import", str(root)])

    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an error escaping the command
    assert "Traceback" not in result.output
    assert result.stderr.startswith("Error: nothing was imported; fix these 2 problems and run the import again:\n")
    assert "lessons/sample-course/basics/01-first-steps.md, line 3: 'minutes' must be" in result.stderr
    assert "lessons/sample-course/basics/01-first-steps.md, line 27: activity 2: unknown activity type" in result.stderr
    assert result.stdout == ""
    assert (count(db, Course), count(db, Lesson), count(db, LessonRevision)) == (0, 0, 0)


def test_import_refuses_nested_aliases_naming_the_file_and_line(runner, db, tmp_path):
    """A few hundred bytes that would expand to hundreds of millions of values are refused at once."""
    root = tmp_path / "lessons"
    write_course(
        root, {"basics/01-first-steps.md": FIRST_STEPS.replace("minutes: 5\n", "minutes: 5\n" + nested_aliases())}
    )

    result = runner.invoke(args=["lessons", "import", str(root)])

    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert (
        "lessons/sample-course/basics/01-first-steps.md, line 5: the YAML cannot be read: found the alias *l0"
        in result.stderr
    )
    assert count(db, Lesson) == 0


def test_import_of_a_missing_folder_fails_cleanly(runner, db, tmp_path):
    result = runner.invoke(args=["lessons", "import", str(tmp_path / "nowhere")])

    assert result.exit_code == 1
    assert "nowhere: there is no such folder" in result.stderr
    assert isinstance(result.exception, SystemExit)


def test_export_writes_the_files_and_refuses_to_overwrite(runner, db, tmp_path):
    root = tmp_path / "lessons"
    write_course(root)
    assert runner.invoke(args=["lessons", "import", str(root)]).exit_code == 0
    out = tmp_path / "out"

    result = runner.invoke(args=["lessons", "export", str(out)])

    assert result.exit_code == 0, result.output
    assert result.output.endswith("Exported 1 course.\n")
    assert read_tree(out / "sample-course") == read_tree(root / "sample-course")

    again = runner.invoke(args=["lessons", "export", str(out)])
    assert again.exit_code == 1
    assert "already exists and is not empty" in again.stderr
    assert runner.invoke(args=["lessons", "export", "--replace", str(out)]).exit_code == 0

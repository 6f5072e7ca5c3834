"""Courses in several languages as files: ``NN-slug.<lang>.md`` beside ``NN-slug.md`` and the
translated titles in course.yaml, checked against the original, imported and exported byte for byte."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from courseware.content import translations
from courseware.content.format import InvalidLessonFile, find_courses, parse_course
from courseware.content.services import export_courses, import_courses
from courseware.models import Course, Lesson, LessonTranslation
from tests.content.samples import (
    FIRST_STEPS,
    FIRST_STEPS_ES,
    JUST_READING_ES,
    PRACTICE_AND_REFLECT_ES,
    TRANSLATED,
    read_tree,
    write_course,
)

ES = "sample-course/basics/01-first-steps.es.md"


def problems(tmp_path, files: dict) -> list[str]:
    with pytest.raises(InvalidLessonFile) as caught:
        find_courses(write_course(tmp_path / "lessons", {**TRANSLATED, **files}))
    return [str(problem) for problem in caught.value.problems]


def test_translations_are_read_beside_their_originals(tmp_path):
    course = parse_course(write_course(tmp_path, TRANSLATED))
    first, practice, reading = course.lessons
    assert list(first.translations) == ["es"] and list(reading.translations) == ["es", "fr"]
    spanish = first.translations["es"]
    assert spanish.title == "Primeros pasos"
    assert spanish.activities[0]["questions"][0]["choices"][0] == {
        "text": "Los objetivos",
        "correct": True,
        "feedback": "Te dicen qué escuchar.",
    }
    assert practice.translations["es"].activities[1]["key"] == "first-thoughts"
    assert reading.translations["es"].activities == []
    assert course.language == "en"
    assert course.translations["es"].modules == {"basics": "Lo básico", "extras": "Extras"}
    assert course.translations["fr"].title == "Cours d'exemple" and course.translations["fr"].modules == {}


def test_a_translation_without_its_original_is_named(tmp_path):
    assert problems(tmp_path, {"basics/03-gone.es.md": FIRST_STEPS_ES}) == [
        "sample-course/basics/03-gone.es.md, line 1: this translates 03-gone.md, which is not in "
        "sample-course/basics/: add the original beside it, or give the translation the original's "
        "name with the language"
    ]


def test_an_unknown_language_is_named(tmp_path):
    assert problems(tmp_path, {"basics/01-first-steps.de.md": FIRST_STEPS_ES}) == [
        "sample-course/basics/01-first-steps.de.md, line 1: 'de' is not a language courses are "
        "translated into (known: es, fr); a translation of 01-first-steps.md is named like 01-first-steps.es.md"
    ]


def test_a_translation_into_the_course_language_is_refused(tmp_path):
    found = problems(tmp_path, {"basics/01-first-steps.en.md": FIRST_STEPS_ES})
    assert found == [
        "sample-course/basics/01-first-steps.en.md, line 1: the course is written in 'en' (course.yaml's "
        "language), so it has no translation into it; a translation of 01-first-steps.md is named like "
        "01-first-steps.es.md"
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            (
                "            correct: true\n            feedback: Allí",
                "            correct: false\n            feedback: Allí",
            ),
            f"{ES}, line 18: quiz question 2, choice 1: 'correct' is the true/false value false here but the "
            "true/false value true in the original 01-first-steps.md; a translation changes only the texts a "
            "learner reads, so copy the original's value",
        ),
        (
            ("    pass_mark: 2\n", "    pass_mark: 1\n"),
            f"{ES}, line 5: quiz: 'pass_mark' is the number 1 here but the number 2 in the original "
            "01-first-steps.md; a translation changes only the texts a learner reads, so copy the original's value",
        ),
        (
            ("    verified_by: trainer\n", ""),
            f"{ES}, line 26: checklist: 'verified_by' is left out here but the text 'trainer' in the original "
            "01-first-steps.md; a translation changes only the texts a learner reads, so copy the original's value",
        ),
        (
            ("      - Guarda una búsqueda sobre la causa\n", ""),
            f"{ES}, line 28: checklist: 'items' has 1 entries here and 2 in the original 01-first-steps.md; "
            "a translation keeps the original's entries, in the same order",
        ),
        (
            ("  - type: checklist\n", "  - type: reflection\n    prompt: ¿Y?\n  - type: checklist\n"),
            f"{ES}, line 4: the translation has 3 activities and the original 01-first-steps.md has 2: "
            "translate each of the original's activities, in the same order",
        ),
        (
            ("title: Primeros pasos\n", "title: Primeros pasos\nminutes: 5\n"),
            f"{ES}, line 3: 'minutes' belongs to the lesson and is read from the original 01-first-steps.md: "
            "a translation holds only title and activities",
        ),
    ],
    ids=["correct", "pass-mark", "verified-by", "items", "count", "minutes"],
)
def test_a_translation_that_changes_more_than_text_is_named_with_its_line(tmp_path, change, expected):
    old, new = change
    assert old in FIRST_STEPS_ES
    assert problems(tmp_path, {"basics/01-first-steps.es.md": FIRST_STEPS_ES.replace(old, new, 1)}) == [expected]


def test_a_translation_of_another_activity_type_is_named(tmp_path):
    swapped = FIRST_STEPS_ES.replace("  - type: checklist\n    items:", "  - type: reflection\n    items:")
    assert any(
        "activity 2 is a reflection here but a checklist" in line or "unknown key" in line
        for line in problems(tmp_path, {"basics/01-first-steps.es.md": swapped})
    )


def test_a_translation_keeps_the_format_own_checks(tmp_path):
    assert problems(tmp_path, {"extras/01-just-reading.es.md": "---\nactivities: []\ntitel: x\n---\n"}) == [
        "sample-course/extras/01-just-reading.es.md, line 2: 'title' is missing",
        "sample-course/extras/01-just-reading.es.md, line 3: unknown key 'titel' (did you mean 'title'?)",
    ]


def test_course_yaml_translations_are_checked(tmp_path):
    yaml_text = TRANSLATED["course.yaml"].replace("      basics: Lo básico\n", "      basic: Lo básico\n")
    yaml_text = yaml_text.replace("  fr:\n", "  de:\n")
    assert problems(tmp_path, {"course.yaml": yaml_text}) == [
        "sample-course/course.yaml, line 15: translations: es: 'basic' is not one of the modules listed "
        "under 'modules'",
        "sample-course/course.yaml, line 17: translations: 'de' is not a language courses are translated "
        "into (known: es, fr)",
    ]


def test_import_then_export_gives_back_translated_files_byte_for_byte(db, tmp_path):
    root = tmp_path / "lessons"
    write_course(root, TRANSLATED)
    import_courses(root)
    db.session.commit()

    (folder,) = export_courses(tmp_path / "exported")

    original, exported = read_tree(root / "sample-course"), read_tree(folder)
    assert sorted(exported) == sorted(original)
    for name, data in original.items():
        assert exported[name] == data, name


def test_reimporting_unchanged_translations_changes_nothing(db, tmp_path):
    root = tmp_path / "lessons"
    write_course(root, TRANSLATED)
    import_courses(root)
    db.session.commit()
    before = {row.id: row.updated_at for row in db.session.scalars(select(LessonTranslation))}
    assert len(before) == 4

    import_courses(root)
    db.session.commit()
    assert {row.id: row.updated_at for row in db.session.scalars(select(LessonTranslation))} == before


def _first_steps(db) -> tuple[Lesson, LessonTranslation]:
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "first-steps"))
    return lesson, translations.translation_of(lesson, "es")


def test_an_original_changed_alone_makes_its_translation_need_updating_until_it_is_revised(db, tmp_path):
    root = tmp_path / "lessons"
    write_course(root, TRANSLATED)
    import_courses(root)
    lesson, spanish = _first_steps(db)
    assert not translations.needs_updating(spanish, lesson)

    write_course(root, {**TRANSLATED, "basics/01-first-steps.md": FIRST_STEPS.replace("## Why", "## So why")})
    import_courses(root)
    lesson, spanish = _first_steps(db)
    assert translations.needs_updating(spanish, lesson)

    import_courses(root)  # nothing changed: it still needs updating
    assert translations.needs_updating(*reversed(_first_steps(db)))

    revised = FIRST_STEPS_ES.replace("## Por qué", "## Entonces, por qué")
    write_course(root, {**TRANSLATED, "basics/01-first-steps.md": FIRST_STEPS, "basics/01-first-steps.es.md": revised})
    import_courses(root)  # both files changed together: in step
    lesson, spanish = _first_steps(db)
    assert not translations.needs_updating(spanish, lesson)


def test_a_translation_removed_from_the_files_is_removed(db, tmp_path):
    root = tmp_path / "lessons"
    write_course(root, TRANSLATED)
    import_courses(root)
    write_course(root, {**TRANSLATED, "extras/01-just-reading.fr.md": None})
    import_courses(root)
    assert sorted(db.session.scalars(select(LessonTranslation.language))) == ["es", "es", "es"]


def test_course_titles_and_language_are_stored_and_written_back(db, tmp_path):
    root = tmp_path / "lessons"
    write_course(root, TRANSLATED)
    import_courses(root)
    course = db.session.scalar(select(Course))
    assert course.language == "en"
    assert course.translations["es"] == {
        "title": "Curso de ejemplo",
        "summary": "Un curso pequeño para las pruebas, con cada tipo de actividad.",
        "modules": {"basics": "Lo básico", "extras": "Extras"},
    }


def test_a_course_written_in_spanish_may_be_translated_into_english(tmp_path):
    yaml_text = TRANSLATED["course.yaml"].replace(
        "modules:\n  - slug: basics", "language: es\nmodules:\n  - slug: basics", 1
    )
    files = {
        "course.yaml": yaml_text.replace("  es:\n    title: Curso de ejemplo", "  en:\n    title: Curso de ejemplo"),
        "basics/01-first-steps.es.md": None,
        "basics/02-practice-and-reflect.es.md": None,
        "extras/01-just-reading.es.md": None,
        "basics/01-first-steps.en.md": FIRST_STEPS_ES,
    }
    course = parse_course(write_course(tmp_path, files))
    assert course.language == "es" and list(course.translations) == ["en", "fr"]
    assert list(course.lessons[0].translations) == ["en"]


def test_samples_hold_each_translation():
    assert PRACTICE_AND_REFLECT_ES in TRANSLATED.values() and JUST_READING_ES in TRANSLATED.values()


def test_shown_activities_take_the_translation_texts_and_the_original_values(tmp_path):
    from courseware.content.format import translated_activities

    course = parse_course(write_course(tmp_path, TRANSLATED))
    first = course.lessons[0]
    spanish = first.translations["es"].activities
    changed = [dict(first.activities[0], pass_mark=1), first.activities[1]]
    shown = translated_activities(changed, spanish)
    assert shown[0]["pass_mark"] == 1 and shown[0]["questions"][0]["prompt"] == "¿Qué va primero?"
    # Once the original's shape has changed, its activities are shown as they are.
    assert translated_activities(first.activities[:1], spanish) == first.activities[:1]

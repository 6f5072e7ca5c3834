"""The lesson file format: what parses, what each mistake reports, and the canonical form."""

from __future__ import annotations

import pytest

from courseware.content import format as lesson_format
from courseware.content.format import (
    CourseSpec,
    ImportBudget,
    InvalidLessonFile,
    LessonSpec,
    ModuleSpec,
    dump_course_yaml,
    dump_lesson,
    find_courses,
    parse_course,
    parse_lesson_text,
)
from courseware.exceptions import DomainError
from tests.content.samples import (
    COURSE_YAML,
    FIRST_STEPS,
    PRACTICE_AND_REFLECT,
    SAMPLE,
    nested_aliases,
    write_course,
)

FILE = "lessons/sample-course/basics/01-first-steps.md"
COURSE_FILE = "lessons/sample-course/course.yaml"


def problems(tmp_path, files: dict[str, str | None]) -> list[str]:
    """The problems reported for the sample course changed by ``files``, one string each."""
    write_course(tmp_path / "lessons", files)
    with pytest.raises(InvalidLessonFile) as caught:
        find_courses(tmp_path / "lessons")
    found = [str(problem) for problem in caught.value.problems]
    assert caught.value.message == "\n".join(found)
    return found


def first_steps(old: str, new: str) -> dict[str, str]:
    assert old in FIRST_STEPS, old
    return {"basics/01-first-steps.md": FIRST_STEPS.replace(old, new, 1)}


# --- what parses -------------------------------------------------------------------------


def test_sample_course_parses_with_modules_and_lessons_in_order(tmp_path):
    course = parse_course(write_course(tmp_path))
    assert (course.slug, course.title) == ("sample-course", "Sample course")
    assert [(m.slug, m.optional, [lesson.slug for lesson in m.lessons]) for m in course.modules] == [
        ("basics", False, ["first-steps", "practice-and-reflect"]),
        ("extras", True, ["just-reading"]),
    ]
    first = course.modules[0].lessons[0]
    assert (first.title, first.minutes) == ("First steps", 5)
    assert first.body.startswith("## Why listen first\n\nSome **bold**")
    assert first.source_path == "sample-course/basics/01-first-steps.md"


def test_every_activity_type_is_normalised_with_its_key(tmp_path):
    course = parse_course(write_course(tmp_path))
    quiz, checklist = course.modules[0].lessons[0].activities
    practice, named, reflection = course.modules[0].lessons[1].activities
    assert quiz["key"] == "quiz-1" and quiz["type"] == "quiz" and quiz["pass_mark"] == 2
    assert quiz["questions"][1] == {
        "prompt": "Where can you listen?",
        "choices": [
            {"text": "Forums", "correct": True, "feedback": "People ask real questions there."},
            {"text": "Saved searches", "correct": True, "feedback": "They bring conversations to you."},
            {
                "text": "Your own feed only",
                "correct": False,
                "feedback": "You would only hear people who already follow you.",
            },
        ],
    }
    assert checklist == {
        "key": "checklist-1",
        "type": "checklist",
        "items": ["Save a search for the organisation's name", "Save a search for the cause"],
        "verified_by": "trainer",
    }
    assert practice["key"] == "practice-1" and practice["approval"] == "required"
    assert practice["prompt"] == (
        "Write three objectives for the next six months.\n\nSay for each one how you will know it is met."
    )
    assert practice["rubric"][1] == {
        "name": "Measurable",
        "good": "Each has a measure: a number, or examples you will collect.",
    }
    # An explicit id is the key; the default key counts activities of that type, ids or not.
    assert named == {
        "key": "first-thoughts",
        "type": "reflection",
        "prompt": "Which of your organisation's goals could social media help with first?",
    }
    assert reflection["key"] == "reflection-2"
    assert course.modules[1].lessons[0].activities == []


def test_optional_keys_are_absent_when_not_written(tmp_path):
    text = FIRST_STEPS.replace("    verified_by: trainer\n", "")
    course = parse_course(write_course(tmp_path, {"basics/01-first-steps.md": text}))
    assert "verified_by" not in course.modules[0].lessons[0].activities[1]


def test_pass_mark_fraction_and_count_keep_their_kind(tmp_path):
    lesson = parse_lesson_text(FIRST_STEPS.replace("pass_mark: 2", "pass_mark: 0.5"), slug="first-steps")
    assert lesson.activities[0]["pass_mark"] == 0.5
    lesson = parse_lesson_text(FIRST_STEPS.replace("pass_mark: 2", "pass_mark: 1.0"), slug="first-steps")
    assert isinstance(lesson.activities[0]["pass_mark"], float)


def test_find_courses_reads_every_course_folder_and_skips_underscored_ones(tmp_path):
    root = tmp_path / "lessons"
    write_course(root)
    write_course(root, {"course.yaml": COURSE_YAML.replace("sample-course", "second-course")}, slug="second-course")
    (root / "_drafts").mkdir()
    assert [course.slug for course in find_courses(root)] == ["sample-course", "second-course"]
    assert [course.slug for course in find_courses(root / "second-course")] == ["second-course"]


def test_a_folder_without_course_yaml_is_reported(tmp_path):
    root = tmp_path / "lessons"
    write_course(root)
    (root / "stray").mkdir()
    with pytest.raises(InvalidLessonFile) as caught:
        find_courses(root)
    assert caught.value.message == "lessons/stray: this folder has no course.yaml, so it is not a course"


def test_invalid_lesson_file_is_a_domain_error(tmp_path):
    with pytest.raises(DomainError):
        find_courses(tmp_path / "missing")


# --- what each mistake reports -----------------------------------------------------------


def test_bad_yaml_reports_the_yaml_line_in_the_file(tmp_path):
    found = problems(tmp_path, first_steps("feedback: They tell you", "feedback: Right: they tell you"))
    assert len(found) == 1
    assert found[0].startswith(f"{FILE}, line 12: the YAML cannot be read: ")
    assert "mapping values are not allowed here" in found[0]
    assert "double quotes" in found[0]


def test_bad_yaml_in_course_yaml_reports_its_line_and_lessons_are_still_checked(tmp_path):
    files = {
        "course.yaml": COURSE_YAML.replace("title: Extras", "title: [Extras"),
        **first_steps("minutes: 5", "minutes: 500"),
    }
    found = problems(tmp_path, files)
    assert found[0].startswith(f"{COURSE_FILE}, line 9: the YAML cannot be read")
    assert found[1] == f"{FILE}, line 3: 'minutes' must be a whole number from 1 to 120, not the number 500"


def test_unknown_key_suggests_the_near_miss(tmp_path):
    found = problems(tmp_path, first_steps("    pass_mark: 2", "    passmark: 2"))
    assert f"{FILE}, line 6: quiz: unknown key 'passmark' (did you mean 'pass_mark'?)" in found
    assert f"{FILE}, line 5: quiz: 'pass_mark' is missing" in found


def test_unknown_key_without_near_miss_lists_the_allowed_keys(tmp_path):
    found = problems(tmp_path, first_steps("minutes: 5\n", "minutes: 5\nauthor: Tess\n"))
    assert found == [f"{FILE}, line 4: unknown key 'author' (allowed here: title, minutes, activities, discussion)"]


def test_missing_key_points_at_the_mapping_that_lacks_it(tmp_path):
    found = problems(
        tmp_path, first_steps("            feedback: Posting before listening misses the conversation.\n", "")
    )
    assert found == [f"{FILE}, line 13: quiz question 1, choice 2: 'feedback' is missing"]


def test_wrong_types_say_what_yaml_read(tmp_path):
    files = first_steps("minutes: 5", "minutes: five")
    files["basics/01-first-steps.md"] = files["basics/01-first-steps.md"].replace("text: Posting", "text: no")
    found = problems(tmp_path, files)
    assert found == [
        f"{FILE}, line 3: 'minutes' must be a whole number from 1 to 120, not the text 'five'",
        f"{FILE}, line 13: quiz question 1, choice 2: 'text' must be text, but YAML read the true/false value "
        "false; put it in double quotes",
    ]


def test_minutes_out_of_range(tmp_path):
    assert problems(tmp_path, first_steps("minutes: 5", "minutes: 0")) == [
        f"{FILE}, line 3: 'minutes' must be a whole number from 1 to 120, not the number 0"
    ]


def test_unknown_activity_type_lists_the_known_ones(tmp_path):
    found = problems(tmp_path, first_steps("  - type: checklist", "  - type: checklst"))
    assert found == [
        f"{FILE}, line 27: activity 2: unknown activity type 'checklst' "
        "(did you mean 'checklist'? known types: quiz, checklist, practice, reflection, package)"
    ]


def test_question_without_correct_choice(tmp_path):
    files = first_steps(
        "          - text: Forums\n            correct: true", "          - text: Forums\n            correct: false"
    )
    files["basics/01-first-steps.md"] = files["basics/01-first-steps.md"].replace(
        "          - text: Saved searches\n            correct: true",
        "          - text: Saved searches\n            correct: false",
    )
    assert problems(tmp_path, files) == [
        f"{FILE}, line 16: quiz question 2 has no correct choice (mark at least one 'correct: true')"
    ]


@pytest.mark.parametrize(
    ("pass_mark", "expected"),
    [
        ("3", "pass_mark 3 is more than the 2 questions"),
        ("1.5", "pass_mark 1.5 is out of range"),
        ("0", "pass_mark 0 is out of range"),
        ("0.0", "pass_mark 0.0 is out of range"),
        ("most", "'pass_mark' must be a number, not the text 'most'"),
    ],
)
def test_pass_mark_out_of_range(tmp_path, pass_mark, expected):
    found = problems(tmp_path, first_steps("pass_mark: 2", f"pass_mark: {pass_mark}"))
    assert len(found) == 1
    assert found[0].startswith(f"{FILE}, line 6: quiz: {expected}")


def test_duplicate_activity_keys(tmp_path):
    text = PRACTICE_AND_REFLECT.replace("  - id: first-thoughts\n", "  - id: reflection-2\n")
    found = problems(tmp_path, {"basics/02-practice-and-reflect.md": text})
    assert found == [
        "lessons/sample-course/basics/02-practice-and-reflect.md, line 19: reflection 2: the activity key "
        "'reflection-2' is already used by the activity on line 16; give one of them a different 'id'"
    ]


def test_activity_id_must_be_a_slug(tmp_path):
    text = PRACTICE_AND_REFLECT.replace("id: first-thoughts", "id: First_Thoughts")
    found = problems(tmp_path, {"basics/02-practice-and-reflect.md": text})
    assert len(found) == 1
    assert found[0].startswith(
        "lessons/sample-course/basics/02-practice-and-reflect.md, line 16: reflection 1: id 'First_Thoughts' "
        "is not a valid slug"
    )


def test_lesson_file_name_must_be_a_slug_after_the_number(tmp_path):
    found = problems(tmp_path, {"basics/01-first-steps.md": None, "basics/01-First_Steps.md": FIRST_STEPS})
    assert len(found) == 1
    assert found[0].startswith(
        "lessons/sample-course/basics/01-First_Steps.md, line 1: the lesson slug 'First_Steps' is not a valid slug"
    )


def test_file_without_numeric_prefix(tmp_path):
    found = problems(tmp_path, {"basics/01-first-steps.md": None, "basics/first-steps.md": FIRST_STEPS})
    assert found == [
        "lessons/sample-course/basics/first-steps.md, line 1: the file name needs a number in front, like "
        "01-first-steps.md (the number sets the lesson's place in the module)"
    ]


def test_duplicate_lesson_slugs_within_a_course(tmp_path):
    found = problems(tmp_path, {"extras/02-first-steps.md": FIRST_STEPS})
    assert found == [
        "lessons/sample-course/extras/02-first-steps.md, line 1: the lesson slug 'first-steps' is also used by "
        "lessons/sample-course/basics/01-first-steps.md; lesson slugs must be unique within a course"
    ]


def test_duplicate_module_slugs(tmp_path):
    yaml_text = COURSE_YAML + "  - slug: basics\n    title: Basics again\n"
    found = problems(tmp_path, {"course.yaml": yaml_text})
    assert found == [
        f"{COURSE_FILE}, line 10: the module slug 'basics' is already used by the module on line 5",
    ]


def test_module_slug_must_be_a_slug(tmp_path):
    found = problems(tmp_path, {"course.yaml": COURSE_YAML.replace("slug: extras", "slug: Extras Module")})
    assert len(found) == 1
    assert found[0].startswith(f"{COURSE_FILE}, line 7: module 2: slug 'Extras Module' is not a valid slug")


def test_listed_module_without_folder(tmp_path):
    yaml_text = COURSE_YAML + "  - slug: measuring\n    title: Measuring\n"
    found = problems(tmp_path, {"course.yaml": yaml_text})
    assert found == [
        f"{COURSE_FILE}, line 10: module 'measuring' has no folder lessons/sample-course/measuring/: "
        "create it, or remove the module from this list"
    ]


def test_folder_not_listed_in_course_yaml(tmp_path):
    found = problems(tmp_path, {"drafts/01-idea.md": FIRST_STEPS.replace("First steps", "Idea")})
    assert found == [
        f"{COURSE_FILE}, line 4: the folder lessons/sample-course/drafts/ is not listed under 'modules': "
        "add it to the list, or move it out of the course folder"
    ]


def test_course_slug_must_match_its_folder(tmp_path):
    found = problems(tmp_path, {"course.yaml": COURSE_YAML.replace("slug: sample-course", "slug: other-course")})
    assert found == [
        f"{COURSE_FILE}, line 1: the course slug 'other-course' differs from its folder name 'sample-course'; "
        "name the folder after the slug"
    ]


def test_key_given_twice_is_reported(tmp_path):
    found = problems(tmp_path, first_steps("minutes: 5\n", "minutes: 5\ntitle: Again\n"))
    assert len(found) == 1
    assert found[0].startswith(f"{FILE}, line 4: the YAML cannot be read: found the key 'title' twice")


def test_front_matter_must_open_and_close(tmp_path):
    found = problems(tmp_path, {"basics/01-first-steps.md": "# Just Markdown\n"})
    assert found[0].startswith(f"{FILE}, line 1: a lesson file must start with a line '---'")
    found = problems(tmp_path, {"basics/01-first-steps.md": "---\ntitle: x\nminutes: 3\n"})
    assert found[0].startswith(f"{FILE}, line 1: the front matter opened on line 1 is never closed")


# --- YAML that would cost more than it says -----------------------------------------------


def test_nested_aliases_in_front_matter_are_refused_at_the_first_alias(tmp_path):
    """A few hundred bytes of aliases that would expand to 387 million texts are refused unbuilt."""
    found = problems(tmp_path, first_steps("minutes: 5\n", "minutes: 5\n" + nested_aliases()))
    assert found == [
        f"{FILE}, line 5: the YAML cannot be read: found the alias *l0; lesson files do not use YAML anchors "
        "(&name) and aliases (*name): write the value out in full"
    ]


def test_nested_aliases_in_course_yaml_are_refused_and_lessons_are_still_checked(tmp_path):
    files = {"course.yaml": COURSE_YAML + nested_aliases(), **first_steps("minutes: 5", "minutes: 500")}
    found = problems(tmp_path, files)
    assert found[0].startswith(f"{COURSE_FILE}, line 11: the YAML cannot be read: found the alias *l0;")
    assert found[1] == f"{FILE}, line 3: 'minutes' must be a whole number from 1 to 120, not the number 500"


def test_a_single_alias_is_refused_too(tmp_path):
    text = FIRST_STEPS.replace("title: First steps", "title: &name First steps").replace(
        "      - prompt: What comes first?", "      - prompt: *name"
    )
    found = problems(tmp_path, {"basics/01-first-steps.md": text})
    assert len(found) == 1 and found[0].startswith(f"{FILE}, line 8: the YAML cannot be read: found the alias *name;")


@pytest.mark.parametrize(
    ("nested", "line"),
    [("[" * 5000, 2), ("\n  " + "- " * 5000 + "x", 3), ("{a: " * 5000, 2)],
    ids=["flow-lists", "block-lists", "mappings"],
)
def test_deep_nesting_is_a_problem_on_its_line_not_a_crash(tmp_path, nested, line):
    """However deep the nesting, reading it stops at a bound, before Python's recursion limit."""
    found = problems(tmp_path, first_steps("title: First steps", "title: " + nested))
    assert len(found) == 1
    assert found[0].startswith(
        f"{FILE}, line {line}: the YAML cannot be read: lists and mappings are nested more than 20 levels deep"
    )


def test_a_file_with_too_many_values_is_refused(tmp_path):
    items = "".join(f"      - Item {n}\n" for n in range(12_000))
    text = f"---\ntitle: Long\nminutes: 5\nactivities:\n  - type: checklist\n    items:\n{items}---\n"
    found = problems(tmp_path, {"basics/01-first-steps.md": text})
    assert len(found) == 1
    assert found[0].startswith(f"{FILE}, line ")
    assert (
        "the file holds more than 10,000 values (keys, list items and texts); split it into several lessons"
        in (found[0])
    )


def test_a_lesson_text_longer_than_a_lesson_holds_is_refused_at_its_first_line(tmp_path):
    found = problems(tmp_path, first_steps("## Why listen first", "word " * 25_000))
    assert found == [
        f"{FILE}, line 33: the lesson text is 125,055 characters long; at most 100,000 fit: "
        "split it into several lessons"
    ]


def upload_problems(tmp_path, files: dict[str, str | None]) -> list[str]:
    """As :func:`problems`, read with the budget of one upload."""
    write_course(tmp_path / "lessons", files)
    with pytest.raises(InvalidLessonFile) as caught:
        find_courses(tmp_path / "lessons", budget=ImportBudget())
    return [str(problem) for problem in caught.value.problems]


def test_an_upload_stops_being_read_once_it_has_read_its_share_of_yaml(tmp_path, monkeypatch):
    """The bound holds across files: many files each under the limit cannot add up to unbounded work."""
    monkeypatch.setattr(lesson_format, "MAX_YAML_VALUES", 60)
    found = upload_problems(tmp_path, {"extras/01-just-reading.md": "not a lesson\n"})
    assert len(found) == 1  # the files after it are not read, nor their problems reported
    assert found[0].startswith(f"{FILE}, line ")
    assert "the files hold more than 60 values (keys, list items and texts) in all; upload fewer courses" in found[0]


def test_an_upload_stops_being_read_once_it_has_read_its_share_of_lesson_text(tmp_path, monkeypatch):
    monkeypatch.setattr(lesson_format, "MAX_BODY_CHARACTERS", 80)  # the first lesson's text is 74
    found = upload_problems(tmp_path, {"extras/01-just-reading.md": "not a lesson\n"})
    assert found == [
        "lessons/sample-course/basics/02-practice-and-reflect.md, line 22: the lessons hold more than 80 "
        "characters of text in all; upload fewer courses at a time, or have larger ones imported with "
        "'flask lessons import'"
    ]


def test_files_read_without_an_upload_budget_are_bounded_only_one_by_one(tmp_path, monkeypatch):
    monkeypatch.setattr(lesson_format, "MAX_YAML_VALUES", 60)
    monkeypatch.setattr(lesson_format, "MAX_BODY_CHARACTERS", 1000)
    assert [course.slug for course in find_courses(write_course(tmp_path / "lessons").parent)] == ["sample-course"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2024-13-45", "'2024-13-45' looks like a date but is not one (month must be in 1..12)"),
        (
            "2024-02-30 10:00:00",
            "'2024-02-30 10:00:00' looks like a date but is not one (day is out of range for month)",
        ),
        ("1" * 5000, "'1111111111111111111111111111111111111...' cannot be read as a number"),
    ],
    ids=["month-13", "february-30", "5000-digits"],
)
def test_a_value_that_looks_like_a_number_or_date_but_is_none_is_a_problem(tmp_path, value, message):
    found = problems(tmp_path, first_steps("minutes: 5", f"minutes: {value}"))
    assert found == [f"{FILE}, line 3: the YAML cannot be read: {message}; put it in double quotes if it is text"]


@pytest.mark.parametrize("value", ["!!bool maybe", "!!timestamp soon", "!!binary ====", "!!python/object:os.system x"])
def test_yaml_tags_are_refused_at_their_line(tmp_path, value):
    """Each tag reaches a constructor with failures of its own; the format has no use for any."""
    found = problems(tmp_path, first_steps("minutes: 5", f"minutes: {value}"))
    assert len(found) == 1
    assert found[0].startswith(f"{FILE}, line 3: the YAML cannot be read: found the tag !")
    assert "lesson files do not use YAML tags" in found[0]


def test_long_keys_and_names_are_cut_short_in_messages(tmp_path):
    text = FIRST_STEPS.replace("minutes: 5", "minutes: 5\n" + "k" * 1000 + ": x").replace(
        "  - type: checklist", "  - type: " + "q" * 50_000
    )
    found = problems(tmp_path, {"basics/01-first-steps.md": text})
    assert (
        f"{FILE}, line 4: unknown key '{'k' * 57}...' (allowed here: title, minutes, activities, discussion)" in found
    )
    assert any("unknown activity type 'qqqq" in problem and len(problem) < 300 for problem in found)


def test_a_long_text_is_read_in_full(tmp_path):
    long_prompt = "word " * 100_000
    course = parse_course(write_course(tmp_path, first_steps("prompt: What comes first?", f"prompt: {long_prompt}")))
    assert course.modules[0].lessons[0].activities[0]["questions"][0]["prompt"] == long_prompt.strip()


def test_every_problem_in_a_course_is_reported_at_once(tmp_path):
    yaml_text = COURSE_YAML + "  - slug: measuring\n    title: Measuring\n"
    files = {
        "course.yaml": yaml_text,
        **first_steps("minutes: 5", "minutes: 500"),
        "basics/02-practice-and-reflect.md": PRACTICE_AND_REFLECT.replace("  - type: practice", "  - type: essay"),
        "extras/notes.md": "---\n",
    }
    found = problems(tmp_path, files)
    assert found == [
        f"{COURSE_FILE}, line 10: module 'measuring' has no folder lessons/sample-course/measuring/: "
        "create it, or remove the module from this list",
        f"{FILE}, line 3: 'minutes' must be a whole number from 1 to 120, not the number 500",
        "lessons/sample-course/basics/02-practice-and-reflect.md, line 5: activity 1: unknown activity type "
        "'essay' (known types: quiz, checklist, practice, reflection, package)",
        "lessons/sample-course/extras/notes.md, line 1: the file name needs a number in front, like "
        "01-notes.md (the number sets the lesson's place in the module)",
        "lessons/sample-course/extras/notes.md, line 1: the front matter opened on line 1 is never closed: "
        "add a line '---' after it",
    ]


def test_problems_in_several_courses_are_reported_together(tmp_path):
    root = tmp_path / "lessons"
    write_course(root, first_steps("minutes: 5", "minutes: 500"))
    write_course(
        root,
        {
            "course.yaml": COURSE_YAML.replace("sample-course", "second-course").replace(
                "title: Extras", "titel: Extras"
            )
        },
        slug="second-course",
    )
    with pytest.raises(InvalidLessonFile) as caught:
        find_courses(root)
    assert [str(problem) for problem in caught.value.problems] == [
        f"{FILE}, line 3: 'minutes' must be a whole number from 1 to 120, not the number 500",
        "lessons/second-course/course.yaml, line 7: module 2: 'title' is missing",
        "lessons/second-course/course.yaml, line 8: module 2: unknown key 'titel' (did you mean 'title'?)",
    ]


# --- the canonical form ------------------------------------------------------------------


@pytest.mark.parametrize("name", [name for name in SAMPLE if name.endswith(".md")])
def test_canonical_lesson_files_are_written_back_byte_for_byte(tmp_path, name):
    course = parse_course(write_course(tmp_path))
    lesson = next(lesson for lesson in course.lessons if name.endswith(f"-{lesson.slug}.md"))
    assert dump_lesson(lesson) == SAMPLE[name]


def test_canonical_course_yaml_is_written_back_byte_for_byte(tmp_path):
    assert dump_course_yaml(parse_course(write_course(tmp_path))) == COURSE_YAML


def test_non_canonical_file_is_normalised_and_then_stable():
    text = (
        "---\r\n"
        "minutes: 4\r\n"
        "title: 'Quoted: title'\r\n"
        "activities:\r\n"
        '- {type: reflection, id: reflection-1, prompt: "Why?"}\r\n'
        "---\r\n\r\n\r\nBody   \r\n\r\n"
    )
    lesson = parse_lesson_text(text, slug="odd")
    canonical = dump_lesson(lesson)
    assert canonical == (
        '---\ntitle: "Quoted: title"\nminutes: 4\nactivities:\n  - type: reflection\n    prompt: Why?\n---\n\nBody\n'
    )
    assert dump_lesson(parse_lesson_text(canonical, slug="odd")) == canonical


TRICKY_TEXTS = [
    "Right: it's the organisation's \"voice\" that matters",
    "# not a heading",
    "yes",
    "3.5",
    "- looks like a list",
    "Café, naïve, 😀 and — dashes",
    ("A long sentence with a colon: " + "and many more words to make it wrap across several lines " * 4).strip(),
    ("A long sentence that fits plain YAML " + "and goes on and on well past one hundred characters " * 3).strip(),
    "Two lines\nof text",
    "Paragraph one.\n\nParagraph two with: a colon.\n  indented line",
    "trailing # hash and 'quotes'",
]


@pytest.mark.parametrize("text", TRICKY_TEXTS)
def test_parse_of_dump_gives_back_the_lesson(text):
    lesson = LessonSpec(
        slug="tricky",
        title=text.split("\n")[0][:200],
        minutes=120,
        body="    indented code first\n\n" + text,
        activities=[
            {
                "key": "quiz-1",
                "type": "quiz",
                "pass_mark": 0.75,
                "questions": [
                    {
                        "prompt": text,
                        "choices": [
                            {"text": text, "correct": True, "feedback": text},
                            {"text": "Other", "correct": False, "feedback": text},
                        ],
                    }
                ],
            },
            {"key": "tick", "type": "checklist", "items": [text, "plain"]},
            {
                "key": "practice-1",
                "type": "practice",
                "prompt": text,
                "rubric": [{"name": text, "good": text}],
                "approval": "required",
            },
            {"key": "reflection-1", "type": "reflection", "prompt": text},
        ],
    )
    written = dump_lesson(lesson)
    assert parse_lesson_text(written, slug="tricky") == lesson
    assert dump_lesson(parse_lesson_text(written, slug="tricky")) == written


def test_parse_of_dump_gives_back_the_course(tmp_path):
    course = CourseSpec(
        slug="c",
        title="Course: with a colon",
        summary=("A summary that is long enough to be folded over more than one line. " * 3).strip(),
        modules=[ModuleSpec("a", "A"), ModuleSpec("b", "B: optional", optional=True)],
    )
    for module in ("a", "b"):
        (tmp_path / "c" / module).mkdir(parents=True)
    (tmp_path / "c" / "course.yaml").write_text(dump_course_yaml(course))
    assert parse_course(tmp_path / "c") == course
    assert "    optional: true\n" in dump_course_yaml(course)


def test_canonical_layout_rules():
    lesson = LessonSpec(
        slug="x",
        title="X",
        minutes=5,
        body="",
        activities=[
            {"key": "reflection-1", "type": "reflection", "prompt": "One\nTwo"},
            {"key": "own-words", "type": "reflection", "prompt": "Three"},
        ],
    )
    # Lists indented under their key, literal blocks, the id only where it is not the default,
    # and a lesson without a body ends at the closing line.
    assert dump_lesson(lesson) == (
        "---\n"
        "title: X\n"
        "minutes: 5\n"
        "activities:\n"
        "  - type: reflection\n"
        "    prompt: |\n"
        "      One\n"
        "      Two\n"
        "  - id: own-words\n"
        "    type: reflection\n"
        "    prompt: Three\n"
        "---\n"
    )

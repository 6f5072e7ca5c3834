"""The lesson file format: read and check course folders, and write them back in canonical form.

Pure functions, no database. A course folder holds ``course.yaml`` and one folder per module
with ``NN-lesson-slug.md`` files (YAML front matter, then a Markdown body), as DESIGN.md's
"Lesson files" describes. Every problem found in a course is collected, with the file
and line it is on, and raised together in one :class:`InvalidLessonFile`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from courseware.content.render import IMAGE_NAME_RE, image_references
from courseware.core.validators import UNTYPABLE
from courseware.exceptions import DomainError
from courseware.i18n import LANGUAGES

SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
LESSON_FILE_RE = re.compile(r"^(\d+)-(.*)\.md$")
# A translation of ``NN-slug.md`` sits beside it as ``NN-slug.<language>.md``.
TRANSLATION_FILE_RE = re.compile(r"^(\d+)-([a-z0-9-]+)\.([A-Za-z_-]{1,20})\.md$")
# The languages a course is written or translated in: the interface's languages.
COURSE_LANGUAGES = tuple(LANGUAGES)
DEFAULT_COURSE_LANGUAGE = "en"
COURSE_FILE = "course.yaml"
MIN_MINUTES, MAX_MINUTES = 1, 120
MAX_SLUG_LENGTH = 80  # the slug and activity key columns
MAX_TITLE_LENGTH = 200  # the title columns
ACTIVITY_TYPES = ("quiz", "checklist", "practice", "reflection", "package")
# A package activity plays one SCO of a SCORM zip that sits in the lesson's module folder.
PACKAGE_SUFFIX = ".zip"
# A cmi5 course structure on its own (its AUs all on other sites).
CMI5_SUFFIX = ".xml"
MAX_PACKAGE_NAME = 120
MAX_UNIT_LENGTH = 500
# Text that needs quoting and is longer than this is written as a folded block (``>``).
FOLD_LONGER_THAN = 60
# Bounds on what one file and one upload may hold, so that reading and rendering them take
# seconds whatever they contain. The whole built-in course holds about 2,300 YAML values, nests
# 7 deep and has 140,000 characters of Markdown, its longest lesson 4,500.
MAX_YAML_VALUES_PER_FILE = 10_000
MAX_YAML_DEPTH = 20
MAX_BODY_LENGTH = 100_000
MAX_YAML_VALUES = 20_000  # per upload
MAX_BODY_CHARACTERS = 300_000  # per upload

# Field order of each activity type, as in the spec; it is also the order in the canonical file.
ACTIVITY_FIELDS = {
    "quiz": ("pass_mark", "questions"),
    "checklist": ("items", "verified_by"),
    "practice": ("prompt", "rubric", "approval"),
    "reflection": ("prompt",),
    "package": ("file", "unit"),
}
OPTIONAL_ACTIVITY_FIELDS = {"verified_by": "trainer", "approval": "required"}
COURSE_KEYS = ("slug", "title", "summary", "modules")
COURSE_OPTIONAL_KEYS = ("language", "discussion", "cover", "translations")
COURSE_TRANSLATION_KEYS = ("title", "summary")
COURSE_TRANSLATION_OPTIONAL_KEYS = ("modules",)
# What a translation's front matter holds; the rest of the front matter belongs to the lesson.
TRANSLATION_KEYS = ("title",)
TRANSLATION_OPTIONAL_KEYS = ("activities",)
# The values in activities that a learner reads and a translation translates; every other
# value (type, id, pass_mark, correct, verified_by, approval, file, unit) is the original's.
TRANSLATED_FIELDS = ("prompt", "text", "feedback", "name", "good")
# A course's cover image: a PNG, JPEG or WebP file beside course.yaml, kept byte for byte.
MAX_COVER_BYTES = 2 * 1024 * 1024
MAX_COVER_NAME = 120
COVER_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
# The images lessons show: files in the course's images/ folder, kept byte for byte.
IMAGES_FOLDER = "images"
MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_IMAGES = 200  # per course
MODULE_KEYS = ("slug", "title", "optional")
LESSON_KEYS = ("title", "minutes", "activities")
LESSON_OPTIONAL_KEYS = ("discussion",)
QUESTION_KEYS = ("prompt", "choices")
CHOICE_KEYS = ("text", "correct", "feedback")
CRITERION_KEYS = ("name", "good")


# --- the parsed form ---------------------------------------------------------------------


@dataclass
class TranslationSpec:
    """A lesson's translation (``NN-slug.<language>.md``): its title, body and activities in
    ``language``. The activities are the original's, normalised, with every text translated."""

    language: str
    title: str
    body: str
    activities: list[dict[str, Any]] = field(default_factory=list)
    source_path: str = field(default="", compare=False)


@dataclass
class LessonSpec:
    """One lesson as the files describe it; ``activities`` are normalised dicts with ``key``."""

    slug: str
    title: str
    minutes: int
    body: str
    activities: list[dict[str, Any]] = field(default_factory=list)
    # ``discussion: true`` or ``false`` in the front matter; None (left out) follows the course.
    discussion: bool | None = None
    # Where it was read from (relative, for messages); not part of the content.
    source_path: str = field(default="", compare=False)
    # Its translations, by language, in language order.
    translations: dict[str, TranslationSpec] = field(default_factory=dict)


@dataclass
class ModuleSpec:
    slug: str
    title: str
    optional: bool = False
    lessons: list[LessonSpec] = field(default_factory=list)
    # The package zips in the module's folder that its lessons play: file name -> bytes as they are.
    packages: dict[str, bytes] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class CoverSpec:
    """A course's cover image: its file name beside course.yaml, its bytes as they are, its type."""

    filename: str
    data: bytes = field(repr=False)
    content_type: str


@dataclass(frozen=True)
class ImageSpec:
    """An image lessons show: its file name in the course's images/ folder, its bytes, its type."""

    name: str
    data: bytes = field(repr=False)
    content_type: str


@dataclass
class CourseTranslation:
    """The course's title, summary and module titles (by module slug) in one other language;
    a module left out keeps its own title."""

    title: str
    summary: str
    modules: dict[str, str] = field(default_factory=dict)


@dataclass
class CourseSpec:
    slug: str
    title: str
    summary: str
    modules: list[ModuleSpec] = field(default_factory=list)
    # Whether lessons have a discussion unless they say otherwise (``discussion: true``).
    discussion: bool = False
    source_path: str = field(default="", compare=False)
    cover: CoverSpec | None = None
    # The files of images/, by name order.
    images: list[ImageSpec] = field(default_factory=list)
    # The language the course is written in, and its titles in others (by language, in order).
    language: str = DEFAULT_COURSE_LANGUAGE
    translations: dict[str, CourseTranslation] = field(default_factory=dict)

    @property
    def lessons(self) -> list[LessonSpec]:
        return [lesson for module in self.modules for lesson in module.lessons]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one file; ``line`` is 1-based and counts from the top of the file."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}, line {self.line}: {self.message}"


class InvalidLessonFile(DomainError):
    """Lesson files that cannot be imported; the message lists every problem, one per line.

    Problems keep the order in which their files were read, and go down each file by line.
    """

    def __init__(self, problems: list[Problem]):
        file_order: dict[str, int] = {}
        for problem in problems:
            file_order.setdefault(problem.path, len(file_order))
        self.problems = sorted(problems, key=lambda problem: (file_order[problem.path], problem.line or 0))
        super().__init__("\n".join(str(problem) for problem in self.problems))


# --- YAML that remembers lines -----------------------------------------------------------


class _Mapping(dict):
    """A YAML mapping that knows the file line of itself, of each key and of each value."""

    line: int
    key_lines: dict[Any, int]
    value_lines: dict[Any, int]

    def value_line(self, key: Any) -> int:
        return self.value_lines.get(key, self.line)


class _Sequence(list):
    """A YAML sequence that knows the file line of itself and of each item."""

    line: int
    item_lines: list[int]


class _ImportTooLarge(yaml.composer.ComposerError):
    """The files of one upload hold more YAML than its :class:`ImportBudget` allows."""


@dataclass
class ImportBudget:
    """How much more the files of one upload may hold in all.

    One budget is shared by every file an upload reads, so that the work a set of files can
    cause is bounded however it is spread over them. ``lessons import`` reads the operator's
    own files and has none; each file is bounded on its own all the same.
    """

    yaml_values: int = field(default_factory=lambda: MAX_YAML_VALUES)
    body_characters: int = field(default_factory=lambda: MAX_BODY_CHARACTERS)

    @classmethod
    def unbounded(cls) -> ImportBudget:
        return cls(sys.maxsize, sys.maxsize)


class _LineLoader(yaml.SafeLoader):
    """A safe loader that builds :class:`_Mapping` / :class:`_Sequence` with file line numbers.

    Scalars are constructed by the safe constructor; mappings and sequences are walked here so
    that every one keeps the line it starts on. A key given twice is an error (plain PyYAML
    silently keeps the last one).

    The work a file can cause is bounded while it is read: aliases (``*name``) are refused, as
    the format never needs them and each one can stand for a whole copy of what it names; the
    values per file and per upload are counted as they are read, and so is the nesting depth.
    Explicit tags (``!!binary``, ``!!timestamp``...) are refused too: the format has no use for
    them, and each reaches a constructor with failures of its own.
    """

    def __init__(self, stream: str, first_line: int, budget: ImportBudget):
        super().__init__(stream)
        self.first_line = first_line
        self.budget = budget
        self.values = 0
        self.depth = 0

    def load_located(self) -> Any:
        node = self.get_single_node()
        return None if node is None else self._build(node)

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None,
                None,
                f"found the alias *{_shown(event.anchor, 40)}; lesson files do not use YAML anchors (&name) "
                "and aliases (*name): write the value out in full",
                event.start_mark,
            )
        tag = getattr(event, "tag", None)
        if tag not in (None, "!", "tag:yaml.org,2002:str"):
            raise yaml.composer.ComposerError(
                None,
                None,
                f"found the tag {_shown(tag.replace('tag:yaml.org,2002:', '!!'), 40)}; lesson files do not use "
                "YAML tags: write true, false, numbers and text as they are, text in double quotes where needed",
                event.start_mark,
            )
        self.values += 1
        if self.values > MAX_YAML_VALUES_PER_FILE:
            raise yaml.composer.ComposerError(
                None,
                None,
                f"the file holds more than {MAX_YAML_VALUES_PER_FILE:,} values (keys, list items and texts); "
                "split it into several lessons",
                event.start_mark,
            )
        self.budget.yaml_values -= 1
        if self.budget.yaml_values < 0:
            raise _ImportTooLarge(
                None,
                None,
                f"the files hold more than {MAX_YAML_VALUES:,} values (keys, list items and texts) in all; "
                "upload fewer courses at a time, or have larger ones imported with 'flask lessons import'",
                event.start_mark,
            )
        self.depth += 1
        try:
            if self.depth > MAX_YAML_DEPTH:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"lists and mappings are nested more than {MAX_YAML_DEPTH} levels deep here",
                    event.start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def _line(self, node) -> int:
        return node.start_mark.line + self.first_line

    def _build(self, node) -> Any:
        if isinstance(node, ScalarNode):
            return self._scalar(node)
        if isinstance(node, MappingNode):
            return self._build_mapping(node)
        if isinstance(node, SequenceNode):
            return self._build_sequence(node)
        raise yaml.constructor.ConstructorError(None, None, "found an unknown kind of node", node.start_mark)

    def _scalar(self, node: ScalarNode) -> Any:
        """The scalar's value; one that looks like a number or date but is none is a YAML error."""
        try:
            return self.construct_object(node, deep=True)
        except (ValueError, OverflowError) as error:
            shown = _shown(node.value, 40)
            kind = node.tag.rsplit(":", 1)[-1]
            if kind in ("int", "float"):
                problem = f"'{shown}' cannot be read as a number"
            elif kind == "timestamp":
                problem = f"'{shown}' looks like a date but is not one ({error})"
            else:
                problem = f"'{shown}' cannot be read as {kind} ({error})"
            raise yaml.constructor.ConstructorError(
                None, None, problem + "; put it in double quotes if it is text", node.start_mark
            ) from None

    def _build_mapping(self, node: MappingNode) -> _Mapping:
        result = _Mapping()
        result.line, result.key_lines, result.value_lines = self._line(node), {}, {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise yaml.constructor.ConstructorError(
                    None, None, "found a list or mapping used as a key", key_node.start_mark
                )
            key = self._build(key_node)
            if key in result:
                raise yaml.constructor.ConstructorError(
                    None, None, f"found the key '{_shown(key, 40)}' twice in one mapping", key_node.start_mark
                )
            result[key] = self._build(value_node)
            result.key_lines[key] = self._line(key_node)
            result.value_lines[key] = self._line(value_node)
        return result

    def _build_sequence(self, node: SequenceNode) -> _Sequence:
        result = _Sequence(self._build(item) for item in node.value)
        result.line, result.item_lines = self._line(node), [self._line(item) for item in node.value]
        return result


def _shown(value: Any, limit: int) -> str:
    """``value`` as text, cut short to fit in a message."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _load_yaml(text: str, first_line: int, budget: ImportBudget | None = None) -> Any:
    """Parse ``text``, whose first line is line ``first_line`` of its file."""
    loader = _LineLoader(text, first_line, budget or ImportBudget.unbounded())
    try:
        return loader.load_located()
    finally:
        loader.dispose()


def _read_yaml(check: _Checker, text: str, first_line: int, budget: ImportBudget | None) -> tuple[bool, Any]:
    """``(True, data)``, or ``(False, None)`` with the YAML problem recorded.

    When the upload has read all the YAML it may, every problem so far is raised at once.
    """
    try:
        return True, _load_yaml(text, first_line, budget)
    except yaml.YAMLError as error:
        check.problems.append(_yaml_problem(check.path, error, first_line))
        if isinstance(error, _ImportTooLarge):
            raise InvalidLessonFile(check.problems) from None
        return False, None


def _yaml_problem(path: str, error: yaml.YAMLError, first_line: int) -> Problem:
    """The YAML parser's own complaint, at the line it points to."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line = mark.line + first_line if mark is not None else None
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    message = f"the YAML cannot be read: {context + ', ' if context else ''}{problem}"
    if "mapping values are not allowed" in problem or "could not find expected ':'" in problem:
        message += " (text that contains ': ' must be in double quotes, or written as a | block)"
    elif "cannot start any token" in problem and "\\t" in problem:
        message += " (indent with spaces, not tabs)"
    return Problem(path, line, message)


# --- checking ---------------------------------------------------------------------------


class _Checker:
    """Collects the problems of one file."""

    def __init__(self, path: str, problems: list[Problem]):
        self.path = path
        self.problems = problems
        self.count = 0

    def add(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))
        self.count += 1


def _say(where: str, message: str) -> str:
    return f"{where}: {message}" if where else message


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the true/false value {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, dt.date):
        return f"the date {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text '{shown}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping (key: value lines)"
    return "nothing" if value is None else f"a {type(value).__name__}"


def _check_keys(check: _Checker, mapping: _Mapping, where: str, required: tuple, optional: tuple = ()) -> None:
    """Unknown keys (with a guess at what was meant) and missing required ones."""
    allowed = [*required, *optional]
    for key in mapping:
        if key in allowed:
            continue
        guess = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
        hint = f"did you mean '{guess[0]}'?" if guess else f"allowed here: {', '.join(allowed)}"
        check.add(mapping.key_lines[key], _say(where, f"unknown key '{_shown(key, 60)}' ({hint})"))
    for key in required:
        if key not in mapping:
            check.add(mapping.line, _say(where, f"'{key}' is missing"))


def _text(check: _Checker, mapping: _Mapping, key: str, where: str, max_length: int | None = None) -> str | None:
    """The stripped, non-empty text under ``key``; None (with a problem recorded) otherwise."""
    if key not in mapping:
        return None  # reported by _check_keys
    value, line = mapping[key], mapping.value_line(key)
    if value is None:
        check.add(line, _say(where, f"'{key}' is empty"))
        return None
    if not isinstance(value, str):
        hint = "; put it in double quotes" if not isinstance(value, list | dict) else ""
        check.add(line, _say(where, f"'{key}' must be text, but YAML read {_describe(value)}{hint}"))
        return None
    value = value.strip()
    if not value:
        check.add(line, _say(where, f"'{key}' is empty"))
        return None
    if max_length is not None and len(value) > max_length:
        check.add(line, _say(where, f"'{key}' is {len(value)} characters long; at most {max_length} fit"))
        return None
    return value


def _slug(check: _Checker, value: Any, line: int | None, what: str) -> str | None:
    if not isinstance(value, str):
        check.add(line, f"{what} must be text, but YAML read {_describe(value)}")
        return None
    if not SLUG_RE.match(value):
        check.add(
            line,
            f"{what} '{_shown(value, 100)}' is not a valid slug: use lower-case letters a-z, digits and single hyphens "
            "(like 'setting-up-alerts')",
        )
        return None
    if len(value) > MAX_SLUG_LENGTH:
        check.add(line, f"{what} '{_shown(value, 100)}' is longer than {MAX_SLUG_LENGTH} characters")
        return None
    return value


def _list(check: _Checker, mapping: _Mapping, key: str, where: str, *, allow_empty: bool = False) -> _Sequence | None:
    if key not in mapping:
        return None
    value, line = mapping[key], mapping.value_line(key)
    if not isinstance(value, list):
        check.add(line, _say(where, f"'{key}' must be a list (lines starting with '- '), not {_describe(value)}"))
        return None
    if not value and not allow_empty:
        check.add(line, _say(where, f"'{key}' is empty"))
        return None
    return value


def _mapping_item(check: _Checker, items: _Sequence, index: int, where: str) -> _Mapping | None:
    item = items[index]
    if not isinstance(item, _Mapping):
        check.add(items.item_lines[index], _say(where, f"must be key: value lines, not {_describe(item)}"))
        return None
    return item


def _check_activities(check: _Checker, data: _Mapping) -> list[dict[str, Any]] | None:
    activities = _list(check, data, "activities", "", allow_empty=True)
    if activities is None:
        return None
    types = [item.get("type") if isinstance(item, _Mapping) else None for item in activities]
    seen_type: dict[str, int] = {}
    keys: dict[str, int] = {}
    result = []
    before = check.count
    for index, item in enumerate(activities):
        line = activities.item_lines[index]
        kind = types[index]
        where = f"activity {index + 1}"
        if isinstance(kind, str) and kind in ACTIVITY_TYPES:
            seen_type[kind] = seen_type.get(kind, 0) + 1
            # Name the activity as a writer would: "quiz", or "quiz 2" when there are several.
            where = kind if types.count(kind) == 1 else f"{kind} {seen_type[kind]}"
        if not isinstance(item, _Mapping):
            check.add(line, _say(where, f"an activity must be key: value lines, not {_describe(item)}"))
            continue
        if "type" not in item:
            check.add(line, f"{where} has no 'type' (known types: {', '.join(ACTIVITY_TYPES)})")
            continue
        if kind not in ACTIVITY_TYPES:
            guess = difflib.get_close_matches(str(kind), ACTIVITY_TYPES, n=1, cutoff=0.6)
            hint = f"did you mean '{guess[0]}'? " if guess else ""
            check.add(
                item.value_line("type"),
                f"{where}: unknown activity type '{_shown(kind, 60)}' ({hint}known types: {', '.join(ACTIVITY_TYPES)})",
            )
            continue
        key = f"{kind}-{seen_type[kind]}"
        if "id" in item:
            key = _slug(check, item["id"], item.value_line("id"), f"{where}: id")
        fields = ACTIVITY_FIELDS[kind]
        _check_keys(
            check,
            item,
            where,
            tuple(name for name in fields if name not in OPTIONAL_ACTIVITY_FIELDS) + ("type",),
            ("id",) + tuple(name for name in fields if name in OPTIONAL_ACTIVITY_FIELDS),
        )
        normalised = _ACTIVITY_CHECKS[kind](check, item, where)
        if key is not None and key in keys:
            check.add(
                item.value_line("id") if "id" in item else line,
                f"{where}: the activity key '{key}' is already used by the activity on line {keys[key]}; "
                "give one of them a different 'id'",
            )
        elif key is not None:
            keys[key] = line
        if key is not None and normalised is not None:
            result.append({"key": key, "type": kind, **normalised})
    return result if check.count == before else None


def _optional_flag(check: _Checker, item: _Mapping, key: str, where: str, out: dict) -> None:
    if key not in item:
        return
    expected = OPTIONAL_ACTIVITY_FIELDS[key]
    if item[key] != expected:
        check.add(
            item.value_line(key),
            _say(where, f"'{key}' can only be '{expected}' (or left out), not {_describe(item[key])}"),
        )
    else:
        out[key] = expected


def _check_quiz(check: _Checker, item: _Mapping, where: str) -> dict | None:
    before = check.count
    questions = _list(check, item, "questions", where)
    normalised_questions = []
    for q_index, _ in enumerate(questions or []):
        q_where = f"{where} question {q_index + 1}"
        question = _mapping_item(check, questions, q_index, q_where)
        if question is None:
            continue
        _check_keys(check, question, q_where, QUESTION_KEYS)
        prompt = _text(check, question, "prompt", q_where)
        choices = _list(check, question, "choices", q_where)
        if choices is not None and len(choices) < 2:
            check.add(question.value_line("choices"), f"{q_where} has only one choice; give at least two")
        normalised_choices = []
        for c_index, _ in enumerate(choices or []):
            c_where = f"{q_where}, choice {c_index + 1}"
            choice = _mapping_item(check, choices, c_index, c_where)
            if choice is None:
                continue
            _check_keys(check, choice, c_where, CHOICE_KEYS)
            text = _text(check, choice, "text", c_where)
            correct = choice.get("correct")
            if "correct" in choice and not isinstance(correct, bool):
                check.add(
                    choice.value_line("correct"),
                    f"{c_where}: 'correct' must be true or false, not {_describe(correct)}",
                )
            feedback = _text(check, choice, "feedback", c_where)
            normalised_choices.append({"text": text, "correct": correct, "feedback": feedback})
        marks = [choice.get("correct") if isinstance(choice, dict) else None for choice in choices or []]
        if marks and all(isinstance(mark, bool) for mark in marks) and not any(marks):
            check.add(question.line, f"{q_where} has no correct choice (mark at least one 'correct: true')")
        normalised_questions.append({"prompt": prompt, "choices": normalised_choices})
    pass_mark = item.get("pass_mark")
    if "pass_mark" in item:
        line = item.value_line("pass_mark")
        rule = "write a fraction of the questions (0 < x <= 1, like 0.75) or a whole number of questions (1 or more)"
        if isinstance(pass_mark, bool) or not isinstance(pass_mark, int | float):
            check.add(line, f"{where}: 'pass_mark' must be a number, not {_describe(pass_mark)}; {rule}")
        elif (isinstance(pass_mark, float) and not 0 < pass_mark <= 1) or (
            isinstance(pass_mark, int) and pass_mark < 1
        ):
            check.add(line, f"{where}: pass_mark {pass_mark} is out of range; {rule}")
        elif isinstance(pass_mark, int) and questions and pass_mark > len(questions):
            count = len(questions)
            check.add(
                line,
                f"{where}: pass_mark {pass_mark} is more than the {count} question{'s' if count != 1 else ''}",
            )
    if check.count != before:
        return None
    return {"pass_mark": pass_mark, "questions": normalised_questions}


def _check_checklist(check: _Checker, item: _Mapping, where: str) -> dict | None:
    before = check.count
    items = _list(check, item, "items", where)
    texts = []
    for index, value in enumerate(items or []):
        line = items.item_lines[index]
        if not isinstance(value, str):
            hint = "; put it in double quotes" if not isinstance(value, list | dict) else ""
            check.add(line, f"{where} item {index + 1} must be text, but YAML read {_describe(value)}{hint}")
        elif not value.strip():
            check.add(line, f"{where} item {index + 1} is empty")
        else:
            texts.append(value.strip())
    out: dict[str, Any] = {"items": texts}
    _optional_flag(check, item, "verified_by", where, out)
    return out if check.count == before else None


def _check_practice(check: _Checker, item: _Mapping, where: str) -> dict | None:
    before = check.count
    prompt = _text(check, item, "prompt", where)
    rubric = _list(check, item, "rubric", where)
    criteria = []
    for index, _ in enumerate(rubric or []):
        c_where = f"{where} rubric criterion {index + 1}"
        criterion = _mapping_item(check, rubric, index, c_where)
        if criterion is None:
            continue
        _check_keys(check, criterion, c_where, CRITERION_KEYS)
        criteria.append(
            {
                "name": _text(check, criterion, "name", c_where),
                "good": _text(check, criterion, "good", c_where),
            }
        )
    out: dict[str, Any] = {"prompt": prompt, "rubric": criteria}
    _optional_flag(check, item, "approval", where, out)
    return out if check.count == before else None


def _check_reflection(check: _Checker, item: _Mapping, where: str) -> dict | None:
    prompt = _text(check, item, "prompt", where)
    return None if prompt is None else {"prompt": prompt}


def package_name_problem(name: str) -> str | None:
    """What is wrong with ``name`` as a package's file name in a module folder, or None."""
    if "/" in name or "\\" in name or name.startswith((".", "_")) or len(name) > MAX_PACKAGE_NAME:
        return (
            f"the package '{_shown(name, 60)}' must be a plain file name in the module's folder "
            f"(no folders, not hidden, at most {MAX_PACKAGE_NAME} characters)"
        )
    if not name.lower().endswith((PACKAGE_SUFFIX, CMI5_SUFFIX)) or UNTYPABLE.search(name):
        return f"the package '{_shown(name, 60)}' must be a .zip file (or a cmi5 course's .xml)"
    return None


def _check_package(check: _Checker, item: _Mapping, where: str) -> dict | None:
    before = check.count
    name = _text(check, item, "file", where, MAX_PACKAGE_NAME)
    unit = _text(check, item, "unit", where, MAX_UNIT_LENGTH)
    if name is not None and (problem := package_name_problem(name)) is not None:
        check.add(item.value_line("file"), _say(where, problem))
    if check.count != before:
        return None
    return {"file": name, "unit": unit}


_ACTIVITY_CHECKS = {
    "quiz": _check_quiz,
    "checklist": _check_checklist,
    "practice": _check_practice,
    "reflection": _check_reflection,
    "package": _check_package,
}


# --- lessons ------------------------------------------------------------------------------


def _normalise_body(body: str) -> str:
    """Drop blank lines before the body and whitespace after it (indentation is kept)."""
    return re.sub(r"\A(?:[ \t]*\n)+", "", body).rstrip()


def _split_front_matter(check: _Checker, text: str) -> tuple[str, str] | None:
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        check.add(
            1, "a lesson file must start with a line '---' that opens the front matter (title, minutes, activities)"
        )
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() == "---":
            return "\n".join(lines[1:index]) + "\n", "\n".join(lines[index + 1 :])
    check.add(1, "the front matter opened on line 1 is never closed: add a line '---' after it")
    return None


def _read_text(check: _Checker, path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except OSError as error:
        check.add(None, f"the file cannot be read ({error.strerror or error})")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        check.add(data.count(b"\n", 0, error.start) + 1, "the file is not UTF-8 text; save it as UTF-8")
        return None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def _check_body(check: _Checker, body: str, line: int, budget: ImportBudget | None) -> str | None:
    """The normalised body, or None when it is longer than a lesson or the upload may hold."""
    body = _normalise_body(body)
    if len(body) > MAX_BODY_LENGTH:
        check.add(
            line,
            f"the lesson text is {len(body):,} characters long; at most {MAX_BODY_LENGTH:,} fit: "
            "split it into several lessons",
        )
        return None
    if budget is not None:
        budget.body_characters -= len(body)
        if budget.body_characters < 0:
            check.add(
                line,
                f"the lessons hold more than {MAX_BODY_CHARACTERS:,} characters of text in all; "
                "upload fewer courses at a time, or have larger ones imported with 'flask lessons import'",
            )
            raise InvalidLessonFile(check.problems)
    return body


def _front_matter_and_body(check: _Checker, text: str, budget, keys: str, whose: str = ""):
    """A lesson file's front matter (a mapping) and its checked body, or None once the problem is
    noted."""
    if not _typable(check, text):
        return None
    parts = _split_front_matter(check, text)
    if parts is None:
        return None
    front, body = parts
    body = _check_body(check, body, front.count("\n") + 3, budget)
    read, data = _read_yaml(check, front, 2, budget)
    if not read:
        return None
    if not isinstance(data, _Mapping):
        check.add(2, f"the front matter {whose}must be key: value lines with {keys}")
        return None
    return data, body


def _check_lesson_text(check: _Checker, text: str, slug: str, budget: ImportBudget | None = None) -> LessonSpec | None:
    found = _front_matter_and_body(check, text, budget, "title, minutes and activities")
    if found is None:
        return None
    data, body = found
    before = check.count
    _check_keys(check, data, "", LESSON_KEYS, LESSON_OPTIONAL_KEYS)
    title = _text(check, data, "title", "", MAX_TITLE_LENGTH)
    minutes = data.get("minutes")
    if "minutes" in data and (
        isinstance(minutes, bool) or not isinstance(minutes, int) or not MIN_MINUTES <= minutes <= MAX_MINUTES
    ):
        check.add(
            data.value_line("minutes"),
            f"'minutes' must be a whole number from {MIN_MINUTES} to {MAX_MINUTES}, not {_describe(minutes)}",
        )
    activities = _check_activities(check, data)
    discussion = _flag(check, data, "discussion", "")
    if check.count != before or body is None:
        return None
    return LessonSpec(
        slug=slug,
        title=title,
        minutes=minutes,
        body=body,
        activities=activities,
        discussion=discussion,
        source_path=check.path,
    )


def _flag(check: _Checker, mapping: _Mapping, key: str, where: str) -> bool | None:
    """``true`` or ``false`` under ``key``; None when it is left out (or wrong, with a problem recorded)."""
    if key not in mapping:
        return None
    value = mapping[key]
    if not isinstance(value, bool):
        check.add(mapping.value_line(key), _say(where, f"'{key}' must be true or false, not {_describe(value)}"))
        return None
    return value


def _typable(check: _Checker, text: str) -> bool:
    """Whether ``text`` is free of NUL and other control characters (tabs and line breaks
    aside), which no database column can be trusted to store; the first line holding one is named."""
    match = UNTYPABLE.search(text)
    if match is None:
        return True
    check.add(
        text.count("\n", 0, match.start()) + 1,
        "a control character (such as NUL) is in the lesson; it cannot be stored, so remove it",
    )
    return False


def parse_lesson_text(text: str, *, slug: str, source_path: str = "<lesson>") -> LessonSpec:
    """Parse the text of one lesson file; raise :class:`InvalidLessonFile` listing its problems."""
    problems: list[Problem] = []
    check = _Checker(source_path, problems)
    if not SLUG_RE.match(slug):
        check.add(None, f"'{slug}' is not a valid lesson slug")
    spec = _check_lesson_text(check, text.removeprefix("\ufeff").replace("\r\n", "\n"), slug)
    if problems or spec is None:
        raise InvalidLessonFile(problems)
    return spec


# --- translations ---------------------------------------------------------------------------


def _activity_names(activities: list[dict[str, Any]]) -> list[str]:
    """Each activity named as a writer would: "quiz", or "quiz 2" when there are several."""
    types = [activity["type"] for activity in activities]
    seen: dict[str, int] = {}
    names = []
    for kind in types:
        seen[kind] = seen.get(kind, 0) + 1
        names.append(kind if types.count(kind) == 1 else f"{kind} {seen[kind]}")
    return names


def language_problem(language: str, course_language: str) -> str | None:
    """What is wrong with ``language`` as a translation of a course written in ``course_language``."""
    if language not in COURSE_LANGUAGES:
        return (
            f"'{_shown(language, 20)}' is not a language courses are translated into "
            f"(known: {', '.join(code for code in COURSE_LANGUAGES if code != course_language)})"
        )
    if language == course_language:
        return (
            f"the course is written in '{course_language}' (course.yaml's language), so it has no translation into it"
        )
    return None


def _value_line(raw: Any, key: str) -> int | None:
    if isinstance(raw, _Mapping):
        return raw.value_lines.get(key, raw.line)
    return getattr(raw, "line", None)


def _same_value(mine: Any, theirs: Any) -> bool:
    return mine == theirs and type(mine) is type(theirs)


_SUB_WHERE = {
    "questions": "{where} question {n}",
    "choices": "{where}, choice {n}",
    "rubric": "{where} rubric criterion {n}",
}


def _compare_values(check: _Checker, raw: Any, mine: dict, theirs: dict, where: str, original: str) -> None:
    """Problems where the translated activity ``mine`` differs from the original's ``theirs``
    in anything but its texts; ``raw`` is what was read from the file (for lines)."""
    for key in [*theirs, *(name for name in mine if name not in theirs)]:
        if key in ("key", "type"):
            continue
        a, b = mine.get(key), theirs.get(key)
        line = _value_line(raw, key)
        if key in TRANSLATED_FIELDS and isinstance(a, str) and isinstance(b, str):
            continue
        if isinstance(a, list) and isinstance(b, list):
            if len(a) != len(b):
                check.add(
                    line,
                    f"{where}: '{key}' has {len(a)} entries here and {len(b)} in the original {original}; "
                    "a translation keeps the original's entries, in the same order",
                )
                continue
            if key == "items":
                continue  # a checklist's items are texts
            items = raw.get(key) if isinstance(raw, _Mapping) else None
            for index, (one, other) in enumerate(zip(a, b, strict=True)):
                sub = _SUB_WHERE.get(key, "{where} " + key + " {n}").format(where=where, n=index + 1)
                item_raw = items[index] if isinstance(items, list) and index < len(items) else raw
                if isinstance(one, dict) and isinstance(other, dict):
                    _compare_values(check, item_raw, one, other, sub, original)
                elif not _same_value(one, other):
                    check.add(line, f"{sub} differs from the original {original}; a translation changes only texts")
            continue
        if not _same_value(a, b):
            shown = "left out" if key not in mine else _describe(a)
            check.add(
                line,
                f"{where}: '{key}' is {shown} here but {_describe(b) if key in theirs else 'left out'} in the original "
                f"{original}; a translation changes only the texts a learner reads, so copy the original's value",
            )


def _compare_activities(
    check: _Checker, data: _Mapping, translated: list[dict[str, Any]], original: LessonSpec, original_name: str
) -> None:
    """Problems where the translation's activities do not match the original's in shape or values."""
    raw = data.get("activities")
    line = data.value_line("activities") if "activities" in data else data.line
    if len(translated) != len(original.activities):
        check.add(
            line,
            f"the translation has {len(translated)} activities and the original {original_name} has "
            f"{len(original.activities)}: translate each of the original's activities, in the same order",
        )
        return
    names = _activity_names(original.activities)
    for index, (mine, theirs) in enumerate(zip(translated, original.activities, strict=True)):
        item = raw[index] if isinstance(raw, list) else data
        where = names[index]
        if mine["type"] != theirs["type"]:
            check.add(
                _value_line(item, "type"),
                f"activity {index + 1} is a {mine['type']} here but a {theirs['type']} in the original "
                f"{original_name}; keep the original's activities in the same order",
            )
            continue
        if mine["key"] != theirs["key"]:
            check.add(
                _value_line(item, "id"),
                f"{where}: its id is '{mine['key']}' here but '{theirs['key']}' in the original {original_name}; "
                "copy the original's id (or leave it out where the original does)",
            )
        _compare_values(check, item, mine, theirs, where, original_name)


def _check_translation_text(
    check: _Checker,
    text: str,
    original: LessonSpec,
    original_name: str,
    language: str,
    budget: ImportBudget | None = None,
) -> TranslationSpec | None:
    found = _front_matter_and_body(check, text, budget, "title and activities", "of a translation ")
    if found is None:
        return None
    data, body = found
    before = check.count
    allowed = (*TRANSLATION_KEYS, *TRANSLATION_OPTIONAL_KEYS)
    for key in data:
        if key in allowed:
            continue
        if key in (*LESSON_KEYS, *LESSON_OPTIONAL_KEYS):
            check.add(
                data.key_lines[key],
                f"'{key}' belongs to the lesson and is read from the original {original_name}: "
                "a translation holds only title and activities",
            )
            continue
        guess = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
        hint = f"did you mean '{guess[0]}'?" if guess else f"allowed here: {', '.join(allowed)}"
        check.add(data.key_lines[key], f"unknown key '{_shown(key, 60)}' ({hint})")
    if "title" not in data:
        check.add(data.line, "'title' is missing")
    title = _text(check, data, "title", "", MAX_TITLE_LENGTH)
    activities: list[dict[str, Any]] | None = []
    if "activities" in data:
        if not original.activities and data["activities"]:
            check.add(
                data.key_lines["activities"],
                f"the original {original_name} has no activities, so its translation has none either: "
                "remove 'activities'",
            )
        else:
            activities = _check_activities(check, data)
            if activities is not None:
                _compare_activities(check, data, activities, original, original_name)
    elif original.activities:
        check.add(
            data.line,
            f"'activities' is missing: the original {original_name} has {len(original.activities)}; "
            "translate each of them here, in the same order",
        )
    if check.count != before or body is None:
        return None
    return TranslationSpec(
        language=language, title=title, body=body, activities=activities or [], source_path=check.path
    )


def parse_translation_text(
    text: str, *, original: LessonSpec, language: str, source_path: str = "<translation>", original_name: str = ""
) -> TranslationSpec:
    """Parse the text of one translation of ``original``; raise :class:`InvalidLessonFile` listing
    its problems (among them any activity that differs from the original's but in its texts)."""
    problems: list[Problem] = []
    check = _Checker(source_path, problems)
    spec = _check_translation_text(
        check,
        text.removeprefix("\ufeff").replace("\r\n", "\n"),
        original,
        original_name or f"lesson {original.slug}",
        language,
    )
    if problems or spec is None:
        raise InvalidLessonFile(problems)
    return spec


def translated_activities(original: list[dict[str, Any]], translated: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The original's activities with the texts of ``translated`` where both have the same shape;
    the original's values (type, key, correct, pass mark...) are always the ones kept. When the
    shapes differ (activities, questions or choices added or removed in the original since),
    the original's activities as they are."""
    if not _same_shape(original, translated):
        return original
    return [_overlay(one, other) for one, other in zip(original, translated, strict=True)]


def _same_shape(a: Any, b: Any, key: str | None = None) -> bool:
    """Whether ``a`` and ``b`` hold the same activities: the same types and keys, and as many
    questions, choices, items and criteria in each (other values may differ)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_shape(a[name], b[name], name) for name in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_shape(x, y, key) for x, y in zip(a, b, strict=True))
    if key in ("type", "key"):
        return _same_value(a, b)
    return not isinstance(a, dict | list) and not isinstance(b, dict | list)


def _overlay(original: Any, translated: Any, key: str | None = None) -> Any:
    if isinstance(original, dict):
        return {name: _overlay(value, translated[name], name) for name, value in original.items()}
    if isinstance(original, list):
        return [_overlay(one, other, key) for one, other in zip(original, translated, strict=True)]
    if isinstance(original, str) and (key in TRANSLATED_FIELDS or key == "items"):
        return translated
    return original


# --- courses ------------------------------------------------------------------------------


def _hidden(path: Path) -> bool:
    return path.name.startswith((".", "_"))


class _CourseReader:
    """Reads one course folder, collecting every problem in ``problems``."""

    def __init__(self, folder: Path, base: Path, problems: list[Problem], budget: ImportBudget | None):
        self.folder = folder
        self.base = base
        self.problems = problems
        self.budget = budget

    def show(self, path: Path) -> str:
        try:
            return path.relative_to(self.base).as_posix()
        except ValueError:
            return path.as_posix()

    def read(self) -> CourseSpec | None:
        before = len(self.problems)
        course_file = self.folder / COURSE_FILE
        check = _Checker(self.show(course_file), self.problems)
        course, modules = self._read_course_yaml(check)
        seen_lessons: dict[str, str] = {}
        self.texts: dict[str, str] = {}
        images = self._read_images()
        for module in modules:
            module.lessons = self._read_module(self.folder / module.slug, seen_lessons)
            module.packages = self._read_packages(self.folder / module.slug, module.lessons)
        if images is not None:
            self._check_image_references(modules, {image.name for image in images})
        if len(self.problems) != before or course is None:
            return None
        course.images = images or []
        return course

    def _read_images(self) -> list[ImageSpec] | None:
        """The images in the course's images/ folder ([] when there is none); None when one of
        them has a problem (recorded with the file's name)."""
        folder = self.folder / IMAGES_FOLDER
        if not folder.is_dir():
            return []
        before = len(self.problems)
        images = []
        files = [path for path in sorted(folder.iterdir()) if not _hidden(path)]
        if len(files) > MAX_IMAGES:
            self.problems.append(
                Problem(
                    self.show(folder), None, f"the folder holds {len(files)} files; at most {MAX_IMAGES} images fit"
                )
            )
            return None
        for path in files:
            shown = self.show(path)
            if not path.is_file():
                self.problems.append(Problem(shown, None, "images/ holds image files only, not folders"))
                continue
            if not image_name_ok(path.name):
                self.problems.append(
                    Problem(
                        shown,
                        None,
                        "an image's name must be letters, digits, '-', '_' and '.', at most "
                        f"{MAX_COVER_NAME} characters, ending .png, .jpg, .jpeg or .webp",
                    )
                )
                continue
            size = path.stat().st_size
            if size > MAX_IMAGE_BYTES:
                self.problems.append(
                    Problem(shown, None, f"the image is {size // 1024} KB; at most {MAX_IMAGE_BYTES // 1024} KB fit")
                )
                continue
            content = path.read_bytes()
            content_type = image_type(content)
            if content_type is None:
                self.problems.append(Problem(shown, None, "this is not a PNG, JPEG or WebP image that can be read"))
                continue
            images.append(ImageSpec(path.name, content, content_type))
        return None if len(self.problems) != before else images

    def _check_image_references(self, modules: list[ModuleSpec], names: set[str]) -> None:
        """Every ``images/<name>`` a lesson shows must be a file of images/."""
        for module in modules:
            for lesson in [item for spec in module.lessons for item in (spec, *spec.translations.values())]:
                for name in image_references(lesson.body):
                    if name in names:
                        continue
                    text = self.texts.get(lesson.source_path, "")
                    line = next(
                        (number for number, row in enumerate(text.splitlines(), 1) if f"images/{name}" in row), None
                    )
                    self.problems.append(
                        Problem(
                            lesson.source_path,
                            line,
                            f"the image images/{_shown(name, 60)} is not in the course's images/ folder: "
                            "add the file, or correct the name",
                        )
                    )

    def _every_folder(self) -> list[ModuleSpec]:
        """When course.yaml cannot be read, the lessons in every folder are still checked."""
        children = sorted(self.folder.iterdir())
        return [ModuleSpec(child.name, child.name) for child in children if child.is_dir() and not _hidden(child)]

    def _read_course_yaml(self, check: _Checker) -> tuple[CourseSpec | None, list[ModuleSpec]]:
        """The course (None when course.yaml has problems) and the module folders to read."""
        text = _read_text(check, self.folder / COURSE_FILE)
        if text is None:
            return None, self._every_folder()
        read, data = _read_yaml(check, text, 1, self.budget)
        if not read:
            return None, self._every_folder()
        if not isinstance(data, _Mapping):
            check.add(1, "course.yaml must be key: value lines with slug, title, summary and modules")
            return None, self._every_folder()
        _check_keys(check, data, "", COURSE_KEYS, COURSE_OPTIONAL_KEYS)
        cover = self._read_cover(check, data) if "cover" in data else None
        slug = _slug(check, data["slug"], data.value_line("slug"), "the course slug") if "slug" in data else None
        if slug is not None and slug != self.folder.name:
            check.add(
                data.value_line("slug"),
                f"the course slug '{slug}' differs from its folder name '{self.folder.name}'; "
                "name the folder after the slug",
            )
        title = _text(check, data, "title", "", MAX_TITLE_LENGTH)
        summary = _text(check, data, "summary", "")
        discussion = _flag(check, data, "discussion", "")
        self.language = self._read_language(check, data)
        modules = []
        listed: dict[str, int] = {}
        unnamed_module = False
        entries = _list(check, data, "modules", "")
        for index, _ in enumerate(entries or []):
            where = f"module {index + 1}"
            entry = _mapping_item(check, entries, index, where)
            if entry is None:
                continue
            _check_keys(check, entry, where, MODULE_KEYS[:2], MODULE_KEYS[2:])
            module_slug = (
                _slug(check, entry["slug"], entry.value_line("slug"), f"{where}: slug") if "slug" in entry else None
            )
            module_title = _text(check, entry, "title", where, MAX_TITLE_LENGTH)
            optional = entry.get("optional", False)
            if not isinstance(optional, bool):
                check.add(
                    entry.value_line("optional"),
                    f"{where}: 'optional' must be true or false, not {_describe(optional)}",
                )
            if module_slug is None:
                unnamed_module = True
                continue
            if module_slug == IMAGES_FOLDER:
                check.add(
                    entry.value_line("slug"),
                    f"'{IMAGES_FOLDER}' is the folder of the course's images; give the module another slug",
                )
                continue
            if module_slug in listed:
                check.add(
                    entry.value_line("slug"),
                    f"the module slug '{module_slug}' is already used by the module on line {listed[module_slug]}",
                )
                continue
            listed[module_slug] = entry.line
            if not (self.folder / module_slug).is_dir():
                check.add(
                    entry.value_line("slug"),
                    f"module '{module_slug}' has no folder {self.show(self.folder / module_slug)}/: "
                    "create it, or remove the module from this list",
                )
                continue
            modules.append(ModuleSpec(slug=module_slug, title=module_title, optional=optional))
        if entries is not None and not unnamed_module:  # else a folder may be that module's
            for child in sorted(self.folder.iterdir()):
                if child.name == IMAGES_FOLDER and IMAGES_FOLDER not in listed:
                    continue
                if child.is_dir() and not _hidden(child) and child.name not in listed:
                    check.add(
                        data.key_lines["modules"],
                        f"the folder {self.show(child)}/ is not listed under 'modules': "
                        "add it to the list, or move it out of the course folder",
                    )
        translations = self._read_translations(check, data, listed) if "translations" in data else {}
        if check.count:
            return None, modules
        course = CourseSpec(
            slug=slug,
            title=title,
            summary=summary,
            modules=modules,
            discussion=bool(discussion),
            source_path=self.show(self.folder),
            cover=cover,
            language=self.language,
            translations=translations,
        )
        return course, modules

    def _read_language(self, check: _Checker, data: _Mapping) -> str:
        """The language course.yaml says the course is written in (``en`` when it says none)."""
        if "language" not in data:
            return DEFAULT_COURSE_LANGUAGE
        value = data["language"]
        if not isinstance(value, str) or value not in COURSE_LANGUAGES:
            check.add(
                data.value_line("language"),
                f"'language' must be one of {', '.join(COURSE_LANGUAGES)} (the language the course is written in), "
                f"not {_describe(value)}",
            )
            return DEFAULT_COURSE_LANGUAGE
        return value

    def _read_translations(self, check: _Checker, data: _Mapping, modules: dict[str, int]) -> dict:
        """The course's title, summary and module titles in other languages, by language."""
        entries = data["translations"]
        if not isinstance(entries, _Mapping):
            check.add(
                data.value_line("translations"),
                f"'translations' must be key: value lines, one per language (like 'es:'), not {_describe(entries)}",
            )
            return {}
        result = {}
        for language, entry in entries.items():
            line = entries.key_lines[language]
            problem = language_problem(str(language), self.language)
            if problem is not None:
                check.add(line, f"translations: {problem}")
                continue
            where = f"translations: {language}"
            if not isinstance(entry, _Mapping):
                check.add(
                    entries.value_line(language),
                    f"{where} must be key: value lines with title, summary and modules, not {_describe(entry)}",
                )
                continue
            before = check.count
            _check_keys(check, entry, where, COURSE_TRANSLATION_KEYS, COURSE_TRANSLATION_OPTIONAL_KEYS)
            title = _text(check, entry, "title", where, MAX_TITLE_LENGTH)
            summary = _text(check, entry, "summary", where)
            titles: dict[str, str] = {}
            if "modules" in entry:
                listed = entry["modules"]
                if not isinstance(listed, _Mapping):
                    check.add(
                        entry.value_line("modules"),
                        f"{where}: 'modules' must be key: value lines, a module slug and its title on each, "
                        f"not {_describe(listed)}",
                    )
                    listed = _Mapping()
                    listed.line, listed.key_lines, listed.value_lines = entry.line, {}, {}
                for module_slug in listed:
                    if module_slug not in modules:
                        check.add(
                            listed.key_lines[module_slug],
                            f"{where}: '{_shown(module_slug, 60)}' is not one of the modules listed under 'modules'",
                        )
                        continue
                    module_title = _text(check, listed, module_slug, f"{where} modules", MAX_TITLE_LENGTH)
                    if module_title is not None:
                        titles[module_slug] = module_title
            if check.count == before:
                order = list(modules)
                result[language] = CourseTranslation(
                    title, summary, dict(sorted(titles.items(), key=lambda item: order.index(item[0])))
                )
        return dict(sorted(result.items()))

    def _read_cover(self, check: _Checker, data: _Mapping) -> CoverSpec | None:
        """The cover image course.yaml names: a file beside it that is a PNG, JPEG or WebP image."""
        value, line = data["cover"], data.value_line("cover")
        if not isinstance(value, str) or not value.strip():
            check.add(line, f"'cover' must be the name of an image file beside course.yaml, not {_describe(value)}")
            return None
        name = value.strip()
        if "/" in name or "\\" in name or name.startswith((".", "_")) or len(name) > MAX_COVER_NAME:
            check.add(
                line,
                f"the cover '{_shown(name, 60)}' must be a plain file name beside course.yaml (no folders, not hidden, "
                f"at most {MAX_COVER_NAME} characters)",
            )
            return None
        path = self.folder / name
        if not path.is_file():
            check.add(line, f"the cover image {self.show(path)} does not exist: add it, or remove the 'cover' line")
            return None
        size = path.stat().st_size
        if size > MAX_COVER_BYTES:
            check.add(
                line,
                f"the cover image {self.show(path)} is {size // 1024} KB; at most {MAX_COVER_BYTES // 1024} KB fit",
            )
            return None
        content = path.read_bytes()
        content_type = image_type(content)
        if content_type is None:
            check.add(line, f"the cover {self.show(path)} is not a PNG, JPEG or WebP image that can be read")
            return None
        return CoverSpec(name, content, content_type)

    def _read_packages(self, folder: Path, lessons: list[LessonSpec]) -> dict[str, bytes]:
        """The package zips the module's lessons play, each of which must be in the module's folder."""
        packages: dict[str, bytes] = {}
        for lesson in lessons:
            for activity in lesson.activities:
                name = activity.get("file") if activity["type"] == "package" else None
                if name is None or name in packages:
                    continue
                path = folder / name
                if not path.is_file():
                    self.problems.append(
                        Problem(
                            lesson.source_path,
                            None,
                            f"it plays the package {name}, which is not in {self.show(folder)}/: "
                            "put the zip beside the lesson file",
                        )
                    )
                    continue
                packages[name] = path.read_bytes()
        return packages

    def _read_module(self, folder: Path, seen_lessons: dict[str, str]) -> list[LessonSpec]:
        numbered: list[tuple[int, str, LessonSpec | None]] = []
        numbers: dict[int, str] = {}
        translations: list[tuple[Path, re.Match]] = []
        for path in sorted(folder.iterdir()):
            if _hidden(path) or not path.is_file() or path.suffix.lower() != ".md":
                continue
            translation = TRANSLATION_FILE_RE.match(path.name)
            if translation is not None:
                translations.append((path, translation))
                continue
            check = _Checker(self.show(path), self.problems)
            match = LESSON_FILE_RE.match(path.name)
            slug = None
            if match is None:
                check.add(
                    1,
                    f"the file name needs a number in front, like 01-{path.stem}.md "
                    "(the number sets the lesson's place in the module)",
                )
            else:
                number = int(match.group(1))
                slug = _slug(check, match.group(2), 1, "the lesson slug")
                if number in numbers:
                    check.add(1, f"the number {match.group(1)} is also used by {numbers[number]}; the order is unclear")
                numbers.setdefault(number, path.name)
                if slug is not None and slug in seen_lessons:
                    check.add(
                        1,
                        f"the lesson slug '{slug}' is also used by {seen_lessons[slug]}; "
                        "lesson slugs must be unique within a course",
                    )
                elif slug is not None:
                    seen_lessons[slug] = check.path
            text = _read_text(check, path)
            spec = _check_lesson_text(check, text, slug or path.stem, self.budget) if text is not None else None
            if spec is not None:
                self.texts[check.path] = text
            if match is not None:
                numbered.append((int(match.group(1)), path.name, spec))
        self._read_translations_of(folder, translations, {name: spec for _, name, spec in numbered})
        return [spec for _, _, spec in sorted(numbered, key=lambda entry: entry[:2]) if spec is not None]

    def _read_translations_of(
        self, folder: Path, translations: list[tuple[Path, re.Match]], originals: dict[str, LessonSpec | None]
    ) -> None:
        """Read each translation in the module's folder and hang it on its original."""
        for path, match in translations:
            check = _Checker(self.show(path), self.problems)
            number, slug, language = match.groups()
            original_name = f"{number}-{slug}.md"
            problem = language_problem(language, getattr(self, "language", DEFAULT_COURSE_LANGUAGE))
            if problem is not None:
                check.add(1, f"{problem}; a translation of {original_name} is named like {number}-{slug}.es.md")
                continue
            if original_name not in originals:
                check.add(
                    1,
                    f"this translates {original_name}, which is not in {self.show(folder)}/: "
                    "add the original beside it, or give the translation the original's name with the language",
                )
                continue
            original = originals[original_name]
            text = _read_text(check, path)
            if original is None or text is None:
                continue  # the original's own problems are reported with it
            spec = _check_translation_text(check, text, original, original_name, language, self.budget)
            if spec is not None:
                self.texts[check.path] = text
                original.translations = dict(sorted({**original.translations, language: spec}.items()))


def image_name_ok(name: str) -> bool:
    """Whether ``name`` is a plain image file name: what images/ may hold and lessons refer to."""
    return len(name) <= MAX_COVER_NAME and IMAGE_NAME_RE.fullmatch(name) is not None


def image_type(data: bytes) -> str | None:
    """The type of a PNG, JPEG or WebP image that opens cleanly ("image/png"), else None."""
    import io
    import warnings

    from PIL import Image, UnidentifiedImageError

    from courseware.evidence.files import MAX_PIXELS, sniff

    fmt = sniff(data[:16])
    if fmt not in COVER_TYPES:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    return None
                probe.verify()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        return None
    return COVER_TYPES[fmt]


def _course_reader(path: str | Path) -> tuple[Path, Path]:
    folder = Path(path).absolute()
    return folder, folder.parent


def parse_course(path: str | Path, *, budget: ImportBudget | None = None) -> CourseSpec:
    """Read the course folder at ``path``; raise :class:`InvalidLessonFile` with every problem.

    Paths in messages are relative to the folder that contains the course folder. With a
    ``budget``, the files may hold no more than it allows in all.
    """
    folder, base = _course_reader(path)
    problems: list[Problem] = []
    reader = _CourseReader(folder, base, problems, budget)
    if not (folder / COURSE_FILE).is_file():
        raise InvalidLessonFile([Problem(reader.show(folder), None, f"there is no {COURSE_FILE} in this folder")])
    course = reader.read()
    if problems or course is None:
        raise InvalidLessonFile(problems)
    return course


def find_courses(path: str | Path, *, budget: ImportBudget | None = None) -> list[CourseSpec]:
    """Read the course folder at ``path``, or every course folder inside ``path``.

    Sub-folders whose name starts with ``.`` or ``_`` are skipped; any other sub-folder must be a
    course. All problems in all courses are raised together in one :class:`InvalidLessonFile`.
    With a ``budget``, the files may hold no more than it allows in all.
    """
    folder, base = _course_reader(path)
    shown = folder.name or folder.as_posix()
    if not folder.is_dir():
        raise InvalidLessonFile([Problem(shown, None, "there is no such folder")])
    if (folder / COURSE_FILE).is_file():
        return [parse_course(folder, budget=budget)]
    problems: list[Problem] = []
    courses = []
    for child in sorted(folder.iterdir()):
        if not child.is_dir() or _hidden(child):
            continue
        reader = _CourseReader(child, base, problems, budget)
        if not (child / COURSE_FILE).is_file():
            problems.append(
                Problem(reader.show(child), None, f"this folder has no {COURSE_FILE}, so it is not a course")
            )
            continue
        course = reader.read()
        if course is not None:
            courses.append(course)
    if not problems and not courses:
        problems.append(Problem(shown, None, f"no course found: expected {COURSE_FILE} here or in its sub-folders"))
    if problems:
        raise InvalidLessonFile(problems)
    return courses


# --- the canonical form ------------------------------------------------------------------


class _CanonicalDumper(yaml.SafeDumper):
    """Block style, lists indented under their key, double quotes where quotes are needed."""

    def ignore_aliases(self, data: Any) -> bool:
        # Reading refuses aliases, so a value used twice is written out twice.
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)

    def choose_scalar_style(self):
        # Prose is full of apostrophes, which single quotes would have to double.
        style = super().choose_scalar_style()
        return '"' if style == "'" else style


def _represent_str(dumper: _CanonicalDumper, value: str):
    """Multi-line text as a literal block; long text that plain YAML cannot hold as a folded block.

    Both blocks end with one newline (parsing strips it again), so their header is a bare ``|``
    or ``>``. Where a block cannot hold the text, the emitter falls back to double quotes.
    """
    tag = "tag:yaml.org,2002:str"
    if "\n" in value:
        return dumper.represent_scalar(tag, value if value.endswith("\n") else value + "\n", style="|")
    if len(value) > FOLD_LONGER_THAN and not dumper.analyze_scalar(value).allow_block_plain:
        return dumper.represent_scalar(tag, value + "\n", style=">")
    return dumper.represent_scalar(tag, value)


_CanonicalDumper.add_representer(str, _represent_str)


def _dump_yaml(data: dict) -> str:
    return yaml.dump(
        data, Dumper=_CanonicalDumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False
    )


def _activity_for_file(activity: dict[str, Any], default_key: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if activity["key"] != default_key:
        out["id"] = activity["key"]
    out["type"] = activity["type"]
    for name in ACTIVITY_FIELDS[activity["type"]]:
        if name not in activity:
            continue
        value = activity[name]
        if name == "questions":
            value = [
                {
                    "prompt": question["prompt"],
                    "choices": [{key: choice[key] for key in CHOICE_KEYS} for choice in question["choices"]],
                }
                for question in value
            ]
        elif name == "rubric":
            value = [{key: criterion[key] for key in CRITERION_KEYS} for criterion in value]
        elif name == "items":
            value = list(value)
        out[name] = value
    return out


def dump_lesson(lesson: LessonSpec) -> str:
    """The lesson file in canonical form: front matter (title, minutes, discussion when the
    lesson says, activities), then body.

    The body follows after one blank line and ends with one newline; a lesson without a body
    ends right after the closing ``---``.
    """
    counts: dict[str, int] = {}
    activities = []
    for activity in lesson.activities:
        counts[activity["type"]] = counts.get(activity["type"], 0) + 1
        activities.append(_activity_for_file(activity, f"{activity['type']}-{counts[activity['type']]}"))
    header: dict[str, Any] = {"title": lesson.title, "minutes": lesson.minutes}
    if lesson.discussion is not None:
        header["discussion"] = lesson.discussion
    front = _dump_yaml({**header, "activities": activities})
    body = _normalise_body(lesson.body)
    return f"---\n{front}---\n" + (f"\n{body}\n" if body else "")


def dump_translation(lesson: LessonSpec, translation: TranslationSpec) -> str:
    """The translation's file in canonical form: front matter (title, and activities when the
    lesson has any), then body, laid out as :func:`dump_lesson` lays out the original."""
    header: dict[str, Any] = {"title": translation.title}
    if lesson.activities or translation.activities:
        counts: dict[str, int] = {}
        activities = []
        for activity in translation.activities:
            counts[activity["type"]] = counts.get(activity["type"], 0) + 1
            activities.append(_activity_for_file(activity, f"{activity['type']}-{counts[activity['type']]}"))
        header["activities"] = activities
    front = _dump_yaml(header)
    body = _normalise_body(translation.body)
    return f"---\n{front}---\n" + (f"\n{body}\n" if body else "")


def dump_course_yaml(course: CourseSpec) -> str:
    """``course.yaml`` in canonical form; ``optional`` appears only on optional modules,
    ``language`` only when it is not English, ``discussion`` only when the course opens one under
    its lessons, and ``translations`` (after the modules) only when there are some."""
    modules = []
    for module in course.modules:
        entry: dict[str, Any] = {"slug": module.slug, "title": module.title}
        if module.optional:
            entry["optional"] = True
        modules.append(entry)
    data: dict[str, Any] = {"slug": course.slug, "title": course.title, "summary": course.summary}
    if course.language != DEFAULT_COURSE_LANGUAGE:
        data["language"] = course.language
    if course.discussion:
        data["discussion"] = True
    if course.cover is not None:
        data["cover"] = course.cover.filename
    data["modules"] = modules
    if course.translations:
        translations: dict[str, Any] = {}
        for language, translation in course.translations.items():
            entry = {"title": translation.title, "summary": translation.summary}
            if translation.modules:
                entry["modules"] = dict(translation.modules)
            translations[language] = entry
        data["translations"] = translations
    return _dump_yaml(data)


def lesson_file_name(position: int, slug: str) -> str:
    """The file name of the lesson at 1-based ``position`` in its module: ``01-slug.md``."""
    return f"{position:02d}-{slug}.md"


def translation_file_name(position: int, slug: str, language: str) -> str:
    """The file name of the lesson's translation into ``language``: ``01-slug.es.md``."""
    return f"{position:02d}-{slug}.{language}.md"

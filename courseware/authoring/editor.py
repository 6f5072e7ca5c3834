"""The lesson editor's form: activities as rows of plain fields, checked by the lesson format.

The editor works without JavaScript: every button (add a question, add a choice, remove an
activity, preview, save) submits the whole form, and the page comes back with everything
typed kept. :class:`LessonDraft` is that form's content. It is read from the request
(:meth:`LessonDraft.from_form`) or from a revision (:meth:`LessonDraft.from_revision`),
changed by the row buttons (:meth:`LessonDraft.apply`), and turned into the lesson format's
activities (:meth:`LessonDraft.to_content`). Checking is the format's own: the content is
written as a lesson file and read back (:func:`check_draft`), so the editor can store only
what a file could hold, and the format's messages are shown next to the fields they name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from courseware.content.format import (
    ACTIVITY_TYPES,
    InvalidLessonFile,
    LessonSpec,
    dump_lesson,
    parse_lesson_text,
)
from courseware.core.validators import whole_number
from courseware.exceptions import Invalid
from courseware.i18n import lazy_gettext as _l

ACTIVITY_LABELS = {
    "quiz": _l("Quiz"),
    "checklist": _l("Checklist"),
    "practice": _l("Practice"),
    "reflection": _l("Reflection"),
    "package": _l("SCORM package"),
}
# What a trainer can add in the editor; a package activity comes from uploading a package.
ADDABLE_ACTIVITY_TYPES = tuple(kind for kind in ACTIVITY_TYPES if kind != "package")
# Caps on rows read from a request, so that a forged form cannot make the server loop.
MAX_ACTIVITIES = 20
MAX_QUESTIONS = 50
MAX_CHOICES = 12
MAX_ITEMS = 60
MAX_CRITERIA = 20
# Blank rows a new block starts with; blank rows are dropped when the lesson is saved.
NEW_CHOICES = 3
NEW_ITEMS = 3
NEW_CRITERIA = 2
DEFAULT_PASS_MARK = "1.0"


@dataclass
class ChoiceRow:
    text: str = ""
    correct: bool = False
    feedback: str = ""

    def blank(self) -> bool:
        return not (self.text.strip() or self.feedback.strip() or self.correct)


@dataclass
class QuestionRow:
    prompt: str = ""
    choices: list[ChoiceRow] = field(default_factory=lambda: [ChoiceRow() for _ in range(NEW_CHOICES)])

    def blank(self) -> bool:
        return not self.prompt.strip() and all(choice.blank() for choice in self.choices)


@dataclass
class CriterionRow:
    name: str = ""
    good: str = ""

    def blank(self) -> bool:
        return not (self.name.strip() or self.good.strip())


@dataclass
class ActivityRow:
    key: str
    type: str
    prompt: str = ""
    pass_mark: str = DEFAULT_PASS_MARK
    questions: list[QuestionRow] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    verified_by_trainer: bool = False
    rubric: list[CriterionRow] = field(default_factory=list)
    approval_required: bool = False
    # A package activity: the zip's file name and the SCO it plays, kept as they are.
    file: str = ""
    unit: str = ""

    @classmethod
    def new(cls, kind: str, key: str) -> ActivityRow:
        row = cls(key=key, type=kind)
        if kind == "quiz":
            row.questions = [QuestionRow()]
        elif kind == "checklist":
            row.items = [""] * NEW_ITEMS
        elif kind == "practice":
            row.rubric = [CriterionRow() for _ in range(NEW_CRITERIA)]
            row.approval_required = True
        return row

    @property
    def label(self) -> str:
        return str(ACTIVITY_LABELS.get(self.type, self.type))


@dataclass
class ContentMap:
    """Where each kept row of the saved content came from in the form (blank rows are dropped)."""

    questions: dict[int, list[int]] = field(default_factory=dict)  # activity -> form question rows
    choices: dict[tuple[int, int], list[int]] = field(default_factory=dict)  # (activity, question) -> rows
    items: dict[int, list[int]] = field(default_factory=dict)
    criteria: dict[int, list[int]] = field(default_factory=dict)


# The editor's discussion choice and the lesson format's value (None: as the course says).
DISCUSSION_VALUE = {"on": True, "off": False}
DISCUSSION_CHOICE = {True: "on", False: "off"}


@dataclass
class LessonDraft:
    title: str = ""
    minutes: str = "5"
    body: str = ""
    # The lesson's discussion: "on", "off", or "" to follow the course's default.
    discussion: str = ""
    activities: list[ActivityRow] = field(default_factory=list)
    # The number of the newest revision when the editor was opened: a later one means a clash.
    base_revision: int = 0
    # The name of the control to focus when the page comes back (a row just added).
    focus: str | None = None

    # --- reading ------------------------------------------------------------------------

    @classmethod
    def from_revision(cls, revision) -> LessonDraft:
        draft = cls(
            title=revision.title,
            minutes=str(revision.minutes),
            body=revision.body,
            discussion=DISCUSSION_CHOICE.get(revision.discussion, ""),
            base_revision=revision.number,
        )
        for activity in revision.activities:
            row = ActivityRow(key=activity["key"], type=activity["type"])
            kind = activity["type"]
            if kind == "quiz":
                row.pass_mark = _format_pass_mark(activity.get("pass_mark"))
                row.questions = [
                    QuestionRow(
                        prompt=question["prompt"],
                        choices=[
                            ChoiceRow(choice["text"], bool(choice["correct"]), choice["feedback"])
                            for choice in question["choices"]
                        ],
                    )
                    for question in activity["questions"]
                ]
            elif kind == "checklist":
                row.items = list(activity["items"])
                row.verified_by_trainer = activity.get("verified_by") == "trainer"
            elif kind == "practice":
                row.prompt = activity["prompt"]
                row.rubric = [CriterionRow(c["name"], c["good"]) for c in activity["rubric"]]
                row.approval_required = activity.get("approval") == "required"
            elif kind == "reflection":
                row.prompt = activity["prompt"]
            elif kind == "package":
                row.file, row.unit = activity["file"], activity["unit"]
            draft.activities.append(row)
        return draft

    @classmethod
    def from_form(cls, form) -> LessonDraft:
        """The draft as the browser sent it; unknown or missing rows are read as blank."""
        draft = cls(
            title=form.get("title", ""),
            minutes=form.get("minutes", "").strip(),
            body=form.get("body", "").replace("\r\n", "\n"),
            discussion=form.get("discussion", "") if form.get("discussion") in DISCUSSION_VALUE else "",
            base_revision=_count(form, "base_revision", 10**9),
        )
        for a in range(_count(form, "act-count", MAX_ACTIVITIES)):
            p = f"act-{a}-"
            kind = form.get(p + "type", "")
            if kind not in ACTIVITY_TYPES:
                continue
            row = ActivityRow(key=form.get(p + "key", "").strip(), type=kind)
            row.prompt = form.get(p + "prompt", "")
            row.pass_mark = form.get(p + "pass_mark", "").strip()
            row.verified_by_trainer = bool(form.get(p + "verified_by"))
            row.approval_required = bool(form.get(p + "approval"))
            row.file, row.unit = form.get(p + "file", ""), form.get(p + "unit", "")
            for q in range(_count(form, p + "q-count", MAX_QUESTIONS)):
                qp = f"{p}q-{q}-"
                row.questions.append(
                    QuestionRow(
                        prompt=form.get(qp + "prompt", ""),
                        choices=[
                            ChoiceRow(
                                text=form.get(f"{qp}c-{c}-text", ""),
                                correct=bool(form.get(f"{qp}c-{c}-correct")),
                                feedback=form.get(f"{qp}c-{c}-feedback", ""),
                            )
                            for c in range(_count(form, qp + "c-count", MAX_CHOICES))
                        ],
                    )
                )
            row.items = [form.get(f"{p}item-{i}", "") for i in range(_count(form, p + "item-count", MAX_ITEMS))]
            row.rubric = [
                CriterionRow(form.get(f"{p}r-{r}-name", ""), form.get(f"{p}r-{r}-good", ""))
                for r in range(_count(form, p + "r-count", MAX_CRITERIA))
            ]
            draft.activities.append(row)
        return draft

    # --- the row buttons ----------------------------------------------------------------

    def apply(self, action: str, *, new_type: str | None = None, used_keys: set[str] = frozenset()) -> bool:
        """Change the rows as the button ``action`` asks; False when the action is unknown.

        Actions: ``add-activity`` (of ``new_type``), ``remove-activity-A``, ``up-activity-A``,
        ``down-activity-A``, ``add-question-A``, ``remove-question-A-Q``, ``add-choice-A-Q``,
        ``add-item-A`` and ``add-criterion-A``; A and Q count from 0.
        """
        if action == "add-activity":
            if new_type not in ADDABLE_ACTIVITY_TYPES or len(self.activities) >= MAX_ACTIVITIES:
                return False
            keys = used_keys | {row.key for row in self.activities}
            self.activities.append(ActivityRow.new(new_type, next_activity_key(new_type, keys)))
            a = len(self.activities) - 1
            self.focus = f"act-{a}-q-0-prompt" if new_type == "quiz" else _first_field(self.activities[a], a)
            return True
        match = re.fullmatch(r"(add|remove|up|down)-(activity|question|choice|item|criterion)-(\d+)(?:-(\d+))?", action)
        if match is None:
            return False
        verb, what, a, q = match.group(1), match.group(2), int(match.group(3)), match.group(4)
        if a >= len(self.activities):
            return False
        row = self.activities[a]
        if what == "activity" and q is None:
            if verb == "remove":
                del self.activities[a]
                self.focus = "new_activity_type"
                return True
            if verb in ("up", "down"):
                other = a - 1 if verb == "up" else a + 1
                if 0 <= other < len(self.activities):
                    self.activities[a], self.activities[other] = self.activities[other], self.activities[a]
                    self.focus = f"act-{other}-{verb}"
                return True
            return False
        if verb == "add" and what == "question" and q is None and len(row.questions) < MAX_QUESTIONS:
            row.questions.append(QuestionRow())
            self.focus = f"act-{a}-q-{len(row.questions) - 1}-prompt"
            return True
        if verb == "remove" and what == "question" and q is not None and int(q) < len(row.questions):
            del row.questions[int(q)]
            self.focus = f"act-{a}-add-question"
            return True
        if verb == "add" and what == "choice" and q is not None and int(q) < len(row.questions):
            choices = row.questions[int(q)].choices
            if len(choices) < MAX_CHOICES:
                choices.append(ChoiceRow())
                self.focus = f"act-{a}-q-{q}-c-{len(choices) - 1}-text"
            return True
        if verb == "add" and what == "item" and q is None and len(row.items) < MAX_ITEMS:
            row.items.append("")
            self.focus = f"act-{a}-item-{len(row.items) - 1}"
            return True
        if verb == "add" and what == "criterion" and q is None and len(row.rubric) < MAX_CRITERIA:
            row.rubric.append(CriterionRow())
            self.focus = f"act-{a}-r-{len(row.rubric) - 1}-name"
            return True
        return False

    # --- to the lesson format -------------------------------------------------------------

    def to_content(self) -> tuple[dict[str, Any], ContentMap]:
        """Title, minutes, body and activities in the lesson format, and where each row came from.

        Blank rows (a choice, question, item or criterion with nothing typed) are left out.
        Numbers that do not parse are passed on as text, for the format to name the problem.
        """
        where = ContentMap()
        activities = []
        for a, row in enumerate(self.activities):
            activity: dict[str, Any] = {"key": row.key, "type": row.type}
            if row.type == "quiz":
                activity["pass_mark"] = _parse_number(row.pass_mark)
                questions = []
                where.questions[a] = []
                for q, question in enumerate(row.questions):
                    if question.blank():
                        continue
                    where.questions[a].append(q)
                    kept = [(c, choice) for c, choice in enumerate(question.choices) if not choice.blank()]
                    where.choices[(a, len(questions))] = [c for c, _ in kept]
                    questions.append(
                        {
                            "prompt": question.prompt,
                            "choices": [
                                {"text": choice.text, "correct": choice.correct, "feedback": choice.feedback}
                                for _, choice in kept
                            ],
                        }
                    )
                activity["questions"] = questions
            elif row.type == "checklist":
                kept_items = [(i, item) for i, item in enumerate(row.items) if item.strip()]
                where.items[a] = [i for i, _ in kept_items]
                activity["items"] = [item for _, item in kept_items]
                if row.verified_by_trainer:
                    activity["verified_by"] = "trainer"
            elif row.type == "practice":
                kept_criteria = [(r, c) for r, c in enumerate(row.rubric) if not c.blank()]
                where.criteria[a] = [r for r, _ in kept_criteria]
                activity["prompt"] = row.prompt
                activity["rubric"] = [{"name": c.name, "good": c.good} for _, c in kept_criteria]
                if row.approval_required:
                    activity["approval"] = "required"
            elif row.type == "reflection":
                activity["prompt"] = row.prompt
            elif row.type == "package":
                activity["file"], activity["unit"] = row.file, row.unit
            activities.append(activity)
        content = {
            "title": self.title,
            "minutes": _parse_number(self.minutes),
            "body": self.body,
            "activities": activities,
            "discussion": DISCUSSION_VALUE.get(self.discussion),
        }
        return content, where


@dataclass
class DraftErrors:
    """Problems found in a draft: by control name (or row container), and for the whole form."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    # (control id to link to, message) in the order found, for the error summary.
    summary: list[tuple[str, str]] = field(default_factory=list)

    def add(self, name: str | None, message: str) -> None:
        if name is None:
            self.general.append(message)
            self.summary.append(("", message))
        else:
            self.fields.setdefault(name, []).append(message)
            self.summary.append((name, message))

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    def get(self, name: str) -> list[str]:
        return self.fields.get(name, [])


class DraftInvalid(Invalid):
    """The draft breaks the lesson format; ``errors`` says where."""

    def __init__(self, errors: DraftErrors):
        super().__init__("; ".join(message for _, message in errors.summary))
        self.errors = errors


def check_draft(draft: LessonDraft, slug: str) -> tuple[LessonSpec | None, DraftErrors]:
    """Check the draft exactly as a lesson file would be checked; map each problem to its field."""
    content, where = draft.to_content()
    errors = DraftErrors()
    try:
        text = dump_lesson(LessonSpec(slug=slug, **content))
        spec = parse_lesson_text(text, slug=slug, source_path=f"lesson {slug}")
    except InvalidLessonFile as exc:
        for problem in exc.problems:
            name, message = _field_for(problem.message, draft, where)
            errors.add(name, message)
        return None, errors
    return spec, errors


def next_activity_key(kind: str, used: set[str]) -> str:
    """``quiz-3``: the next number for ``kind`` not used now or by any earlier revision.

    Learners' progress is kept by activity key, so a new activity never takes the key of one
    that was removed.
    """
    numbers = [int(key.rsplit("-", 1)[1]) for key in used if re.fullmatch(rf"{kind}-\d+", key)]
    return f"{kind}-{max(numbers, default=0) + 1}"


# --- from the format's messages to the fields ----------------------------------------------

_WHERE_RE = re.compile(
    r"^(?P<kind>quiz|checklist|practice|reflection|activity)(?: (?P<n>\d+))?"
    r"(?: question (?P<q>\d+))?(?:, choice (?P<c>\d+))?(?: item (?P<i>\d+))?(?: rubric criterion (?P<r>\d+))?"
    r"(?P<rest>(?::| ).*)$",
    re.S,
)
_KEY_RE = re.compile(r"^:?\s*'(?P<key>[a-z_]+)'")
_PLAIN_FIELDS = {"title": "title", "minutes": "minutes"}


# The lesson file's names for things, as the editor's fields call them.
_FIELD_WORDS = {
    "title": "the title",
    "minutes": "the estimated minutes",
    "body": "the lesson text",
    "text": "the choice",
    "feedback": "the feedback",
    "correct": "“This choice is correct”",
    "pass_mark": "the pass mark",
    "questions": "the questions",
    "choices": "the choices",
    "items": "the items",
    "rubric": "the rubric",
    "name": "the criterion",
    "good": "“What good looks like”",
}
_ONE = {"questions": "question", "choices": "choice", "items": "item", "rubric": "criterion"}
_PLAIN_PHRASES = (
    (
        re.compile(r"'(questions|choices|items|rubric)' (?:is empty|is missing|must be a list .*)$", re.S),
        r"add at least one to \1",
    ),
    (
        re.compile(r"^(quiz|checklist|practice|reflection|activity)((?: \d+)?) (question|item|rubric criterion)"),
        r"\1\2, \3",
    ),
    (re.compile(r" \(mark at least one 'correct: true'\)"), ": tick “This choice is correct” on at least one"),
    (re.compile(r", but YAML read .*$", re.S), ""),
    (re.compile(r" must be a list \(lines starting with '- '\), not .*$", re.S), " needs at least one entry"),
    (
        re.compile(r"write a fraction of the questions \(0 < x <= 1, like 0\.75\)"),
        "write a fraction of the questions (like 0.75 for three in four)",
    ),
    (re.compile(r"\bpass_mark\b"), "the pass mark"),
    (re.compile(r"the text '([^']*)'"), r"“\1”"),
    (re.compile(r"the true/false value (true|false)"), r"\1"),
)


def plain_words(message: str) -> str:
    """A lesson-file message in the editor's words: fields by their labels, no file-format names."""
    question = re.search(r"question \d+", message) is not None
    choice = re.search(r"choice \d+", message) is not None
    for pattern, words in _PLAIN_PHRASES[:2]:
        message = pattern.sub(words, message)
    message = re.sub(r"add at least one to (\w+)", lambda m: "add at least one " + _ONE[m.group(1)], message)

    def field(match: re.Match) -> str:
        key = match.group(1)
        if key == "prompt":
            return "the question" if question and not choice else "the prompt"
        return _FIELD_WORDS.get(key, match.group(0))

    message = re.sub(r"'([a-z_]+)'", field, message)
    for pattern, words in _PLAIN_PHRASES[2:]:
        message = pattern.sub(words, message)
    return _sentence(message.replace("the the pass mark", "the pass mark"))


def _field_for(message: str, draft: LessonDraft, where: ContentMap) -> tuple[str | None, str]:
    """The control a format message is about, and the message as the editor shows it."""
    name, _ = _field_for_format(message, draft, where)
    return name, plain_words(message)


def _field_for_format(message: str, draft: LessonDraft, where: ContentMap) -> tuple[str | None, str]:
    key_match = _KEY_RE.match(message)
    if key_match and key_match.group("key") in _PLAIN_FIELDS:
        return _PLAIN_FIELDS[key_match.group("key")], _sentence(message)
    match = _WHERE_RE.match(message)
    if match is None:
        return None, _sentence(message)
    a = _activity_index(draft, match.group("kind"), match.group("n"))
    if a is None:
        return None, _sentence(message)
    rest = match.group("rest").lstrip(": ").strip()
    key_match = _KEY_RE.match(rest)
    key = key_match.group("key") if key_match else None
    shown = _sentence(message)
    p = f"act-{a}-"
    q, c = match.group("q"), match.group("c")
    if q is not None:
        rows = where.questions.get(a, [])
        kept_q = int(q) - 1
        if kept_q >= len(rows):
            return p.rstrip("-"), shown
        form_q = rows[kept_q]
        if c is not None:
            choice_rows = where.choices.get((a, kept_q), [])
            kept_c = int(c) - 1
            if kept_c < len(choice_rows):
                form_c = choice_rows[kept_c]
                if key in ("text", "feedback", "correct"):
                    return f"{p}q-{form_q}-c-{form_c}-{key}", shown
                return f"{p}q-{form_q}-c-{form_c}", shown
        if key == "prompt":
            return f"{p}q-{form_q}-prompt", shown
        return f"{p}q-{form_q}", shown
    if match.group("i") is not None:
        rows = where.items.get(a, [])
        kept = int(match.group("i")) - 1
        return (f"{p}item-{rows[kept]}" if kept < len(rows) else p.rstrip("-")), shown
    if match.group("r") is not None:
        rows = where.criteria.get(a, [])
        kept = int(match.group("r")) - 1
        if kept < len(rows) and key in ("name", "good"):
            return f"{p}r-{rows[kept]}-{key}", shown
        return p.rstrip("-"), shown
    if key in ("prompt", "pass_mark"):
        return f"{p}{key}", shown
    if "pass_mark" in rest:
        return f"{p}pass_mark", shown
    return p.rstrip("-"), shown


def _activity_index(draft: LessonDraft, kind: str, number: str | None) -> int | None:
    if kind == "activity":
        index = int(number or 1) - 1
        return index if index < len(draft.activities) else None
    of_kind = [a for a, row in enumerate(draft.activities) if row.type == kind]
    ordinal = int(number or 1) - 1
    return of_kind[ordinal] if ordinal < len(of_kind) else None


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] if text else text


def _count(form, name: str, cap: int) -> int:
    return min(whole_number(form.get(name, "")) or 0, cap)


def _parse_number(raw: str) -> int | float | str:
    raw = (raw or "").strip()
    if re.fullmatch(r"[0-9]{1,6}", raw):
        return int(raw)
    if re.fullmatch(r"[0-9]{0,6}\.[0-9]{1,6}", raw):
        return float(raw)
    return raw


def _format_pass_mark(value) -> str:
    if value is None:
        return DEFAULT_PASS_MARK
    return repr(value) if isinstance(value, float) else str(value)


def _first_field(row: ActivityRow, a: int) -> str:
    if row.type == "checklist":
        return f"act-{a}-item-0"
    return f"act-{a}-prompt"

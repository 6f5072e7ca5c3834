"""Forms for authoring, reviewing and mentoring (the lesson editor's rows live in ``editor.py``)."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from courseware.author.review import SCORES
from courseware.core.validators import CheckedForm, CheckedQueryForm

MAX_COMMENT = 10_000


def _int_or_none(value):
    if value in (None, "", "0"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class CourseForm(CheckedForm):
    title = StringField("Title", validators=[DataRequired("Give the course a title."), Length(max=200)])
    summary = TextAreaField(
        "Summary",
        validators=[DataRequired("Say in a sentence or two what the course is for."), Length(max=2000)],
        description="Shown to learners in the catalogue and on the course page.",
    )
    status = SelectField(
        "Status",
        choices=[
            ("draft", "Draft — only editors see it"),
            ("published", "Published — enrolled learners see it"),
            ("archived", "Archived — kept, but no longer offered"),
        ],
        default="draft",
    )


class NewCourseForm(CourseForm):
    slug = StringField(
        "Address (optional)",
        validators=[Optional(), Length(max=80)],
        description="Lower-case words joined by hyphens, used in links and as the folder name; "
        "made from the title when left empty. It cannot change later.",
    )


class ModuleForm(CheckedForm):
    title = StringField("Module title", validators=[DataRequired("Give the module a title."), Length(max=200)])
    optional = BooleanField(
        "Optional module", description="Lessons in an optional module never hold later lessons back."
    )


class LessonAddForm(CheckedForm):
    title = StringField("New lesson title", validators=[DataRequired("Give the lesson a title."), Length(max=200)])


class MoveLessonForm(CheckedForm):
    module = SelectField("Move to module", coerce=_int_or_none, choices=[], validate_choice=True)


class EditorGrantForm(CheckedForm):
    person = SelectField("Trainer", coerce=_int_or_none, choices=[], validate_choice=True)


class ImportForm(CheckedForm):
    archive = FileField(
        "Course zip",
        validators=[FileRequired("Choose a .zip file to upload.")],
        description="A zip of one or more course folders, as Download gives: <course>/course.yaml and a folder per module.",
    )


class ReviewForm(CheckedForm):
    """Scores per rubric criterion are read from ``score-<n>``; see :func:`read_scores`."""

    decision = RadioField(
        "Decision",
        choices=[("approved", "Approve"), ("changes_requested", "Request changes")],
        validators=[DataRequired("Choose whether to approve the work or ask for changes.")],
    )
    comment = TextAreaField(
        "Comment for the learner",
        validators=[Length(max=MAX_COMMENT)],
        description="Required when you ask for changes: say what to change and why.",
    )

    def validate_comment(self, field) -> None:
        if self.decision.data == "changes_requested" and not (field.data or "").strip():
            raise ValidationError("Say what to change, so that the learner knows what to do next.")


def read_scores(form, criteria: list[dict]) -> tuple[dict[str, str], dict[int, str]]:
    """The score given to each criterion (by name), and errors by criterion index."""
    scores, errors = {}, {}
    for index, criterion in enumerate(criteria):
        value = form.get(f"score-{index}", "")
        if value in SCORES:
            scores[criterion["name"]] = value
        else:
            errors[index] = f"Score “{criterion['name']}”."
    return scores, errors


class VerifyForm(CheckedForm):
    decision = RadioField(
        "Decision",
        choices=[("confirm", "Confirm — every item is done"), ("return", "Return — something needs another look")],
        validators=[DataRequired("Choose whether to confirm the checklist or return it.")],
    )
    comment = TextAreaField(
        "Comment for the learner",
        validators=[Length(max=MAX_COMMENT)],
        description="Required when you return it: say what to look at again.",
    )

    def validate_comment(self, field) -> None:
        if self.decision.data == "return" and not (field.data or "").strip():
            raise ValidationError("Say what to look at again, so that the learner knows what to do next.")


class QueueFilterForm(CheckedQueryForm):
    """The queue's filters, read from the query string (a GET form: no CSRF token)."""

    course = SelectField("Course", coerce=_int_or_none, choices=[], validate_choice=False)
    mentee = SelectField("Mentee", coerce=_int_or_none, choices=[], validate_choice=False)


class PairForm(CheckedForm):
    mentor = SelectField("Mentor", coerce=_int_or_none, choices=[], validate_choice=True)
    learners = TextAreaField(
        "Learners' email addresses",
        validators=[DataRequired("Give at least one learner's email address."), Length(max=20_000)],
        description="One per line (or separated by commas).",
    )


class ReviewerForm(CheckedForm):
    pass

"""Forms for the course editor and zip import (the lesson editor's rows live in ``editor.py``)."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from courseware.core.validators import CheckedForm, optional_id
from courseware.i18n import lazy_gettext as _l


class CourseForm(CheckedForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the course a title.")), Length(max=200)])
    summary = TextAreaField(
        _l("Summary"),
        validators=[DataRequired(_l("Say in a sentence or two what the course is for.")), Length(max=2000)],
        description=_l("Shown to learners in the catalogue and on the course page."),
    )
    status = SelectField(
        _l("Status"),
        choices=[
            ("draft", _l("Draft — only editors see it")),
            ("published", _l("Published — enrolled learners see it")),
            ("archived", _l("Archived — kept, but no longer offered")),
        ],
        default="draft",
    )
    discussion = BooleanField(
        _l("Discussions under lessons"),
        description=_l("Open a discussion under every lesson of the course, except lessons that close theirs."),
    )


class NewCourseForm(CourseForm):
    slug = StringField(
        _l("Address (optional)"),
        validators=[Optional(), Length(max=80)],
        description=_l(
            "Lower-case words joined by hyphens, used in links and as the folder name; "
            "made from the title when left empty. It cannot change later."
        ),
    )


class ModuleForm(CheckedForm):
    title = StringField(_l("Module title"), validators=[DataRequired(_l("Give the module a title.")), Length(max=200)])
    optional = BooleanField(
        _l("Optional module"), description=_l("Lessons in an optional module never hold later lessons back.")
    )


class LessonAddForm(CheckedForm):
    title = StringField(
        _l("New lesson title"), validators=[DataRequired(_l("Give the lesson a title.")), Length(max=200)]
    )


class MoveLessonForm(CheckedForm):
    module = SelectField(_l("Move to module"), coerce=optional_id, choices=[], validate_choice=True)


class EditorGrantForm(CheckedForm):
    person = SelectField(_l("Trainer"), coerce=optional_id, choices=[], validate_choice=True)


class ImportForm(CheckedForm):
    archive = FileField(
        _l("Course zip"),
        validators=[FileRequired(_l("Choose a .zip file to upload."))],
        description=_l(
            "A zip of one or more course folders, as Download gives: <course>/course.yaml and a folder per module."
        ),
    )

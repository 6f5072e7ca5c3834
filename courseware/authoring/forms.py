"""Forms for the course editor and zip import (the lesson editor's rows live in ``editor.py``)."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from courseware.core.validators import CheckedForm, optional_id


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
    discussion = BooleanField(
        "Discussions under lessons",
        description="Open a discussion under every lesson of the course, except lessons that close theirs.",
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
    module = SelectField("Move to module", coerce=optional_id, choices=[], validate_choice=True)


class EditorGrantForm(CheckedForm):
    person = SelectField("Trainer", coerce=optional_id, choices=[], validate_choice=True)


class ImportForm(CheckedForm):
    archive = FileField(
        "Course zip",
        validators=[FileRequired("Choose a .zip file to upload.")],
        description="A zip of one or more course folders, as Download gives: <course>/course.yaml and a folder per module.",
    )

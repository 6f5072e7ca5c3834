"""Forms for managers: filtering the people table, assigning courses and nudging a person."""

from __future__ import annotations

from wtforms import DateField, RadioField, SearchField, SelectField, SelectMultipleField, TextAreaField, widgets
from wtforms.validators import InputRequired, Length, Optional

from courseware.core.validators import CheckedForm, CheckedQueryForm, optional_id
from courseware.manage.people import SORTS, STATUS_LABELS
from courseware.manage.reminders import MAX_MESSAGE

SORT_LABELS = {
    "status": "Status (most urgent first)",
    "name": "Name",
    "team": "Team",
    "percent": "Percent complete",
    "last_active": "Last active",
    "trend": "Trend",
    "due": "Due date",
}
assert set(SORT_LABELS) == set(SORTS)


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class PeopleFilterForm(CheckedQueryForm):
    """The people table's filters, read from the query string (a GET form: no CSRF token)."""

    q = SearchField("Name or email")
    team = SelectField("Team", coerce=optional_id, choices=[], validate_choice=True)
    course = SelectField("Course", coerce=optional_id, choices=[], validate_choice=True)
    status = SelectField(
        "Status",
        choices=[("", "Any status"), *STATUS_LABELS.items()],
        validate_choice=True,
    )
    objectives = SelectField(
        "Objectives", choices=[("", "Any"), ("overdue", "Overdue for review")], validate_choice=True
    )
    sort = SelectField("Sort by", choices=list(SORT_LABELS.items()), default="status", validate_choice=True)
    order = SelectField(
        "Order", choices=[("asc", "Ascending"), ("desc", "Descending")], default="asc", validate_choice=True
    )


class AssignForm(CheckedForm):
    course = SelectField(
        "Course", coerce=int, choices=[], validate_choice=True, validators=[InputRequired("Choose a course.")]
    )
    due_date = DateField(
        "Due date",
        validators=[Optional()],
        description="The last day to finish the course. Leave empty for no due date.",
    )
    teams = CheckboxesField("Teams", coerce=int, choices=[])
    reach = RadioField(
        "Who in these teams",
        choices=[
            ("rule", "Everyone in them, and whoever joins them later (with the same due date)"),
            ("today", "Just the people in them today"),
        ],
        default="rule",
        validate_choice=True,
    )
    people = CheckboxesField("People", coerce=int, choices=[], description="Chosen on the people page.")


class NudgeForm(CheckedForm):
    message = TextAreaField(
        "Personal message (optional)",
        validators=[Length(max=MAX_MESSAGE, message=f"Keep the message to {MAX_MESSAGE} characters.")],
        description="Added to the reminder, in the app and in the e-mail.",
    )

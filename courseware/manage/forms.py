"""Forms for managers: filtering the people table, assigning courses and nudging a person."""

from __future__ import annotations

from wtforms import DateField, RadioField, SearchField, SelectField, SelectMultipleField, TextAreaField, widgets
from wtforms.validators import InputRequired, Length, Optional

from courseware.core.validators import CheckedForm, CheckedQueryForm, optional_id
from courseware.i18n import lazy_gettext as _l
from courseware.manage.people import SORTS, STATUS_LABELS
from courseware.manage.reminders import MAX_MESSAGE

SORT_LABELS = {
    "status": _l("Status (most urgent first)"),
    "name": _l("Name"),
    "team": _l("Team"),
    "percent": _l("Percent complete"),
    "last_active": _l("Last active"),
    "trend": _l("Trend"),
    "due": _l("Due date"),
}
assert set(SORT_LABELS) == set(SORTS)


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class PeopleFilterForm(CheckedQueryForm):
    """The people table's filters, read from the query string (a GET form: no CSRF token)."""

    q = SearchField(_l("Name or email"))
    team = SelectField(_l("Team"), coerce=optional_id, choices=[], validate_choice=True)
    course = SelectField(_l("Course"), coerce=optional_id, choices=[], validate_choice=True)
    status = SelectField(
        _l("Status"),
        choices=[("", _l("Any status")), *STATUS_LABELS.items()],
        validate_choice=True,
    )
    objectives = SelectField(
        _l("Objectives"), choices=[("", _l("Any")), ("overdue", _l("Overdue for review"))], validate_choice=True
    )
    sort = SelectField(_l("Sort by"), choices=list(SORT_LABELS.items()), default="status", validate_choice=True)
    order = SelectField(
        _l("Order"), choices=[("asc", _l("Ascending")), ("desc", _l("Descending"))], default="asc", validate_choice=True
    )


class AssignForm(CheckedForm):
    course = SelectField(
        _l("Course"), coerce=int, choices=[], validate_choice=True, validators=[InputRequired(_l("Choose a course."))]
    )
    due_date = DateField(
        _l("Due date"),
        validators=[Optional()],
        description=_l("The last day to finish the course. Leave empty for no due date."),
    )
    teams = CheckboxesField(_l("Teams"), coerce=int, choices=[])
    reach = RadioField(
        _l("Who in these teams"),
        choices=[
            ("rule", _l("Everyone in them, and whoever joins them later (with the same due date)")),
            ("today", _l("Just the people in them today")),
        ],
        default="rule",
        validate_choice=True,
    )
    people = CheckboxesField(_l("People"), coerce=int, choices=[], description=_l("Chosen on the people page."))


class NudgeForm(CheckedForm):
    message = TextAreaField(
        _l("Personal message (optional)"),
        validators=[Length(max=MAX_MESSAGE, message=_l("Keep the message to %(num)d characters.", num=MAX_MESSAGE))],
        description=_l("Added to the reminder, in the app and in the e-mail."),
    )

"""Forms admins use to invite people, edit their roles and teams, and create teams."""

from flask_wtf.file import FileField
from wtforms import EmailField, SelectField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import DataRequired, Email, Length

from courseware.core.validators import CheckedForm, SingleLine
from courseware.i18n import lazy_gettext as _l
from courseware.models import ROLES

ROLE_CHOICES = [
    ("learner", _l("Learner — follows courses (everyone is a learner)")),
    ("trainer", _l("Trainer — writes lessons, reviews practice work, mentors")),
    ("manager", _l("Manager — assigns courses and follows the progress of the teams they manage")),
    ("admin", _l("Admin — invites people and sets roles and teams")),
]
assert [value for value, _label in ROLE_CHOICES] == list(ROLES)
# A role as lists of people and invitations name it.
ROLE_NAMES = {"learner": _l("learner"), "trainer": _l("trainer"), "manager": _l("manager"), "admin": _l("admin")}
assert set(ROLE_NAMES) == set(ROLES)


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class InviteForm(CheckedForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_l("Enter the email address to invite.")), Email(_l("Enter a valid email address."))],
        render_kw={"autocomplete": "off"},
    )
    roles = CheckboxesField(_l("Roles"), choices=ROLE_CHOICES, default=["learner"], validate_choice=True)
    team = SelectField(_l("Team"), coerce=int, choices=[], validate_choice=True)


class PersonForm(CheckedForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=120), SingleLine()])
    roles = CheckboxesField(_l("Roles"), choices=ROLE_CHOICES, validate_choice=True)
    team = SelectField(_l("Team"), coerce=int, choices=[], validate_choice=True)
    managed_teams = CheckboxesField(
        _l("Teams this person manages"),
        coerce=int,
        choices=[],
        description=_l("Only used when the person is a manager: they see the progress of these teams."),
    )


class TeamForm(CheckedForm):
    name = StringField(
        _l("Team name"), validators=[DataRequired(_l("Enter a team name.")), Length(max=120), SingleLine()]
    )


class BulkInviteForm(CheckedForm):
    file = FileField(_l("CSV file"), description=_l("Columns: e-mail, name, team, roles (a header row first)."))
    csv_text = TextAreaField(
        _l("Or paste the rows"),
        description=_l("Roles are separated by spaces or semicolons, such as “learner trainer”. Empty means learner."),
        render_kw={"rows": 8, "spellcheck": "false"},
    )

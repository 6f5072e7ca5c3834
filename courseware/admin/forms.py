"""Forms admins use to invite people, edit their roles and teams, and create teams."""

from flask_wtf.file import FileField
from wtforms import EmailField, SelectField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import DataRequired, Email, Length

from courseware.core.validators import CheckedForm, SingleLine
from courseware.models import ROLES

ROLE_CHOICES = [
    ("learner", "Learner — follows courses (everyone is a learner)"),
    ("trainer", "Trainer — writes lessons, reviews practice work, mentors"),
    ("manager", "Manager — assigns courses and follows the progress of the teams they manage"),
    ("admin", "Admin — invites people and sets roles and teams"),
]
assert [value for value, _ in ROLE_CHOICES] == list(ROLES)


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class InviteForm(CheckedForm):
    email = EmailField(
        "Email",
        validators=[DataRequired("Enter the email address to invite."), Email("Enter a valid email address.")],
        render_kw={"autocomplete": "off"},
    )
    roles = CheckboxesField("Roles", choices=ROLE_CHOICES, default=["learner"], validate_choice=True)
    team = SelectField("Team", coerce=int, choices=[], validate_choice=True)


class PersonForm(CheckedForm):
    name = StringField("Name", validators=[DataRequired("Enter a name."), Length(max=120), SingleLine()])
    roles = CheckboxesField("Roles", choices=ROLE_CHOICES, validate_choice=True)
    team = SelectField("Team", coerce=int, choices=[], validate_choice=True)
    managed_teams = CheckboxesField(
        "Teams this person manages",
        coerce=int,
        choices=[],
        description="Only used when the person is a manager: they see the progress of these teams.",
    )


class TeamForm(CheckedForm):
    name = StringField("Team name", validators=[DataRequired("Enter a team name."), Length(max=120), SingleLine()])


class BulkInviteForm(CheckedForm):
    file = FileField("CSV file", description="Columns: e-mail, name, team, roles (a header row first).")
    csv_text = TextAreaField(
        "Or paste the rows",
        description="Roles are separated by spaces or semicolons, such as “learner trainer”. Empty means learner.",
        render_kw={"rows": 8, "spellcheck": "false"},
    )

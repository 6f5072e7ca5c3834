"""Forms for logging in, accepting invitations and resetting passwords."""

from flask_babel import gettext as _
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from courseware.auth.passwords import MAX_LENGTH
from courseware.core import times
from courseware.core.validators import CheckedForm, SingleLine
from courseware.i18n import LANGUAGES
from courseware.i18n import lazy_gettext as _l

EMAIL_VALIDATORS = [
    DataRequired(_l("Enter your email address.")),
    Email(_l("Enter a valid email address, like name@example.org.")),
]


class LoginForm(CheckedForm):
    email = EmailField(_l("Email"), validators=EMAIL_VALIDATORS, render_kw={"autocomplete": "username"})
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )


class NewPasswordMixin:
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Choose a password.")), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "new-password"},
        description=_l("At least 8 characters. A few unrelated words make a good password."),
    )
    confirm = PasswordField(
        _l("Password again"),
        validators=[
            DataRequired(_l("Type the password again.")),
            EqualTo("password", _l("The two passwords do not match.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class AcceptInvitationForm(NewPasswordMixin, CheckedForm):
    name = StringField(
        _l("Your name"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=120), SingleLine()],
        render_kw={"autocomplete": "name"},
        description=_l("As your colleagues know you."),
    )


class ForgotPasswordForm(CheckedForm):
    email = EmailField(_l("Email"), validators=EMAIL_VALIDATORS, render_kw={"autocomplete": "username"})


class ResetPasswordForm(NewPasswordMixin, CheckedForm):
    pass


# "" follows what the browser asks for; each language is named in its own language, whatever
# the page's (with ``lang`` on its option, so that a screen reader says it right).
LOCALE_CHOICES = [("", _l("As my browser asks"), {})] + [
    (code, name, {"lang": code}) for code, name in LANGUAGES.items()
]


class PreferencesForm(CheckedForm):
    time_zone = SelectField(
        _l("Time zone"),
        choices=[],
        validate_choice=False,
        description=_l("Every time on the site is shown in this zone."),
    )
    locale = SelectField(
        _l("Language"),
        choices=LOCALE_CHOICES,
        validate_choice=True,
        description=_l("Pages and the e-mails the site sends you are in this language."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from courseware.organisation.services import organisation

        default = organisation().default_time_zone
        self.time_zone.choices = [("", _("The organisation's (%(zone)s)", zone=default))] + times.zone_choices()

    def validate_time_zone(self, field):
        if field.data and not times.is_zone(field.data):
            raise ValidationError(_("Choose a time zone from the list."))


class NameForm(CheckedForm):
    display_name = StringField(
        _l("Your name"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=120), SingleLine()],
        render_kw={"autocomplete": "name"},
        description=_l("As your colleagues know you."),
    )


class EmailChangeForm(CheckedForm):
    email = EmailField(
        _l("New email address"),
        validators=[
            DataRequired(_l("Enter the new address.")),
            Email(_l("Enter a valid email address, like name@example.org.")),
        ],
        render_kw={"autocomplete": "email"},
        description=_l("We send a link to it; your address changes when you open that link."),
    )
    email_password = PasswordField(
        _l("Your current password"),
        validators=[Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


class PasswordChangeForm(CheckedForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Choose a new password.")), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "new-password"},
        description=_l("At least 8 characters. A few unrelated words make a good password."),
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(_l("Type the new password again.")),
            EqualTo("password", _l("The two passwords do not match.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )

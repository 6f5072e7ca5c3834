"""Forms for logging in, accepting invitations and resetting passwords."""

from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from courseware.auth.passwords import MAX_LENGTH
from courseware.core import times
from courseware.core.validators import CheckedForm, SingleLine

EMAIL_VALIDATORS = [
    DataRequired("Enter your email address."),
    Email("Enter a valid email address, like name@example.org."),
]


class LoginForm(CheckedForm):
    email = EmailField("Email", validators=EMAIL_VALIDATORS, render_kw={"autocomplete": "username"})
    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password.")], render_kw={"autocomplete": "current-password"}
    )


class NewPasswordMixin:
    password = PasswordField(
        "Password",
        validators=[DataRequired("Choose a password."), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "new-password"},
        description="At least 8 characters. A few unrelated words make a good password.",
    )
    confirm = PasswordField(
        "Password again",
        validators=[DataRequired("Type the password again."), EqualTo("password", "The two passwords do not match.")],
        render_kw={"autocomplete": "new-password"},
    )


class AcceptInvitationForm(NewPasswordMixin, CheckedForm):
    name = StringField(
        "Your name",
        validators=[DataRequired("Enter your name."), Length(max=120), SingleLine()],
        render_kw={"autocomplete": "name"},
        description="As your colleagues know you.",
    )


class ForgotPasswordForm(CheckedForm):
    email = EmailField("Email", validators=EMAIL_VALIDATORS, render_kw={"autocomplete": "username"})


class ResetPasswordForm(NewPasswordMixin, CheckedForm):
    pass


# The languages the site is to be offered in; "" follows what the browser asks for.
LOCALE_CHOICES = [("", "As my browser asks"), ("en", "English"), ("es", "Español"), ("fr", "Français")]


class PreferencesForm(CheckedForm):
    time_zone = SelectField(
        "Time zone",
        choices=[],
        validate_choice=False,
        description="Every time on the site is shown in this zone.",
    )
    locale = SelectField("Language", choices=LOCALE_CHOICES, validate_choice=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from courseware.organisation.services import organisation

        default = organisation().default_time_zone
        self.time_zone.choices = [("", f"The organisation's ({default})")] + times.zone_choices()

    def validate_time_zone(self, field):
        if field.data and not times.is_zone(field.data):
            raise ValidationError("Choose a time zone from the list.")


class NameForm(CheckedForm):
    display_name = StringField(
        "Your name",
        validators=[DataRequired("Enter your name."), Length(max=120), SingleLine()],
        render_kw={"autocomplete": "name"},
        description="As your colleagues know you.",
    )


class EmailChangeForm(CheckedForm):
    email = EmailField(
        "New email address",
        validators=[
            DataRequired("Enter the new address."),
            Email("Enter a valid email address, like name@example.org."),
        ],
        render_kw={"autocomplete": "email"},
        description="We send a link to it; your address changes when you open that link.",
    )
    email_password = PasswordField(
        "Your current password",
        validators=[Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


class PasswordChangeForm(CheckedForm):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired("Enter your current password."), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    password = PasswordField(
        "New password",
        validators=[DataRequired("Choose a new password."), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "new-password"},
        description="At least 8 characters. A few unrelated words make a good password.",
    )
    confirm = PasswordField(
        "New password again",
        validators=[
            DataRequired("Type the new password again."),
            EqualTo("password", "The two passwords do not match."),
        ],
        render_kw={"autocomplete": "new-password"},
    )

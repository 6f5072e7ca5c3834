"""Forms for logging in, accepting invitations and resetting passwords."""

from flask import abort, has_request_context, request
from werkzeug.datastructures import ImmutableMultiDict
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from courseware.auth.passwords import MAX_LENGTH
from courseware.core.validators import CheckedForm, SingleLine

EMAIL_VALIDATORS = [
    DataRequired("Enter your email address."),
    Email("Enter a valid email address, like name@example.org."),
]


SUBMIT_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def json_fields(body) -> ImmutableMultiDict:
    """The text fields of a JSON body; values other than text (or lists of text) are left out,
    so that a field reports them as missing instead of failing on them."""
    if not isinstance(body, dict):
        return ImmutableMultiDict()
    return ImmutableMultiDict(
        (name, value)
        for name, values in body.items()
        for value in (values if isinstance(values, list) else [values])
        if isinstance(value, str)
    )


class Form(CheckedForm):
    """A form that also reads a JSON body (as a script sends it), refusing one that is not an
    object of fields with a clear 400 rather than failing on it."""

    class Meta(CheckedForm.Meta):
        def wrap_formdata(self, form, formdata):
            if (
                has_request_context()
                and request.method in SUBMIT_METHODS
                and request.is_json
                and not request.form
                and not request.files
            ):
                body = request.get_json(silent=True)
                if not isinstance(body, dict):
                    abort(400, "Send the fields as a JSON object of names and text values.")
                return json_fields(body)
            return super().wrap_formdata(form, formdata)


class LoginForm(Form):
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


class AcceptInvitationForm(NewPasswordMixin, Form):
    name = StringField(
        "Your name",
        validators=[DataRequired("Enter your name."), Length(max=120), SingleLine()],
        render_kw={"autocomplete": "name"},
        description="As your colleagues know you.",
    )


class ForgotPasswordForm(Form):
    email = EmailField("Email", validators=EMAIL_VALIDATORS, render_kw={"autocomplete": "username"})


class ResetPasswordForm(NewPasswordMixin, Form):
    pass

"""Forms admins use to set up sign-in providers and the organisation's sign-in options."""

from wtforms import BooleanField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from courseware.core.validators import CheckedForm, SingleLine
from courseware.i18n import lazy_gettext as _l


class ProviderForm(CheckedForm):
    name = StringField(
        _l("Display name"),
        validators=[DataRequired(_l("Enter the name people see on the login page.")), Length(max=80), SingleLine()],
        description=_l("Shown on the login page as “Sign in with …”."),
    )
    issuer = StringField(
        _l("Issuer URL"),
        validators=[DataRequired(_l("Enter the provider's issuer URL.")), Length(max=500), SingleLine()],
        description=_l("Such as https://accounts.google.com; its .well-known/openid-configuration is read on saving."),
    )
    client_id = StringField(
        _l("Client ID"), validators=[DataRequired(_l("Enter the client ID.")), Length(max=255), SingleLine()]
    )
    client_secret = PasswordField(
        _l("Client secret"),
        validators=[Length(max=1000), SingleLine()],
        render_kw={"autocomplete": "new-password"},
    )
    enabled = BooleanField(_l("Offer this provider on the login page"), default=True)
    allowed_domains = StringField(
        _l("Domains whose people get an account at their first sign-in"),
        validators=[Length(max=1000), SingleLine()],
        description=_l(
            "Such as example.org, separated by spaces or commas. Leave empty to let only people "
            "who already have an account (or an invitation) sign in."
        ),
    )
    groups_claim = StringField(
        _l("Groups claim"),
        validators=[Length(max=80), SingleLine()],
        description=_l(
            "The id_token claim that lists the person's groups, such as groups. Leave empty to ignore groups."
        ),
    )
    group_mappings = TextAreaField(
        _l("Groups to teams and roles"),
        validators=[Length(max=20000)],
        description=_l(
            "One line per group: “group value = Team name | role, role”, such as "
            "“sales-staff = Sales | learner” or “course-authors = | trainer”. Updated at every sign-in."
        ),
    )


class SignInOptionsForm(CheckedForm):
    password_admins_only = BooleanField(
        _l("Password sign-in only for admins"),
        description=_l("Everyone else signs in with the organisation's provider."),
    )

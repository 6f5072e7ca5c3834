"""The form admins issue provisioning tokens with."""

from wtforms import StringField
from wtforms.validators import DataRequired, Length

from courseware.core.validators import CheckedForm, SingleLine
from courseware.i18n import lazy_gettext as _l


class TokenForm(CheckedForm):
    name = StringField(
        _l("Token name"),
        validators=[
            DataRequired(_l("Name the token, such as the directory that will use it.")),
            Length(max=80),
            SingleLine(),
        ],
        description=_l("Such as “Entra ID” or “Okta”: shown in the list of tokens."),
    )


class RevokeTokenForm(CheckedForm):
    """Only the CSRF token: revoking asks for confirmation on its own page."""

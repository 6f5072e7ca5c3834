"""The forms admins issue and revoke LRS clients, and set up forwarding, with."""

from wtforms import BooleanField, PasswordField, RadioField, SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, Length

from courseware.core.validators import CheckedForm, SingleLine
from courseware.i18n import lazy_gettext as _l
from courseware.models import FORWARD_VERSIONS
from courseware.xapi.clients import SCOPE_LABELS


class ClientForm(CheckedForm):
    name = StringField(
        _l("Client name"),
        validators=[
            DataRequired(_l("Name the client, such as the system that will use it.")),
            Length(max=80),
            SingleLine(),
        ],
        description=_l("Such as “Authoring tool” or “Reporting”: shown in the list of clients."),
    )
    scopes = SelectMultipleField(
        _l("Permissions"),
        choices=list(SCOPE_LABELS.items()),
        validators=[DataRequired(_l("Choose at least one permission."))],
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
    )


class RevokeClientForm(CheckedForm):
    """Only the CSRF token: revoking asks for confirmation on its own page."""


class ForwardTargetForm(CheckedForm):
    """Another LRS that new statements are forwarded to."""

    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Name the LRS, such as “Reporting warehouse”.")), Length(max=80), SingleLine()],
    )
    endpoint = StringField(
        _l("LRS address"),
        validators=[DataRequired(_l("Enter the LRS's address.")), Length(max=480), SingleLine()],
        description=_l(
            "Its xAPI base address, such as https://lrs.example.org/xapi/ (statements are sent to …/statements)."
        ),
    )
    key = StringField(
        _l("Key"),
        validators=[DataRequired(_l("Enter the key the other LRS gave you.")), Length(max=200), SingleLine()],
        description=_l("The user name of the HTTP Basic credentials the other LRS gave Courseware."),
        render_kw={"autocomplete": "off"},
    )
    secret = PasswordField(
        _l("Secret"),
        validators=[Length(max=500), SingleLine()],
        render_kw={"autocomplete": "new-password"},
    )
    version = RadioField(_l("xAPI version"), choices=[(v, v) for v in FORWARD_VERSIONS], default="2.0.0")
    statements = RadioField(
        _l("Statements to forward"),
        choices=[
            ("all", _l("All new statements: Courseware's own and those other systems send")),
            ("own", _l("Only Courseware's own (what learners do here)")),
        ],
        default="all",
    )
    enabled = BooleanField(_l("Forward to this LRS"), default=True)


class ConfirmForm(CheckedForm):
    """Only the CSRF token: for buttons that act on one thing."""

"""The forms admins issue and revoke LRS clients with."""

from wtforms import SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, Length

from courseware.core.validators import CheckedForm, SingleLine
from courseware.xapi.clients import SCOPE_LABELS


class ClientForm(CheckedForm):
    name = StringField(
        "Client name",
        validators=[
            DataRequired("Name the client, such as the system that will use it."),
            Length(max=80),
            SingleLine(),
        ],
        description="Such as “Authoring tool” or “Reporting”: shown in the list of clients.",
    )
    scopes = SelectMultipleField(
        "Permissions",
        choices=list(SCOPE_LABELS.items()),
        validators=[DataRequired("Choose at least one permission.")],
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
    )


class RevokeClientForm(CheckedForm):
    """Only the CSRF token: revoking asks for confirmation on its own page."""

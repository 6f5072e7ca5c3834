"""The form a person chooses how they hear of notifications with."""

from __future__ import annotations

from wtforms import HiddenField, RadioField
from wtforms.validators import DataRequired

from courseware.core.validators import CheckedForm
from courseware.i18n import lazy_gettext as _l
from courseware.notifications.services import DELIVERY_LABELS


class PreferenceForm(CheckedForm):
    delivery = RadioField(
        _l("Besides the app, tell me of notifications by"),
        choices=list(DELIVERY_LABELS.items()),
        validators=[DataRequired(_l("Choose how you want to hear of notifications."))],
        description=_l(
            "Notifications always appear here in the app. E-mail is sent only when the site has a mail server."
        ),
    )
    next = HiddenField()

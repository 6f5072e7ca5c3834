"""Forms for pairing mentors with learners."""

from __future__ import annotations

from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from courseware.core.validators import CheckedForm, optional_id
from courseware.i18n import lazy_gettext as _l


class PairForm(CheckedForm):
    mentor = SelectField(_l("Mentor"), coerce=optional_id, choices=[], validate_choice=True)
    learners = TextAreaField(
        _l("Learners' email addresses"),
        validators=[DataRequired(_l("Give at least one learner's email address.")), Length(max=20_000)],
        description=_l("One per line (or separated by commas)."),
    )

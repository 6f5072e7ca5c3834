"""Forms for pairing mentors with learners."""

from __future__ import annotations

from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from courseware.core.validators import CheckedForm, optional_id


class PairForm(CheckedForm):
    mentor = SelectField("Mentor", coerce=optional_id, choices=[], validate_choice=True)
    learners = TextAreaField(
        "Learners' email addresses",
        validators=[DataRequired("Give at least one learner's email address."), Length(max=20_000)],
        description="One per line (or separated by commas).",
    )

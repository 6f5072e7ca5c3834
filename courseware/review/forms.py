"""Forms for reviewing practice work and checklists, and the queue's filters."""

from __future__ import annotations

from flask_babel import gettext as _
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from courseware.core.validators import CheckedForm, CheckedQueryForm, optional_id
from courseware.i18n import lazy_gettext as _l
from courseware.review.services import SCORES

MAX_COMMENT = 10_000


class ReviewForm(CheckedForm):
    """Scores per rubric criterion are read from ``score-<n>``; see :func:`read_scores`."""

    decision = RadioField(
        _l("Decision"),
        choices=[("approved", _l("Approve")), ("changes_requested", _l("Request changes"))],
        validators=[DataRequired(_l("Choose whether to approve the work or ask for changes."))],
    )
    comment = TextAreaField(
        _l("Comment for the learner"),
        validators=[Length(max=MAX_COMMENT)],
        description=_l(
            "Required when you ask for changes (say what to change and why), and when you approve "
            "work with a criterion scored “not yet” (say why)."
        ),
    )

    def validate_comment(self, field) -> None:
        if self.decision.data == "changes_requested" and not (field.data or "").strip():
            raise ValidationError(_("Say what to change, so that the learner knows what to do next."))


def read_scores(form, criteria: list[dict]) -> tuple[dict[str, str], dict[int, str]]:
    """The score given to each criterion (by name), and errors by criterion index."""
    scores, errors = {}, {}
    for index, criterion in enumerate(criteria):
        value = form.get(f"score-{index}", "")
        if value in SCORES:
            scores[criterion["name"]] = value
        else:
            errors[index] = _("Score “%(name)s”.", name=criterion["name"])
    return scores, errors


class VerifyForm(CheckedForm):
    decision = RadioField(
        _l("Decision"),
        choices=[
            ("confirm", _l("Confirm — every item is done")),
            ("return", _l("Return — something needs another look")),
        ],
        validators=[DataRequired(_l("Choose whether to confirm the checklist or return it."))],
    )
    comment = TextAreaField(
        _l("Comment for the learner"),
        validators=[Length(max=MAX_COMMENT)],
        description=_l("Required when you return it: say what to look at again."),
    )

    def validate_comment(self, field) -> None:
        if self.decision.data == "return" and not (field.data or "").strip():
            raise ValidationError(_("Say what to look at again, so that the learner knows what to do next."))


class QueueFilterForm(CheckedQueryForm):
    """The queue's filters, read from the query string (a GET form: no CSRF token)."""

    course = SelectField(_l("Course"), coerce=optional_id, choices=[], validate_choice=False)
    mentee = SelectField(_l("Mentee"), coerce=optional_id, choices=[], validate_choice=False)

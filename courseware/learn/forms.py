"""Forms for the learner's activities, journal and objectives."""

import datetime as dt
import math
from urllib.parse import urlsplit

from flask_babel import gettext as _
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from courseware.core.validators import CheckedForm, whole_number
from courseware.i18n import lazy_gettext as _l
from courseware.learn.form_keys import new_form_key

MAX_TEXT = 20_000

# The names under which drafts of the learner's forms are kept (see ``courseware.drafts.keeping``).
REFLECTION_DRAFT = "reflection/{course_slug}/{lesson_slug}/{key}"
PRACTICE_DRAFT = "practice/{course_slug}/{lesson_slug}/{key}"
JOURNAL_DRAFT = "journal"


def http_link(_form, field):
    if field.data:
        parts = urlsplit(field.data.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValidationError(_("Enter a full web address starting with https:// (or leave it empty)."))


class KeyedForm(CheckedForm):
    """Carries a key made when the form was shown, so that sending it twice records once."""

    form_key = HiddenField(default=new_form_key)


MAX_LINKS = 10


def read_links(text: str | None) -> list[str]:
    """The web addresses in ``text``, one a line, blank lines left out."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def http_links(_form, field):
    links = read_links(field.data)
    if len(links) > MAX_LINKS:
        raise ValidationError(_("Give at most %(num)d links.", num=MAX_LINKS))
    for link in links:
        parts = urlsplit(link)
        if len(link) > 500 or parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValidationError(
                _("“%(link)s” is not a full web address: give each link starting with https://.", link=link[:80])
            )


class EvidenceFields:
    links = TextAreaField(
        _l("Links (optional)"),
        validators=[Length(max=MAX_LINKS * 510), http_links],
        description=_l("Links to your work elsewhere, such as a draft post or a shared document: one a line."),
    )
    files = MultipleFileField(
        _l("Files (optional)"),
        description=_l(
            "Screenshots (PNG, JPEG or WebP) or PDF documents, up to 5 of 10 MB each. "
            "Blur names that should not be seen; where a photo was taken is removed."
        ),
        render_kw={"accept": "image/png,image/jpeg,image/webp,application/pdf"},
    )


class PracticeForm(EvidenceFields, KeyedForm):
    text = TextAreaField(
        _l("Your answer"),
        validators=[DataRequired(_l("Write your answer before handing it in.")), Length(max=MAX_TEXT)],
    )


class ChecklistEvidenceForm(EvidenceFields, CheckedForm):
    note = TextAreaField(
        _l("Note for the trainer (optional)"),
        validators=[Length(max=MAX_TEXT)],
        description=_l("Anything the trainer should know when they confirm the list."),
    )


class SharingMixin:
    share_mentor = BooleanField(_l("Share with my mentor"))
    share_manager = BooleanField(_l("Share with my manager"))


class ReflectionForm(SharingMixin, KeyedForm):
    body = TextAreaField(
        _l("Your reflection"), validators=[DataRequired(_l("Write a few lines before saving.")), Length(max=MAX_TEXT)]
    )


class JournalForm(SharingMixin, KeyedForm):
    body = TextAreaField(
        _l("New entry"),
        validators=[DataRequired(_l("Write something before saving.")), Length(max=MAX_TEXT)],
        description=_l("What you tried, what happened, what you noticed. Only you see it unless you share it."),
    )


class SharingForm(SharingMixin, CheckedForm):
    pass


# As the built-in course defines them (lessons/social-media-practice/objectives, "Three horizons").
HORIZONS = [
    ("short", _l("Short term (the first three months or so)")),
    ("medium", _l("Medium term (from a few months to about a year)")),
    ("long", _l("Long term (a year and beyond)")),
]
MEASURES = [
    ("quantitative", _l("Quantitative — something you count")),
    ("qualitative", _l("Qualitative — something you describe")),
]
STATUSES = [
    ("active", _l("Active")),
    ("achieved", _l("Achieved")),
    ("dropped", _l("Dropped")),
    ("retired", _l("Retired")),
]
DIRECTIONS = [("higher", _l("Higher is better")), ("lower", _l("Lower is better"))]
ROLLUPS = [
    ("sum", _l("The sum of each member's latest value")),
    ("mean", _l("The mean of each member's latest value")),
    ("latest", _l("The latest value anyone gave")),
]
# Large enough for any count a team keeps; beyond it, a float loses whole numbers.
LARGEST_VALUE = 1e12


def plain_number(_form, field):
    if field.data is not None and (not math.isfinite(field.data) or abs(field.data) > LARGEST_VALUE):
        raise ValidationError(_("Give a number such as 120 or 4.5."))


class DaysField(StringField):
    """A whole number of days from 1 to 3660, read as ``whole_number`` reads ids: plain digits only."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            self.data = whole_number(valuelist[0].strip(), minimum=1, maximum=3660)
            if self.data is None:
                raise ValueError(_("Give a number of days from 1 to 3660."))

    def _value(self):
        return "" if self.data is None else str(self.data)


def number_field(label, description=None) -> FloatField:
    return FloatField(label, validators=[Optional(), plain_number], description=description)


class ObjectiveForm(KeyedForm):
    title = StringField(
        _l("Objective"), validators=[DataRequired(_l("Say what you want to achieve.")), Length(max=200)]
    )
    horizon = SelectField(_l("Horizon"), choices=HORIZONS)
    measure_kind = SelectField(_l("Kind of measure"), choices=MEASURES)
    measure = TextAreaField(
        _l("How you will know"),
        validators=[DataRequired(_l("Say how you will know you got there.")), Length(max=2000)],
        description=_l(
            "For example “20 replies a month from people we had not heard from” or “partners say they hear from us”."
        ),
    )
    unit = StringField(
        _l("Unit (quantitative)"),
        validators=[Optional(), Length(max=120)],
        description=_l("What you count, for example “sign-ups from social a month”."),
    )
    baseline_value = number_field(
        _l("Baseline (quantitative)"), _l("Where you start. Leave it empty if you do not know yet.")
    )
    baseline_date = DateField(_l("Baseline date"), validators=[Optional()])
    target_value = number_field(_l("Target (quantitative)"))
    target_date = DateField(_l("Target date"), validators=[Optional()])
    direction = SelectField(_l("Which way is better"), choices=DIRECTIONS, default="higher")
    review_days = DaysField(
        _l("Review every … days (optional)"),
        validators=[Optional()],
        description=_l("Leave it empty for the usual interval: 2 weeks, a month or a quarter, by horizon."),
    )
    status = SelectField(_l("Status"), choices=STATUSES, default="active")
    note = TextAreaField(
        _l("Why the change (optional)"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Kept with this revision, so you can see later how your thinking moved."),
    )

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.measure_kind.data != "quantitative":
            return True
        if self.target_value.data is not None and self.target_date.data is None:
            self.target_date.errors.append(_("Give the date you aim to reach the target by."))
        if (self.baseline_value.data is None) != (self.baseline_date.data is None):
            self.baseline_date.errors.append(_("Give the baseline with its date, or neither."))
        if self.baseline_date.data and self.target_date.data and self.target_date.data <= self.baseline_date.data:
            self.target_date.errors.append(_("The target date comes after the baseline date."))
        return not any(field.errors for field in self)

    def values(self) -> dict:
        quantitative = self.measure_kind.data == "quantitative"
        return {
            "title": self.title.data.strip(),
            "horizon": self.horizon.data,
            "measure_kind": self.measure_kind.data,
            "measure": self.measure.data.strip(),
            "target_date": self.target_date.data,
            "status": self.status.data,
            "note": self.note.data,
            "unit": (self.unit.data or "").strip() or None if quantitative else None,
            "baseline_value": self.baseline_value.data if quantitative else None,
            "baseline_date": self.baseline_date.data if quantitative else None,
            "target_value": self.target_value.data if quantitative else None,
            "direction": self.direction.data if quantitative else None,
            "review_days": self.review_days.data,
        }


class TeamObjectiveForm(ObjectiveForm):
    rollup = SelectField(_l("The team's figure"), choices=ROLLUPS, default="sum")

    def values(self) -> dict:
        return {**super().values(), "rollup": self.rollup.data}


RATINGS = [
    ("1", _l("1 — badly")),
    ("2", _l("2 — not well")),
    ("3", _l("3 — so-so")),
    ("4", _l("4 — well")),
    ("5", _l("5 — very well")),
]


class CheckInForm(KeyedForm):
    on_date = DateField(
        _l("Date"), validators=[InputRequired(_l("Give the date of the check-in."))], default=dt.date.today
    )
    value = number_field(_l("Value"))
    rating = RadioField(_l("How is it going?"), choices=RATINGS, validators=[Optional()])
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000)])
    link = URLField(_l("Link (optional)"), validators=[Optional(), Length(max=500), http_link])
    journal_entries = SelectMultipleField(
        _l("Journal entries (optional)"), coerce=int, choices=[], validate_choice=True
    )

    def values(self) -> dict:
        return {
            "on_date": self.on_date.data,
            "value": self.value.data,
            "rating": int(self.rating.data) if self.rating.data else None,
            "note": self.note.data,
            "link": self.link.data,
            "journal_entry_ids": list(self.journal_entries.data or []),
        }


REVIEW_CHOICES = [
    ("keep", _l("Keep it as it is")),
    ("revise", _l("Revise it")),
    ("retire", _l("Retire it: it no longer matters")),
]


class ReviewForm(KeyedForm):
    decision = RadioField(
        _l("What now?"), choices=REVIEW_CHOICES, validators=[InputRequired(_l("Choose keep, revise or retire."))]
    )
    learned = TextAreaField(
        _l("What did you learn?"),
        validators=[DataRequired(_l("Say what you learned since the last review.")), Length(max=MAX_TEXT)],
        description=_l("Kept with the objective's history."),
    )

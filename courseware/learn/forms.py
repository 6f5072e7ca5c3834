"""Forms for the learner's activities, journal and objectives."""

import datetime as dt
import math
from urllib.parse import urlsplit

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
            raise ValidationError("Enter a full web address starting with https:// (or leave it empty).")


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
        raise ValidationError(f"Give at most {MAX_LINKS} links.")
    for link in links:
        parts = urlsplit(link)
        if len(link) > 500 or parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValidationError(f"“{link[:80]}” is not a full web address: give each link starting with https://.")


class EvidenceFields:
    links = TextAreaField(
        "Links (optional)",
        validators=[Length(max=MAX_LINKS * 510), http_links],
        description="Links to your work elsewhere, such as a draft post or a shared document: one a line.",
    )
    files = MultipleFileField(
        "Files (optional)",
        description="Screenshots (PNG, JPEG or WebP) or PDF documents, up to 5 of 10 MB each. "
        "Blur names that should not be seen; where a photo was taken is removed.",
        render_kw={"accept": "image/png,image/jpeg,image/webp,application/pdf"},
    )


class PracticeForm(EvidenceFields, KeyedForm):
    text = TextAreaField(
        "Your answer",
        validators=[DataRequired("Write your answer before handing it in."), Length(max=MAX_TEXT)],
    )


class ChecklistEvidenceForm(EvidenceFields, CheckedForm):
    note = TextAreaField(
        "Note for the trainer (optional)",
        validators=[Length(max=MAX_TEXT)],
        description="Anything the trainer should know when they confirm the list.",
    )


class SharingMixin:
    share_mentor = BooleanField("Share with my mentor")
    share_manager = BooleanField("Share with my manager")


class ReflectionForm(SharingMixin, KeyedForm):
    body = TextAreaField(
        "Your reflection", validators=[DataRequired("Write a few lines before saving."), Length(max=MAX_TEXT)]
    )


class JournalForm(SharingMixin, KeyedForm):
    body = TextAreaField(
        "New entry",
        validators=[DataRequired("Write something before saving."), Length(max=MAX_TEXT)],
        description="What you tried, what happened, what you noticed. Only you see it unless you share it.",
    )


class SharingForm(SharingMixin, CheckedForm):
    pass


# As the built-in course defines them (lessons/social-media-practice/objectives, "Three horizons").
HORIZONS = [
    ("short", "Short term (the first three months or so)"),
    ("medium", "Medium term (from a few months to about a year)"),
    ("long", "Long term (a year and beyond)"),
]
MEASURES = [
    ("quantitative", "Quantitative — something you count"),
    ("qualitative", "Qualitative — something you describe"),
]
STATUSES = [("active", "Active"), ("achieved", "Achieved"), ("dropped", "Dropped"), ("retired", "Retired")]
DIRECTIONS = [("higher", "Higher is better"), ("lower", "Lower is better")]
ROLLUPS = [
    ("sum", "The sum of each member's latest value"),
    ("mean", "The mean of each member's latest value"),
    ("latest", "The latest value anyone gave"),
]
# Large enough for any count a team keeps; beyond it, a float loses whole numbers.
LARGEST_VALUE = 1e12


def plain_number(_form, field):
    if field.data is not None and (not math.isfinite(field.data) or abs(field.data) > LARGEST_VALUE):
        raise ValidationError("Give a number such as 120 or 4.5.")


class DaysField(StringField):
    """A whole number of days from 1 to 3660, read as ``whole_number`` reads ids: plain digits only."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            self.data = whole_number(valuelist[0].strip(), minimum=1, maximum=3660)
            if self.data is None:
                raise ValueError("Give a number of days from 1 to 3660.")

    def _value(self):
        return "" if self.data is None else str(self.data)


def number_field(label: str, description: str | None = None) -> FloatField:
    return FloatField(label, validators=[Optional(), plain_number], description=description)


class ObjectiveForm(KeyedForm):
    title = StringField("Objective", validators=[DataRequired("Say what you want to achieve."), Length(max=200)])
    horizon = SelectField("Horizon", choices=HORIZONS)
    measure_kind = SelectField("Kind of measure", choices=MEASURES)
    measure = TextAreaField(
        "How you will know",
        validators=[DataRequired("Say how you will know you got there."), Length(max=2000)],
        description="For example “20 replies a month from people we had not heard from” or “partners say they hear from us”.",
    )
    unit = StringField(
        "Unit (quantitative)",
        validators=[Optional(), Length(max=120)],
        description="What you count, for example “sign-ups from social a month”.",
    )
    baseline_value = number_field("Baseline (quantitative)", "Where you start. Leave it empty if you do not know yet.")
    baseline_date = DateField("Baseline date", validators=[Optional()])
    target_value = number_field("Target (quantitative)")
    target_date = DateField("Target date", validators=[Optional()])
    direction = SelectField("Which way is better", choices=DIRECTIONS, default="higher")
    review_days = DaysField(
        "Review every … days (optional)",
        validators=[Optional()],
        description="Leave it empty for the usual interval: 2 weeks, a month or a quarter, by horizon.",
    )
    status = SelectField("Status", choices=STATUSES, default="active")
    note = TextAreaField(
        "Why the change (optional)",
        validators=[Optional(), Length(max=2000)],
        description="Kept with this revision, so you can see later how your thinking moved.",
    )

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.measure_kind.data != "quantitative":
            return True
        if self.target_value.data is not None and self.target_date.data is None:
            self.target_date.errors.append("Give the date you aim to reach the target by.")
        if (self.baseline_value.data is None) != (self.baseline_date.data is None):
            self.baseline_date.errors.append("Give the baseline with its date, or neither.")
        if self.baseline_date.data and self.target_date.data and self.target_date.data <= self.baseline_date.data:
            self.target_date.errors.append("The target date comes after the baseline date.")
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
    rollup = SelectField("The team's figure", choices=ROLLUPS, default="sum")

    def values(self) -> dict:
        return {**super().values(), "rollup": self.rollup.data}


RATINGS = [
    ("1", "1 — badly"),
    ("2", "2 — not well"),
    ("3", "3 — so-so"),
    ("4", "4 — well"),
    ("5", "5 — very well"),
]


class CheckInForm(KeyedForm):
    on_date = DateField("Date", validators=[InputRequired("Give the date of the check-in.")], default=dt.date.today)
    value = number_field("Value")
    rating = RadioField("How is it going?", choices=RATINGS, validators=[Optional()])
    note = TextAreaField("Note (optional)", validators=[Optional(), Length(max=2000)])
    link = URLField("Link (optional)", validators=[Optional(), Length(max=500), http_link])
    journal_entries = SelectMultipleField("Journal entries (optional)", coerce=int, choices=[], validate_choice=True)

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
    ("keep", "Keep it as it is"),
    ("revise", "Revise it"),
    ("retire", "Retire it: it no longer matters"),
]


class ReviewForm(KeyedForm):
    decision = RadioField(
        "What now?", choices=REVIEW_CHOICES, validators=[InputRequired("Choose keep, revise or retire.")]
    )
    learned = TextAreaField(
        "What did you learn?",
        validators=[DataRequired("Say what you learned since the last review."), Length(max=MAX_TEXT)],
        description="Kept with the objective's history.",
    )

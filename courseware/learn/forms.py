"""Forms for the learner's activities, journal and objectives."""

from urllib.parse import urlsplit

from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from courseware.core.validators import CheckedForm
from courseware.learn.form_keys import new_form_key

MAX_TEXT = 20_000


def http_link(_form, field):
    if field.data:
        parts = urlsplit(field.data.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValidationError("Enter a full web address starting with https:// (or leave it empty).")


class KeyedForm(CheckedForm):
    """Carries a key made when the form was shown, so that sending it twice records once."""

    form_key = HiddenField(default=new_form_key)


class PracticeForm(KeyedForm):
    text = TextAreaField(
        "Your answer",
        validators=[DataRequired("Write your answer before handing it in."), Length(max=MAX_TEXT)],
    )
    link = URLField(
        "Link (optional)",
        validators=[Optional(), Length(max=500), http_link],
        description="A link to your work elsewhere, such as a draft post or a shared document.",
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


HORIZONS = [
    ("short", "Short term (the next few weeks)"),
    ("medium", "Medium term (the next few months)"),
    ("long", "Long term (a year or more)"),
]
MEASURES = [
    ("quantitative", "Quantitative — something you count"),
    ("qualitative", "Qualitative — something you describe"),
]
STATUSES = [("active", "Active"), ("achieved", "Achieved"), ("dropped", "Dropped")]


class ObjectiveForm(KeyedForm):
    title = StringField("Objective", validators=[DataRequired("Say what you want to achieve."), Length(max=200)])
    horizon = SelectField("Horizon", choices=HORIZONS)
    measure_kind = SelectField("Kind of measure", choices=MEASURES)
    measure = TextAreaField(
        "How you will know",
        validators=[DataRequired("Say how you will know you got there."), Length(max=2000)],
        description="For example “20 replies a month from people we had not heard from” or “partners say they hear from us”.",
    )
    target_date = DateField("Target date (optional)", validators=[Optional()])
    status = SelectField("Status", choices=STATUSES, default="active")
    note = TextAreaField(
        "Why the change (optional)",
        validators=[Optional(), Length(max=2000)],
        description="Kept with this revision, so you can see later how your thinking moved.",
    )

    def values(self) -> dict:
        return {
            "title": self.title.data.strip(),
            "horizon": self.horizon.data,
            "measure_kind": self.measure_kind.data,
            "measure": self.measure.data.strip(),
            "target_date": self.target_date.data,
            "status": self.status.data,
            "note": self.note.data,
        }

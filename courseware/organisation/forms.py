"""The organisation settings form admins fill in."""

from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length, ValidationError

from courseware.core import times
from courseware.core.validators import CheckedForm, SingleLine
from courseware.i18n import LANGUAGES


class OrganisationForm(CheckedForm):
    name = StringField(
        "Organisation name",
        validators=[Length(max=120), SingleLine()],
        description="Shown in the header, in e-mails and on certificates. Empty uses the site's name.",
    )
    logo = FileField(
        "Logo",
        description="A PNG, JPEG or WebP image of at most 1 MB; it is shown at most 2.5 rem high in the header.",
    )
    remove_logo = BooleanField("Remove the logo")
    accent_colour = StringField(
        "Accent colour",
        validators=[Length(max=7), SingleLine()],
        description="A hex colour such as #1f5f8b for the header, links and buttons. White text on it must "
        "reach a contrast of 4.5:1. Empty keeps the site's blue.",
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    signatory_name = StringField("Name of the signatory on certificates", validators=[Length(max=120), SingleLine()])
    signatory_title = StringField(
        "Title of the signatory", validators=[Length(max=120), SingleLine()], description="Such as Head of Learning."
    )
    default_time_zone = SelectField(
        "Default time zone",
        choices=[],
        validate_choice=False,
        description="Times are shown in this zone to everyone who has not chosen their own on their account page.",
    )

    default_locale = SelectField(
        "Default language",
        choices=list(LANGUAGES.items()),
        validate_choice=True,
        description="Pages are shown in this language to people who have not chosen one and whose browser "
        "asks for none of the site's languages.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_time_zone.choices = times.zone_choices()

    def validate_default_time_zone(self, field):
        if not times.is_zone(field.data):
            raise ValidationError("Choose a time zone from the list.")

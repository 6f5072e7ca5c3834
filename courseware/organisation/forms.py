"""The organisation settings form admins fill in."""

from flask_babel import gettext as _
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length, ValidationError

from courseware.core import times
from courseware.core.validators import CheckedForm, SingleLine
from courseware.i18n import LANGUAGES
from courseware.i18n import lazy_gettext as _l


class OrganisationForm(CheckedForm):
    name = StringField(
        _l("Organisation name"),
        validators=[Length(max=120), SingleLine()],
        description=_l("Shown in the header, in e-mails and on certificates. Empty uses the site's name."),
    )
    logo = FileField(
        _l("Logo"),
        description=_l("A PNG, JPEG or WebP image of at most 1 MB; it is shown at most 2.5 rem high in the header."),
    )
    remove_logo = BooleanField(_l("Remove the logo"))
    accent_colour = StringField(
        _l("Accent colour"),
        validators=[Length(max=7), SingleLine()],
        description=_l(
            "A hex colour such as #1f5f8b for the header, links and buttons. White text on it must "
            "reach a contrast of 4.5:1. Empty keeps the site's blue."
        ),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    signatory_name = StringField(
        _l("Name of the signatory on certificates"), validators=[Length(max=120), SingleLine()]
    )
    signatory_title = StringField(
        _l("Title of the signatory"),
        validators=[Length(max=120), SingleLine()],
        description=_l("Such as Head of Learning."),
    )
    default_time_zone = SelectField(
        _l("Default time zone"),
        choices=[],
        validate_choice=False,
        description=_l("Times are shown in this zone to everyone who has not chosen their own on their account page."),
    )

    default_locale = SelectField(
        _l("Default language"),
        choices=[(code, name, {"lang": code}) for code, name in LANGUAGES.items()],
        validate_choice=True,
        description=_l(
            "Pages are shown in this language to people who have not chosen one and whose browser "
            "asks for none of the site's languages."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_time_zone.choices = times.zone_choices()

    def validate_default_time_zone(self, field):
        if not times.is_zone(field.data):
            raise ValidationError(_("Choose a time zone from the list."))

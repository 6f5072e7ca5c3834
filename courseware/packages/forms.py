"""The form a trainer uploads a SCORM package with."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import Length, ValidationError

from courseware.core.validators import CheckedForm
from courseware.i18n import lazy_gettext as _l

NEW_MODULE = "new"


class PackageForm(CheckedForm):
    package = FileField(
        _l("SCORM package"),
        validators=[FileRequired(_l("Choose a SCORM .zip to upload."))],
        description=_l(
            "A SCORM 1.2 or 2004 zip with imsmanifest.xml at its top. Each SCO becomes a lesson. "
            "Upload a new version under the same file name to revise its lessons."
        ),
    )
    module = SelectField(_l("Put its lessons in"), choices=[], validate_choice=True)
    new_module = StringField(
        _l("New module's title"),
        validators=[Length(max=200)],
        description=_l("When you choose a new module."),
    )

    def validate_new_module(self, field) -> None:
        if self.module.data == NEW_MODULE and not (field.data or "").strip():
            raise ValidationError(_("Give the new module a title, or choose a module."))

"""The form trainers set a course's cover image with."""

from flask_wtf.file import FileField, FileRequired

from courseware.core.validators import CheckedForm
from courseware.i18n import lazy_gettext as _l


class CoverForm(CheckedForm):
    cover = FileField(
        _l("Cover image"),
        validators=[FileRequired("Choose an image to upload.")],
        description=_l(
            "A PNG, JPEG or WebP image of at most 2 MB, shown on the course's card; "
            "a wide picture (about 3:1) suits it best."
        ),
    )

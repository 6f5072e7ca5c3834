"""The form trainers set a course's cover image with."""

from flask_wtf.file import FileField, FileRequired

from courseware.core.validators import CheckedForm


class CoverForm(CheckedForm):
    cover = FileField(
        "Cover image",
        validators=[FileRequired("Choose an image to upload.")],
        description="A PNG, JPEG or WebP image of at most 2 MB, shown on the course's card; "
        "a wide picture (about 3:1) suits it best.",
    )

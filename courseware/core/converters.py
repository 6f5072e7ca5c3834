"""URL converters: what a variable part of an address may hold, checked before any view runs.

An address that does not fit answers 404 (there is no page there), never a 500 from the database.
"""

from __future__ import annotations

from werkzeug.routing import BaseConverter, ValidationError

from courseware.core.validators import LARGEST_ID, has_control_characters, whole_number

# Longer than any slug, token or certificate code the site makes.
MAX_SEGMENT = 200


class IdConverter(BaseConverter):
    """``<id:name>``: a row's id, ASCII digits from 1 to the database's largest integer."""

    regex = r"[0-9]{1,10}"
    weight = 50
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = whole_number(value, minimum=1, maximum=LARGEST_ID)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value) -> str:
        return str(int(value))


class SegmentConverter(BaseConverter):
    """The default for ``<name>``: one path segment (a slug, a token, a code) of plain text, at
    most ``MAX_SEGMENT`` characters, without NUL or other control characters."""

    regex = f"[^/]{{1,{MAX_SEGMENT}}}"
    part_isolating = True

    def to_python(self, value: str) -> str:
        if has_control_characters(value):
            raise ValidationError()
        return value


def register_converters(app) -> None:
    """Install the converters; this must run before any blueprint adds its rules."""
    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["default"] = SegmentConverter

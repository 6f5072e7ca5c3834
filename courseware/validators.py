"""Form validators shared by several features."""

from __future__ import annotations

import unicodedata

from wtforms.validators import ValidationError


def has_control_characters(text: str) -> bool:
    """Whether ``text`` holds tabs, line breaks, escape codes or other control characters."""
    return any(unicodedata.category(character) == "Cc" for character in text)


class SingleLine:
    """Refuse control characters in a one-line field such as a name: they cannot be typed into
    the page's input, so they come from a crafted request, and would garble lists and exports."""

    def __init__(self, message: str = "Use letters, numbers, spaces and punctuation only.") -> None:
        self.message = message

    def __call__(self, _form, field) -> None:
        if field.data and has_control_characters(field.data):
            raise ValidationError(self.message)

"""Words managers' pages and messages share: days written out in full, and the language a
message to another person is written in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from flask_babel import force_locale, format_date, get_locale

from courseware.i18n import DEFAULT, is_language


def long_date(day: dt.date) -> str:
    """A day in full as the reader's language writes it: "6 December 2026", "6 de diciembre de 2026"."""
    locale = get_locale()
    if locale is None or locale.language == "en":
        return f"{day:%-d %B %Y}"
    return format_date(day, "long")


def language_of(person) -> str:
    """The language ``person`` reads the interface in: their own choice, else the organisation's default."""
    chosen = getattr(person, "locale", None)
    if is_language(chosen):
        return chosen
    from courseware.organisation.services import organisation

    default = organisation().default_locale
    return default if is_language(default) else DEFAULT


@contextmanager
def in_language_of(person) -> Iterator[None]:
    """Write what is said to ``person`` (a notification, an e-mail) in their language."""
    with force_locale(language_of(person)):
        yield

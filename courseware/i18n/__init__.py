"""The interface's languages: which one a request is shown in, and Babel's formats for it.

A request's language is the person's own choice (their account page), else the best match for
the browser's ``Accept-Language``, else the organisation's default (an admin setting), else
English. Catalogues live in ``courseware/translations/<locale>/LC_MESSAGES/messages.po``;
``make translations`` extracts and updates them, and ``make install`` compiles them.
"""

from __future__ import annotations

from flask import Flask, g, has_request_context, request
from flask_babel import Babel, gettext, ngettext, refresh
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import escape

# The languages the interface is translated into, each named in its own language.
LANGUAGES = {"en": "English", "es": "Español", "fr": "Français"}
DEFAULT = "en"

babel = Babel()


def is_language(code: str | None) -> bool:
    return bool(code) and code in LANGUAGES


def select_locale() -> str:
    """The language of this request (kept in ``g`` for the rest of it)."""
    if not has_request_context():
        return DEFAULT
    chosen = g.get("locale")
    if chosen is None:
        chosen = g.locale = _choose()
    return chosen


def _choose() -> str:
    if current_user and current_user.is_authenticated and is_language(current_user.locale):
        return current_user.locale
    asked = request.accept_languages.best_match(list(LANGUAGES))
    if asked:
        return asked
    from courseware.organisation.services import organisation

    default = organisation().default_locale
    return default if is_language(default) else DEFAULT


def follow_the_signed_in_person() -> None:
    """Go on in the language of the person just signed in (their choice, if they made one): the
    request's language was chosen before anyone was signed in."""
    g.pop("locale", None)
    refresh()


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")

    @app.context_processor
    def _language():
        return {"current_locale": select_locale}


class Text(LazyString):
    """Text translated when it is shown, for labels and messages defined before any request.
    In a template it is escaped like any other text (Flask-Babel's own lazy string would go in
    as markup, its placeholders' values too)."""

    def __html__(self) -> str:
        return str(escape(str(self)))


def lazy_gettext(string: str, **variables) -> Text:
    return Text(gettext, string, **variables)


def lazy_ngettext(singular: str, plural: str, num: int, **variables) -> Text:
    return Text(ngettext, singular, plural, num, **variables)

"""The one way to read numbers, dates and text from a request, and the form checks that go with it.

What a browser sends through the site's own pages is always plain: ids of rows, ``YYYY-MM-DD``
dates, text people typed. Anything else comes from a crafted or mistyped request, and is refused
here with a clear message (a 400 page, a 404 for an id in the address, a field error on a form)
before it can reach the database, which would fail on it: integers past its range, NUL characters
(PostgreSQL cannot store them), dates a calculation runs off the end of the calendar with.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from flask import abort, has_request_context, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from wtforms import DateField, Form, HiddenField, StringField
from wtforms.validators import ValidationError

from courseware.i18n import lazy_gettext as _l

# The database's integer columns are 32-bit on PostgreSQL; larger numbers cannot name a row.
LARGEST_ID = 2**31 - 1
# Dates people plan, assign and export by. Past these, date arithmetic (a day later, a week
# before) would run off the calendar, and no training plan reaches them.
EARLIEST_DAY = dt.date(1900, 1, 1)
LATEST_DAY = dt.date(2999, 12, 31)
# Control characters (Unicode category Cc) but the tab and line breaks a text area allows.
UNTYPABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# The longest query-string text a view reads (a search box, a name filter).
MAX_QUERY_TEXT = 200


def has_control_characters(text: str) -> bool:
    """Whether ``text`` holds tabs, line breaks, escape codes or other control characters."""
    return any(unicodedata.category(character) == "Cc" for character in text)


def has_untypable_characters(text: str) -> bool:
    """Whether ``text`` holds NUL, escape codes or other control characters a person cannot type
    into a page's field (tabs and line breaks excepted)."""
    return UNTYPABLE.search(text) is not None


def whole_number(text: str | None, *, minimum: int = 0, maximum: int = LARGEST_ID) -> int | None:
    """``text`` as an int when it is plain ASCII digits within ``minimum``..``maximum``, else None.

    Only ASCII digits: ``str.isdigit()`` also accepts ``²`` (which ``int()`` refuses) and
    ``int()`` accepts Arabic-Indic digits, neither of which a page of the site ever sends.
    """
    if not text or len(text) > 12 or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


def optional_id(value) -> int | None:
    """The id chosen in a select field: None when none is chosen ("" or "0") or the value is not
    an id (the field's own choice check then speaks)."""
    if value is None or isinstance(value, int):
        return value or None
    return whole_number(str(value), minimum=1)


def day(text: str | None) -> dt.date | None:
    """``text`` as a ``YYYY-MM-DD`` date between ``EARLIEST_DAY`` and ``LATEST_DAY``, else None."""
    if not text or len(text) != 10 or not text.isascii():
        return None
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return value if EARLIEST_DAY <= value <= LATEST_DAY else None


# --- query parameters and raw form fields ---------------------------------------------------------


def _values(source: MultiDict | None) -> MultiDict:
    return request.args if source is None else source


def int_param(name: str, default: int | None = None, *, minimum: int = 1, maximum: int = LARGEST_ID, source=None):
    """The whole number in query parameter ``name`` (or in ``source``, such as ``request.form``);
    ``default`` when it is absent or empty; 400 with a message naming it otherwise."""
    raw = _values(source).get(name, "")
    if raw == "":
        return default
    number = whole_number(raw, minimum=minimum, maximum=maximum)
    if number is None:
        abort(
            400,
            _(
                "“%(name)s” must be a whole number from %(minimum)d to %(maximum)d, as the page's links send it.",
                name=name,
                minimum=minimum,
                maximum=maximum,
            ),
        )
    return number


def id_params(name: str, *, source=None) -> list[int]:
    """Every value of the repeated parameter ``name`` as ids; 400 when any is not one."""
    numbers = []
    for raw in _values(source).getlist(name):
        number = whole_number(raw, minimum=1)
        if number is None:
            abort(400, _("Every “%(name)s” must be given by its number, as the page sends it.", name=name))
        numbers.append(number)
    return numbers


def date_param(name: str, default: dt.date | None = None, *, required: bool = False, source=None) -> dt.date | None:
    """The ``YYYY-MM-DD`` date in query parameter ``name``; ``default`` when absent or empty (400
    when ``required``); 400 with a message naming it when it is not a date, or is outside the
    years the site works in."""
    raw = _values(source).get(name, "")
    if raw == "":
        if required:
            abort(400, _("Give the %(name)s date as YYYY-MM-DD, for example ?%(name)s=2026-01-31.", name=name))
        return default
    value = day(raw)
    if value is None:
        abort(
            400,
            _(
                "The %(name)s date %(value)s is not a date in the form YYYY-MM-DD (for example 2026-01-31) "
                "from %(first)d to %(last)d.",
                name=name,
                value=repr(raw[:40]),
                first=EARLIEST_DAY.year,
                last=LATEST_DAY.year,
            ),
        )
    return value


def text_param(name: str, default: str = "", *, max_length: int = MAX_QUERY_TEXT, source=None) -> str:
    """The text in query parameter ``name``, stripped; 400 when it holds control characters
    such as NUL, or is longer than ``max_length``."""
    raw = _values(source).get(name)
    if raw is None:
        return default
    if has_untypable_characters(raw):
        abort(
            400,
            _("“%(name)s” holds control characters such as NUL, which cannot be searched for or stored.", name=name),
        )
    if len(raw) > max_length:
        abort(400, _("“%(name)s” is longer than %(num)d characters.", name=name, num=max_length))
    return raw.strip()


# --- forms ------------------------------------------------------------------------------------------


class SingleLine:
    """Refuse control characters in a one-line field such as a name: they cannot be typed into
    the page's input, so they come from a crafted request, and would garble lists and exports."""

    def __init__(self, message: str | None = None) -> None:
        self.message = message or _l("Use letters, numbers, spaces and punctuation only.")

    def __call__(self, _form, field) -> None:
        if field.data and has_control_characters(field.data):
            raise ValidationError(self.message)


class TypedText:
    """Refuse NUL and other control characters that cannot be typed into a page's field; tabs
    and line breaks pass. The database cannot store NUL, and the rest garble pages and exports."""

    def __init__(self, message: str | None = None) -> None:
        self.message = message or _l("Remove the control characters (such as NUL) from this text.")

    def __call__(self, _form, field) -> None:
        if isinstance(field.data, str) and has_untypable_characters(field.data):
            raise ValidationError(self.message)


class SaneDay:
    """Refuse a date outside the years the site plans and reports in."""

    def __call__(self, _form, field) -> None:
        if field.data and not EARLIEST_DAY <= field.data <= LATEST_DAY:
            raise ValidationError(
                _("Choose a date from %(first)d to %(last)d.", first=EARLIEST_DAY.year, last=LATEST_DAY.year)
            )


class _CheckedFields:
    """Every text field refuses control characters (a one-line field, with its own stricter
    ``SingleLine``), and every date field dates past the years the site works in, with a field
    error that keeps what was typed, whichever form it is on. Hidden fields carry what the page
    made (form keys, revisions), which nobody types: the services that read them check them."""

    def validate(self, extra_validators=None):
        extra = {name: list(checks) for name, checks in (extra_validators or {}).items()}
        for name, field in self._fields.items():
            if isinstance(field, HiddenField):
                continue
            if isinstance(field, StringField) and not any(isinstance(v, SingleLine) for v in field.validators):
                extra.setdefault(name, []).append(TypedText())
            elif isinstance(field, DateField):
                extra.setdefault(name, []).append(SaneDay())
        return super().validate(extra_validators=extra)


SUBMIT_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def json_fields(body) -> ImmutableMultiDict:
    """The text fields of a JSON body; values other than text (or lists of text) are left out,
    so that a field reports them as missing instead of failing on them."""
    if not isinstance(body, dict):
        return ImmutableMultiDict()
    return ImmutableMultiDict(
        (name, value)
        for name, values in body.items()
        for value in (values if isinstance(values, list) else [values])
        if isinstance(value, str)
    )


class CheckedForm(_CheckedFields, FlaskForm):
    """The base of the site's posted forms (CSRF-protected, with the text and date checks).

    A form also reads a JSON body (as a script sends it); one that is not an object of fields
    gets a clear 400 rather than failing on it.
    """

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if (
                has_request_context()
                and request.method in SUBMIT_METHODS
                and request.is_json
                and not request.form
                and not request.files
            ):
                body = request.get_json(silent=True)
                if not isinstance(body, dict):
                    abort(400, _("Send the fields as a JSON object of names and text values."))
                return json_fields(body)
            return super().wrap_formdata(form, formdata)


class CheckedQueryForm(_CheckedFields, Form):
    """The base of the forms read from a query string, such as filters (no CSRF token)."""

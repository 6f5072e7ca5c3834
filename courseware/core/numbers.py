"""How numbers are shown: one rule for percentages, used by Python, SQL and templates alike, and
numbers written the way the viewer's language writes them (Babel's formats)."""

from __future__ import annotations

from babel import Locale
from babel.numbers import format_decimal, format_percent
from flask_babel import get_locale
from sqlalchemy import case

# English is written the British way on this site ("6 Dec 2026", "14:05"): Babel's "en" is American.
ENGLISH = Locale.parse("en_GB")


def percent(part: float, whole: float) -> int:
    """``part`` of ``whole`` as a whole percentage, rounded down.

    Rounding down means 100 % only when everything is done and 0 % only when nothing is: a
    learner with 2 of 7 lessons done is at 28 %, on every page. Nothing of nothing is 0 %.
    """
    if not whole:
        return 0
    # Rounded to a millionth first, so that 0.29 * 100 (28.999999999999996) counts as 29.
    return int(round(100 * part / whole, 6) // 1)


def percent_sql(part, whole):
    """The same rule as :func:`percent`, as an SQL expression over whole-number columns."""
    return case((whole > 0, (part * 100) // whole), else_=0)


def formatting_locale() -> Locale:
    """The locale numbers and dates are written in: the request's language, or the one forced for
    an e-mail (``flask_babel.force_locale``); English outside the app."""
    chosen = get_locale()
    if chosen is None or chosen.language == "en":
        return ENGLISH
    return chosen


def percentage(value: float | None) -> str:
    """A whole percentage (28) as the viewer's language writes it: "28%", "28 %"; "–" for none."""
    if value is None:
        return "–"
    return format_percent(value / 100, locale=formatting_locale())


def number(value: float | None, decimals: int = 2) -> str:
    """A count or measure with the language's digit grouping and decimal sign: "1,234.5", "1 234,5"
    (no trailing zeros); "–" for none."""
    if value is None:
        return "–"
    text = format_decimal(value, format="#,##0." + "#" * decimals if decimals else "#,##0", locale=formatting_locale())
    return text.lstrip("-") if set(text) <= set("-0") else text

"""How numbers are shown: one rule for percentages, used by Python, SQL and templates alike."""

from __future__ import annotations

from sqlalchemy import case


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

"""Times as people read them: in the viewer's time zone, exact or relative ("3 days ago").

Every time the site stores is UTC. Whoever looks at one sees it in their own zone: the one on
their account, else the organisation's default (an admin setting), else UTC. Templates use the
``date``, ``when`` and ``ago`` filters and CSV exports :func:`iso_in_zone`, all from here, so that
no page formats a time its own way.

Dates and clock times are written as the viewer's language writes them (Babel's "medium" date and
"short" time; English as the site always has): "6 Dec 2026, 14:05 CET" in English, "6 dic 2026, 14:05 CET" in Spanish, and an
e-mail in its recipient's language (see :mod:`courseware.core.mail`).
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

from babel import Locale
from babel.dates import format_date as babel_date
from babel.dates import format_time as babel_time
from flask import g, has_request_context
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup, escape

from courseware.core.numbers import formatting_locale
from courseware.db import utcnow

UTC_NAME = "UTC"
# Relative forms ("3 days ago") are used up to this age; older times show their date.
RELATIVE_FOR = dt.timedelta(days=30)
# English keeps the site's own way ("6 Sep 2026, 14:05"); other languages use Babel's "medium"
# date, "long" date and "short" time.
ENGLISH_FORMATS = {"date": "d MMM y", "long": "d MMMM y", "time": "HH:mm"}


def _formats():
    """(locale, date format, long date format, time format) for the language of the moment."""
    locale = formatting_locale()
    if locale.language == "en":
        return Locale.parse("en"), ENGLISH_FORMATS["date"], ENGLISH_FORMATS["long"], ENGLISH_FORMATS["time"]
    return locale, "medium", "long", "short"


@functools.cache
def available_zones() -> frozenset[str]:
    """The IANA time zone names this machine knows (``zoneinfo.available_timezones()``)."""
    return frozenset(zoneinfo.available_timezones())


def zone_choices() -> list[tuple[str, str]]:
    """Every known zone as (name, label) for a select, UTC first, then by name."""
    names = sorted(name for name in available_zones() if "/" in name and not name.startswith(("Etc/", "SystemV/")))
    return [(UTC_NAME, "UTC")] + [(name, name.replace("_", " ")) for name in names]


def is_zone(name: str | None) -> bool:
    """Whether ``name`` is a time zone this site accepts."""
    return bool(name) and (name == UTC_NAME or name in available_zones())


def zone(name: str | None) -> dt.tzinfo:
    """The time zone called ``name``; UTC for none or a name the machine does not know."""
    if not is_zone(name) or name == UTC_NAME:
        return dt.UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def person_zone_name(person) -> str:
    """The zone a person sees times in: their own choice, else the organisation's default."""
    own = getattr(person, "time_zone", None)
    if is_zone(own):
        return own
    from courseware.organisation.services import organisation

    default = organisation().default_time_zone
    return default if is_zone(default) else UTC_NAME


def viewer_zone() -> dt.tzinfo:
    """The zone of whoever is looking (the signed-in person, else the organisation's default),
    worked out once per request."""
    if not has_request_context():
        return zone(person_zone_name(None))
    found = g.get("viewer_zone")
    if found is None:
        from flask_login import current_user

        person = current_user if current_user.is_authenticated else None
        found = g.viewer_zone = zone(person_zone_name(person))
    return found


def local(value: dt.datetime, tz: dt.tzinfo | None = None) -> dt.datetime:
    """``value`` (aware, or naive UTC) in ``tz``, by default the viewer's zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(tz or viewer_zone())


def zone_label(value: dt.datetime) -> str:
    """The short name of the zone ``value`` is in ("CET", "UTC"), or its offset ("UTC+03")."""
    name = value.tzname() or ""
    if name.isalpha():
        return name
    offset = value.strftime("%z")
    if not offset or offset == "+0000":
        return UTC_NAME
    return f"UTC{offset[:3]}" + (f":{offset[3:]}" if offset[3:] != "00" else "")


def format_date(value, tz: dt.tzinfo | None = None) -> str:
    """A time as "6 Dec 2026, 14:05 CET" in the viewer's zone (or ``tz``); a date as "6 Dec 2026"
    (in the viewer's language)."""
    if value is None:
        return "—"
    locale, date_format, _long, time_format = _formats()
    if isinstance(value, dt.datetime):
        shown = local(value, tz)
        day = babel_date(shown.date(), date_format, locale=locale)
        clock = babel_time(shown.time(), time_format, locale=locale)
        return f"{locale.datetime_formats['medium'].format(clock, day)} {zone_label(shown)}"
    return babel_date(value, date_format, locale=locale)


def format_long_date(value: dt.date) -> str:
    """A day with its month in full, "6 December 2026", for sentences such as e-mails."""
    locale, _date, long_format, _time = _formats()
    return babel_date(value, long_format, locale=locale)


def format_clock(value: dt.datetime, tz: dt.tzinfo | None = None) -> str:
    """The time of day alone, "14:05 CET", in the viewer's zone."""
    shown = local(value, tz)
    locale, _date, _long, time_format = _formats()
    return f"{babel_time(shown.time(), time_format, locale=locale)} {zone_label(shown)}"


def time_ago(value: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """How long ago ``value`` was, in words: "just now", "5 minutes ago", "3 days ago"."""
    if value is None:
        return _("never")
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    seconds = int(((now or utcnow()) - value).total_seconds())
    if seconds >= 86400:
        return ngettext("%(num)d day ago", "%(num)d days ago", seconds // 86400)
    if seconds >= 3600:
        return ngettext("%(num)d hour ago", "%(num)d hours ago", seconds // 3600)
    if seconds >= 60:
        return ngettext("%(num)d minute ago", "%(num)d minutes ago", seconds // 60)
    return _("just now")


def time_element(value, relative: bool = False) -> Markup:
    """``<time>`` with the machine-readable instant; relative when asked and recent, with the
    exact time as its title."""
    if value is None:
        return Markup(escape(_("never"))) if relative else Markup("—")
    exact = format_date(value)
    if isinstance(value, dt.datetime):
        stamp = local(value).isoformat(timespec="seconds")
        if relative and utcnow() - local(value, dt.UTC) < RELATIVE_FOR:
            return Markup('<time datetime="{}" title="{}">{}</time>').format(stamp, exact, time_ago(value))
    else:
        stamp = value.isoformat()
    return Markup('<time datetime="{}">{}</time>').format(stamp, escape(exact))


def when(value) -> Markup:
    """A time for lists, timelines and notifications: "3 days ago", the exact time in its title."""
    return time_element(value, relative=True)


def exact(value) -> Markup:
    """A time in full, inside ``<time datetime>``."""
    return time_element(value, relative=False)


def iso_in_zone(value: dt.datetime | None, tz: dt.tzinfo | None = None) -> str:
    """ISO 8601 with the offset of the viewer's zone (or ``tz``): "2026-12-06T15:05:00+01:00";
    empty for none."""
    if value is None:
        return ""
    return local(value, tz).isoformat(timespec="seconds")

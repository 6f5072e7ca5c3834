"""The organisation's settings: read once per request as plain data, saved by admins.

The settings are one row. They are read fresh for each request (one small query, kept in
``flask.g`` for the rest of it), never kept across requests: another server may have saved new
ones. What is cacheable carries its own version instead: the logo's address holds the id of the
stored file (a new one on every change), the theme's address holds the colour itself.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass

from flask import current_app, g, has_app_context, has_request_context
from flask_babel import gettext as _
from PIL import Image
from sqlalchemy.exc import SQLAlchemyError

from courseware.core import times
from courseware.core.numbers import number
from courseware.evidence import storage
from courseware.evidence.files import clean_upload
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.i18n import is_language
from courseware.models import OrganisationSettings

log = logging.getLogger(__name__)

HEX_COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
# WCAG 2.2 AA for normal text: white text on the accent, and accent text on white.
MIN_CONTRAST = 4.5
LOGO_MAX_BYTES = 1024 * 1024
LOGO_MAX_SIDE = 400


@dataclass(frozen=True)
class Organisation:
    """The settings as every page uses them; ``name`` falls back to the site's name."""

    name: str
    logo_version: int | None
    accent_colour: str
    signatory_name: str
    signatory_title: str
    default_time_zone: str
    default_locale: str = "en"


def _default_name() -> str:
    return current_app.config["SITE_NAME"] if has_app_context() else "Courseware"


def _defaults() -> Organisation:
    return Organisation(_default_name(), None, "", "", "", times.UTC_NAME)


def _read() -> Organisation:
    try:
        row = db.session.get(OrganisationSettings, 1)
    except SQLAlchemyError as error:
        # Error pages are drawn with the site's header even when the database is away.
        log.warning("organisation settings unavailable: %s", error.__class__.__name__)
        db.session.rollback()
        return _defaults()
    if row is None:
        return _defaults()
    return Organisation(
        name=row.name or _default_name(),
        logo_version=row.logo_file_id,
        accent_colour=row.accent_colour,
        signatory_name=row.signatory_name,
        signatory_title=row.signatory_title,
        default_time_zone=row.default_time_zone if times.is_zone(row.default_time_zone) else times.UTC_NAME,
        default_locale=row.default_locale or "en",
    )


def organisation() -> Organisation:
    """The organisation's settings, read once per request."""
    if not has_request_context():
        return _read()
    found = g.get("organisation")
    if found is None:
        found = g.organisation = _read()
    return found


def site_name() -> str:
    """The organisation's name, for pages and e-mails."""
    return organisation().name


# --- colours ------------------------------------------------------------------------------


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG's relative luminance of a ``#rrggbb`` colour."""
    r, g_, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g_) + 0.0722 * _channel(b)


def contrast_with_white(colour: str) -> float:
    """The contrast ratio of white against ``colour`` (1 to 21)."""
    return 1.05 / (relative_luminance(colour) + 0.05)


def check_accent(colour: str) -> str:
    """``colour`` as ``#rrggbb`` in lower case, or "" for none; Invalid when it is not a hex
    colour, or white text on it would be too faint to read (below WCAG AA's 4.5:1)."""
    colour = (colour or "").strip()
    if not colour:
        return ""
    if not HEX_COLOUR_RE.match(colour):
        raise Invalid(_("Enter the colour as # and six hex digits, such as #1f5f8b."), field="accent_colour")
    ratio = contrast_with_white(colour)
    if ratio < MIN_CONTRAST:
        raise Invalid(
            _(
                "White text on %(colour)s has a contrast of %(ratio)s:1, below the 4.5:1 that "
                "WCAG AA asks for, so people would struggle to read the header and buttons. "
                "Choose a darker colour.",
                colour=colour.lower(),
                ratio=number(ratio, 1),
            ),
            field="accent_colour",
        )
    return colour.lower()


def darker(colour: str, factor: float = 0.78) -> str:
    """``colour`` darkened (for hover states and the header), as ``#rrggbb``."""
    r, g_, b = (int(int(colour[i : i + 2], 16) * factor) for i in (1, 3, 5))
    return f"#{r:02x}{g_:02x}{b:02x}"


# --- the logo -----------------------------------------------------------------------------


def clean_logo(filename: str | None, data: bytes | None) -> bytes:
    """The logo as a PNG at most ``LOGO_MAX_SIDE`` pixels on its longer side, re-encoded from
    the pixels alone; Invalid when it is too large, not an image or damaged."""
    shown = (filename or _("the file"))[:120]
    if data is None or len(data) > LOGO_MAX_BYTES:
        raise Invalid(
            _("“%(name)s” is larger than %(size)d KB; send a smaller logo.", name=shown, size=LOGO_MAX_BYTES // 1024),
            field="logo",
        )
    not_an_image = _("“%(name)s” is not a PNG, JPEG or WebP image, so it cannot be the logo.", name=shown)
    try:
        clean = clean_upload(filename, data)
    except Invalid as error:
        raise Invalid(not_an_image, field="logo") from error
    if clean.kind != "image":
        raise Invalid(not_an_image, field="logo")
    with Image.open(io.BytesIO(clean.data)) as image:
        image.load()
        image = image.convert("RGBA")
    image.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def logo_bytes(version: int) -> bytes | None:
    """The logo's PNG when ``version`` is the current one, else None."""
    if organisation().logo_version != version:
        return None
    return storage.get(version)


# --- saving -------------------------------------------------------------------------------


def save_settings(
    *,
    name: str,
    accent_colour: str,
    signatory_name: str,
    signatory_title: str,
    default_time_zone: str,
    default_locale: str = "en",
    logo: bytes | None = None,
    remove_logo: bool = False,
) -> OrganisationSettings:
    """Save the settings (``logo`` is a PNG from :func:`clean_logo`); Invalid for a colour or zone
    that cannot be used. Flushes; the caller commits."""
    accent_colour = check_accent(accent_colour)
    if not times.is_zone(default_time_zone):
        raise Invalid(_("Choose a time zone from the list."), field="default_time_zone")
    if not is_language(default_locale):
        raise Invalid(_("Choose a language from the list."), field="default_locale")
    row = db.session.get(OrganisationSettings, 1)
    if row is None:
        row = OrganisationSettings(id=1)
        db.session.add(row)
    row.name = name.strip()
    row.accent_colour = accent_colour
    row.signatory_name = signatory_name.strip()
    row.signatory_title = signatory_title.strip()
    row.default_time_zone = default_time_zone
    row.default_locale = default_locale
    old_logo = row.logo_file_id
    if logo is not None:
        row.logo_file_id = storage.put(logo)
    elif remove_logo:
        row.logo_file_id = None
    db.session.flush()
    if old_logo is not None and old_logo != row.logo_file_id:
        storage.delete(old_logo)
    if has_request_context():
        g.pop("organisation", None)
        g.pop("viewer_zone", None)
    log.info("Organisation settings saved")
    return row

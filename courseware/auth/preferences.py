"""A person's own preferences: the time zone they see times in and the language they prefer."""

from __future__ import annotations

import logging

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user

from courseware.auth.forms import PreferencesForm
from courseware.auth.policies import role_required
from courseware.core import times
from courseware.extensions import db

log = logging.getLogger(__name__)

bp = Blueprint("preferences", __name__)


def preferences_form() -> PreferencesForm:
    """The form filled in with the signed-in person's preferences."""
    return PreferencesForm(
        formdata=None, data={"time_zone": current_user.time_zone or "", "locale": current_user.locale or ""}
    )


def set_preferences(user, *, time_zone: str | None, locale: str) -> None:
    """Save a person's time zone (None follows the organisation's) and language preference.
    Flushes; the caller commits."""
    if time_zone and not times.is_zone(time_zone):
        raise ValueError(f"unknown time zone {time_zone!r}")
    user.time_zone = time_zone or None
    user.locale = locale or ""
    db.session.flush()
    log.info("User %s: preferences saved", user.id)


@bp.route("/account/preferences", methods=["POST"])
@role_required()
def save():
    """Save the signed-in person's time zone and language; an unknown zone or language is
    refused beside its field, with the choice kept in the form."""
    form = PreferencesForm()
    if form.validate_on_submit():
        set_preferences(current_user, time_zone=form.time_zone.data, locale=form.locale.data)
        db.session.commit()
        g.pop("viewer_zone", None)
        g.pop("locale", None)
        refresh()
        flash(
            _("Preferences saved: times are now shown in %(zone)s.", zone=times.person_zone_name(current_user)),
            "success",
        )
        return redirect(url_for("account.account", _anchor="preferences"))
    return render_template("auth/preferences.html", preferences_form=form), 422

"""The organisation settings page (admins), and the logo and theme every page links to."""

from __future__ import annotations

import re

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from courseware.auth.policies import role_required
from courseware.core.security import versioned_asset
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.organisation import services
from courseware.organisation.forms import OrganisationForm

bp = Blueprint("organisation", __name__)

# The logo's and theme's addresses carry their version, so a browser may keep them for good.
FOREVER = "public, max-age=31536000, immutable"
COLOUR_IN_PATH = re.compile(r"^[0-9a-f]{6}$")


@bp.route("/admin/organisation", methods=["GET", "POST"])
@role_required("admin")
def settings():
    """The organisation's name, logo, accent colour, certificate signatory and default time
    zone; a colour too light for white text, an unknown zone or a file that is not an image is
    refused with a message beside its field, and what was typed stays in the form."""
    current = services.organisation()
    form = OrganisationForm(
        data=None
        if request.method == "POST"
        else {
            "name": current.name,
            "accent_colour": current.accent_colour,
            "signatory_name": current.signatory_name,
            "signatory_title": current.signatory_title,
            "default_time_zone": current.default_time_zone,
            "default_locale": current.default_locale,
        }
    )
    if form.validate_on_submit():
        upload = form.logo.data
        try:
            logo = None
            if upload and upload.filename:
                logo = services.clean_logo(upload.filename, upload.read())
            services.save_settings(
                name=form.name.data or "",
                accent_colour=form.accent_colour.data or "",
                signatory_name=form.signatory_name.data or "",
                signatory_title=form.signatory_title.data or "",
                default_time_zone=form.default_time_zone.data,
                default_locale=form.default_locale.data,
                logo=logo,
                remove_logo=form.remove_logo.data,
            )
        except Invalid as exc:
            db.session.rollback()
            getattr(form, exc.field or "name").errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Organisation settings saved."), "success")
            return redirect(url_for("organisation.settings"))
    return render_template("organisation/settings.html", form=form, current=current), 422 if form.errors else 200


@bp.route("/organisation/logo/<id:version>.png")
@versioned_asset
def logo(version: int):
    """The organisation's logo; 404 for any version but the current one."""
    data = services.logo_bytes(version)
    if data is None:
        abort(404, _("There is no such logo."))
    response = make_response(data)
    response.headers["Content-Type"] = "image/png"
    response.headers["Cache-Control"] = FOREVER
    return response


@bp.route("/organisation/theme/<colour>.css")
@versioned_asset
def theme(colour: str):
    """The stylesheet that sets the accent colour named in the address (six lower-case hex
    digits); 404 for anything else, or a colour white text would be too faint on."""
    if not COLOUR_IN_PATH.match(colour):
        abort(404)
    try:
        accent = services.check_accent("#" + colour)
    except Invalid:
        abort(404)
    body = f":root {{ --brand: {accent}; --brand-dark: {services.darker(accent)}; }}\n"
    response = make_response(body)
    response.headers["Content-Type"] = "text/css; charset=utf-8"
    response.headers["Cache-Control"] = FOREVER
    return response

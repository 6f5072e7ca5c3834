"""Admins' provisioning page: the SCIM base URL, and tokens issued (shown once), listed and revoked."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courseware.auth.policies import role_required
from courseware.core.links import page_url
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.models import ScimToken
from courseware.scim import tokens
from courseware.scim.forms import RevokeTokenForm, TokenForm

bp = Blueprint("provisioning", __name__)


def _page(form: TokenForm, secret: str | None = None, status: int = 200):
    return (
        render_template(
            "scim/tokens.html",
            form=form,
            tokens=tokens.all_tokens(),
            secret=secret,
            base_url=page_url("scim.service_provider_config").removesuffix("/ServiceProviderConfig"),
        ),
        status,
    )


@bp.route("", methods=["GET"])
@role_required("admin")
def index():
    """The SCIM base URL and the tokens, the ones in use first."""
    return _page(TokenForm())


@bp.route("", methods=["POST"])
@role_required("admin")
def issue():
    """Issue a token and show its secret this once; refuses a missing or multi-line name."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        _token, secret = tokens.issue_token(form.name.data, current_user)
    except Invalid as exc:
        form.name.errors = [exc.message]
        return _page(form, status=422)
    db.session.commit()
    return _page(TokenForm(formdata=None), secret=secret, status=201)


@bp.route("/tokens/<id:token_id>/revoke", methods=["GET", "POST"])
@role_required("admin")
def revoke(token_id: int):
    """Ask to confirm, then revoke the token: the directory using it is refused from then on."""
    token = db.session.get(ScimToken, token_id) or abort(404)
    form = RevokeTokenForm()
    if form.validate_on_submit():
        tokens.revoke_token(token, current_user)
        db.session.commit()
        flash(_("The token “%(name)s” is revoked.", name=token.name), "success")
        return redirect(url_for("provisioning.index"))
    return render_template("scim/revoke.html", token=token, form=form)

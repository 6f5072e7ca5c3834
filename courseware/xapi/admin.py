"""Admins' LRS page: the xAPI endpoint, and clients issued (secret shown once), listed and revoked."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from courseware.auth.policies import role_required
from courseware.core.links import page_url
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.models import XapiClient
from courseware.xapi import clients
from courseware.xapi.clients import SCOPE_LABELS
from courseware.xapi.forms import ClientForm, RevokeClientForm

bp = Blueprint("lrs", __name__)


def _page(form: ClientForm, issued=None, status: int = 200):
    return (
        render_template(
            "xapi/clients.html",
            form=form,
            clients=clients.all_clients(),
            issued=issued,
            scope_labels=SCOPE_LABELS,
            endpoint=page_url("xapi.about").removesuffix("/about"),
        ),
        status,
    )


@bp.route("", methods=["GET"])
@role_required("admin")
def index():
    """The xAPI endpoint and the LRS clients, the ones in use first."""
    return _page(ClientForm())


@bp.route("", methods=["POST"])
@role_required("admin")
def issue():
    """Issue a client and show its key and secret this once; refuses a missing name or no permission."""
    form = ClientForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        client, secret = clients.issue_client(form.name.data, form.scopes.data, current_user)
    except Invalid as exc:
        getattr(form, exc.field or "name").errors = [exc.message]
        return _page(form, status=422)
    db.session.commit()
    return _page(ClientForm(formdata=None), issued=(client.key, secret), status=201)


@bp.route("/clients/<id:client_id>/revoke", methods=["GET", "POST"])
@role_required("admin")
def revoke(client_id: int):
    """Ask to confirm, then revoke the client: the system using it is refused from then on."""
    client = db.session.get(XapiClient, client_id) or abort(404)
    form = RevokeClientForm()
    if form.validate_on_submit():
        clients.revoke_client(client, current_user)
        db.session.commit()
        flash(f"The LRS client “{client.name}” is revoked.", "success")
        return redirect(url_for("lrs.index"))
    return render_template("xapi/revoke.html", client=client, form=form)

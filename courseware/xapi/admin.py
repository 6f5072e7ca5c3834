"""Admins' LRS pages: the xAPI endpoint, and clients issued (secret shown once), listed and
revoked; the other LRSs statements are forwarded to, what waits for each and what failed."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from courseware.auth.policies import role_required
from courseware.core.links import page_url
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.models import XapiClient, XapiForwardTarget
from courseware.xapi import clients, forwarding
from courseware.xapi.clients import SCOPE_LABELS
from courseware.xapi.forms import ClientForm, ConfirmForm, ForwardTargetForm, RevokeClientForm

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
        flash(_("The LRS client “%(name)s” is revoked.", name=client.name), "success")
        return redirect(url_for("lrs.index"))
    return render_template("xapi/revoke.html", client=client, form=form)


# ---------------------------------------------------------------- forwarding

FAILED_SHOWN = 50


@bp.route("/forwarding", methods=["GET"])
@role_required("admin")
def forwarding_targets():
    """The LRSs new statements are forwarded to, with what waits for each, what was delivered and
    what failed for good."""
    targets = forwarding.all_targets()
    counts = forwarding.target_counts([t.id for t in targets])
    return render_template("xapi/forwarding.html", targets=targets, counts=counts)


def _save_target(form: ForwardTargetForm, target: XapiForwardTarget | None) -> XapiForwardTarget | None:
    try:
        saved = forwarding.save_target(
            target,
            name=form.name.data,
            endpoint=form.endpoint.data,
            key=form.key.data,
            secret=form.secret.data or "",
            version=form.version.data,
            statements=form.statements.data,
            enabled=bool(form.enabled.data),
            actor=current_user,
        )
    except Invalid as exc:
        db.session.rollback()
        getattr(form, exc.field or "endpoint").errors = [exc.message]
        return None
    db.session.commit()
    return saved


@bp.route("/forwarding/new", methods=["GET", "POST"])
@role_required("admin")
def new_target():
    """Add an LRS to forward new statements to; refuses an address that is not http(s) or no secret."""
    form = ForwardTargetForm()
    if form.validate_on_submit():
        target = _save_target(form, None)
        if target is not None:
            flash(_("New statements are forwarded to %(name)s from now on.", name=target.name), "success")
            return redirect(url_for("lrs.forwarding_target", target_id=target.id))
    return render_template("xapi/target.html", form=form, target=None), 422 if form.errors else 200


@bp.route("/forwarding/<id:target_id>", methods=["GET", "POST"])
@role_required("admin")
def forwarding_target(target_id: int):
    """One target: what waits, what was delivered, what failed for good and why; and its settings
    (the secret is never shown; a blank one keeps the stored one)."""
    target = db.session.get(XapiForwardTarget, target_id) or abort(404)
    data = None
    if request.method != "POST":
        data = {
            "name": target.name,
            "endpoint": target.endpoint,
            "key": target.key,
            "version": target.version,
            "statements": target.statements,
            "enabled": target.enabled,
        }
    form = ForwardTargetForm(data=data)
    if form.validate_on_submit() and _save_target(form, target) is not None:
        flash(_("%(name)s is saved.", name=target.name), "success")
        return redirect(url_for("lrs.forwarding_target", target_id=target.id))
    counts = forwarding.target_counts([target.id])[target.id]
    return render_template(
        "xapi/target.html",
        form=form,
        target=target,
        counts=counts,
        failed=forwarding.failed_forwards(target, FAILED_SHOWN) if counts["failed"] else [],
        retrying=forwarding.retrying_error(target) if counts["waiting"] else None,
        waiting_since=forwarding.waiting_since(target) if counts["waiting"] else None,
        secret_unreadable=forwarding.target_secret(target) is None,
    ), 422 if form.errors else 200


@bp.route("/forwarding/<id:target_id>/retry", methods=["POST"])
@role_required("admin")
def retry_target(target_id: int):
    """Send the statements that failed for good to this target again."""
    target = db.session.get(XapiForwardTarget, target_id) or abort(404)
    count = forwarding.retry_failed(target, current_user)
    db.session.commit()
    if count:
        flash(
            ngettext(
                "%(num)d statement will be sent to %(name)s again.",
                "%(num)d statements will be sent to %(name)s again.",
                count,
                name=target.name,
            ),
            "success",
        )
    else:
        flash(_("No statement has failed for good on %(name)s.", name=target.name), "info")
    return redirect(url_for("lrs.forwarding_target", target_id=target.id))


@bp.route("/forwarding/<id:target_id>/remove", methods=["GET", "POST"])
@role_required("admin")
def remove_target(target_id: int):
    """Ask to confirm, then stop forwarding to this LRS and forget what still waited for it."""
    target = db.session.get(XapiForwardTarget, target_id) or abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = target.name
        forwarding.remove_target(target, current_user)
        db.session.commit()
        flash(_("Statements are no longer forwarded to %(name)s.", name=name), "success")
        return redirect(url_for("lrs.forwarding_targets"))
    counts = forwarding.target_counts([target.id])[target.id]
    return render_template("xapi/remove_target.html", target=target, counts=counts, form=form)

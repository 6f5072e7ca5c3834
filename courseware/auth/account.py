"""The person's own account page: name, email address, password, sessions, personal API tokens."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from courseware.auth import services
from courseware.auth.forms import EmailChangeForm, NameForm, PasswordChangeForm
from courseware.auth.policies import role_required
from courseware.auth.preferences import preferences_form
from courseware.auth.services import token_digest
from courseware.auth.sessions import active_sessions, revoke_other_sessions, revoke_session
from courseware.core.mail import mail_configured
from courseware.core.validators import CheckedForm, SingleLine
from courseware.db import utcnow
from courseware.exceptions import Invalid
from courseware.extensions import db, limiter
from courseware.i18n import lazy_gettext as _l
from courseware.models import ApiToken

bp = Blueprint("account", __name__)


def _password_check_limit() -> str:
    # Forms that check the current password are limited as logging in is, so that a session left
    # open cannot be used to guess it.
    return current_app.config["LOGIN_RATE_LIMIT"]


class TokenForm(CheckedForm):
    name = StringField(
        _l("Token name"),
        validators=[
            DataRequired(_l("Give the token a name, such as the tool that will use it.")),
            Length(max=80),
            SingleLine(),
        ],
    )


def _page(status: int = 200, new_token: str | None = None, **forms):
    """The account page, with the forms given (one of them showing its errors) and fresh ones
    for the rest."""
    forms.setdefault("form", TokenForm(formdata=None))
    forms.setdefault("name_form", NameForm(formdata=None, data={"display_name": current_user.name}))
    forms.setdefault("email_form", EmailChangeForm(formdata=None))
    forms.setdefault("password_form", PasswordChangeForm(formdata=None))
    forms.setdefault("preferences_form", preferences_form())
    tokens = db.session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == current_user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc())
    ).all()
    return render_template(
        "auth/account.html",
        tokens=tokens,
        new_token=new_token,
        sessions=active_sessions(current_user, session.get("sid")),
        pending_email=services.pending_email_change(current_user),
        has_password=services.has_password(current_user),
        can_email=mail_configured(),
        **forms,
    ), status


@bp.route("/account", methods=["GET", "POST"])
@role_required()
def account():
    """Your details, sessions and personal API tokens; a new token is shown once."""
    form = TokenForm()
    if form.validate_on_submit():
        new_token = secrets.token_urlsafe(32)
        db.session.add(
            ApiToken(user_id=current_user.id, name=form.name.data.strip(), token_hash=token_digest(new_token))
        )
        db.session.commit()
        return _page(new_token=new_token)
    if form.errors:
        return _page(422, form=form)
    return _page()


@bp.route("/account/name", methods=["POST"])
@role_required()
def change_name():
    """Change your own name."""
    form = NameForm()
    if form.validate_on_submit():
        try:
            services.change_name(current_user, form.display_name.data)
        except Invalid as exc:
            form.display_name.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Your name is changed."), "success")
            return redirect(url_for("account.account"))
    return _page(422, name_form=form)


@bp.route("/account/email", methods=["POST"])
@limiter.limit(_password_check_limit)
@role_required()
def change_email():
    """Ask for a new address: a confirmation link goes to it, and the address changes only when
    the link is opened. Refused when the site cannot send email."""
    form = EmailChangeForm()
    if form.validate_on_submit():
        try:
            change, _token = services.request_email_change(current_user, form.email.data, form.email_password.data)
        except Invalid as exc:
            getattr(form, exc.field or "email").errors.append(exc.message)
        else:
            db.session.commit()
            flash(
                _(
                    "We sent a link to %(new)s. Open it to confirm the new address; until then you keep using %(old)s.",
                    new=change.new_email,
                    old=current_user.email,
                ),
                "info",
            )
            return redirect(url_for("account.account"))
    return _page(422, email_form=form)


@bp.route("/account/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """Confirm a new address from the emailed link (a button, so that a mail scanner opening the
    link changes nothing); the link works once and expires."""
    change = services.find_email_change(token)
    if change is None:
        return render_template(
            "auth/invitation_invalid.html",
            title=_("Confirmation link not valid"),
            problem=_(
                "This confirmation link has expired or has already been used. Ask for a new one on your account page."
            ),
        ), 410
    form = CheckedForm()
    if form.validate_on_submit():
        try:
            user = services.confirm_email_change(change)
        except services.LinkUsed as exc:
            db.session.rollback()
            return render_template(
                "auth/invitation_invalid.html", title=_("Confirmation link not valid"), problem=exc.message
            ), 410
        except Invalid as exc:
            db.session.rollback()
            return render_template(
                "auth/invitation_invalid.html", title=_("Address not changed"), problem=exc.message
            ), 409
        db.session.commit()
        flash(_("Your email address is now %(email)s.", email=user.email), "success")
        return redirect(url_for("account.account") if current_user.is_authenticated else url_for("auth.login"))
    return render_template("auth/confirm_email.html", change=change, form=form)


@bp.route("/account/password", methods=["POST"])
@limiter.limit(_password_check_limit)
@role_required()
def change_password():
    """Change your password with the current one; your other sessions end."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            ended = services.change_password(
                current_user, form.current_password.data, form.password.data, session.get("sid")
            )
        except Invalid as exc:
            getattr(form, exc.field or "password").errors.append(exc.message)
        else:
            db.session.commit()
            if ended:
                message = ngettext(
                    "Your password is changed. You are signed out on %(num)d other device.",
                    "Your password is changed. You are signed out on %(num)d other devices.",
                    ended,
                )
            else:
                message = _("Your password is changed.")
            flash(message, "success")
            return redirect(url_for("account.account"))
    return _page(422, password_form=form)


@bp.route("/account/sessions/<handle>/end", methods=["POST"])
@role_required()
def end_session(handle: str):
    """Sign out one of your other devices."""
    if not revoke_session(current_user, handle, session.get("sid")):
        abort(404)
    db.session.commit()
    flash(_("That device is signed out."), "success")
    return redirect(url_for("account.account", _anchor="sessions"))


@bp.route("/account/sessions/end-others", methods=["POST"])
@role_required()
def end_other_sessions():
    """Sign out every device but this one."""
    ended = revoke_other_sessions(current_user, session.get("sid"))
    db.session.commit()
    flash(ngettext("Signed out on %(num)d other device.", "Signed out on %(num)d other devices.", ended), "success")
    return redirect(url_for("account.account", _anchor="sessions"))


@bp.route("/account/tokens/<id:token_id>/revoke", methods=["POST"])
@role_required()
def revoke_token(token_id: int):
    """Revoke one of your own tokens; it stops working at once."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    token.revoked_at = utcnow()
    db.session.commit()
    flash(_("Token “%(name)s” revoked.", name=token.name), "success")
    return redirect(url_for("account.account"))

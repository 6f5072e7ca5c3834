"""Logging in and out, accepting an invitation, resetting a forgotten password."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user

from courseware.auth import services
from courseware.auth.forms import AcceptInvitationForm, ForgotPasswordForm, LoginForm, ResetPasswordForm
from courseware.auth.sessions import end_session, start_session
from courseware.core.links import safe_next
from courseware.core.mail import mail_configured
from courseware.core.validators import json_fields
from courseware.exceptions import Invalid
from courseware.extensions import db, limiter
from courseware.i18n import follow_the_signed_in_person
from courseware.i18n import lazy_gettext as _l
from courseware.organisation.services import site_name
from courseware.sso.services import password_sign_in_allowed, provider_logout_url

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _lockout_limit() -> str:
    return current_app.config["LOGIN_LOCKOUT"]


def _account_lockout_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_LOCKOUT"]


def _submitted_email() -> str:
    """The address a login attempt names, read from a form or a JSON body as the login form reads it."""
    data = request.form
    if not data and request.is_json:
        data = json_fields(request.get_json(silent=True))
    return services.normalise_email(data.get("email", ""))


def _account_key() -> str:
    # A digest: the key has a fixed length whatever was typed, and no address is kept in Redis.
    return "account:" + services.token_digest(_submitted_email())


def _account_and_address_key() -> str:
    return _account_key() + "|" + get_remote_address()


def _login_failed(_response) -> bool:
    return bool(g.get("login_failed"))


LOCKED_MESSAGE = _l(
    "Too many failed attempts to log in to this account, so it is locked for a while. "
    "Wait 15 minutes and try again, or reset your password."
)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(
    _lockout_limit,
    methods=["POST"],
    key_func=_account_and_address_key,
    scope="login-account-address",
    deduct_when=_login_failed,
    error_message=LOCKED_MESSAGE,
)
@limiter.limit(
    _account_lockout_limit,
    methods=["POST"],
    key_func=_account_key,
    scope="login-account",
    deduct_when=_login_failed,
    error_message=LOCKED_MESSAGE,
)
@db.reads_first
def login():
    """Log in with email and password; the same message for an unknown email or a wrong password.

    Failed attempts are counted per account and client address (``LOGIN_LOCKOUT``), so that
    someone guessing from one machine locks only themselves out, and per account from everywhere
    (``LOGIN_ACCOUNT_LOCKOUT``), a higher ceiling against guessing from many machines.

    The password check (deliberately slow), and a new hash when the stored one has outdated
    settings, run before the write lock is taken, so that on SQLite other people's steps do not
    queue behind them.
    """
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            g.login_failed = True
            form.password.errors.append("That email and password do not match an active account.")
        elif not password_sign_in_allowed(user):
            form.password.errors.append(
                _("Sign in with your organisation's account: passwords are for administrators only.")
            )
        else:
            name = user.name
            upgraded = services.upgraded_hash(user, form.password.data)
            with db.writing():
                if upgraded:
                    user.password_hash = upgraded
                start_session(user)
                db.session.commit()
            follow_the_signed_in_person()
            flash(_("Welcome back, %(name)s.", name=name), "success")
            return redirect(safe_next(request.args.get("next")) or url_for("core.home"))
    return render_template("auth/login.html", form=form), 200 if not form.errors else 422


# Where passwords are for administrators only, setting one (from an invitation or a reset link)
# never signs anyone else in: they sign in with their organisation's account.
_SIGN_IN_WITH_PROVIDER = {
    "account": _l(
        "Your account is ready. Passwords are for administrators only here: sign in with your organisation's account."
    ),
    "password": _l(
        "Your password is changed. Passwords are for administrators only here: sign in with your organisation's "
        "account."
    ),
}


@bp.route("/logout", methods=["POST"])
def logout():
    """End the session on the server as well as in the browser, then at the provider the person
    signed in with, when it has an end-session endpoint."""
    provider_logout = provider_logout_url(session.get("sso_provider"))
    end_session()
    db.session.commit()
    flash(_("You are logged out."), "info")
    return redirect(provider_logout or url_for("auth.login"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """Set a name and password from an invitation link; expired or used links are refused."""
    invitation = services.find_invitation(token)
    problem = services.invitation_problem(invitation)
    if problem:
        return render_template("auth/invitation_invalid.html", problem=problem), 404 if invitation is None else 410
    form = AcceptInvitationForm()
    if request.method == "GET" and invitation.name:
        form.name.data = invitation.name
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(invitation, form.name.data, form.password.data)
        except services.LinkUsed as exc:
            return render_template("auth/invitation_invalid.html", problem=exc.message), 410
        except Invalid as exc:
            # The form has no email field: an email problem (a race with another signup) goes under the password.
            getattr(form, exc.field or "password", form.password).errors.append(exc.message)
        else:
            if current_user.is_authenticated:
                end_session()
            if not password_sign_in_allowed(user):
                db.session.commit()
                flash(str(_SIGN_IN_WITH_PROVIDER["account"]), "info")
                return redirect(url_for("auth.login"))
            start_session(user)
            db.session.commit()
            flash(
                _("Welcome to %(site)s, %(name)s. Your account is ready.", site=site_name(), name=user.name), "success"
            )
            return redirect(url_for("core.home"))
    return render_template("auth/accept_invitation.html", form=form, invitation=invitation), (
        422 if form.errors else 200
    )


NO_EMAIL_RESET = _l(
    "This site cannot send email, so no reset link was sent. Ask an administrator: "
    "they can make a reset link for you on your page in the people list."
)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    """Email a reset link; the answer is the same whether or not the address has an account.

    Where the site cannot send email, the page says so and sends the person to an administrator,
    who can make a reset link for them.

    The request only queues the work, with the address as typed: looking it up, making the token
    and sending the email are the worker's, so that neither the answer nor how long it takes
    tells whether the account exists.
    """
    form = ForgotPasswordForm()
    can_email = mail_configured()
    if form.validate_on_submit():
        if not can_email:
            flash(str(NO_EMAIL_RESET), "info")
            return redirect(url_for("auth.login"))
        services.queue_password_reset(form.email.data)
        db.session.commit()
        flash(
            _(
                "If an account exists for that address, we have emailed it a link to reset the password. "
                "If nothing arrives, ask an administrator."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form, can_email=can_email), 422 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password from an emailed link; every other session of that person ends."""
    reset = services.find_password_reset(token)
    if reset is None:
        return render_template(
            "auth/invitation_invalid.html",
            title=_("Reset link not valid"),
            problem=_("This reset link has expired or has already been used. Ask for a new one."),
            retry=url_for("auth.forgot_password"),
        ), 410
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.reset_password(reset, form.password.data)
        except services.LinkUsed as exc:
            return render_template(
                "auth/invitation_invalid.html",
                title=_("Reset link not valid"),
                problem=exc.message,
                retry=url_for("auth.forgot_password"),
            ), 410
        except Invalid as exc:
            form.password.errors.append(exc.message)
        else:
            if not password_sign_in_allowed(user):
                db.session.commit()
                flash(str(_SIGN_IN_WITH_PROVIDER["password"]), "info")
                return redirect(url_for("auth.login"))
            start_session(user)
            db.session.commit()
            follow_the_signed_in_person()
            flash(_("Your password is changed and you are logged in."), "success")
            return redirect(url_for("core.home"))
    return render_template("auth/reset_password.html", form=form), 422 if form.errors else 200

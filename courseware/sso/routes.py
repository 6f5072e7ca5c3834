"""Signing in with a provider (start, callback), and the admins' pages: providers, options, the log."""

from __future__ import annotations

import secrets
import time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from courseware.auth.policies import role_required
from courseware.auth.sessions import start_session
from courseware.core.links import page_url, safe_next
from courseware.core.validators import int_param, text_param
from courseware.exceptions import Invalid
from courseware.extensions import db, limiter
from courseware.i18n import follow_the_signed_in_person
from courseware.i18n import lazy_gettext as _l
from courseware.models import SIGN_IN_OUTCOMES, SignInEvent, SignInProvider, User
from courseware.sso import client_secrets, oidc, services
from courseware.sso.forms import ProviderForm, SignInOptionsForm

bp = Blueprint("sso", __name__)

# Sign-ins started in this browser and not yet finished, kept in its (signed) session cookie.
PENDING = "sso_pending"
PENDING_AT_MOST = 3
PENDING_SECONDS = 600
LOG_PAGE_SIZE = 50


@bp.app_template_global("sign_in_providers")
def sign_in_providers() -> list[SignInProvider]:
    """The providers the login page offers."""
    return services.enabled_providers()


@bp.app_template_global("password_admins_only")
def password_admins_only() -> bool:
    return services.password_admins_only()


def redirect_uri(provider: SignInProvider) -> str:
    """The address the provider sends people back to; admins register it at the provider."""
    return page_url("sso.callback", provider_key=provider.key)


@bp.route("/sso/<provider_key>/start")
def start(provider_key: str):
    """Send the browser to the provider to sign in (authorization code flow with PKCE, state and nonce)."""
    provider = services.provider_by_key(provider_key)
    if provider is None or not provider.enabled:
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(48)
    now = int(time.time())
    pending = {
        s: entry
        for s, entry in (session.get(PENDING) or {}).items()
        if isinstance(entry, dict) and now - entry.get("at", 0) < PENDING_SECONDS
    }
    pending[state] = {
        "key": provider_key,
        "nonce": nonce,
        "verifier": verifier,
        "at": now,
        "next": safe_next(request.args.get("next", "")[:500]),
    }
    session[PENDING] = dict(sorted(pending.items(), key=lambda item: item[1]["at"])[-PENDING_AT_MOST:])
    return redirect(oidc.authorization_url(provider, redirect_uri(provider), state, nonce, verifier))


def _refuse(provider: SignInProvider, reason, status: int, *, user: User | None = None, email=None, subject=None):
    """Write the refusal to the sign-in log (in English, as the log is kept) and tell the person
    why, in their language (``reason`` is a lazy string)."""
    with force_locale("en"):
        logged = str(reason)
    with db.writing():
        services.record_event("refused", provider, user=user, email=email, subject=subject, reason=logged)
        db.session.commit()
    return render_template("sso/refused.html", provider=provider, reason=reason), status


def _callback_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/sso/<provider_key>/callback")
@limiter.limit(_callback_limit, scope="sso-callback")
def callback(provider_key: str):
    """Finish a sign-in: match ``state`` to one started in this browser, exchange the code, check
    the id_token and sign the person in. Refused (and logged): an unknown or spent state, an
    error from the provider, a code the provider does not accept, an id_token that fails a
    check, and anyone :func:`services.sign_in_person` does not let in."""
    provider = services.provider_by_key(provider_key)
    if provider is None:
        abort(404)
    state = text_param("state", max_length=200)
    pending = session.get(PENDING) or {}
    entry = pending.pop(state, None) if isinstance(pending, dict) and state else None
    session[PENDING] = pending if isinstance(pending, dict) else {}
    if (
        not isinstance(entry, dict)
        or entry.get("key") != provider_key
        or int(time.time()) - entry.get("at", 0) >= PENDING_SECONDS
    ):
        return _refuse(
            provider, _l("The sign-in did not match one started in this browser (wrong or expired state)."), 400
        )
    if not provider.enabled:
        return _refuse(provider, _l("This provider is switched off."), 403)
    error = text_param("error", max_length=200)
    if error:
        return _refuse(provider, _l("The provider ended the sign-in: %(error)s.", error=error), 403)
    issuer = text_param("iss", max_length=500)
    if issuer and issuer != provider.discovery.get("issuer"):
        return _refuse(provider, _l("The answer came from another issuer than this provider."), 400)
    code = text_param("code", max_length=2000)
    if not code:
        return _refuse(provider, _l("The provider sent no sign-in code."), 400)
    secret = client_secrets.client_secret(provider)
    if secret is None:
        return _refuse(provider, _l("The provider's client secret cannot be read; an admin must enter it again."), 503)
    try:
        tokens = oidc.exchange_code(provider, secret, redirect_uri(provider), code, entry["verifier"])
        claims = oidc.validate_id_token(provider, tokens["id_token"], entry["nonce"], tokens.get("access_token"))
    except oidc.TokenRefused as exc:
        return _refuse(provider, exc.message, 403)
    with db.writing():
        try:
            user = services.sign_in_person(provider, claims)
        except services.SignInRefused as exc:
            db.session.rollback()
            return _refuse(provider, exc.message, 403, user=exc.user, email=exc.email, subject=claims["sub"])
        name = user.name
        start_session(user)
        session["sso_provider"] = provider.key
        db.session.commit()
    follow_the_signed_in_person()
    flash(_("Welcome back, %(name)s.", name=name), "success")
    return redirect(entry.get("next") or url_for("core.home"))


# --- administration


@bp.route("/admin/sign-in")
@role_required("admin")
def providers():
    """The providers, the organisation's sign-in options, and links to the log."""
    rows = db.session.scalars(select(SignInProvider).order_by(SignInProvider.name)).all()
    form = SignInOptionsForm(data={"password_admins_only": services.password_admins_only()})
    return render_template("sso/providers.html", providers=rows, form=form)


@bp.route("/admin/sign-in/options", methods=["POST"])
@role_required("admin")
def options():
    """Turn password sign-in off (or on again) for everyone but admins."""
    form = SignInOptionsForm()
    if form.validate_on_submit():
        services.set_password_admins_only(bool(form.password_admins_only.data), current_user)
        db.session.commit()
        flash(_("Sign-in options saved."), "success")
        return redirect(url_for("sso.providers"))
    rows = db.session.scalars(select(SignInProvider).order_by(SignInProvider.name)).all()
    return render_template("sso/providers.html", providers=rows, form=form), 422


def _save(form: ProviderForm, provider: SignInProvider | None) -> SignInProvider | None:
    try:
        saved = services.save_provider(
            provider,
            name=form.name.data,
            issuer=form.issuer.data,
            client_id=form.client_id.data,
            client_secret=form.client_secret.data or "",
            enabled=bool(form.enabled.data),
            allowed_domains=form.allowed_domains.data or "",
            groups_claim=form.groups_claim.data or "",
            group_mappings=form.group_mappings.data or "",
            actor=current_user,
        )
    except Invalid as exc:
        db.session.rollback()
        getattr(form, exc.field or "issuer").errors.append(exc.message)
        return None
    db.session.commit()
    return saved


@bp.route("/admin/sign-in/providers/new", methods=["GET", "POST"])
@role_required("admin")
def new_provider():
    """Add a provider; its issuer's discovery document must be reachable and valid."""
    form = ProviderForm()
    if form.validate_on_submit():
        provider = _save(form, None)
        if provider is not None:
            flash(
                _("%(name)s is set up. Register the redirect URI shown below at the provider.", name=provider.name),
                "success",
            )
            return redirect(url_for("sso.edit_provider", provider_id=provider.id))
    return render_template("sso/provider.html", form=form, provider=None), 422 if form.errors else 200


@bp.route("/admin/sign-in/providers/<id:provider_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_provider(provider_id: int):
    """Edit or switch off a provider; the secret is never shown, and a blank one keeps the stored one."""
    provider = db.session.get(SignInProvider, provider_id) or abort(404)
    data = None
    if request.method != "POST":
        data = {
            "name": provider.name,
            "issuer": provider.issuer,
            "client_id": provider.client_id,
            "enabled": provider.enabled,
            "allowed_domains": provider.allowed_domains,
            "groups_claim": provider.groups_claim or "",
            "group_mappings": services.group_mappings_text(provider),
        }
    form = ProviderForm(data=data)
    if form.validate_on_submit() and _save(form, provider) is not None:
        flash(_("%(name)s is saved.", name=provider.name), "success")
        return redirect(url_for("sso.edit_provider", provider_id=provider.id))
    return render_template(
        "sso/provider.html",
        form=form,
        provider=provider,
        redirect_uri=redirect_uri(provider),
        login_url=page_url("auth.login"),
        secret_setting="COURSEWARE_" + client_secrets.setting_name(provider.key),
        secret_from_environment=client_secrets.secret_from_environment(provider) is not None,
    ), 422 if form.errors else 200


@bp.route("/admin/sign-in/log")
@role_required("admin")
def log():
    """The sign-in log, newest first, filtered by outcome, provider, person or e-mail address."""
    outcome = text_param("outcome", max_length=20)
    provider_id = int_param("provider")
    person_id = int_param("person")
    email = text_param("email", max_length=254).lower()
    page = int_param("page", 1)
    statement = select(SignInEvent)
    if outcome in SIGN_IN_OUTCOMES:
        statement = statement.where(SignInEvent.outcome == outcome)
    if provider_id:
        statement = statement.where(SignInEvent.provider_id == provider_id)
    if person_id:
        statement = statement.where(SignInEvent.user_id == person_id)
    if email:
        statement = statement.where(SignInEvent.email.like(f"%{email}%"))
    total = db.session.scalar(select(func.count()).select_from(statement.subquery()))
    events = db.session.scalars(
        statement.order_by(SignInEvent.created_at.desc(), SignInEvent.id.desc())
        .limit(LOG_PAGE_SIZE)
        .offset((page - 1) * LOG_PAGE_SIZE)
    ).all()
    filters = {
        name: value
        for name, value in (("outcome", outcome), ("provider", provider_id), ("person", person_id), ("email", email))
        if value
    }
    return render_template(
        "sso/log.html",
        events=events,
        total=total,
        page=page,
        pages=max((total + LOG_PAGE_SIZE - 1) // LOG_PAGE_SIZE, 1),
        filters=filters,
        outcomes=SIGN_IN_OUTCOMES,
        providers=db.session.scalars(select(SignInProvider).order_by(SignInProvider.name)).all(),
        person=db.session.get(User, person_id) if person_id else None,
    )

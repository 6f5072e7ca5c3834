"""Who may sign in with a provider, and as whom; providers as admins set them up; the sign-in log.

A person signs in as the account linked to their subject at the provider; at their first sign-in
the account is found by a verified e-mail address (and linked), made from an open invitation to
that address, or made just in time when the address is in one of the provider's allowed domains.
An e-mail address the provider has not verified never finds, links or makes an account.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from flask_babel import gettext as _
from sqlalchemy import select, update

from courseware.auth.services import find_user_by_email, normalise_email
from courseware.core.validators import has_control_characters
from courseware.db import utcnow
from courseware.exceptions import DomainError, Invalid
from courseware.extensions import db
from courseware.i18n import lazy_gettext as _l
from courseware.manage.assignment import place_in_team
from courseware.models import (
    ROLES,
    Invitation,
    SignInEvent,
    SignInGroupMapping,
    SignInLink,
    SignInProvider,
    SignInSettings,
    Team,
    User,
    fold_team_name,
)
from courseware.sso import client_secrets, oidc

log = logging.getLogger(__name__)

DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class SignInRefused(DomainError):
    """The provider vouched for someone who may not sign in here; the message says why."""

    def __init__(self, message: str, *, user: User | None = None, email: str | None = None):
        super().__init__(message)
        self.user = user
        self.email = email


# --- the organisation's options


def sign_in_settings() -> SignInSettings:
    settings = db.session.get(SignInSettings, 1)
    if settings is None:
        settings = SignInSettings(id=1, password_admins_only=False)
        db.session.add(settings)
        db.session.flush()
    return settings


def password_admins_only() -> bool:
    settings = db.session.get(SignInSettings, 1)
    return bool(settings and settings.password_admins_only)


def password_sign_in_allowed(user: User) -> bool:
    """Whether ``user`` may log in with a password: everyone, unless the organisation keeps
    passwords for admins only."""
    return user.has_role("admin") or not password_admins_only()


def set_password_admins_only(value: bool, actor: User) -> None:
    sign_in_settings().password_admins_only = value
    log.info("%s set password sign-in to %s", actor.email, "admins only" if value else "everyone")


# --- providers


def enabled_providers() -> list[SignInProvider]:
    return list(db.session.scalars(select(SignInProvider).where(SignInProvider.enabled).order_by(SignInProvider.name)))


def provider_by_key(key: str) -> SignInProvider | None:
    return db.session.scalar(select(SignInProvider).where(SignInProvider.key == key))


def _new_key(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")[:30] or "provider"
    key, n = base, 1
    while provider_by_key(key) is not None:
        n += 1
        key = f"{base}-{n}"
    return key


def parse_domains(text: str) -> str:
    """The allowed domains as stored (lower case, one space between); :class:`Invalid` naming a bad one."""
    domains = []
    for word in re.split(r"[\s,;]+", text.strip().lower()):
        word = word.lstrip("@")
        if not word:
            continue
        if not DOMAIN.match(word):
            raise Invalid(
                _("“%(word)s” is not a domain name such as example.org.", word=word[:60]), field="allowed_domains"
            )
        if word not in domains:
            domains.append(word)
    stored = " ".join(domains)
    if len(stored) > 1000:
        raise Invalid(_("List at most 1,000 characters of domains."), field="allowed_domains")
    return stored


def parse_group_mappings(text: str) -> list[tuple[str, Team | None, list[str]]]:
    """Lines ``group value = Team name | role, role`` as (group, team, roles). The team (which must
    exist) or the roles may be left out; :class:`Invalid` names the first line that is wrong."""
    mappings = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        group, equals, rest = line.partition("=")
        group = group.strip()
        if not equals or not group:
            raise Invalid(_("Line %(number)d: write “group = Team | roles”.", number=number), field="group_mappings")
        if len(group) > 200:
            raise Invalid(
                _("Line %(number)d: the group value is longer than 200 characters.", number=number),
                field="group_mappings",
            )
        team_name, _bar, role_text = rest.partition("|")
        team = None
        if team_name.strip():
            team = db.session.scalar(select(Team).where(Team.folded_name == fold_team_name(team_name)))
            if team is None:
                raise Invalid(
                    _(
                        "Line %(number)d: there is no team called “%(team)s”. Create it first.",
                        number=number,
                        team=team_name.strip()[:80],
                    ),
                    field="group_mappings",
                )
        roles = [r.strip().lower() for r in role_text.split(",") if r.strip()]
        unknown = [r for r in roles if r not in ROLES]
        if unknown:
            raise Invalid(
                _(
                    "Line %(number)d: unknown role “%(role)s” (use %(known)s).",
                    number=number,
                    role=unknown[0][:40],
                    known=", ".join(ROLES),
                ),
                field="group_mappings",
            )
        if team is None and not roles:
            raise Invalid(_("Line %(number)d: give a team, roles or both.", number=number), field="group_mappings")
        mappings.append((group, team, roles))
    return mappings


def group_mappings_text(provider: SignInProvider) -> str:
    lines = []
    for mapping in provider.group_mappings:
        team = mapping.team.name if mapping.team else ""
        lines.append(f"{mapping.group_value} = {team} | {', '.join(mapping.role_list)}".rstrip(" |"))
    return "\n".join(lines)


def save_provider(
    provider: SignInProvider | None,
    *,
    name: str,
    issuer: str,
    client_id: str,
    client_secret: str,
    enabled: bool,
    allowed_domains: str,
    groups_claim: str,
    group_mappings: str,
    actor: User,
) -> SignInProvider:
    """Create or update a provider. The issuer's discovery document is read and checked first
    (:class:`Invalid` on the issuer field when it cannot be used); a blank secret keeps the stored one."""
    issuer = issuer.strip()
    domains = parse_domains(allowed_domains)
    mappings = parse_group_mappings(group_mappings)
    try:
        discovery = oidc.discover(issuer)
    except oidc.ProviderProblem as exc:
        raise Invalid(exc.message, field="issuer") from None
    if provider is None:
        provider = SignInProvider(key=_new_key(name), discovery={})
        db.session.add(provider)
        if not client_secret and client_secrets.secret_from_environment(provider) is None:
            raise Invalid(
                _(
                    "Enter the client secret, or set %(setting)s in the environment (with the COURSEWARE_ prefix).",
                    setting=client_secrets.setting_name(provider.key),
                ),
                field="client_secret",
            )
    provider.name = name.strip()
    provider.issuer = discovery["issuer"]
    provider.client_id = client_id.strip()
    provider.enabled = enabled
    provider.allowed_domains = domains
    provider.groups_claim = groups_claim.strip() or None
    provider.discovery = discovery
    provider.updated_at = utcnow()
    if client_secret:
        provider.client_secret_encrypted = client_secrets.encrypt_secret(client_secret)
    provider.group_mappings = [
        SignInGroupMapping(position=i, group_value=group, team=team, roles=",".join(roles))
        for i, (group, team, roles) in enumerate(mappings)
    ]
    db.session.flush()
    log.info("%s saved sign-in provider %s (%s)", actor.email, provider.key, provider.issuer)
    return provider


# --- the sign-in log


def record_event(
    outcome: str,
    provider: SignInProvider | None,
    *,
    user: User | None = None,
    email: str | None = None,
    subject: str | None = None,
    reason: str = "",
) -> SignInEvent:
    event = SignInEvent(
        outcome=outcome,
        provider_id=provider.id if provider else None,
        user_id=user.id if user else None,
        email=(email or (user.email if user else None) or None),
        subject=subject[:255] if subject else None,
        reason=reason[:500],
    )
    if event.email:
        event.email = event.email[:254]
    db.session.add(event)
    db.session.flush()
    log.info("sign-in %s via %s for %s: %s", outcome, provider.key if provider else "-", event.email, reason)
    return event


# --- signing in


def _claimed_email(claims: dict) -> tuple[str | None, bool]:
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email or len(email) > 254 or has_control_characters(email):
        return None, False
    verified = claims.get("email_verified")
    return normalise_email(email), verified is True or verified == "true"


def _claimed_name(claims: dict, email: str) -> str:
    name = claims.get("name")
    if isinstance(name, str) and name.strip() and not has_control_characters(name):
        return name.strip()[:120]
    return email.split("@")[0][:120]


def _from_invitation(email: str, name: str) -> User | None:
    """An account made from the open, unexpired invitation to ``email`` (which it uses), if there is one."""
    now = utcnow()
    invitation = db.session.scalar(
        select(Invitation).where(
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
    )
    if invitation is None:
        return None
    claimed = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .values(accepted_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return None
    user = User(email=email, name=name)
    user.set_roles(invitation.role_list)
    db.session.add(user)
    db.session.flush()
    place_in_team(user, invitation.team)
    invitation.user_id = user.id
    return user


def _just_in_time(provider: SignInProvider, email: str, name: str) -> User | None:
    if email.rsplit("@", 1)[1] not in provider.domain_list:
        return None
    user = User(email=email, name=name)
    user.set_roles(["learner"])
    db.session.add(user)
    db.session.flush()
    return user


def _find_or_make_account(provider: SignInProvider, claims: dict, email: str | None, verified: bool) -> User:
    if email is None:
        raise SignInRefused(_l("The provider sent no e-mail address, so no account can be found for this person."))
    if not verified:
        raise SignInRefused(
            _l("The provider has not verified this e-mail address, so it cannot be matched to an account."),
            user=find_user_by_email(email),
            email=email,
        )
    user = find_user_by_email(email)
    if user is not None:
        return user
    name = _claimed_name(claims, email)
    user = _from_invitation(email, name)
    if user is not None:
        record_event("created", provider, user=user, subject=claims["sub"], reason="Account made from an invitation.")
        return user
    user = _just_in_time(provider, email, name)
    if user is not None:
        record_event(
            "created", provider, user=user, subject=claims["sub"], reason="Account made for an allowed domain."
        )
        return user
    reason = _l(
        "There is no account for this address, and its domain does not get one at the first sign-in. "
        "Ask an administrator for an invitation."
    )
    raise SignInRefused(reason, email=email)


def apply_groups(provider: SignInProvider, user: User, claims: dict) -> None:
    """Set the person's team and roles from the provider's groups claim, when it has one mapped.

    The roles that some mapping names are the provider's to give: the person holds each of them
    exactly when one of their groups gives it; other roles are left as they are. The team becomes
    the one of the first mapping (in the admin's order) that matches one of their groups.
    """
    if not provider.groups_claim or provider.groups_claim not in claims or not provider.group_mappings:
        return
    raw = claims[provider.groups_claim]
    groups = (
        {raw} if isinstance(raw, str) else {g for g in raw if isinstance(g, str)} if isinstance(raw, list) else set()
    )
    matched = [m for m in provider.group_mappings if m.group_value in groups]
    managed = {role for m in provider.group_mappings for role in m.role_list}
    granted = {role for m in matched for role in m.role_list}
    roles = (user.roles - managed) | granted
    if roles != user.roles:
        user.set_roles(roles)
    team = next((m.team for m in matched if m.team is not None), None)
    if team is not None and user.team_id != team.id:
        place_in_team(user, team)
    db.session.flush()


def sign_in_person(provider: SignInProvider, claims: dict) -> User:
    """The account the id_token's ``claims`` sign in to, linked to the provider's subject, with the
    team and roles of their groups; :class:`SignInRefused` for anyone who may not sign in."""
    subject = claims["sub"]
    email, verified = _claimed_email(claims)
    link = db.session.scalar(
        select(SignInLink).where(SignInLink.provider_id == provider.id, SignInLink.subject == subject)
    )
    user = link.user if link is not None else _find_or_make_account(provider, claims, email, verified)
    if not user.is_active:
        raise SignInRefused(_l("This account is deactivated."), user=user, email=email)
    if link is None:
        link = SignInLink(provider_id=provider.id, subject=subject, user_id=user.id)
        db.session.add(link)
        record_event("linked", provider, user=user, subject=subject, reason="Linked by verified e-mail address.")
    link.last_sign_in_at = utcnow()
    apply_groups(provider, user, claims)
    record_event("signed-in", provider, user=user, subject=subject)
    return user


def provider_logout_url(provider_key) -> str | None:
    """Where to send a person who signed in with the provider ``provider_key`` once logged out
    here: its end-session endpoint (coming back to the login page), or None."""
    if not isinstance(provider_key, str):
        return None
    provider = provider_by_key(provider_key)
    if provider is None:
        return None
    from courseware.core.links import page_url

    return oidc.logout_url(provider, page_url("auth.login"))

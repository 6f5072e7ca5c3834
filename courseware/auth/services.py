"""Accounts: creating people, invitations, logging in, password resets, deactivation."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from courseware.auth.passwords import password_problem
from courseware.auth.sessions import revoke_sessions
from courseware.core import times
from courseware.core.links import email_url
from courseware.core.mail import deliver, delivered_at, in_language_of, mail_configured, queue_mail
from courseware.core.validators import has_control_characters
from courseware.db import utcnow
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.jobs.services import enqueue
from courseware.manage.assignment import enroll_by_team_rules, place_in_team
from courseware.models import ROLES, EmailChange, Invitation, ManagerScope, PasswordReset, Team, User, fold_team_name
from courseware.organisation.services import site_name

log = logging.getLogger(__name__)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(email: str, name: str, password: str, roles=("learner",), team: Team | None = None) -> User:
    """Create an active account; refuses a taken email or a weak password."""
    email = normalise_email(email)
    if find_user_by_email(email):
        raise Invalid(_("An account with this email address already exists."), field="email")
    if not name.strip() or has_control_characters(name):
        raise Invalid(_("Give a name in letters, numbers, spaces and punctuation (one line)."), field="name")
    problem = password_problem(password, email=email, name=name)
    if problem:
        raise Invalid(problem, field="password")
    user = User(email=email, name=name.strip())
    user.set_roles(roles)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    place_in_team(user, team)
    log.info("created account %s with roles %s", email, ",".join(sorted(user.roles)))
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active person with this email and password, or None (no hint which part was wrong)."""
    user = find_user_by_email(email)
    if user is None:
        # Spend the same time hashing so that response time does not reveal which emails exist.
        _dummy_verify(password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


def upgraded_hash(user: User, password: str) -> str | None:
    """A new hash of the password just checked when the stored one has outdated settings."""
    from courseware.auth.passwords import hash_password, needs_rehash

    if user.password_hash is None or not needs_rehash(user.password_hash):
        return None
    return hash_password(password)


_DUMMY_HASH: str | None = None


def _dummy_verify(password: str) -> None:
    global _DUMMY_HASH
    from courseware.auth.passwords import hash_password, verify_password

    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_hex(16))
    verify_password(_DUMMY_HASH, password)


def invite(email: str, roles, team: Team | None, invited_by: User) -> tuple[Invitation, str]:
    """Create an invitation and return it with its secret token (only its hash is stored).

    Refuses an email that already has an account. An earlier open invitation to the same
    address is revoked so that only the newest link works; the database keeps one open
    invitation per address, so of two sent at the same moment the later one stands.
    """
    email = normalise_email(email)
    if find_user_by_email(email):
        raise Invalid(_("This person already has an account."), field="email")
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise Invalid(_("Unknown role: %(roles)s.", roles=", ".join(sorted(unknown))), field="roles")
    now = utcnow()
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        email=email,
        roles=",".join(sorted(set(roles) | {"learner"})),
        team=team,
        token_hash=token_digest(token),
        invited_by_id=invited_by.id,
        created_at=now,
        expires_at=now + dt.timedelta(days=current_app.config["INVITATION_DAYS"]),
    )
    for last_try in (False, True):
        # An invitation sent at this moment by someone else makes the insert wait for it and fail:
        # revoked in its turn, it leaves this one the open one.
        db.session.execute(
            update(Invitation)
            .where(Invitation.email == email, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
            .values(revoked_at=now)
            .execution_options(synchronize_session="fetch")
        )
        try:
            with db.session.begin_nested():
                db.session.add(invitation)
            break
        except IntegrityError:
            if last_try:
                raise Invalid(_("Someone else is inviting this address right now. Try again."), field="email") from None
    log.info("%s invited %s", invited_by.email, email)
    return invitation, token


def invitation_problem(invitation: Invitation | None) -> str | None:
    """Why an invitation link cannot be used, in plain words; None when it can."""
    if invitation is None:
        return _("This invitation link is not valid. Check that you copied the whole link, or ask for a new one.")
    if invitation.accepted_at is not None:
        return _("This invitation has already been used. If it was you, log in; otherwise ask for a new one.")
    if invitation.revoked_at is not None:
        return _("This invitation was replaced by a newer one or withdrawn. Use the newest link you were sent.")
    if find_user_by_email(invitation.email):
        return _(
            "An account with this email address already exists. Log in, or reset its password from the login page."
        )
    if invitation.expires_at < utcnow():
        return _("This invitation has expired. Ask the person who invited you to send a new one.")
    return None


def find_invitation(token: str) -> Invitation | None:
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == token_digest(token)))


def accept_invitation(invitation: Invitation, name: str, password: str) -> User:
    """Turn a valid invitation into an active account with the invited roles and team.

    The invitation is claimed first, by a conditional update: of two requests using it at once,
    one makes the account and the other is refused with :class:`LinkUsed`.
    """
    problem = invitation_problem(invitation)
    if problem:
        raise Invalid(problem)
    # Undone with the account when the account is refused (a weak password, say).
    with db.session.begin_nested():
        claimed = db.session.execute(
            update(Invitation)
            .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
            .values(accepted_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(invitation)
        if claimed.rowcount != 1:
            raise LinkUsed(invitation_problem(invitation) or _("This invitation has already been used."))
        user = create_user(invitation.email, name, password, roles=invitation.role_list, team=invitation.team)
        invitation.user_id = user.id
    return user


class LinkUsed(Invalid):
    """An emailed link (invitation or password reset) was used, perhaps a moment ago by another request."""


def request_password_reset(email: str) -> tuple[User, str] | None:
    """A reset token for the active account with ``email``, or None when there is none."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return None
    now = utcnow()
    db.session.execute(delete(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None)))
    token = secrets.token_urlsafe(32)
    db.session.add(
        PasswordReset(
            user_id=user.id,
            token_hash=token_digest(token),
            created_at=now,
            expires_at=now + dt.timedelta(hours=current_app.config["PASSWORD_RESET_HOURS"]),
        )
    )
    db.session.flush()
    return user, token


def queue_password_reset(email: str) -> None:
    """Queue the reset email for ``email`` as typed, when SMTP is configured.

    The worker looks the address up and makes the token: nothing done here, nor how long it
    takes, depends on whether the account exists.
    """
    if mail_configured():
        enqueue("password.reset", {"email": email})


def send_reset_link(job) -> None:
    """The ``password.reset`` job: make a reset token for the active account with the address
    asked for, if there is one, and email its link (the job's key is the message's).

    The token is committed before the email goes out; if sending fails, the retry makes a new
    one, which replaces it."""
    if delivered_at(job.key) is not None:
        # The link went out already; a new token now would make it stop working.
        return
    if not mail_configured():
        log.info("SMTP not configured; no password reset link is sent")
        return
    found = request_password_reset(job.payload["email"])
    if found is None:
        log.info("password reset asked for an address with no active account")
        return
    user, token = found
    with in_language_of(user):
        subject = _("Reset your %(site)s password", site=site_name())
        body = ngettext(
            "Hello %(name)s,\n\nSomeone (hopefully you) asked to reset your password. "
            "Open this link within %(num)d hour to choose a new one:\n\n%(link)s\n\n"
            "If you did not ask for this, you can ignore this message; your password is unchanged.\n",
            "Hello %(name)s,\n\nSomeone (hopefully you) asked to reset your password. "
            "Open this link within %(num)d hours to choose a new one:\n\n%(link)s\n\n"
            "If you did not ask for this, you can ignore this message; your password is unchanged.\n",
            int(current_app.config["PASSWORD_RESET_HOURS"]),
            name=user.name,
            link=email_url("auth.reset_password", token=token),
        )
    deliver(job.id, user.email, subject, body, key=job.key)


def queue_invitation_email(invitation: Invitation, token: str, inviter: User) -> bool:
    """Queue the invitation's email in the current transaction; False when SMTP is not configured
    (the admin then passes the link on themselves)."""
    if not mail_configured():
        return False
    site = site_name()
    expires = times.local(invitation.expires_at, times.zone(times.person_zone_name(None)))
    # Nobody has chosen a language yet: the organisation's default.
    with in_language_of(None):
        subject = _("%(inviter)s invited you to %(site)s", inviter=inviter.name, site=site)
        body = _(
            "Hello,\n\n%(inviter)s invited you to %(site)s, where your organisation's training courses are."
            "\n\nOpen this link to choose your name and password:\n\n%(link)s\n\n"
            "The link works once and expires on %(expires)s.\n",
            inviter=inviter.name,
            site=site,
            link=email_url("auth.accept_invitation", token=token),
            expires=times.format_long_date(expires.date()),
        )
    queue_mail(invitation.email, subject, body, key=f"invitation:{invitation.id}")
    return True


def find_password_reset(token: str) -> PasswordReset | None:
    reset = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == token_digest(token)))
    if reset is None or reset.used_at is not None or reset.expires_at < utcnow() or not reset.user.is_active:
        return None
    return reset


def reset_password(reset: PasswordReset, password: str) -> User:
    """Set a new password, spend the token and end every existing session of that person.

    The token is spent first, by a conditional update: of two requests using one link at once,
    one changes the password and the other is refused with :class:`LinkUsed`.
    """
    user = reset.user
    problem = password_problem(password, email=user.email, name=user.name)
    if problem:
        raise Invalid(problem, field="password")
    now = utcnow()
    spent = db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None), PasswordReset.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        raise LinkUsed(_("This reset link has expired or has already been used. Ask for a new one."))
    user.set_password(password)
    revoke_sessions(user)
    return user


def set_active(user: User, active: bool, actor: User | str) -> None:
    """Deactivate (ending every session at once) or reactivate a person; nobody deactivates themselves.

    ``actor`` is the admin, or a description of what else acts (a provisioning token).
    """
    if isinstance(actor, User) and user.id == actor.id and not active:
        raise Invalid(_("You cannot deactivate your own account."))
    user.is_active = active
    user.deactivated_at = None if active else utcnow()
    if not active:
        revoke_sessions(user)
    else:
        db.session.flush()
        enroll_by_team_rules(user)
    by = actor.email if isinstance(actor, User) else actor
    log.info("%s %s %s", by, "reactivated" if active else "deactivated", user.email)


def update_person(user: User, *, name: str, roles, team: Team | None, managed_teams, actor: User) -> None:
    """Change a person's name, roles, team and (for managers) the teams they manage."""
    if user.id == actor.id and "admin" not in roles:
        raise Invalid(_("You cannot remove your own admin role."), field="roles")
    user.name = name.strip()
    user.set_roles(roles)
    place_in_team(user, team)
    wanted = {t.id for t in managed_teams} if "manager" in roles else set()
    current = set(db.session.scalars(select(ManagerScope.team_id).where(ManagerScope.manager_id == user.id)))
    if current - wanted:
        db.session.execute(
            delete(ManagerScope).where(ManagerScope.manager_id == user.id, ManagerScope.team_id.in_(current - wanted))
        )
    for team_id in wanted - current:
        db.session.add(ManagerScope(manager_id=user.id, team_id=team_id))
    db.session.flush()


def create_team(name: str) -> Team:
    """A new team; refuses a name that an existing team has, whatever the case (also when two
    admins create it at the same moment: the database keeps one)."""
    name = name.strip()
    taken = Invalid(_("A team with this name already exists."), field="name")
    if db.session.scalar(select(Team.id).where(Team.folded_name == fold_team_name(name))):
        raise taken
    team = Team(name=name)
    try:
        with db.session.begin_nested():
            db.session.add(team)
    except IntegrityError:
        raise taken from None
    return team


def get_or_create_team(name: str) -> Team:
    """The team called ``name`` (whatever the case or surrounding spaces), created when missing."""
    team = db.session.scalar(select(Team).where(Team.folded_name == fold_team_name(name)))
    if team is None:
        team = Team(name=name)
        db.session.add(team)
        db.session.flush()
    return team


def managed_team_ids(user: User) -> list[int]:
    return list(db.session.scalars(select(ManagerScope.team_id).where(ManagerScope.manager_id == user.id)))


# --- a person's own account ----------------------------------------------------------------------


def change_name(user: User, name: str) -> None:
    """Set the person's own name; refuses an empty or multi-line one."""
    name = name.strip()
    if not name or has_control_characters(name):
        raise Invalid(_("Give a name in letters, numbers, spaces and punctuation (one line)."), field="name")
    user.name = name
    log.info("%s changed their name", user.email)


def has_password(user: User) -> bool:
    """Whether the person can sign in with a password here (an account made at a single sign-on
    has none, and where passwords are for admins only, other people's are not used)."""
    from courseware.sso.services import password_sign_in_allowed

    return user.password_hash is not None and password_sign_in_allowed(user)


def change_password(user: User, current: str, new: str, keep_session: str | None) -> int:
    """Set a new password after checking the current one; every other session of the person
    ends. Refuses a wrong current password, a weak new one, and accounts that sign in elsewhere.
    How many other sessions were ended."""
    from courseware.auth.sessions import revoke_other_sessions

    if not has_password(user):
        raise Invalid(
            _("You sign in with your organisation's account, so your password is changed there, not here."),
            field="current_password",
        )
    if not user.check_password(current):
        raise Invalid(_("That is not your current password."), field="current_password")
    problem = password_problem(new, email=user.email, name=user.name)
    if problem:
        raise Invalid(problem, field="password")
    user.set_password(new)
    ended = revoke_other_sessions(user, keep_session)
    log.info("%s changed their password; %d other session(s) ended", user.email, ended)
    return ended


def request_email_change(user: User, new_email: str, current_password: str | None) -> tuple[EmailChange, str]:
    """Start changing the person's address: a single-use, expiring token whose link is emailed to
    the new address (the change happens only when it is used). Refuses when no email can be sent,
    a wrong current password (for accounts with one), the same address, or a taken one."""
    if not mail_configured():
        raise Invalid(
            _(
                "This site cannot send email, so a new address cannot be confirmed. "
                "Ask an administrator to change it for you."
            ),
            field="email",
        )
    if has_password(user) and not user.check_password(current_password or ""):
        raise Invalid(_("That is not your current password."), field="email_password")
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise Invalid(_("That is already your address."), field="email")
    if find_user_by_email(new_email):
        raise Invalid(_("Another account already uses this address."), field="email")
    now = utcnow()
    # Only the newest link works.
    db.session.execute(delete(EmailChange).where(EmailChange.user_id == user.id, EmailChange.used_at.is_(None)))
    token = secrets.token_urlsafe(32)
    change = EmailChange(
        user_id=user.id,
        new_email=new_email,
        token_hash=token_digest(token),
        created_at=now,
        expires_at=now + dt.timedelta(hours=current_app.config["EMAIL_CHANGE_HOURS"]),
    )
    db.session.add(change)
    db.session.flush()
    site = current_app.config["SITE_NAME"]
    with in_language_of(user):
        subject = _("Confirm your new %(site)s address", site=site)
        body = ngettext(
            "Hello %(name)s,\n\nYou asked to use this address for your %(site)s account. "
            "Open this link within %(num)d hour to confirm it:\n\n%(link)s\n\n"
            "Until then your account keeps its old address. If you did not ask for this, ignore this message.\n",
            "Hello %(name)s,\n\nYou asked to use this address for your %(site)s account. "
            "Open this link within %(num)d hours to confirm it:\n\n%(link)s\n\n"
            "Until then your account keeps its old address. If you did not ask for this, ignore this message.\n",
            int(current_app.config["EMAIL_CHANGE_HOURS"]),
            name=user.name,
            site=site,
            link=email_url("account.confirm_email", token=token),
        )
    queue_mail(new_email, subject, body, key=f"email-change:{change.id}")
    log.info("%s asked to change their address", user.email)
    return change, token


def pending_email_change(user: User) -> EmailChange | None:
    """The person's unconfirmed, unexpired change of address, if any."""
    return db.session.scalar(
        select(EmailChange).where(
            EmailChange.user_id == user.id, EmailChange.used_at.is_(None), EmailChange.expires_at > utcnow()
        )
    )


def find_email_change(token: str) -> EmailChange | None:
    """The change a confirmation link names, while it can still be used."""
    change = db.session.scalar(select(EmailChange).where(EmailChange.token_hash == token_digest(token)))
    if change is None or change.used_at is not None or change.expires_at < utcnow() or not change.user.is_active:
        return None
    return change


def confirm_email_change(change: EmailChange) -> User:
    """Give the person the new address and tell the old one; the link is spent first, by a
    conditional update, so that it works once. Refuses an address another account took since."""
    now = utcnow()
    spent = db.session.execute(
        update(EmailChange)
        .where(EmailChange.id == change.id, EmailChange.used_at.is_(None), EmailChange.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        raise LinkUsed(_("This confirmation link has expired or has already been used."))
    user = change.user
    if find_user_by_email(change.new_email):
        raise Invalid(_("Another account uses this address now, so it cannot be yours too."))
    old = user.email
    user.email = change.new_email
    db.session.flush()
    if mail_configured():
        site = current_app.config["SITE_NAME"]
        with in_language_of(user):
            subject = _("Your %(site)s address was changed", site=site)
            body = _(
                "Hello %(name)s,\n\nThe address of your %(site)s account is now %(email)s; "
                "messages will go there from now on.\n\n"
                "If you did not make this change, tell an administrator at once.\n",
                name=user.name,
                site=site,
                email=user.email,
            )
        queue_mail(old, subject, body, key=f"email-changed:{change.id}")
    log.info("%s changed their address to %s", old, user.email)
    return user


def admin_reset_link(user: User, actor: User) -> str:
    """A password-reset token an admin hands to ``user`` themselves; refuses a deactivated account."""
    found = request_password_reset(user.email)
    if found is None:
        raise Invalid(_("This account is deactivated: reactivate it before giving a reset link."))
    log.info("%s made a password reset link for %s", actor.email, user.email)
    return found[1]


def resend_invitation(invitation: Invitation, actor: User) -> tuple[Invitation, str]:
    """A fresh invitation with the same address, roles, team and name (the old link stops
    working), for an open invitation that was lost or has expired."""
    if invitation.accepted_at is not None:
        raise Invalid(_("This invitation has been accepted already."))
    if invitation.revoked_at is not None:
        raise Invalid(_("This invitation was withdrawn or replaced; invite the person again instead."))
    fresh, token = invite(invitation.email, invitation.role_list, invitation.team, actor)
    fresh.name = invitation.name
    return fresh, token


def rename_team(team: Team, name: str, actor: User) -> None:
    """Give a team a new name; refuses a name another team has, whatever the case."""
    name = name.strip()
    taken = Invalid(_("A team with this name already exists."), field="name")
    if db.session.scalar(select(Team.id).where(Team.folded_name == fold_team_name(name), Team.id != team.id)):
        raise taken
    old = team.name
    team.name = name
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise taken from None
    log.info("%s renamed team %s to %s", actor.email, old, name)


def team_member_count(team: Team) -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(User.team_id == team.id))


def delete_team(team: Team, actor: User) -> None:
    """Delete a team nobody is in (its managers' scope, course rules and team objectives go with
    it); refuses a team with people in it."""
    if team_member_count(team):
        raise Invalid(_("Only an empty team can be deleted: move its people to another team first."))
    name = team.name
    db.session.delete(team)
    db.session.flush()
    log.info("%s deleted team %s", actor.email, name)

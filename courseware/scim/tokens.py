"""The bearer tokens a directory provisions with: issued and revoked by admins, stored hashed."""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from flask_babel import gettext as _
from sqlalchemy import select

from courseware.auth.services import token_digest
from courseware.core.validators import has_control_characters
from courseware.db import utcnow
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.models import ScimToken, User

log = logging.getLogger(__name__)

# How stale "last used" may get before a request records its use again.
LAST_USED_EVERY = dt.timedelta(minutes=1)


def all_tokens() -> list[ScimToken]:
    """Every token, the ones still in use first, newest first."""
    return list(db.session.scalars(select(ScimToken).order_by(ScimToken.revoked_at.is_not(None), ScimToken.id.desc())))


def issue_token(name: str, actor: User) -> tuple[ScimToken, str]:
    """A new token named ``name`` and its secret, which is shown once (only its hash is kept)."""
    name = name.strip()
    if not name or has_control_characters(name):
        raise Invalid(_("Give the token a name on one line, such as the directory that will use it."), field="name")
    secret = "scim_" + secrets.token_urlsafe(32)
    token = ScimToken(name=name[:80], token_hash=token_digest(secret), created_by_id=actor.id)
    db.session.add(token)
    db.session.flush()
    log.info("%s issued provisioning token %s (%s)", actor.email, token.id, token.name)
    return token, secret


def revoke_token(token: ScimToken, actor: User) -> None:
    """Revoke a token: requests that carry it are refused from now on."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        log.info("%s revoked provisioning token %s (%s)", actor.email, token.id, token.name)


def token_for(secret: str) -> ScimToken | None:
    """The unrevoked token whose secret this is, or None."""
    if not secret or len(secret) > 200:
        return None
    return db.session.scalar(
        select(ScimToken).where(ScimToken.token_hash == token_digest(secret), ScimToken.revoked_at.is_(None))
    )


def use_needs_recording(token: ScimToken) -> bool:
    return token.last_used_at is None or utcnow() - token.last_used_at > LAST_USED_EVERY

"""LRS clients: a key and secret for HTTP Basic, issued and revoked by admins, the secret kept
as SHA-256 (it is random and long, so a fast hash is enough and a request costs no password hash)."""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import secrets

from flask_babel import gettext as _
from sqlalchemy import select

from courseware.auth.services import token_digest
from courseware.core.validators import has_control_characters
from courseware.db import utcnow
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.i18n import lazy_gettext as _l
from courseware.models import XAPI_SCOPES, User, XapiClient

log = logging.getLogger(__name__)

LAST_USED_EVERY = dt.timedelta(minutes=1)
SCOPE_LABELS = {
    "statements/read/mine": _l("Read the statements it stored"),
    "statements/read": _l("Read all statements"),
    "statements/write": _l("Write statements"),
    "state": _l("Read and write state documents"),
    "profile": _l("Read and write activity and agent profiles"),
}


def all_clients() -> list[XapiClient]:
    """Every client, the ones in use first, newest first."""
    return list(
        db.session.scalars(select(XapiClient).order_by(XapiClient.revoked_at.is_not(None), XapiClient.id.desc()))
    )


def issue_client(name: str, scopes: list[str], actor: User | None) -> tuple[XapiClient, str]:
    """A new client named ``name`` with ``scopes``, and its secret, shown once."""
    name = (name or "").strip()
    if not name or has_control_characters(name):
        raise Invalid(_("Give the client a name on one line, such as the system that will use it."), field="name")
    unknown = [s for s in scopes if s not in XAPI_SCOPES]
    if unknown or not scopes:
        raise Invalid(_("Choose at least one of the listed permissions."), field="scopes")
    key = secrets.token_hex(10)
    secret = secrets.token_urlsafe(32)
    client = XapiClient(
        name=name[:80],
        key=key,
        secret_hash=token_digest(secret),
        scopes=" ".join(s for s in XAPI_SCOPES if s in scopes),
        created_by_id=actor.id if actor else None,
    )
    db.session.add(client)
    db.session.flush()
    log.info("%s issued LRS client %s (%s)", actor.email if actor else "a command", client.key, client.name)
    return client, secret


def revoke_client(client: XapiClient, actor: User) -> None:
    """Revoke a client: its requests are refused from now on."""
    if client.revoked_at is None:
        client.revoked_at = utcnow()
        log.info("%s revoked LRS client %s (%s)", actor.email, client.key, client.name)


def client_for(key: str, secret: str) -> XapiClient | None:
    """The unrevoked client with this key and secret, or None."""
    if not key or not secret or len(key) > 40 or len(secret) > 200:
        return None
    client = db.session.scalar(select(XapiClient).where(XapiClient.key == key, XapiClient.revoked_at.is_(None)))
    if client is None or not hmac.compare_digest(client.secret_hash, token_digest(secret)):
        return None
    return client


def use_needs_recording(client: XapiClient) -> bool:
    return client.last_used_at is None or utcnow() - client.last_used_at > LAST_USED_EVERY

"""Drafts and kept forms: saving, reading and clearing a person's unsent text.

A draft is keyed by (person, form name). Form names start with a kind registered by
:func:`courseware.drafts.keeping.keeps_drafts`, which also says which text fields the kind has
and how long each may be; nothing else is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from courseware.core.numbers import number
from courseware.db import utcnow
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.models import FORM_NAME_LENGTH, Draft, UnsentForm, User

log = logging.getLogger(__name__)

# A person's drafts beyond this many (a form left half-written long ago) give way, oldest first.
DRAFTS_PER_PERSON = 100

_FORM_NAME = re.compile(r"[a-z][a-z0-9-]{0,39}(/[A-Za-z0-9_.~-]{1,100}){0,6}")


@dataclass(frozen=True)
class DraftKind:
    """A kind of form that keeps drafts: its text fields, each with its label and longest length."""

    kind: str
    limits: dict[str, int]
    labels: dict[str, str]


KINDS: dict[str, DraftKind] = {}


def register_kind(kind: str, limits: dict[str, int], labels: dict[str, str] | None = None) -> DraftKind:
    """Declare a kind of form whose drafts are kept (``keeps_drafts`` does this for its view)."""
    found = KINDS.get(kind)
    new = DraftKind(kind, dict(limits), dict(labels or {}))
    if found is not None and found.limits != new.limits:
        raise ValueError(f"draft kind {kind!r} is declared twice with different fields")
    KINDS[kind] = found or new
    return KINDS[kind]


def kind_of(form: str) -> DraftKind | None:
    """The registered kind of the form name ``form``, or None for a name that is not one."""
    if not isinstance(form, str) or len(form) > FORM_NAME_LENGTH or not _FORM_NAME.fullmatch(form):
        return None
    return KINDS.get(form.split("/", 1)[0])


class TooLong(Invalid):
    """A field of a draft is longer than the form's own limit for it."""


def clean_fields(kind: DraftKind, values, *, clip: bool = False) -> dict[str, str]:
    """The kind's text fields from ``values`` (a form or a dict), line ends as ``\\n``; other
    names are left out. Invalid when a field is not text, TooLong when it is longer than its
    limit (with ``clip``, it is cut to the limit instead)."""
    fields = {}
    for name, limit in kind.limits.items():
        value = values.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise Invalid(_("Send “%(field)s” as text.", field=str(kind.labels.get(name, name))), field=name)
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        if len(value) > limit and clip:
            value = value[:limit]
        if len(value) > limit:
            raise TooLong(
                _(
                    "The draft is too long: keep “%(field)s” under %(limit)s characters (it has %(length)s).",
                    field=str(kind.labels.get(name, name)),
                    limit=number(limit),
                    length=number(len(value)),
                ),
                field=name,
            )
        fields[name] = value
    return fields


def draft_of(user: User, form: str) -> Draft | None:
    """``user``'s draft of the form ``form``; nobody else's is ever returned."""
    return db.session.scalar(select(Draft).where(Draft.user_id == user.id, Draft.form == form))


def save_draft(user: User, form: str, fields: dict[str, str]) -> Draft | None:
    """Keep ``fields`` (already cleaned) as ``user``'s draft of ``form``; a draft whose fields are
    all empty is removed instead (None). The oldest drafts beyond ``DRAFTS_PER_PERSON`` give way.
    Invalid for a form name that is not one."""
    if kind_of(form) is None:
        raise Invalid(_("No form of that name keeps drafts."))
    draft = draft_of(user, form)
    if not any(value.strip() for value in fields.values()):
        if draft is not None:
            db.session.delete(draft)
            db.session.flush()
        return None
    if draft is None:
        draft = Draft(user_id=user.id, form=form)
        db.session.add(draft)
    draft.fields = dict(fields)
    draft.saved_at = utcnow()
    db.session.flush()
    _trim_drafts(user)
    return draft


def _trim_drafts(user: User) -> None:
    count = db.session.scalar(select(func.count()).select_from(Draft).where(Draft.user_id == user.id))
    if count > DRAFTS_PER_PERSON:
        oldest = select(Draft.id).where(Draft.user_id == user.id).order_by(Draft.saved_at, Draft.id)
        ids = list(db.session.scalars(oldest.limit(count - DRAFTS_PER_PERSON)))
        db.session.execute(delete(Draft).where(Draft.id.in_(ids)))


def clear_draft(user: User, form: str) -> bool:
    """Remove ``user``'s draft of ``form`` (the form was sent); True when there was one."""
    result = db.session.execute(delete(Draft).where(Draft.user_id == user.id, Draft.form == form))
    return bool(result.rowcount)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class KeepingFull(Exception):
    """As many forms are kept for people to sign in as the site allows just now."""


def keep_unsent(
    form: str, page: str, fields: dict[str, str], *, user_id: int | None, minutes: int, at_most: int, replaces=None
) -> str:
    """Keep what a form sent after its session ended until someone signs in in that browser;
    returns the token for the browser (only its digest is stored).

    ``user_id`` is whose session it was, when known: only they will get the text back. Kept
    forms expire after ``minutes``; expired ones are removed here, and a token the browser
    already held (``replaces``) gives its place to the new one. KeepingFull when ``at_most``
    are kept already.
    """
    now = utcnow()
    db.session.execute(delete(UnsentForm).where(UnsentForm.expires_at < now))
    if replaces:
        db.session.execute(delete(UnsentForm).where(UnsentForm.token_hash == _digest(replaces)))
    if db.session.scalar(select(func.count()).select_from(UnsentForm)) >= at_most:
        raise KeepingFull()
    token = secrets.token_urlsafe(32)
    db.session.add(
        UnsentForm(
            token_hash=_digest(token),
            user_id=user_id,
            form=form,
            page=page,
            fields=dict(fields),
            created_at=now,
            expires_at=now + dt.timedelta(minutes=minutes),
        )
    )
    db.session.flush()
    log.info("kept an unsent %s form until its author signs in", form.split("/", 1)[0])
    return token


def claim_unsent(user: User, token: str) -> str | None:
    """Give ``user``, just signed in, the form kept under ``token`` as their draft of it; returns
    the page of that form, or None when there is none to give (unknown, expired, or kept for
    someone else: then it is removed unread)."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    kept = db.session.scalar(select(UnsentForm).where(UnsentForm.token_hash == _digest(token)))
    if kept is None:
        return None
    db.session.delete(kept)
    db.session.flush()
    if kept.expires_at < utcnow() or (kept.user_id is not None and kept.user_id != user.id):
        return None
    kind = kind_of(kept.form)
    if kind is None:
        return None
    save_draft(user, kept.form, clean_fields(kind, kept.fields))
    return kept.page

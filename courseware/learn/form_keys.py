"""Form keys: a key per rendering of a form, so that the same form sent twice makes one row."""

from __future__ import annotations

import re
import uuid

from sqlalchemy.exc import IntegrityError

from courseware.extensions import db
from courseware.models import FORM_KEY_LENGTH, User


def new_form_key() -> str:
    """A fresh key for one rendering of an activity form; a resubmission reuses it."""
    return uuid.uuid4().hex


_FORM_KEY = re.compile(rf"[A-Za-z0-9_-]{{1,{FORM_KEY_LENGTH}}}")


def clean_form_key(form_key: str | None) -> str | None:
    """The form's key as stored, or None for a missing or malformed one (the form then counts
    each time it is sent)."""
    form_key = (form_key or "")[:FORM_KEY_LENGTH]
    return form_key if _FORM_KEY.fullmatch(form_key) else None


def event_key(verb: str, user: User, form_key: str | None) -> str | None:
    form_key = clean_form_key(form_key)
    if not form_key:
        return None
    return f"{verb}:{user.id}:{form_key}"


def add_once(row, first_with_key):
    """Add ``row``, made from a form, unless its form key made a row already; returns the row
    that stands and whether it is the new one.

    The unique index on (owner, form key) decides: a request sending the same form while the
    first one is still running waits for it there, fails in its savepoint once the first
    commits, and answers with the first one's row (the ``first_with_key`` query).
    """
    if row.form_key is None:
        db.session.add(row)
        db.session.flush()
        return row, True
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        first = db.session.scalar(first_with_key)
        if first is None:  # some other constraint failed
            raise
        return first, False
    return row, True

"""The learner's journal: free entries and reflections, each private or shared."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from courseware.db import utcnow
from courseware.exceptions import NotAllowed
from courseware.extensions import db
from courseware.learn.form_keys import add_once, clean_form_key, event_key
from courseware.models import JournalEntry, User
from courseware.progress import rules
from courseware.progress.services import record_event


def entry_with_form_key(user: User, form_key: str | None):
    return select(JournalEntry).where(JournalEntry.user_id == user.id, JournalEntry.form_key == form_key)


def journal(user: User) -> list[JournalEntry]:
    """The learner's journal entries, newest first."""
    return list(
        db.session.scalars(
            select(JournalEntry).where(JournalEntry.user_id == user.id).order_by(JournalEntry.created_at.desc())
        )
    )


def add_journal_entry(user: User, body: str, *, share_mentor: bool, share_manager: bool, form_key: str) -> JournalEntry:
    """A free journal entry (not tied to a lesson): what happened, what the learner noticed.

    The same form sent again, even at the same moment, gets the entry it made.
    """
    form_key = clean_form_key(form_key)
    entry = JournalEntry(
        user_id=user.id,
        body=body.strip(),
        shared_with_mentor=share_mentor,
        shared_with_manager=share_manager,
        form_key=form_key,
    )
    entry, new = add_once(entry, entry_with_form_key(user, form_key))
    if new:
        record_event(
            user,
            rules.JOURNALED,
            text_length=len(entry.body),
            detail={"entry_id": entry.id},
            idempotency_key=event_key("journal", user, form_key),
        )
    return entry


def own_journal_entry(user: User, entry_id: int) -> JournalEntry:
    """The learner's own journal entry; NotAllowed for anyone else's."""
    entry = db.session.get(JournalEntry, entry_id)
    if entry is None or entry.user_id != user.id:
        raise NotAllowed(_("No such journal entry."))
    return entry


def set_sharing(entry: JournalEntry, *, share_mentor: bool, share_manager: bool) -> None:
    """Change who an entry is shared with. Saving it counts as sharing it now: a mentor paired
    since it was first shared reads it from now on (see ``mentor_reads_entry``)."""
    entry.shared_with_mentor = share_mentor
    entry.shared_with_manager = share_manager
    entry.updated_at = utcnow()

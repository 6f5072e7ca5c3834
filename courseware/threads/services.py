"""Comment threads about a learner's work, and mentors' private notes about their mentees."""

from __future__ import annotations

import logging

from flask_babel import format_number
from flask_babel import gettext as _
from sqlalchemy import select

from courseware.core.links import site_path
from courseware.db import utcnow
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.i18n import lazy_gettext as _l
from courseware.models import Comment, Lesson, MentorNote, User
from courseware.notifications.services import notify
from courseware.progress.rules import COMMENTED
from courseware.progress.services import record_event
from courseware.threads.policies import ThreadItem

log = logging.getLogger(__name__)

MAX_COMMENT = 10_000


def comments_of(thread: ThreadItem) -> list[Comment]:
    """The thread's comments, oldest first (removed ones included, to show where they were)."""
    return list(
        db.session.scalars(
            select(Comment)
            .where(Comment.subject == thread.subject, Comment.subject_id == thread.item.id)
            .order_by(Comment.created_at, Comment.id)
        )
    )


def clean_body(body: str) -> str:
    """The comment text stripped; Invalid when empty or longer than ``MAX_COMMENT``."""
    body = (body or "").strip()
    if not body:
        raise Invalid(_("Write something before sending."), field="body")
    if len(body) > MAX_COMMENT:
        raise Invalid(_("Keep a comment under %(most)s characters.", most=format_number(MAX_COMMENT)), field="body")
    return body


def add_comment(author: User, thread: ThreadItem, body: str) -> Comment:
    """Add ``author``'s comment (Markdown) to the thread and tell the others in it: the learner,
    whoever reviewed the work, and everyone who commented before (in the app; by email where
    SMTP is set). The comment is logged as the author's ``commented`` event, which changes no
    progress."""
    comment = Comment(
        subject=thread.subject,
        subject_id=thread.item.id,
        learner_id=thread.learner_id,
        author_id=author.id,
        body=clean_body(body),
        created_at=utcnow(),
    )
    db.session.add(comment)
    db.session.flush()
    others = {thread.learner_id} | {c.author_id for c in comments_of(thread) if c.author_id is not None}
    others |= _reviewers_of(thread)
    others.discard(author.id)
    link = site_path(
        "threads.thread",
        subject=thread.subject,
        item_id=thread.item.id,
        _anchor=f"comment-{comment.id}",
        _external=False,
    )
    for person in db.session.scalars(select(User).where(User.id.in_(others), User.is_active.is_(True))):
        message = _commented(thread.subject, person.id == thread.learner_id, author.name)
        notify(
            person,
            "comment",
            message,
            link,
            email_body=_l("%(message)s\n\n%(text)s\n", message=message, text=body.strip()[:1000]),
        )
    record_event(author, COMMENTED, **_event_place(thread), detail={"where": thread.subject, "link": link})
    log.info("comment %s on %s %s by %s", comment.id, thread.subject, thread.item.id, author.id)
    return comment


def _commented(subject: str, mine: bool, name: str):
    """The notification of a comment, as lazy text (put into words in the reader's language)."""
    if subject == "submission":
        if mine:
            return _l("%(name)s commented on your practice work.", name=name)
        return _l("%(name)s commented on the practice work.", name=name)
    if subject == "checklist":
        if mine:
            return _l("%(name)s commented on your checklist.", name=name)
        return _l("%(name)s commented on the checklist.", name=name)
    if mine:
        return _l("%(name)s commented on your journal entry.", name=name)
    return _l("%(name)s commented on the journal entry.", name=name)


def _event_place(thread: ThreadItem) -> dict:
    """The lesson a comment's event is about (the work's), or none for a journal entry."""
    if thread.subject == "journal":
        return {}
    return {"lesson": db.session.get(Lesson, thread.item.lesson_id)}


def _reviewers_of(thread: ThreadItem) -> set[int]:
    """Who reviewed the work: the thread's trainers even before they wrote in it."""
    if thread.subject == "submission":
        return {review.reviewer_id for review in thread.item.reviews if review.reviewer_id is not None}
    if thread.subject == "checklist" and thread.item.verified_by_id is not None:
        return {thread.item.verified_by_id}
    return set()


def edit_comment(comment: Comment, body: str) -> None:
    """Change a comment's text; the thread shows that it was edited."""
    comment.body = clean_body(body)
    comment.edited_at = utcnow()
    db.session.flush()


def delete_comment(comment: Comment) -> None:
    """Remove a comment's text; the thread keeps a "removed" marker in its place."""
    comment.body = ""
    comment.deleted_at = utcnow()
    db.session.flush()


def mentor_notes(mentor: User, learner: User) -> list[MentorNote]:
    """The mentor's own private notes about the learner, newest first."""
    return list(
        db.session.scalars(
            select(MentorNote)
            .where(MentorNote.mentor_id == mentor.id, MentorNote.learner_id == learner.id)
            .order_by(MentorNote.created_at.desc(), MentorNote.id.desc())
        )
    )


def add_mentor_note(mentor: User, learner: User, body: str) -> MentorNote:
    """Keep a private note about a mentee, read by this mentor alone."""
    note = MentorNote(mentor_id=mentor.id, learner_id=learner.id, body=clean_body(body), created_at=utcnow())
    db.session.add(note)
    db.session.flush()
    return note

"""Comment threads about a learner's work, and mentors' private notes about their mentees."""

from __future__ import annotations

import logging

from sqlalchemy import select

from courseware.core.links import site_path
from courseware.db import utcnow
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.models import Comment, Lesson, MentorNote, User
from courseware.notifications.services import notify
from courseware.progress.rules import COMMENTED
from courseware.progress.services import record_event
from courseware.threads.policies import ThreadItem

log = logging.getLogger(__name__)

MAX_COMMENT = 10_000
WHAT = {"submission": "practice work", "checklist": "checklist", "journal": "journal entry"}


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
        raise Invalid("Write something before sending.", field="body")
    if len(body) > MAX_COMMENT:
        raise Invalid(f"Keep a comment under {MAX_COMMENT:,} characters.", field="body")
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
    what = WHAT[thread.subject]
    for person in db.session.scalars(select(User).where(User.id.in_(others), User.is_active.is_(True))):
        mine = person.id == thread.learner_id
        message = f"{author.name} commented on {'your' if mine else 'the'} {what}."
        notify(person, "comment", message, link, email_body=f"{message}\n\n{body.strip()[:1000]}\n")
    record_event(author, COMMENTED, **_event_place(thread), detail={"where": thread.subject, "link": link})
    log.info("comment %s on %s %s by %s", comment.id, thread.subject, thread.item.id, author.id)
    return comment


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

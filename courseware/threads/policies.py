"""Who takes part in the thread about a piece of work: whoever may see the work.

A practice hand-in and a checklist: the learner, those who may review it, their mentor and the
managers whose scope holds them (``evidence.policies.can_see_work``). A journal entry: the
learner, and, while the entry is shared with them, the mentor who reads it and the managers of
the learner's team; an entry shared with no one has no thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from courseware.auth.policies import manages, mentors
from courseware.evidence.policies import can_see_work
from courseware.extensions import db
from courseware.mentoring.policies import mentor_reads_entry
from courseware.models import ChecklistState, Comment, JournalEntry, Lesson, Mentorship, Submission, User


@dataclass(frozen=True)
class ThreadItem:
    """What a thread is about: its subject, the row, the learner and the course (if any)."""

    subject: str
    item: object
    learner_id: int
    course_id: int | None


def thread_item(subject: str, item_id: int) -> ThreadItem | None:
    """The item ``subject``/``item_id`` a thread is about, or None when there is none."""
    if subject == "submission":
        submission = db.session.get(Submission, item_id)
        return submission and ThreadItem(subject, submission, submission.user_id, submission.course_id)
    if subject == "checklist":
        state = db.session.get(ChecklistState, item_id)
        lesson = db.session.get(Lesson, state.lesson_id) if state is not None else None
        return lesson and ThreadItem(subject, state, state.user_id, lesson.course_id)
    if subject == "journal":
        entry = db.session.get(JournalEntry, item_id)
        return entry and ThreadItem(subject, entry, entry.user_id, None)
    return None


def reads_journal_entry(user, entry: JournalEntry) -> bool:
    """The entry's author, its mentor reader (shared since the pairing) and, when shared with the
    manager, the managers of the learner's team."""
    if user.id == entry.user_id:
        return True
    learner = db.session.get(User, entry.user_id)
    if entry.shared_with_mentor and mentors(user, learner):
        pairing = db.session.get(Mentorship, (user.id, learner.id))
        if pairing is not None and mentor_reads_entry(entry, pairing.created_at):
            return True
    return bool(entry.shared_with_manager and manages(user, learner))


def can_join_thread(user, thread: ThreadItem) -> bool:
    """May ``user`` read and write in the thread? (Views answer 404 where not.)"""
    if not user.is_authenticated:
        return False
    if thread.subject == "journal":
        entry = thread.item
        shared = entry.shared_with_mentor or entry.shared_with_manager
        return shared and reads_journal_entry(user, entry)
    return can_see_work(user, thread.learner_id, thread.course_id)


def can_change_comment(user, comment: Comment) -> bool:
    """Only its author edits or deletes a comment, while they may still join its thread."""
    if not user.is_authenticated or comment.author_id != user.id or comment.deleted_at is not None:
        return False
    thread = thread_item(comment.subject, comment.subject_id)
    return thread is not None and can_join_thread(user, thread)

"""What a learner does in a lesson: views, marking it read, quizzes, checklists, practice work
and reflections. Each step is recorded as an event under the learner's lock."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, delete, insert, select

from courseware.core.validators import whole_number
from courseware.db import utcnow
from courseware.evidence.files import CleanFile
from courseware.evidence.services import attach_files, evidence_of_checklist
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.i18n import lazy_gettext as _l
from courseware.learn.course_map import lesson_for_learner
from courseware.learn.form_keys import add_once, clean_form_key, event_key
from courseware.learn.journal import entry_with_form_key
from courseware.models import ChecklistState, Course, JournalEntry, LearningEvent, Lesson, QuizAttempt, Submission, User
from courseware.progress import rules
from courseware.progress.services import already_recorded, begin_step, record_event
from courseware.review.services import notify_reviewers


def find_activity(lesson: Lesson, key: str) -> dict:
    """The lesson's published activity ``key``; Invalid when the lesson no longer has it."""
    for activity in lesson.published_revision.activities:
        if activity["key"] == key:
            return activity
    raise Invalid(_("This activity is no longer part of the lesson; reload the page."))


def _view_key(user: User, lesson: Lesson) -> str:
    return f"viewed:{user.id}:{lesson.id}:{dt.date.today()}"


def viewed_today(user: User, lesson: Lesson) -> bool:
    """Whether today's view of the lesson is recorded."""
    return already_recorded(_view_key(user, lesson))


def record_view(user: User, lesson: Lesson) -> None:
    """Record that the learner opened the lesson (at most once a day per lesson)."""
    record_event(user, rules.VIEWED, lesson=lesson, idempotency_key=_view_key(user, lesson))


def mark_read(user: User, lesson: Lesson) -> None:
    """Complete a lesson without activities by marking it read (once). NotAllowed when the
    learner is not enrolled or the lesson is not open to them yet."""
    progress = begin_lesson_step(user, lesson)
    record_event(user, rules.READ, lesson=lesson, idempotency_key=f"read:{user.id}:{lesson.id}", progress=progress)


def begin_lesson_step(user: User, lesson: Lesson):
    """Begin the learner's step on the lesson under their lock (see ``progress.begin_step``),
    checking there that the lesson is open to them; the lesson's progress row as it stands."""
    progress = begin_step(user.id, lesson)
    if progress is None:  # not started: open only once the lessons before it are done
        lesson_for_learner(user, db.session.get(Course, lesson.course_id), lesson.slug)
    return progress


def parse_quiz_answers(activity: dict, form) -> tuple[dict[int, set[int]], list[int]]:
    """The chosen choice indexes per question, and the questions left unanswered."""
    answers: dict[int, set[int]] = {}
    missing = []
    for index, question in enumerate(activity["questions"]):
        chosen = set()
        for raw in form.getlist(f"q{index}"):
            choice = whole_number(raw, maximum=len(question["choices"]) - 1)
            if choice is not None:
                chosen.add(choice)
        if chosen:
            answers[index] = chosen
        else:
            missing.append(index)
    return answers, missing


_INSERT_ATTEMPT = insert(QuizAttempt.__table__).returning(QuizAttempt.__table__.c.id)
_ATTEMPT_COLUMNS = ("user_id", "lesson_id", "revision_id", "activity_key", "answers", "score", "max_score")
_ATTEMPT_COLUMNS += ("passed", "created_at")


def answer_quiz(user: User, lesson: Lesson, activity: dict, answers: dict[int, set[int]], form_key: str) -> QuizAttempt:
    """Score and store an attempt (with the revision answered) as one step under the learner's
    lock; a resubmitted form returns the first attempt instead. NotAllowed when the learner is
    not enrolled or the lesson is not open to them yet.

    The attempt returned belongs to no session: read its columns.
    """
    key = event_key("quiz", user, form_key)
    progress = begin_lesson_step(user, lesson)
    right, total, passed = rules.quiz_score(activity, answers)
    attempt = QuizAttempt(
        user_id=user.id,
        lesson_id=lesson.id,
        revision_id=lesson.published_revision_id,
        activity_key=activity["key"],
        answers={str(q): sorted(chosen) for q, chosen in answers.items()},
        score=right,
        max_score=total,
        passed=passed,
        created_at=utcnow(),
    )
    values = {name: getattr(attempt, name) for name in _ATTEMPT_COLUMNS}
    attempt.id = db.session.execute(_INSERT_ATTEMPT, values).scalar_one()
    recorded = record_event(
        user,
        rules.PASSED if passed else rules.FAILED,
        lesson=lesson,
        activity_key=activity["key"],
        score=right / total if total else 0,
        success=passed,
        detail={"attempt_id": attempt.id, "right": right, "questions": total},
        idempotency_key=key,
        progress=progress,
    )
    if not recorded:  # the same form was answered before
        db.session.execute(delete(QuizAttempt).where(QuizAttempt.id == attempt.id))
        return _attempt_for_key(key)
    return attempt


def _attempt_for_key(key: str) -> QuizAttempt | None:
    detail = db.session.scalar(select(LearningEvent.detail).where(LearningEvent.idempotency_key == key))
    if detail and detail.get("attempt_id"):
        return db.session.get(QuizAttempt, detail["attempt_id"])
    return None


_QUIZ_ATTEMPTS = (
    select(QuizAttempt)
    .where(QuizAttempt.user_id == bindparam("user_id"), QuizAttempt.lesson_id == bindparam("lesson_id"))
    .order_by(QuizAttempt.id.desc())
)


def quiz_attempts(user: User, lesson: Lesson) -> list[QuizAttempt]:
    """The learner's attempts at the lesson's quizzes, newest first."""
    return list(db.session.scalars(_QUIZ_ATTEMPTS, {"user_id": user.id, "lesson_id": lesson.id}))


def checklist_state(user: User, lesson: Lesson, key: str) -> ChecklistState | None:
    """The learner's saved ticks on the checklist ``key``, or None before the first save."""
    return db.session.scalar(
        select(ChecklistState).where(
            ChecklistState.user_id == user.id, ChecklistState.lesson_id == lesson.id, ChecklistState.activity_key == key
        )
    )


def save_checklist(
    user: User, lesson: Lesson, activity: dict, ticked: list[int], form_key: str | None
) -> ChecklistState:
    """Store which items are ticked; nothing is recorded when the ticks did not change.

    A fully ticked checklist that a trainer must verify waits for them; once verified it stays done.
    NotAllowed when the learner is not enrolled or the lesson is not open to them yet.
    """
    ticked = sorted({i for i in ticked if 0 <= i < len(activity["items"])})
    progress = begin_lesson_step(user, lesson)
    state = checklist_state(user, lesson, activity["key"])
    if state is None:
        state = ChecklistState(user_id=user.id, lesson_id=lesson.id, activity_key=activity["key"], ticked=[])
        db.session.add(state)
    unchanged = sorted(state.ticked or []) == ticked
    # A checklist a trainer returned goes back to them when saved again, even with the same ticks.
    if state.status == "verified" or (unchanged and state.status != "returned"):
        return state
    complete = len(ticked) == len(activity["items"])
    state.ticked = ticked
    state.revision_id = lesson.published_revision_id
    state.updated_at = utcnow()
    if complete and rules.needs_trainer(activity):
        state.status = "awaiting_verification"
        db.session.flush()
        title = lesson.published_revision.title if lesson.published_revision else lesson.slug
        notify_reviewers(
            user,
            lesson.course_id,
            _l("%(name)s handed in a checklist to confirm on “%(title)s”.", name=user.name, title=title),
            "review.checklist",
            state_id=state.id,
        )
    else:
        state.status = "open"
    db.session.flush()
    record_event(
        user,
        rules.CHECKED,
        lesson=lesson,
        activity_key=activity["key"],
        detail={"ticked": ticked, "complete": complete},
        score=len(ticked) / len(activity["items"]) if activity["items"] else 1,
        idempotency_key=event_key("checked", user, form_key),
        progress=progress,
    )
    return state


def submissions(user: User, lesson: Lesson, key: str) -> list[Submission]:
    """The learner's practice work for the activity ``key``, newest first."""
    return list(
        db.session.scalars(
            select(Submission)
            .where(Submission.user_id == user.id, Submission.lesson_id == lesson.id, Submission.activity_key == key)
            .order_by(Submission.id.desc())
        )
    )


def submit_practice(
    user: User,
    lesson: Lesson,
    activity: dict,
    text: str,
    link: str | None,
    form_key: str,
    *,
    links: list[str] | None = None,
    files: list[CleanFile] = (),
) -> Submission:
    """Hand in practice work, with its links and accepted files (``evidence.services.check_uploads``);
    refused while an earlier one waits for review or once approved.

    Decided under the learner's lock, so that two hand-ins at once are taken one after the other;
    the same form sent again gets the submission it made (and keeps no second copy of its
    files). NotAllowed when the learner is not enrolled.
    """
    links = [item.strip() for item in (links or []) if item.strip()]
    if link and link.strip() and link.strip() not in links:
        links.insert(0, link.strip())
    form_key = clean_form_key(form_key)
    progress = begin_step(user.id, lesson)
    if form_key:
        first = db.session.scalar(_submission_with_key(user, form_key))
        if first is not None:
            return first
    history = submissions(user, lesson, activity["key"])
    if history and history[0].status == "approved":
        raise Invalid(_("This practice work is already approved."))
    if history and history[0].status == "submitted" and rules.needs_trainer(activity):
        raise Invalid(_("Your last submission is waiting for review; you can resubmit once a trainer has replied."))
    needs_review = rules.needs_trainer(activity)
    submission = Submission(
        user_id=user.id,
        lesson_id=lesson.id,
        course_id=lesson.course_id,
        revision_id=lesson.published_revision_id,
        activity_key=activity["key"],
        text=text.strip(),
        link=links[0] if links else None,
        links=links or None,
        status="submitted" if needs_review else "approved",
        created_at=utcnow(),
        form_key=form_key,
    )
    submission, new = add_once(submission, _submission_with_key(user, form_key))
    if not new:
        return submission
    attach_files(user, list(files), submission=submission)
    if needs_review:
        title = lesson.published_revision.title if lesson.published_revision else lesson.slug
        notify_reviewers(
            user,
            lesson.course_id,
            _l("%(name)s handed in practice work on “%(title)s”.", name=user.name, title=title),
            "review.submission",
            submission_id=submission.id,
        )
    record_event(
        user,
        rules.SUBMITTED,
        lesson=lesson,
        activity_key=activity["key"],
        text_length=len(submission.text),
        detail={"submission_id": submission.id, "version": len(history) + 1, "files": len(files)},
        idempotency_key=event_key("submitted", user, form_key),
        progress=progress,
    )
    return submission


def _submission_with_key(user: User, form_key: str | None):
    return select(Submission).where(Submission.user_id == user.id, Submission.form_key == form_key)


def add_checklist_evidence(
    user: User, lesson: Lesson, activity: dict, note: str, links: list[str], files: list[CleanFile]
) -> ChecklistState:
    """Keep the learner's note, links and accepted files beside their checklist, for the trainer
    who confirms it. Invalid once the checklist is confirmed, or past ``EVIDENCE_MAX_FILES``
    files; NotAllowed when the learner is not enrolled or the lesson is not open to them yet."""
    begin_lesson_step(user, lesson)
    state = checklist_state(user, lesson, activity["key"])
    if state is None:
        state = ChecklistState(
            user_id=user.id,
            lesson_id=lesson.id,
            activity_key=activity["key"],
            ticked=[],
            status="open",
            revision_id=lesson.published_revision_id,
        )
        db.session.add(state)
        db.session.flush()
    if state.status == "verified":
        raise Invalid(_("This checklist is confirmed; its evidence stays as it was."))
    if len(evidence_of_checklist(state)) + len(files) > current_app.config["EVIDENCE_MAX_FILES"]:
        raise Invalid(
            _("A checklist takes at most %(num)d files.", num=current_app.config["EVIDENCE_MAX_FILES"]), field="files"
        )
    state.note = note.strip() or None
    state.links = [item.strip() for item in links if item.strip()] or None
    state.updated_at = utcnow()
    attach_files(user, files, checklist_state=state)
    return state


def reflection_entry(user: User, lesson: Lesson, key: str) -> JournalEntry | None:
    """The journal entry answering the reflection prompt ``key``, or None before the first answer."""
    return db.session.scalar(
        select(JournalEntry)
        .where(JournalEntry.user_id == user.id, JournalEntry.lesson_id == lesson.id, JournalEntry.activity_key == key)
        .order_by(JournalEntry.id.desc())
        .limit(1)
    )


def write_reflection(
    user: User, lesson: Lesson, activity: dict, body: str, *, share_mentor: bool, share_manager: bool, form_key: str
) -> JournalEntry:
    """Answer a reflection prompt in the learner's journal (editing the earlier answer if any).

    Decided under the learner's lock; the same form sent again gets the entry it made. NotAllowed
    when the learner is not enrolled.
    """
    form_key = clean_form_key(form_key)
    progress = begin_step(user.id, lesson)
    if form_key:
        first = db.session.scalar(entry_with_form_key(user, form_key))
        if first is not None:
            return first
    entry = reflection_entry(user, lesson, activity["key"])
    if entry is None:
        entry = JournalEntry(
            user_id=user.id,
            lesson_id=lesson.id,
            activity_key=activity["key"],
            prompt=activity["prompt"],
            body=body.strip(),
            shared_with_mentor=share_mentor,
            shared_with_manager=share_manager,
            form_key=form_key,
        )
        entry, new = add_once(entry, entry_with_form_key(user, form_key))
        if not new:
            return entry
    else:
        entry.body = body.strip()
        entry.shared_with_mentor = share_mentor
        entry.shared_with_manager = share_manager
        entry.updated_at = utcnow()
        db.session.flush()
    record_event(
        user,
        rules.JOURNALED,
        lesson=lesson,
        activity_key=activity["key"],
        text_length=len(entry.body),
        detail={"entry_id": entry.id},
        idempotency_key=event_key("journaled", user, form_key),
        progress=progress,
    )
    return entry

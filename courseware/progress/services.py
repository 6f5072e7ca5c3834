"""The event log and the progress derived from it: every learner action goes through here."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from types import SimpleNamespace

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, case, delete, func, null, select, update

from courseware.db import dialect_insert, utcnow
from courseware.exceptions import NotAllowed
from courseware.extensions import db
from courseware.models import Enrollment, LearningEvent, Lesson, LessonProgress, Module
from courseware.progress.rules import (
    CHECKED,
    COMPLETED,
    ENROLLED,
    PROGRESS_NEUTRAL_VERBS,
    LessonState,
    fold_lesson,
)
from courseware.xapi.events import store_event_statement

log = logging.getLogger(__name__)

# Things done to a learner rather than by them: logged, but they don't count as activity.
PASSIVE_VERBS = frozenset({ENROLLED})
# A step's progress row not read yet (``None`` is a row read and not found).
UNREAD = object()


def record_event(
    user,
    verb: str,
    *,
    lesson: Lesson | None = None,
    course_id: int | None = None,
    activity_key: str | None = None,
    revision_id: int | None = None,
    score: float | None = None,
    success: bool | None = None,
    text_length: int | None = None,
    detail: dict | None = None,
    idempotency_key: str | None = None,
    progress=UNREAD,
) -> bool:
    """Append one event and bring the learner's progress up to date.

    Returns False, recording nothing, when an event with the same ``idempotency_key``
    already exists: a double click or a resubmitted form never counts twice. The key's unique
    index decides, under the learner's lock (callers that must answer a repeat with the first
    result look for it themselves first). A step begun with :func:`begin_step` passes the
    progress row it read there, under the lock it already holds.

    A progress-neutral event (``commented``) is logged and counts as activity, but takes no lock
    and changes no progress: neither the lesson's state nor the enrollment's.
    """
    now = utcnow()
    if lesson is not None:
        course_id = lesson.course_id
        if revision_id is None:
            revision_id = lesson.published_revision_id
    neutral = verb in PROGRESS_NEUTRAL_VERBS
    if course_id is not None and progress is UNREAD and not neutral:
        lock_learner_course(user.id, course_id, active=verb not in PASSIVE_VERBS)
    values = {
        "user_id": user.id,
        "verb": verb,
        "course_id": course_id,
        "module_id": lesson.module_id if lesson is not None else None,
        "lesson_id": lesson.id if lesson is not None else None,
        "activity_key": activity_key,
        "revision_id": revision_id,
        "score": score,
        "success": success,
        "text_length": text_length,
        "detail": detail,
        "idempotency_key": idempotency_key,
        "created_at": now,
    }
    recorded = db.session.execute(_event_insert(dialect_insert(db.session)), values).scalar()
    if recorded is None:
        # The same key was recorded already (a resubmitted form, or a concurrent request).
        return False
    store_event_statement(recorded, user, values, lesson)
    if lesson is not None and not neutral:
        refresh_lesson_progress(user, lesson, SimpleNamespace(**values), progress)
    return True


_EVENT_COLUMNS = ("user_id", "verb", "course_id", "module_id", "lesson_id", "activity_key", "revision_id")
_EVENT_COLUMNS += ("score", "success", "text_length", "detail", "idempotency_key", "created_at")
_PROGRESS_COLUMNS = ("user_id", "lesson_id", "course_id", "status", "activities_done")
_PROGRESS_COLUMNS += ("started_at", "completed_at", "last_activity_at", "fold_state")


def _bound(table, names: tuple[str, ...]) -> dict:
    """Bind parameters named after ``names`` and typed as those columns."""
    return {name: bindparam(name, type_=table.c[name].type) for name in names}


def _event_insert(insert):
    """INSERT … ON CONFLICT (idempotency_key) DO NOTHING RETURNING id."""
    table = LearningEvent.__table__
    return (
        insert(table)
        .values(_bound(table, _EVENT_COLUMNS))
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(table.c.id)
    )


_ENROLLMENTS = Enrollment.__table__
_NOW = bindparam("now", type_=_ENROLLMENTS.c.last_activity_at.type)
# On the table, not the mapped class: no session object is to follow it.
_MARK_ACTIVE = (
    update(_ENROLLMENTS)
    .where(_ENROLLMENTS.c.user_id == bindparam("learner"), _ENROLLMENTS.c.course_id == bindparam("course"))
    .values(last_activity_at=_NOW, started_at=func.coalesce(_ENROLLMENTS.c.started_at, _NOW))
)
_LOCK_ENROLLMENT = (
    select(Enrollment.id)
    .where(Enrollment.user_id == bindparam("learner"), Enrollment.course_id == bindparam("course"))
    .with_for_update()
)


def lock_learner_course(user_id: int, course_id: int, *, active: bool = True) -> None:
    """Take the learner's enrollment row for this course, marking them active when ``active``.

    Held until the transaction ends, it makes one learner's steps in one course happen one
    after another, so that each derives progress from every step before it (on SQLite the
    write lock of ``BEGIN IMMEDIATE`` already does this).
    """
    params = {"learner": user_id, "course": course_id}
    if active:
        db.session.execute(_MARK_ACTIVE, {**params, "now": utcnow()})
    else:
        db.session.execute(_LOCK_ENROLLMENT, params)


def begin_step(user_id: int, lesson: Lesson):
    """Begin a learner's step on ``lesson``: take their lock on its course, marking them active,
    and read the lesson's progress row as it stands under that lock (None: not started).

    NotAllowed when the learner is not enrolled in the course. Pass the row on to
    :func:`record_event` as ``progress``.
    """
    params = {"learner": user_id, "course": lesson.course_id, "now": utcnow()}
    marked = db.session.execute(_MARK_ACTIVE, params)
    if not marked.rowcount:
        raise NotAllowed(_("You are not enrolled in this course."))
    return db.session.execute(_PROGRESS_ROW, {"user_id": user_id, "lesson_id": lesson.id}).first()


_EVENT_WITH_KEY = select(LearningEvent.id).where(LearningEvent.idempotency_key == bindparam("key"))


def already_recorded(idempotency_key: str) -> bool:
    return db.session.scalar(_EVENT_WITH_KEY, {"key": idempotency_key}) is not None


_LESSON_EVENTS = (
    select(
        LearningEvent.verb,
        LearningEvent.activity_key,
        LearningEvent.success,
        # Only a checklist's events carry details the fold reads (which items are ticked).
        case((LearningEvent.verb == CHECKED, LearningEvent.detail), else_=null()).label("detail"),
        LearningEvent.created_at,
    )
    .where(
        LearningEvent.user_id == bindparam("user_id"),
        LearningEvent.lesson_id == bindparam("lesson_id"),
        LearningEvent.verb.not_in(PROGRESS_NEUTRAL_VERBS),
    )
    .order_by(LearningEvent.id)
)


def lesson_events(user_id: int, lesson_id: int) -> list:
    """The learner's events on the lesson, oldest first, as rows of what ``fold_lesson`` reads.

    Plain rows rather than ``LearningEvent`` objects: this runs on every step a learner takes,
    and a learner who retries a quiz has many events on one lesson.
    """
    return db.session.execute(_LESSON_EVENTS, {"user_id": user_id, "lesson_id": lesson_id}).all()


def lesson_activities(lesson: Lesson) -> list[dict]:
    revision = lesson.published_revision
    return list(revision.activities) if revision is not None else []


_PROGRESS_ROW = select(
    LessonProgress.status,
    LessonProgress.started_at,
    LessonProgress.completed_at,
    LessonProgress.last_activity_at,
    LessonProgress.fold_state,
).where(LessonProgress.user_id == bindparam("user_id"), LessonProgress.lesson_id == bindparam("lesson_id"))


def refresh_lesson_progress(user, lesson: Lesson, event=None, row=UNREAD) -> LessonState:
    """Fold the learner's events on ``lesson`` into its progress row; complete the course if due.

    With ``event``, the one just recorded, the fold goes on from the state kept with the progress
    row (when it was kept under the lesson's present activities) instead of reading every event
    again: a learner who retries a quiz or ticks a checklist item by item has many. ``row`` is
    that progress row when the caller read it under the learner's lock already.
    """
    activities = lesson_activities(lesson)
    state = None
    if event is not None:
        if row is UNREAD:
            row = db.session.execute(_PROGRESS_ROW, {"user_id": user.id, "lesson_id": lesson.id}).first()
        earlier = LessonState.resumed(row.fold_state, activities, row) if row is not None else None
        if earlier is not None:
            state = fold_lesson(activities, [event], since=earlier)
            logged = bool(row.fold_state.get("completion_logged"))
    if state is None:
        events = lesson_events(user.id, lesson.id)
        state = fold_lesson(activities, events)
        logged = _has_lesson_completed_event(events)
    newly_completed = state.completed_at is not None and not logged
    # The completion event is logged just below, so the kept state says it is.
    _upsert_progress(user.id, lesson, state, activities, logged or newly_completed)
    if newly_completed:
        completion = LearningEvent(
            user_id=user.id,
            verb=COMPLETED,
            course_id=lesson.course_id,
            module_id=lesson.module_id,
            lesson_id=lesson.id,
            revision_id=lesson.published_revision_id,
            success=True,
            created_at=state.completed_at,
        )
        db.session.add(completion)
        db.session.flush()
        store_event_statement(completion.id, user, _event_values(completion), lesson)
        complete_course_if_done(user, lesson.course_id)
    return state


def _event_values(event: LearningEvent) -> dict:
    return {name: getattr(event, name) for name in _EVENT_COLUMNS}


def _has_lesson_completed_event(events) -> bool:
    """Whether the lesson's events, all of them just read under the learner's lock, include its
    completion. Looked for there rather than asked again: by (learner, lesson, verb) the planner
    may prefer an index on the verb and read every completion in the organisation."""
    return any(event.verb == COMPLETED and event.activity_key is None for event in events)


def _progress_values(user_id: int, lesson: Lesson, state: LessonState, activities: list[dict], logged: bool) -> dict:
    return {
        "user_id": user_id,
        "lesson_id": lesson.id,
        "course_id": lesson.course_id,
        "status": state.status,
        "activities_done": state.done_keys,
        "started_at": state.started_at,
        "completed_at": state.completed_at,
        "last_activity_at": state.last_activity_at,
        # Whether the lesson's completion is in the log goes with the state (see refresh_lesson_progress).
        "fold_state": {**state.snapshot(activities), "completion_logged": logged},
    }


def _progress_upsert(insert):
    """INSERT … ON CONFLICT (user, lesson) DO UPDATE."""
    table = LessonProgress.__table__
    statement = insert(table).values(_bound(table, _PROGRESS_COLUMNS))
    changing = {name: statement.excluded[name] for name in _PROGRESS_COLUMNS if name not in ("user_id", "lesson_id")}
    return statement.on_conflict_do_update(index_elements=["user_id", "lesson_id"], set_=changing)


def _upsert_progress(user_id: int, lesson: Lesson, state: LessonState, activities: list[dict], logged: bool) -> None:
    values = _progress_values(user_id, lesson, state, activities, logged)
    if state.status == "not_started":
        db.session.execute(
            delete(LessonProgress).where(LessonProgress.user_id == user_id, LessonProgress.lesson_id == lesson.id)
        )
        return
    db.session.execute(_progress_upsert(dialect_insert(db.session)), values)


def required_lesson_ids(course_id: int) -> list[int]:
    """Lessons that count towards completing the course: not archived, not in an optional module."""
    return list(
        db.session.scalars(
            select(Lesson.id)
            .join(Module, Module.id == Lesson.module_id)
            .where(
                Lesson.course_id == course_id,
                Lesson.archived_at.is_(None),
                Module.archived_at.is_(None),
                Module.optional.is_(False),
            )
        )
    )


def complete_course_if_done(user, course_id: int) -> bool:
    """Mark the enrollment complete (with a certificate code) once every required lesson is."""
    enrollment = db.session.scalar(
        select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.course_id == course_id)
    )
    if enrollment is None or enrollment.completed_at is not None:
        return False
    required = required_lesson_ids(course_id)
    if not required:
        return False
    completed = db.session.scalar(
        select(func.count())
        .select_from(LessonProgress)
        .where(
            LessonProgress.user_id == user.id,
            LessonProgress.lesson_id.in_(required),
            LessonProgress.status == "completed",
        )
    )
    if completed < len(required):
        return False
    now = utcnow()
    enrollment.completed_at = now
    enrollment.certificate_code = enrollment.certificate_code or secrets.token_hex(8)
    completion = LearningEvent(user_id=user.id, verb=COMPLETED, course_id=course_id, success=True, created_at=now)
    db.session.add(completion)
    db.session.flush()
    store_event_statement(completion.id, user, _event_values(completion))
    log.info("user %s completed course %s", user.id, course_id)
    return True


def rebuild(echo=None, batch: int = 5000) -> int:
    """Recompute every ``LessonProgress`` row from the event log; returns how many differed.

    Rows that match are left alone; wrong or missing rows are rewritten, and rows with
    no events behind them are removed. 0 means the database was healthy.
    """
    lessons = {lesson.id: lesson for lesson in db.session.scalars(select(Lesson))}
    existing = {
        (row.user_id, row.lesson_id): row
        for row in db.session.execute(
            select(
                LessonProgress.user_id,
                LessonProgress.lesson_id,
                LessonProgress.status,
                LessonProgress.activities_done,
                LessonProgress.started_at,
                LessonProgress.completed_at,
                LessonProgress.last_activity_at,
                LessonProgress.fold_state,
            )
        )
    }
    differed = 0
    seen = set()
    groups = 0
    for (user_id, lesson_id), events in _events_by_learner_lesson():
        lesson = lessons.get(lesson_id)
        if lesson is None:
            continue
        seen.add((user_id, lesson_id))
        activities = lesson_activities(lesson)
        state = fold_lesson(activities, events)
        logged = _has_lesson_completed_event(events)
        wanted = _progress_values(user_id, lesson, state, activities, logged)
        current = existing.get((user_id, lesson_id))
        # A row without a kept fold state is sound: the next step folds the whole log (and keeps one).
        compared = [key for key in wanted if key != "course_id" and (key != "fold_state" or current.fold_state)]
        if current is None or any(getattr(current, key) != wanted[key] for key in compared):
            differed += 1
            _upsert_progress(user_id, lesson, state, activities, logged)
        groups += 1
        if echo and groups % batch == 0:
            echo(f"  checked {groups} learner-lessons…")
    stale = [key for key in existing if key not in seen]
    for user_id, lesson_id in stale:
        db.session.execute(
            delete(LessonProgress).where(and_(LessonProgress.user_id == user_id, LessonProgress.lesson_id == lesson_id))
        )
    return differed + len(stale)


def _events_by_learner_lesson() -> Iterable[tuple[tuple[int, int], list]]:
    statement = (
        select(
            LearningEvent.user_id,
            LearningEvent.lesson_id,
            LearningEvent.verb,
            LearningEvent.activity_key,
            LearningEvent.success,
            LearningEvent.detail,
            LearningEvent.created_at,
        )
        .where(LearningEvent.lesson_id.is_not(None), LearningEvent.verb.not_in(PROGRESS_NEUTRAL_VERBS))
        .order_by(LearningEvent.user_id, LearningEvent.lesson_id, LearningEvent.id)
        .execution_options(yield_per=2000)
    )
    current_key, bucket = None, []
    for row in db.session.execute(statement):
        key = (row.user_id, row.lesson_id)
        if key != current_key and bucket:
            yield current_key, bucket
            bucket = []
        current_key = key
        bucket.append(row)
    if bucket:
        yield current_key, bucket

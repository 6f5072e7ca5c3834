"""The learner's side: enrollments, the course map, and every activity a learner does."""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from dataclasses import dataclass, field

from sqlalchemy import and_, bindparam, case, delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from courseware.content.published import PublishedLesson, course_outlines
from courseware.core.validators import whole_number
from courseware.db import utcnow
from courseware.exceptions import Invalid, NotAllowed
from courseware.extensions import db
from courseware.models import (
    FORM_KEY_LENGTH,
    ChecklistState,
    Course,
    Enrollment,
    JournalEntry,
    LearningEvent,
    Lesson,
    LessonProgress,
    LessonRevision,
    Objective,
    ObjectiveRevision,
    QuizAttempt,
    Submission,
    User,
)
from courseware.progress import rules
from courseware.progress.services import already_recorded, begin_step, record_event

log = logging.getLogger(__name__)


def new_form_key() -> str:
    """A fresh key for one rendering of an activity form; a resubmission reuses it."""
    return uuid.uuid4().hex


_FORM_KEY = re.compile(rf"[A-Za-z0-9_-]{{1,{FORM_KEY_LENGTH}}}")


def clean_form_key(form_key: str | None) -> str | None:
    """The form's key as stored, or None for a missing or malformed one (the form then counts
    each time it is sent)."""
    form_key = (form_key or "")[:FORM_KEY_LENGTH]
    return form_key if _FORM_KEY.fullmatch(form_key) else None


def _event_key(verb: str, user: User, form_key: str | None) -> str | None:
    form_key = clean_form_key(form_key)
    if not form_key:
        return None
    return f"{verb}:{user.id}:{form_key}"


def _add_once(row, first_with_key):
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


# --- enrollments -----------------------------------------------------------------------


def enroll(
    user: User, course: Course, *, assigned_by: User | None = None, due_date: dt.date | None = None
) -> Enrollment:
    """Enroll ``user`` in ``course`` (or update the due date of an existing enrollment)."""
    enrollment = db.session.scalar(
        select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.course_id == course.id)
    )
    if enrollment is None:
        enrollment = Enrollment(
            user_id=user.id, course_id=course.id, assigned_by_id=assigned_by.id if assigned_by else None
        )
        enrollment.due_date = due_date
        db.session.add(enrollment)
        db.session.flush()
        record_event(user, rules.ENROLLED, course_id=course.id, detail={"assigned_by": enrollment.assigned_by_id})
    elif due_date is not None:
        enrollment.due_date = due_date
    return enrollment


_COURSE_AND_ENROLLMENT = (
    select(Course, Enrollment)
    .outerjoin(Enrollment, and_(Enrollment.course_id == Course.id, Enrollment.user_id == bindparam("user_id")))
    .where(Course.slug == bindparam("slug"), Course.status != "draft")
)
_PUBLISHED_COURSE = select(Course).where(Course.slug == bindparam("slug"), Course.status != "draft")


def published_course(slug: str) -> Course | None:
    """The course learners see at ``slug``, whoever asks; None for a draft or no course."""
    return db.session.scalar(_PUBLISHED_COURSE, {"slug": slug})


def published_lesson(course: Course, slug: str) -> PublishedLesson | None:
    """The lesson at ``slug`` among the course's published lessons, whoever asks."""
    for row in course_outlines([course])[course.id]:
        if row.lesson_slug == slug:
            return PublishedLesson(row.lesson_id, row.lesson_slug, row.course_id, row.module_id, row.revision_id)
    return None


def course_for_learner(user: User, slug: str) -> tuple[Course, Enrollment]:
    """The course with ``slug`` and the learner's enrollment in it; NotAllowed if not enrolled."""
    found = db.session.execute(_COURSE_AND_ENROLLMENT, {"user_id": user.id, "slug": slug}).first()
    if found is None:
        raise NotAllowed("No such course.")
    course, enrollment = found
    if enrollment is None:
        raise NotAllowed("You are not enrolled in this course.")
    return course, enrollment


# --- the course map ----------------------------------------------------------------------


@dataclass(slots=True)
class LessonItem:
    id: int
    slug: str
    title: str
    minutes: int
    module_id: int
    required: bool
    course_id: int = 0
    revision_id: int = 0
    status: str = "not_started"
    locked: bool = False
    number: int = 0

    @property
    def state(self) -> str:
        """What the learner sees: done, waiting for review, in progress, locked or to do."""
        if self.status == "completed":
            return "done"
        if self.status == "awaiting_review":
            return "waiting"
        if self.locked:
            return "locked"
        if self.status == "in_progress":
            return "in progress"
        return "to do"


@dataclass(slots=True)
class ModuleItem:
    id: int
    slug: str
    title: str
    optional: bool
    lessons: list[LessonItem] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for lesson in self.lessons if lesson.status == "completed")


@dataclass
class CourseMap:
    course: Course
    modules: list[ModuleItem]

    @property
    def lessons(self) -> list[LessonItem]:
        return [lesson for module in self.modules for lesson in module.lessons]

    @property
    def required(self) -> list[LessonItem]:
        return [lesson for lesson in self.lessons if lesson.required]

    @property
    def percent(self) -> int:
        required = self.required
        if not required:
            return 0
        return round(100 * sum(1 for lesson in required if lesson.status == "completed") / len(required))

    @property
    def next_lesson(self) -> LessonItem | None:
        """The first lesson the learner can work on now: unlocked and neither done nor waiting."""
        for lesson in self.lessons:
            if not lesson.locked and lesson.status in ("not_started", "in_progress"):
                return lesson
        return None

    def find(self, slug: str) -> LessonItem | None:
        return next((lesson for lesson in self.lessons if lesson.slug == slug), None)

    def neighbours(self, slug: str) -> tuple[LessonItem | None, LessonItem | None]:
        lessons = self.lessons
        for index, lesson in enumerate(lessons):
            if lesson.slug == slug:
                return (lessons[index - 1] if index else None, lessons[index + 1] if index + 1 < len(lessons) else None)
        return None, None


_PROGRESS_BY_LESSON = select(LessonProgress.lesson_id, LessonProgress.status).where(
    LessonProgress.user_id == bindparam("user_id"),
    LessonProgress.lesson_id.in_(bindparam("lesson_ids", expanding=True)),
)


def progress_by_lesson(user_id: int, lesson_ids: list[int]) -> dict[int, str]:
    """The learner's status of each of ``lesson_ids`` that has a progress row.

    Asked by (user, lesson), the primary key, so that it reads the learner's few rows whatever
    the database's planner thinks of the per-course indexes the managers' pages read.
    """
    if not lesson_ids:
        return {}
    return dict(db.session.execute(_PROGRESS_BY_LESSON, {"user_id": user_id, "lesson_ids": lesson_ids}).all())


def build_course_maps(user: User, courses: list[Course]) -> dict[int, CourseMap]:
    """Each course's modules and lessons with the learner's state: the kept outlines and one
    query for the learner's progress.

    Lessons unlock in order: a lesson is open once every earlier required lesson is done
    or handed in for review. Lessons of optional modules never hold later ones back.
    """
    modules = _modules_with_states(user, courses)
    return {course.id: CourseMap(course=course, modules=modules[course.id]) for course in courses}


def _modules_with_states(user: User, courses: list[Course]) -> dict[int, list[ModuleItem]]:
    outlines = course_outlines(courses)
    outline = [row for rows in outlines.values() for row in rows]
    statuses = progress_by_lesson(user.id, [row.lesson_id for row in outline])
    by_course: dict[int, list[ModuleItem]] = {course.id: [] for course in courses}
    modules: dict[int, ModuleItem] = {}
    for row in outline:
        module = modules.get(row.module_id)
        if module is None:
            module = modules[row.module_id] = ModuleItem(row.module_id, row.module_slug, row.module_title, row.optional)
            by_course[row.course_id].append(module)
        module.lessons.append(
            LessonItem(
                id=row.lesson_id,
                slug=row.lesson_slug,
                title=row.title,
                minutes=row.minutes,
                module_id=row.module_id,
                required=not row.optional,
                course_id=row.course_id,
                revision_id=row.revision_id,
                status=statuses.get(row.lesson_id, "not_started"),
            )
        )
    for course_modules in by_course.values():
        open_so_far = True
        lessons = [lesson for module in course_modules for lesson in module.lessons]
        for number, lesson in enumerate(lessons, start=1):
            lesson.number = number
            lesson.locked = not open_so_far and lesson.status == "not_started"
            if lesson.required and lesson.status not in ("completed", "awaiting_review"):
                open_so_far = False
    return by_course


def course_map(user: User, course: Course) -> CourseMap:
    return build_course_maps(user, [course])[course.id]


@dataclass
class CourseCard:
    enrollment: Enrollment
    course: Course
    map: CourseMap

    @property
    def overdue(self) -> bool:
        due = self.enrollment.due_date
        return due is not None and self.enrollment.completed_at is None and due < dt.date.today()


def my_courses(user: User) -> list[CourseCard]:
    """The learner's enrollments with progress and where to continue, in a constant number of queries."""
    rows = db.session.execute(
        select(Enrollment, Course)
        .join(Course, Course.id == Enrollment.course_id)
        .where(Enrollment.user_id == user.id, Course.status != "draft")
        .order_by(
            Enrollment.completed_at.is_not(None), Enrollment.due_date.is_(None), Enrollment.due_date, Course.title
        )
    ).all()
    maps = build_course_maps(user, [course for _, course in rows])
    return [CourseCard(enrollment, course, maps[course.id]) for enrollment, course in rows]


def lesson_for_learner(user: User, course: Course, slug: str) -> tuple[PublishedLesson, CourseMap]:
    """The lesson and the course map; NotAllowed when the lesson is locked or does not exist."""
    cmap = course_map(user, course)
    item = cmap.find(slug)
    if item is None:
        raise NotAllowed("No such lesson in this course.")
    if item.locked:
        raise NotAllowed("This lesson opens once you have finished the lessons before it.")
    return PublishedLesson(item.id, item.slug, item.course_id, item.module_id, item.revision_id), cmap


def find_activity(lesson: Lesson, key: str) -> dict:
    for activity in lesson.published_revision.activities:
        if activity["key"] == key:
            return activity
    raise Invalid("This activity is no longer part of the lesson; reload the page.")


# --- recording what the learner does ------------------------------------------------------


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
    key = _event_key("quiz", user, form_key)
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
        idempotency_key=_event_key("checked", user, form_key),
        progress=progress,
    )
    return state


def submissions(user: User, lesson: Lesson, key: str) -> list[Submission]:
    return list(
        db.session.scalars(
            select(Submission)
            .where(Submission.user_id == user.id, Submission.lesson_id == lesson.id, Submission.activity_key == key)
            .order_by(Submission.id.desc())
        )
    )


def submit_practice(
    user: User, lesson: Lesson, activity: dict, text: str, link: str | None, form_key: str
) -> Submission:
    """Hand in practice work; refused while an earlier one waits for review or once approved.

    Decided under the learner's lock, so that two hand-ins at once are taken one after the other;
    the same form sent again gets the submission it made. NotAllowed when the learner is not
    enrolled.
    """
    form_key = clean_form_key(form_key)
    progress = begin_step(user.id, lesson)
    if form_key:
        first = db.session.scalar(_submission_with_key(user, form_key))
        if first is not None:
            return first
    history = submissions(user, lesson, activity["key"])
    if history and history[0].status == "approved":
        raise Invalid("This practice work is already approved.")
    if history and history[0].status == "submitted" and rules.needs_trainer(activity):
        raise Invalid("Your last submission is waiting for review; you can resubmit once a trainer has replied.")
    needs_review = rules.needs_trainer(activity)
    submission = Submission(
        user_id=user.id,
        lesson_id=lesson.id,
        course_id=lesson.course_id,
        revision_id=lesson.published_revision_id,
        activity_key=activity["key"],
        text=text.strip(),
        link=(link or "").strip() or None,
        status="submitted" if needs_review else "approved",
        created_at=utcnow(),
        form_key=form_key,
    )
    submission, new = _add_once(submission, _submission_with_key(user, form_key))
    if not new:
        return submission
    record_event(
        user,
        rules.SUBMITTED,
        lesson=lesson,
        activity_key=activity["key"],
        text_length=len(submission.text),
        detail={"submission_id": submission.id, "version": len(history) + 1},
        idempotency_key=_event_key("submitted", user, form_key),
        progress=progress,
    )
    return submission


def _submission_with_key(user: User, form_key: str | None):
    return select(Submission).where(Submission.user_id == user.id, Submission.form_key == form_key)


def reflection_entry(user: User, lesson: Lesson, key: str) -> JournalEntry | None:
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
        first = db.session.scalar(_journal_entry_with_key(user, form_key))
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
        entry, new = _add_once(entry, _journal_entry_with_key(user, form_key))
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
        idempotency_key=_event_key("journaled", user, form_key),
        progress=progress,
    )
    return entry


def _journal_entry_with_key(user: User, form_key: str | None):
    return select(JournalEntry).where(JournalEntry.user_id == user.id, JournalEntry.form_key == form_key)


# --- journal and objectives -------------------------------------------------------------------


def journal(user: User) -> list[JournalEntry]:
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
    entry, new = _add_once(entry, _journal_entry_with_key(user, form_key))
    if new:
        record_event(
            user,
            rules.JOURNALED,
            text_length=len(entry.body),
            detail={"entry_id": entry.id},
            idempotency_key=_event_key("journal", user, form_key),
        )
    return entry


def own_journal_entry(user: User, entry_id: int) -> JournalEntry:
    entry = db.session.get(JournalEntry, entry_id)
    if entry is None or entry.user_id != user.id:
        raise NotAllowed("No such journal entry.")
    return entry


def set_sharing(entry: JournalEntry, *, share_mentor: bool, share_manager: bool) -> None:
    """Change who an entry is shared with. Saving it counts as sharing it now: a mentor paired
    since it was first shared reads it from now on (see ``mentor_reads_entry``)."""
    entry.shared_with_mentor = share_mentor
    entry.shared_with_manager = share_manager
    entry.updated_at = utcnow()


OBJECTIVE_FIELDS = ("title", "horizon", "measure_kind", "measure", "target_date", "status")


def objectives(user: User) -> list[Objective]:
    return list(
        db.session.scalars(
            select(Objective)
            .where(Objective.user_id == user.id)
            .order_by(
                case((Objective.status == "active", 0), else_=1),
                Objective.target_date.is_(None),
                Objective.target_date,
                Objective.id,
            )
        )
    )


def set_objective(owner: User, author: User, values: dict, form_key: str | None = None) -> Objective:
    """Create an objective for ``owner`` with its first revision.

    The same form sent again, even at the same moment, gets the objective it made.
    """
    form_key = clean_form_key(form_key)
    objective = Objective(
        user_id=owner.id,
        **{name: values.get(name) for name in OBJECTIVE_FIELDS if name != "status"},
        status="active",
        form_key=form_key,
    )
    first_with_key = select(Objective).where(Objective.user_id == owner.id, Objective.form_key == form_key)
    objective, new = _add_once(objective, first_with_key)
    if not new:
        return objective
    _add_objective_revision(objective, author, note=values.get("note"))
    record_event(
        owner,
        rules.SET_OBJECTIVE,
        detail={"objective_id": objective.id, "by": author.id},
        idempotency_key=_event_key("objective", owner, form_key),
    )
    return objective


def revise_objective(
    objective: Objective, author: User, values: dict, form_key: str | None = None
) -> ObjectiveRevision | None:
    """Change an objective; each change is kept as a revision. Nothing happens when nothing changed.

    Revisions of one objective are made one after another (under a lock on its row), each
    compared with the one before; the same form sent again gets the revision it made.
    """
    form_key = clean_form_key(form_key)
    db.session.refresh(objective, with_for_update=True)
    if form_key:
        first = db.session.scalar(
            select(ObjectiveRevision).where(
                ObjectiveRevision.objective_id == objective.id, ObjectiveRevision.form_key == form_key
            )
        )
        if first is not None:
            return first
    changed = {name for name in OBJECTIVE_FIELDS if values.get(name) != getattr(objective, name)}
    if not changed and not values.get("note"):
        return None
    for name in OBJECTIVE_FIELDS:
        setattr(objective, name, values.get(name))
    objective.updated_at = utcnow()
    revision = _add_objective_revision(objective, author, note=values.get("note"), form_key=form_key)
    owner = db.session.get(User, objective.user_id)
    record_event(
        owner,
        rules.REVISED_OBJECTIVE,
        detail={"objective_id": objective.id, "revision": revision.number, "by": author.id, "changed": sorted(changed)},
    )
    return revision


def _add_objective_revision(
    objective: Objective, author: User, note: str | None, form_key: str | None = None
) -> ObjectiveRevision:
    number = (
        db.session.scalar(
            select(func.max(ObjectiveRevision.number)).where(ObjectiveRevision.objective_id == objective.id)
        )
        or 0
    ) + 1
    revision = ObjectiveRevision(
        objective_id=objective.id,
        number=number,
        author_id=author.id,
        note=(note or "").strip() or None,
        form_key=form_key,
        **{name: getattr(objective, name) for name in OBJECTIVE_FIELDS},
    )
    db.session.add(revision)
    db.session.flush()
    return revision


def objective_for(user: User, objective_id: int) -> Objective:
    """The learner's own objective; NotAllowed for anyone else's."""
    objective = db.session.get(Objective, objective_id)
    if objective is None or objective.user_id != user.id:
        raise NotAllowed("No such objective.")
    return objective


# --- timeline and certificates -----------------------------------------------------------------


def timeline(user: User, limit: int = 100) -> list[tuple[LearningEvent, str | None, str | None]]:
    """The learner's latest events with the course and lesson titles they concern."""
    return db.session.execute(
        select(LearningEvent, Course.title, LessonRevision.title)
        .outerjoin(Course, Course.id == LearningEvent.course_id)
        .outerjoin(Lesson, Lesson.id == LearningEvent.lesson_id)
        .outerjoin(LessonRevision, LessonRevision.id == Lesson.published_revision_id)
        .where(LearningEvent.user_id == user.id, LearningEvent.verb != rules.VIEWED)
        .order_by(LearningEvent.id.desc())
        .limit(limit)
    ).all()


def certificate(code: str) -> tuple[Enrollment, User, Course] | None:
    row = db.session.execute(
        select(Enrollment, User, Course)
        .join(User, User.id == Enrollment.user_id)
        .join(Course, Course.id == Enrollment.course_id)
        .where(Enrollment.certificate_code == code, Enrollment.completed_at.is_not(None))
    ).first()
    return tuple(row) if row else None

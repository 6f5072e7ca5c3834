"""A synthetic organisation for demos and benchmarks (``flask --app app demo generate``).

Teams, their managers, a trainer, learners enrolled in the built-in course with due dates, and
90 days of events from a handful of learner profiles — steady, fading, stalled on a review,
never started, finished, newly started. The same seed gives the same organisation. Rows go in
with bulk inserts in batches; the work behind each event (quiz attempts, checklist states,
submissions and reviews, journal entries, objectives) is created too, and lesson progress is
derived with ``progress.rules.fold_lesson``, so ``progress rebuild`` finds nothing to correct.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import JSON, func, insert, select, text

from courseware.auth.passwords import hash_password
from courseware.auth.services import get_or_create_team
from courseware.demo import DemoRefused
from courseware.demo.load import DEMO_PASSWORD
from courseware.extensions import db
from courseware.models import (
    ChecklistState,
    Course,
    Enrollment,
    JournalEntry,
    LearningEvent,
    Lesson,
    LessonProgress,
    LessonRevision,
    ManagerScope,
    Module,
    Objective,
    ObjectiveRevision,
    QuizAttempt,
    Review,
    Submission,
    User,
    UserRole,
)
from courseware.progress import rules

log = logging.getLogger(__name__)

DAYS = 90
BATCH = 500  # learners generated and inserted together
PROGRESS_SECONDS = 10  # how often a long run says how far it got
TEAM_SIZE = 40
DEPARTMENTS = (
    "Communications",
    "Customer Service",
    "Marketing",
    "Human Resources",
    "Research",
    "Finance",
    "Events",
    "Policy",
    "Sales",
    "Digital",
    "Press Office",
    "Partnerships",
)
FIRST = [
    "Ada",
    "Alex",
    "Amira",
    "Ben",
    "Carla",
    "Chen",
    "Dana",
    "Eli",
    "Emma",
    "Farid",
    "Grace",
    "Hana",
    "Ivan",
    "Jonas",
    "Kai",
    "Lena",
    "Luca",
    "Maya",
    "Nia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Sofia",
    "Tariq",
    "Uma",
    "Vera",
    "Wen",
    "Yusuf",
    "Zoe",
    "Noah",
    "Ines",
    "Leo",
    "Mila",
    "Ravi",
    "Sara",
    "Tom",
    "Iris",
    "Hugo",
]
LAST = [
    "Adams",
    "Baker",
    "Costa",
    "Diaz",
    "Evans",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Patel",
    "Quist",
    "Rossi",
    "Silva",
    "Tanaka",
    "Usman",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zhang",
    "Novak",
    "Berg",
    "Lind",
    "Mensah",
]
# name, share of learners
PROFILES = (
    ("steady", 0.32),
    ("finished", 0.14),
    ("fading", 0.2),
    ("stalled_on_review", 0.1),
    ("never_started", 0.1),
    ("newcomer", 0.14),
)


@dataclass
class Event:
    """An event being generated: the fields ``fold_lesson`` reads, and the rest of the row."""

    verb: str
    created_at: dt.datetime
    lesson: LessonInfo | None = None
    activity_key: str | None = None
    success: bool | None = None
    score: float | None = None
    text_length: int | None = None
    detail: dict | None = None


@dataclass
class LessonInfo:
    id: int
    module_id: int
    course_id: int
    revision_id: int | None
    activities: list[dict]
    required: bool


@dataclass
class GenerateResult:
    teams: int = 0
    managers: int = 0
    learners: int = 0
    enrollments: int = 0
    events: int = 0
    progress_rows: int = 0
    submissions: int = 0
    course: str = ""

    def summary(self) -> str:
        return (
            f"Generated {self.learners} learners in {self.teams} teams with {self.managers} managers, "
            f"{self.enrollments} enrollments in {self.course}, {self.events} events, "
            f"{self.submissions} practice submissions and {self.progress_rows} lesson progress rows."
        )


@dataclass
class _Work:
    """Rows waiting to be inserted, with the events that must learn the ids of some of them."""

    events: list[dict] = field(default_factory=list)
    progress: list[dict] = field(default_factory=list)
    enrollments: list[dict] = field(default_factory=list)
    checklists: list[dict] = field(default_factory=list)
    # (row, event detail dicts to receive its id, dependent rows to receive it as foreign key)
    submissions: list[tuple[dict, list[dict], list[dict]]] = field(default_factory=list)
    attempts: list[tuple[dict, list[dict]]] = field(default_factory=list)
    journal: list[tuple[dict, list[dict]]] = field(default_factory=list)
    objectives: list[tuple[dict, list[dict], list[dict]]] = field(default_factory=list)


def course_lessons(course: Course) -> list[LessonInfo]:
    """The course's lessons in order, with their published activities."""
    rows = db.session.execute(
        select(Lesson.id, Lesson.module_id, Lesson.course_id, Lesson.published_revision_id, LessonRevision.activities)
        .join(Module, Module.id == Lesson.module_id)
        .join(LessonRevision, LessonRevision.id == Lesson.published_revision_id)
        .add_columns(Module.optional)
        .where(Lesson.course_id == course.id, Lesson.archived_at.is_(None), Module.archived_at.is_(None))
        .order_by(Module.position, Lesson.position)
    ).all()
    return [
        LessonInfo(
            row.id,
            row.module_id,
            row.course_id,
            row.published_revision_id,
            list(row.activities or []),
            not row.optional,
        )
        for row in rows
    ]


def find_or_import_course(lessons_path: str | None, echo: Callable[[str], None]) -> Course:
    """The first published course; the built-in one is imported when there is none yet."""
    course = db.session.scalar(select(Course).where(Course.status == "published").order_by(Course.id).limit(1))
    if course is not None:
        return course
    if lessons_path:
        from courseware.content.services import import_courses

        echo("No course yet: importing the built-in course…")
        courses = import_courses(lessons_path, echo=echo).courses
        if courses:
            return courses[0]
    raise DemoRefused(
        "There is no published course to enroll learners in; import one with `flask --app app lessons import`."
    )


def organisation_exists(seed: int) -> bool:
    """Whether the organisation for ``seed`` was generated here already."""
    domain = f"org{seed}.example.org"
    return db.session.scalar(select(User.id).where(User.email.like(f"%@{domain}")).limit(1)) is not None


def generate_organisation(
    learners: int,
    seed: int,
    *,
    course: Course,
    echo: Callable[[str], None] = log.info,
    today: dt.date | None = None,
) -> GenerateResult:
    """Create the organisation for ``seed`` (refused when it already exists); returns the counts."""
    if learners < 1:
        raise DemoRefused("Generate at least one learner.")
    rng = random.Random(seed)
    domain = f"org{seed}.example.org"
    if organisation_exists(seed):
        raise DemoRefused(f"An organisation with seed {seed} already exists here; choose another seed.")
    today = today or dt.date.today()
    end = dt.datetime.combine(today, dt.time(), dt.UTC)
    start = end - dt.timedelta(days=DAYS)
    lessons = course_lessons(course)
    if not lessons:
        raise DemoRefused(f"The course {course.slug} has no published lessons.")
    result = GenerateResult(course=course.slug)
    password_hash = hash_password(DEMO_PASSWORD)

    team_count = max(2, min(len(DEPARTMENTS) * 10, round(learners / TEAM_SIZE)))
    teams = []
    for index in range(team_count):
        name = DEPARTMENTS[index % len(DEPARTMENTS)]
        if index >= len(DEPARTMENTS):
            name = f"{name} {index // len(DEPARTMENTS) + 1}"
        teams.append(get_or_create_team(name))
    result.teams = len(teams)

    staff = [
        {
            "email": f"manager{index + 1:03d}@{domain}",
            "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "roles": ("learner", "manager"),
            "team_id": team.id,
        }
        for index, team in enumerate(teams)
    ]
    staff.append(
        {"email": f"trainer@{domain}", "name": "Tess Trainer", "roles": ("learner", "trainer"), "team_id": None}
    )
    staff_ids = _insert_people(staff, password_hash, start)
    manager_ids, trainer_id = staff_ids[:-1], staff_ids[-1]
    _insert_rows(ManagerScope, [{"manager_id": m, "team_id": t.id} for m, t in zip(manager_ids, teams, strict=True)])
    result.managers = len(manager_ids)
    echo(f"Created {len(teams)} teams, {len(manager_ids)} managers and a trainer (password: {DEMO_PASSWORD}).")

    names = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(learners)]
    team_of = [rng.randrange(len(teams)) for _ in range(learners)]
    weights = [share for _, share in PROFILES]
    profiles = rng.choices([name for name, _ in PROFILES], weights=weights, k=learners)
    people = [
        {
            "email": f"learner{index + 1:05d}@{domain}",
            "name": names[index],
            "roles": ("learner",),
            "team_id": teams[team_of[index]].id,
        }
        for index in range(learners)
    ]
    learner_ids = _insert_people(people, password_hash, start, batch=2000)
    result.learners = learners
    echo(f"Created {learners} learners.")

    began = last_said = time.monotonic()
    for first in range(0, learners, BATCH):
        work = _Work()
        for index in range(first, min(first + BATCH, learners)):
            person_rng = random.Random(f"{seed}:{index}")
            _simulate(
                work,
                person_rng,
                profiles[index],
                learner_ids[index],
                manager_ids[team_of[index]],
                trainer_id,
                course,
                lessons,
                start,
                end,
            )
        _flush(work, result)
        done = min(first + BATCH, learners)
        if time.monotonic() - last_said >= PROGRESS_SECONDS or done == learners:
            last_said = time.monotonic()
            elapsed = last_said - began
            left = elapsed / done * (learners - done)
            echo(
                f"  {done} of {learners} learners, {result.events} events, "
                f"{elapsed:.0f} s so far, about {left:.0f} s to go"
            )
    return result


def _bulk(model):
    """A plain (Core) bulk INSERT into the model's table: rows go in executemany batches with no
    per-row ORM bookkeeping, and every row keeps all its keys (None included)."""
    return insert(model.__table__)


def _insert_rows(model, rows: list[dict]) -> None:
    """Insert ``rows`` (dicts keyed by column, all with the same keys) into the model's table.

    On PostgreSQL they are streamed with ``COPY``, several times faster than multi-row INSERTs
    for the millions of events of a large organisation; elsewhere a bulk INSERT. Both store the
    same values: a JSON column given None holds JSON ``null``, as SQLAlchemy's JSON type does.
    """
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(_bulk(model), rows)
        return
    table = model.__table__
    keys = list(rows[0])
    columns = [table.columns[key] for key in keys]
    as_json = [isinstance(column.type, JSON) for column in columns]
    quote = connection.dialect.identifier_preparer
    names = ", ".join(quote.quote(column.name) for column in columns)
    cursor = connection.connection.driver_connection.cursor()
    with cursor, cursor.copy(f"COPY {quote.format_table(table)} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(
                [json.dumps(row[key]) if encode else row[key] for key, encode in zip(keys, as_json, strict=True)]
            )


def _insert_returning_ids(model, rows: list[dict]) -> list[int]:
    """Insert ``rows`` into the model's table and return their new ids, in the order of ``rows``.

    On PostgreSQL the ids are taken from the table's sequence first and the rows copied with
    them (an INSERT … RETURNING of thousands of rows costs more to send than to store)."""
    if not rows:
        return []
    if db.session.get_bind().dialect.name != "postgresql":
        statement = _bulk(model).returning(model.id, sort_by_parameter_order=True)
        return list(db.session.scalars(statement, rows))
    ids = sorted(
        db.session.scalars(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"),
            {"table": model.__tablename__, "count": len(rows)},
        )
    )
    _insert_rows(model, [{"id": new_id, **row} for new_id, row in zip(ids, rows, strict=True)])
    return ids


def _insert_people(people: list[dict], password_hash: str, created_at: dt.datetime, batch: int = 2000) -> list[int]:
    ids: list[int] = []
    for first in range(0, len(people), batch):
        chunk = people[first : first + batch]
        rows = [
            {
                "email": p["email"],
                "name": p["name"],
                "password_hash": password_hash,
                "is_active": True,
                "team_id": p["team_id"],
                "created_at": created_at,
            }
            for p in chunk
        ]
        new_ids = _insert_returning_ids(User, rows)
        _insert_rows(
            UserRole,
            [{"user_id": uid, "role": role} for uid, p in zip(new_ids, chunk, strict=True) for role in p["roles"]],
        )
        ids.extend(new_ids)
    return ids


# --- one learner's 90 days ----------------------------------------------------------------------


def _session_days(rng: random.Random, profile: str, enrolled_day: int) -> list[int]:
    """The days (0 = first of the 90) on which the learner works, by profile."""
    days = []
    if profile == "never_started":
        return days
    if profile == "steady":
        chance = rng.uniform(0.25, 0.5)
        days = [d for d in range(enrolled_day, DAYS) if rng.random() < chance]
    elif profile == "finished":
        chance = rng.uniform(0.5, 0.8)
        days = [d for d in range(enrolled_day, DAYS) if rng.random() < chance]
    elif profile == "fading":
        chance, half_life = rng.uniform(0.5, 0.8), rng.uniform(6, 16)
        stop = rng.randrange(enrolled_day + 10, min(enrolled_day + 60, DAYS - 15) + 1)
        days = [d for d in range(enrolled_day, stop) if rng.random() < chance * 0.5 ** ((d - enrolled_day) / half_life)]
    elif profile == "stalled_on_review":
        chance = rng.uniform(0.4, 0.7)
        days = [d for d in range(enrolled_day, DAYS) if rng.random() < chance]
    elif profile == "newcomer":
        chance = rng.uniform(0.4, 0.7)
        days = [d for d in range(enrolled_day, DAYS) if rng.random() < chance * (0.5 + (d - enrolled_day) / 30)]
    return days or [enrolled_day]


def _enrolled_day(rng: random.Random, profile: str) -> int:
    if profile == "newcomer":
        return rng.randrange(DAYS - 25, DAYS - 8)
    if profile == "never_started":
        return rng.randrange(0, DAYS - 5)
    if profile == "finished":
        return rng.randrange(0, 35)
    return rng.randrange(0, 40)


def _at(start: dt.datetime, day: int, rng: random.Random) -> dt.datetime:
    return start + dt.timedelta(
        days=day, hours=rng.randint(8, 17), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59)
    )


def _simulate(
    work: _Work,
    rng: random.Random,
    profile: str,
    user_id: int,
    manager_id: int,
    trainer_id: int,
    course: Course,
    lessons: list[LessonInfo],
    start: dt.datetime,
    end: dt.datetime,
) -> None:
    enrolled_day = _enrolled_day(rng, profile)
    enrolled_at = _at(start, enrolled_day, rng).replace(hour=7)
    due_date = (enrolled_at + dt.timedelta(days=rng.choice((30, 45, 60, 75, 90)))).date()
    events: list[Event] = [Event(rules.ENROLLED, enrolled_at, detail={"assigned_by": manager_id})]
    stop_at_review = profile == "stalled_on_review"
    pace = {"finished": (2, 4), "newcomer": (1, 3)}.get(profile, (1, 2))
    position = 0  # next lesson to work on
    blocked = False
    for day in _session_days(rng, profile, enrolled_day):
        if position >= len(lessons) or blocked:
            break
        moment = _at(start, day, rng)
        for _ in range(rng.randint(*pace)):
            if position >= len(lessons) or blocked:
                break
            moment, stalled = _work_on_lesson(
                work, rng, events, lessons[position], user_id, trainer_id, moment, end, stop_at_review
            )
            position += 1
            if stalled:
                blocked = True
            moment += dt.timedelta(minutes=rng.randint(3, 25))
        if rng.random() < 0.04:
            _set_objective(work, rng, events, user_id, moment + dt.timedelta(minutes=5), end)
    events = [event for event in events if event.created_at < end]
    events.sort(key=lambda event: event.created_at)
    _derive(work, rng, events, user_id, manager_id, course, lessons, enrolled_at, due_date)


def _work_on_lesson(
    work: _Work,
    rng: random.Random,
    events: list[Event],
    lesson: LessonInfo,
    user_id: int,
    trainer_id: int,
    moment: dt.datetime,
    end: dt.datetime,
    stop_at_review: bool,
) -> tuple[dt.datetime, bool]:
    """Events for one lesson worked through from ``moment``; True when the learner stops here for good."""
    events.append(Event(rules.VIEWED, moment, lesson))
    if not lesson.activities:
        moment += dt.timedelta(minutes=rng.randint(2, 10))
        events.append(Event(rules.READ, moment, lesson))
        return moment, False
    for activity in lesson.activities:
        moment += dt.timedelta(minutes=rng.randint(2, 12))
        kind, key = activity["type"], activity["key"]
        if kind == "quiz":
            questions = max(len(activity.get("questions", [])), 1)
            if rng.random() < 0.25:
                _quiz(work, events, lesson, user_id, key, moment, questions, passed=False)
                moment += dt.timedelta(minutes=rng.randint(1, 6))
            _quiz(work, events, lesson, user_id, key, moment, questions, passed=True)
        elif kind == "reflection":
            body = "A reflection on what I noticed this week. " * rng.randint(1, 5)
            detail: dict = {}
            entry = {
                "user_id": user_id,
                "lesson_id": lesson.id,
                "activity_key": key,
                "prompt": activity.get("prompt"),
                "body": body.strip(),
                "shared_with_mentor": rng.random() < 0.4,
                "shared_with_manager": rng.random() < 0.3,
                "created_at": moment,
                "updated_at": moment,
            }
            work.journal.append((entry, [detail]))
            events.append(Event(rules.JOURNALED, moment, lesson, key, text_length=len(entry["body"]), detail=detail))
        elif kind == "checklist":
            items = len(activity.get("items", [])) or 1
            needs_trainer = rules.needs_trainer(activity)
            state = {
                "user_id": user_id,
                "lesson_id": lesson.id,
                "revision_id": lesson.revision_id,
                "activity_key": key,
                "ticked": list(range(items)),
                "status": "awaiting_verification" if needs_trainer else "open",
                "verified_by_id": None,
                "verified_at": None,
                "comment": None,
                "updated_at": moment,
            }
            work.checklists.append(state)
            events.append(
                Event(
                    rules.CHECKED, moment, lesson, key, score=1.0, detail={"ticked": state["ticked"], "complete": True}
                )
            )
            if needs_trainer:
                if stop_at_review:
                    return moment, True
                verified = moment + dt.timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 5))
                if verified < end:
                    state.update(
                        status="verified", verified_by_id=trainer_id, verified_at=verified, updated_at=verified
                    )
                    events.append(Event(rules.REVIEWED, verified, lesson, key, success=True, detail={"by": trainer_id}))
        elif kind == "practice":
            needs_trainer = rules.needs_trainer(activity)
            stalled = needs_trainer and stop_at_review
            moment = _practice(work, rng, events, lesson, activity, user_id, trainer_id, moment, end, stalled)
            if stalled:
                return moment, True
    return moment, False


def _quiz(work, events, lesson, user_id, key, moment, questions, *, passed: bool) -> None:
    right = questions if passed else max(questions // 2, 0)
    detail = {"right": right, "questions": questions}
    attempt = {
        "user_id": user_id,
        "lesson_id": lesson.id,
        "revision_id": lesson.revision_id,
        "activity_key": key,
        "answers": {},
        "score": right,
        "max_score": questions,
        "passed": passed,
        "created_at": moment,
    }
    work.attempts.append((attempt, [detail]))
    verb = rules.PASSED if passed else rules.FAILED
    events.append(Event(verb, moment, lesson, key, success=passed, score=right / questions, detail=detail))


def _practice(work, rng, events, lesson, activity, user_id, trainer_id, moment, end, stalled) -> dt.datetime:
    """One or two hand-ins of practice work, reviewed a few days later unless the learner stalls on it."""
    key = activity["key"]
    needs_trainer = rules.needs_trainer(activity)
    version = 1
    while True:
        text = "My practice work, with the plan, the draft and what I would measure. " * rng.randint(2, 6)
        detail: dict = {"version": version}
        submission = {
            "user_id": user_id,
            "lesson_id": lesson.id,
            "course_id": lesson.course_id,
            "revision_id": lesson.revision_id,
            "activity_key": key,
            "text": text.strip(),
            "link": None,
            "status": "submitted" if needs_trainer else "approved",
            "created_at": moment,
        }
        reviews: list[dict] = []
        work.submissions.append((submission, [detail], reviews))
        events.append(Event(rules.SUBMITTED, moment, lesson, key, text_length=len(submission["text"]), detail=detail))
        if not needs_trainer or stalled:
            return moment
        reviewed = moment + dt.timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 6))
        if reviewed >= end:
            return moment
        approve = version > 1 or rng.random() < 0.8
        decision = "approved" if approve else "changes_requested"
        submission["status"] = decision
        reviews.append(
            {
                "reviewer_id": trainer_id,
                "scores": {
                    criterion.get("name", f"c{i}"): rng.randint(2, 4)
                    for i, criterion in enumerate(activity.get("rubric", []))
                },
                "comment": "Clear and specific; well done."
                if approve
                else "Good start: make the measure specific, then resubmit.",
                "decision": decision,
                "created_at": reviewed,
            }
        )
        events.append(
            Event(
                rules.REVIEWED, reviewed, lesson, key, success=approve, detail={"by": trainer_id, "decision": decision}
            )
        )
        if approve:
            return moment
        version += 1
        moment = reviewed + dt.timedelta(days=rng.randint(0, 2), hours=rng.randint(1, 4))
        if moment >= end:
            return moment


def _set_objective(work, rng, events, user_id, moment, end) -> None:
    if moment >= end:
        return
    objective = {
        "user_id": user_id,
        "title": rng.choice(
            (
                "Answer every comment within a day",
                "Publish two posts a month",
                "Grow the listening log",
                "Train a colleague",
            )
        ),
        "horizon": rng.choice(("short", "medium", "long")),
        "measure_kind": "quantitative",
        "measure": "Counted each week in the results journal.",
        "target_date": (moment + dt.timedelta(days=rng.choice((30, 90, 180)))).date(),
        "status": "active",
        "created_at": moment,
        "updated_at": moment,
    }
    revision = {k: objective[k] for k in ("title", "horizon", "measure_kind", "measure", "target_date", "status")}
    revision.update(number=1, note=None, author_id=user_id, created_at=moment)
    detail = {"by": user_id}
    work.objectives.append((objective, [detail], [revision]))
    events.append(Event(rules.SET_OBJECTIVE, moment, detail=detail))


def _derive(
    work: _Work,
    rng: random.Random,
    events: list[Event],
    user_id: int,
    manager_id: int,
    course: Course,
    lessons: list[LessonInfo],
    enrolled_at: dt.datetime,
    due_date: dt.date,
) -> None:
    """Fold the events into lesson progress (adding each lesson's completion event, as the live
    path does) and into the enrollment, then queue every row."""
    by_lesson: dict[int, list[Event]] = {}
    for event in events:
        if event.lesson is not None:
            by_lesson.setdefault(event.lesson.id, []).append(event)
    completions: list[Event] = []
    required_done: list[dt.datetime] = []
    required = sum(1 for lesson in lessons if lesson.required)
    for lesson in lessons:
        lesson_events = by_lesson.get(lesson.id)
        if not lesson_events:
            continue
        state = rules.fold_lesson(lesson.activities, lesson_events)
        if state.completed_at is not None:
            completions.append(Event(rules.COMPLETED, state.completed_at, lesson, success=True))
            if lesson.required:
                required_done.append(state.completed_at)
        work.progress.append(
            {
                "user_id": user_id,
                "lesson_id": lesson.id,
                "course_id": lesson.course_id,
                "status": state.status,
                "activities_done": state.done_keys,
                "started_at": state.started_at,
                "completed_at": state.completed_at,
                "last_activity_at": state.last_activity_at,
            }
        )
    completed_at = max(required_done) if required and len(required_done) == required else None
    if completed_at is not None:
        completions.append(Event(rules.COMPLETED, completed_at, None, success=True))
    # A completion follows the event that caused it: stable sort keeps it after its twin in time.
    merged = sorted(events + completions, key=lambda event: event.created_at)
    active = [
        e for e in merged if e.verb not in (rules.ENROLLED,) and (e.lesson is not None or e.verb == rules.COMPLETED)
    ]
    work.enrollments.append(
        {
            "user_id": user_id,
            "course_id": course.id,
            "assigned_by_id": manager_id,
            "due_date": due_date,
            "enrolled_at": enrolled_at,
            "started_at": active[0].created_at if active else None,
            "completed_at": completed_at,
            "last_activity_at": active[-1].created_at if active else None,
            "certificate_code": f"{rng.getrandbits(64):016x}" if completed_at else None,
        }
    )
    for event in merged:
        lesson = event.lesson
        course_id = course.id if (lesson is not None or event.verb in (rules.ENROLLED, rules.COMPLETED)) else None
        work.events.append(
            {
                "user_id": user_id,
                "verb": event.verb,
                "course_id": course_id,
                "module_id": lesson.module_id if lesson else None,
                "lesson_id": lesson.id if lesson else None,
                "activity_key": event.activity_key,
                "revision_id": lesson.revision_id if lesson else None,
                "score": event.score,
                "success": event.success,
                "text_length": event.text_length,
                "detail": event.detail,
                "idempotency_key": None,
                "created_at": event.created_at,
            }
        )


def _flush(work: _Work, result: GenerateResult) -> None:
    """Insert the queued rows: first those whose ids events refer to, then the events."""
    if work.submissions:
        ids = _insert_returning_ids(Submission, [row for row, _, _ in work.submissions])
        reviews = []
        for new_id, (_, details, dependents) in zip(ids, work.submissions, strict=True):
            for detail in details:
                detail["submission_id"] = new_id
            for review in dependents:
                reviews.append({**review, "submission_id": new_id})
        if reviews:
            _insert_rows(Review, reviews)
        result.submissions += len(ids)
    for model, queued in ((QuizAttempt, work.attempts), (JournalEntry, work.journal)):
        if not queued:
            continue
        ids = _insert_returning_ids(model, [row for row, _ in queued])
        name = "attempt_id" if model is QuizAttempt else "entry_id"
        for new_id, (_, details) in zip(ids, queued, strict=True):
            for detail in details:
                detail[name] = new_id
    if work.objectives:
        ids = _insert_returning_ids(Objective, [row for row, _, _ in work.objectives])
        revisions = []
        for new_id, (_, details, dependents) in zip(ids, work.objectives, strict=True):
            for detail in details:
                detail["objective_id"] = new_id
            revisions.extend({**revision, "objective_id": new_id} for revision in dependents)
        _insert_rows(ObjectiveRevision, revisions)
    if work.checklists:
        _insert_rows(ChecklistState, work.checklists)
    if work.enrollments:
        _insert_rows(Enrollment, work.enrollments)
        result.enrollments += len(work.enrollments)
    for first in range(0, len(work.events), 5000):
        _insert_rows(LearningEvent, work.events[first : first + 5000])
    result.events += len(work.events)
    if work.progress:
        _insert_rows(LessonProgress, work.progress)
        result.progress_rows += len(work.progress)


def count_rows() -> dict[str, int]:
    """Row counts of the tables the generator fills (for checks and the summary)."""
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in (User, Enrollment, LearningEvent, LessonProgress, Submission, Review, JournalEntry, QuizAttempt)
    }

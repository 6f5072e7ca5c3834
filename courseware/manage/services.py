"""Managers' views of progress: the learner summary, assignments, charts' figures, a person's record.

Everything here is scoped: each function takes the ``Scope`` of the person asking and never
returns anyone outside it. Figures are aggregated in SQL in a fixed number of statements,
whatever the number of learners.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    type_coerce,
    union_all,
)

from courseware.db import UTCDateTime, utcnow
from courseware.exceptions import Invalid, NotAllowed
from courseware.extensions import db
from courseware.learn.course_map import build_course_maps
from courseware.learn.enrollment import enroll
from courseware.manage.policies import Scope
from courseware.models import (
    ChecklistState,
    Course,
    Enrollment,
    JournalEntry,
    LearningEvent,
    Lesson,
    LessonProgress,
    LessonRevision,
    Module,
    Objective,
    Reminder,
    Review,
    Submission,
    Team,
    User,
)
from courseware.progress import status as rules
from courseware.progress.services import PASSIVE_VERBS

log = logging.getLogger(__name__)

TREND_DAYS = 14
SORTS = ("name", "team", "percent", "last_active", "trend", "status", "due")
STATUS_LABELS = {
    rules.OVERDUE: "Overdue",
    rules.BLOCKED: "Blocked",
    rules.STALLED: "Stalled",
    rules.ON_TRACK: "On track",
    rules.DONE_ALL: "Completed",
    rules.NOT_ENROLLED: "Not enrolled",
}
# Statuses a reminder is meant for: the learner can act, and hasn't.
REMINDABLE = (rules.STALLED, rules.OVERDUE)


@dataclass(frozen=True)
class PeopleFilter:
    team_id: int | None = None
    course_id: int | None = None
    status: str | None = None
    query: str = ""
    sort: str = "status"
    descending: bool = False
    user_ids: tuple[int, ...] | None = None

    def args(self) -> dict:
        """The filter as query-string arguments (for links that keep it)."""
        values = {
            "team": self.team_id,
            "course": self.course_id,
            "status": self.status,
            "q": self.query or None,
            "sort": self.sort if self.sort != "status" else None,
            "order": "desc" if self.descending else None,
        }
        return {key: value for key, value in values.items() if value is not None}


@dataclass(frozen=True)
class Clock:
    """The moments the rules compare against, fixed once per request so that every figure agrees."""

    now: dt.datetime
    stalled_days: int

    @property
    def today(self) -> dt.date:
        return self.now.date()

    @property
    def trend_middle(self) -> dt.datetime:
        return self.now - dt.timedelta(days=TREND_DAYS)

    @property
    def trend_start(self) -> dt.datetime:
        return self.now - dt.timedelta(days=2 * TREND_DAYS)

    @property
    def stalled_cutoff(self) -> dt.datetime:
        return rules.stalled_cutoff(self.now, self.stalled_days)


def clock(stalled_days: int, now: dt.datetime | None = None) -> Clock:
    return Clock(now or utcnow(), int(stalled_days))


@dataclass
class LearnerRow:
    """One line of the people table: a learner and the figures the rules need."""

    id: int
    name: str
    email: str
    team_id: int | None
    team: str | None
    enrolled: int
    completed: int
    started: int
    percent: int
    last_active_at: dt.datetime | None
    recent: int
    before: int
    due_date: dt.date | None
    assigned_at: dt.datetime | None
    lessons_left: int
    lessons_waiting: int
    waiting_since: dt.datetime | None
    status_code: str
    clock: Clock

    @property
    def trend(self) -> str:
        return rules.trend(self.recent, self.before)

    @property
    def status(self) -> rules.LearnerStatus:
        return rules.learner_status(
            enrolled=self.enrolled,
            completed=self.completed,
            due_date=self.due_date,
            lessons_left=self.lessons_left,
            lessons_waiting=self.lessons_waiting,
            last_active_at=self.last_active_at,
            assigned_at=self.assigned_at,
            waiting_since=self.waiting_since,
            now=self.clock.now,
            stalled_days=self.clock.stalled_days,
        )

    @property
    def remindable(self) -> bool:
        return self.status_code in REMINDABLE


# --- the learner summary: one row per person, every figure aggregated in SQL -----------------
#
# Two stages keep the work proportional to what is shown. The ``learners`` CTE holds, for
# everyone in scope, only what the status needs (enrollments, pending reviews, recent activity
# of those who may have stalled) and the status itself, so the table can be filtered, sorted
# and counted by status. The latest activity, lessons done and the 14-day event counts are
# worked out afterwards for the rows of the page only — or for everyone when the table is
# sorted by them or exported.


def _required_lessons():
    """Lessons that count towards a course: not archived, not in an archived or optional module."""
    return (
        select(Lesson.id.label("lesson_id"), Lesson.course_id)
        .join(Module, Module.id == Lesson.module_id)
        .where(Lesson.archived_at.is_(None), Module.archived_at.is_(None), Module.optional.is_(False))
    )


def _people_ids(scope: Scope, filters: PeopleFilter):
    """The ids of the people in scope and filters, to narrow each aggregate before it groups
    (None when that is everyone: then each aggregate reads its index once, in order)."""
    if scope.everyone and filters.team_id is None and filters.user_ids is None:
        return None
    statement = select(User.id).where(scope.people())
    if filters.team_id is not None:
        statement = statement.where(User.team_id == filters.team_id)
    if filters.user_ids is not None:
        statement = statement.where(User.id.in_(filters.user_ids))
    return statement


def _waiting(course_id: int | None, people):
    """Per learner: since when their oldest work still waiting for a trainer was handed in."""
    submissions = select(Submission.user_id, Submission.created_at.label("at")).where(Submission.status == "submitted")
    checklists = select(ChecklistState.user_id, ChecklistState.updated_at.label("at")).where(
        ChecklistState.status == "awaiting_verification"
    )
    if course_id:
        # By the course's lessons, so that the few waiting rows are found by status first.
        lessons = select(Lesson.id).where(Lesson.course_id == course_id)
        submissions = submissions.where(Submission.lesson_id.in_(lessons))
        checklists = checklists.where(ChecklistState.lesson_id.in_(lessons))
    if people is not None:
        submissions = submissions.where(Submission.user_id.in_(people))
        checklists = checklists.where(ChecklistState.user_id.in_(people))
    pending = union_all(submissions, checklists).subquery("pending")
    return (
        select(pending.c.user_id, func.min(pending.c.at).label("waiting_since"))
        .group_by(pending.c.user_id)
        .cte("waiting")
        .prefix_with("MATERIALIZED")
    )


def _open_lessons(course_id: int | None, waiting):
    """Per learner with work waiting for a trainer: their required lessons that wait for a
    review, and those completed (only such a learner can be blocked). Read by person and
    status on the covering progress index, for the few people in ``waiting``."""
    required = _required_lessons()
    if course_id:
        # Through the course's lessons, so that progress is still read by person and status.
        required = required.where(Lesson.course_id == course_id)
    required = required.subquery("required_open")
    statement = (
        select(
            LessonProgress.user_id,
            func.count(case((LessonProgress.status == "awaiting_review", 1))).label("waiting"),
            func.count(case((LessonProgress.status == "completed", 1))).label("done"),
        )
        .where(
            LessonProgress.user_id.in_(select(waiting.c.user_id)),
            LessonProgress.status.in_(("awaiting_review", "completed")),
            LessonProgress.lesson_id.in_(select(required.c.lesson_id)),
        )
        .group_by(LessonProgress.user_id)
    )
    return statement.subquery("open_lessons")


def _active_events(user_id, course_id: int | None):
    """The person's active events (passive ones left out), in one course when ``course_id``."""
    conditions = [LearningEvent.user_id == user_id, LearningEvent.verb.not_in(PASSIVE_VERBS)]
    if course_id:
        conditions.append(LearningEvent.course_id == course_id)
    return conditions


def _last_active(user_id, course_id: int | None):
    """The time of the person's latest active event, in one course when ``course_id`` (a lookup
    at the end of the person's index)."""
    return (
        select(LearningEvent.created_at)
        .where(*_active_events(user_id, course_id))
        .order_by(LearningEvent.created_at.desc())
        .limit(1)
        .scalar_subquery()
    )


def _active_after(user_id, moment: dt.datetime, course_id: int | None):
    """Whether the person did anything active after ``moment``, in one course when ``course_id``
    (one step into the person's index)."""
    return select(literal(1)).where(*_active_events(user_id, course_id), LearningEvent.created_at > moment).exists()


def _learners(scope: Scope, filters: PeopleFilter, now: Clock):
    """The first stage: one row per active person in scope and filters, with their status.

    Grouped by person over their enrollments (read through the (user, course) index), with the
    few people who have work waiting for a trainer joined in. Activity is looked up only for
    the people whose status depends on it (see ``status_expression``).
    """
    people = _people_ids(scope, filters)
    waiting = _waiting(filters.course_id, people)
    open_lessons = _open_lessons(filters.course_id, waiting)
    required = _required_lessons().subquery("required")
    required_count = (
        select(required.c.course_id, func.count().label("n")).group_by(required.c.course_id).subquery("required_count")
    )
    is_open = and_(Enrollment.id.is_not(None), Enrollment.completed_at.is_(None))
    required_n = func.coalesce(required_count.c.n, 0)
    enrollment_join = Enrollment.user_id == User.id
    if filters.course_id:
        enrollment_join = and_(enrollment_join, Enrollment.course_id == filters.course_id)
    statement = (
        select(
            User.id,
            User.name,
            User.email,
            User.team_id,
            func.max(Team.name).label("team"),
            func.count(Enrollment.id).label("enrolled"),
            func.count(Enrollment.completed_at).label("completed"),
            func.count(Enrollment.started_at).label("started"),
            func.coalesce(func.sum(required_n), 0).label("required"),
            func.min(case((is_open, Enrollment.due_date))).label("due_date"),
            type_coerce(func.max(case((is_open, Enrollment.enrolled_at))), UTCDateTime).label("assigned_at"),
            type_coerce(func.max(waiting.c.waiting_since), UTCDateTime).label("waiting_since"),
            func.coalesce(func.max(open_lessons.c.waiting), 0).label("lessons_waiting"),
            case(
                (func.max(open_lessons.c.user_id).is_(None), 0),
                else_=func.coalesce(func.sum(required_n), 0) - func.max(open_lessons.c.done),
            ).label("lessons_left"),
        )
        .outerjoin(Team, Team.id == User.team_id)
        # For one course, only people enrolled in it: an inner join.
        .join(Enrollment, enrollment_join, isouter=not filters.course_id)
        .outerjoin(required_count, required_count.c.course_id == Enrollment.course_id)
        .outerjoin(waiting, waiting.c.user_id == User.id)
        .outerjoin(open_lessons, open_lessons.c.user_id == User.id)
        .where(User.is_active.is_(True), scope.people())
        .group_by(User.id, User.name, User.email, User.team_id)
    )
    if filters.team_id:
        statement = statement.where(User.team_id == filters.team_id)
    if filters.user_ids is not None:
        statement = statement.where(User.id.in_(filters.user_ids))
    if filters.query:
        like = f"%{filters.query.lower()}%"
        statement = statement.where(or_(func.lower(User.name).like(like), func.lower(User.email).like(like)))
    # Materialized, so that each person's figures and status (with its correlated lookup) are
    # worked out once, however often the later stages read them.
    figures = statement.cte("figures").prefix_with("MATERIALIZED")
    status = status_expression(figures, now, filters.course_id).label("status")
    return select(figures, status).cte("learners").prefix_with("MATERIALIZED")


def _tune_for_aggregates() -> None:
    """PostgreSQL's JIT compiler takes longer to compile these one-off aggregate queries than
    to run them (a second for 10,000 learners); turn it off for the current transaction."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL jit = off"))


def status_expression(learners, now: Clock, course_id: int | None = None):
    """``rules.learner_status`` as SQL (status only; the cause is worded in Python for shown rows),
    in one course when ``course_id``: its enrollment and what was done in it.

    Stalled is "the later of the last activity and the latest assignment is at or before the
    cutoff". Whoever gets that far has an unfinished enrollment, so an assignment time; what
    remains is whether they did anything after the cutoff, looked up for these people only
    rather than the latest activity of everyone.
    """
    c = learners.c
    cutoff = now.stalled_cutoff
    return case(
        (c.enrolled == 0, literal(rules.NOT_ENROLLED)),
        (c.completed >= c.enrolled, literal(rules.DONE_ALL)),
        (c.due_date < now.today, literal(rules.OVERDUE)),
        (and_(c.lessons_left > 0, c.lessons_waiting >= c.lessons_left), literal(rules.BLOCKED)),
        (and_(c.assigned_at <= cutoff, ~_active_after(c.id, cutoff, course_id)), literal(rules.STALLED)),
        else_=literal(rules.ON_TRACK),
    )


def _lessons_done(course_id: int | None, people):
    """Per learner: required lessons completed in their enrolled courses (or in one course)."""
    required = _required_lessons()
    if course_id:  # through the course's lessons: progress stays read by person and status
        required = required.where(Lesson.course_id == course_id)
    required = required.subquery("required_done")
    statement = (
        select(LessonProgress.user_id, func.count().label("done"))
        .join(
            Enrollment,
            and_(Enrollment.user_id == LessonProgress.user_id, Enrollment.course_id == LessonProgress.course_id),
        )
        .where(LessonProgress.status == "completed", LessonProgress.lesson_id.in_(select(required.c.lesson_id)))
        .group_by(LessonProgress.user_id)
    )
    if people is not None:
        statement = statement.where(LessonProgress.user_id.in_(people))
    return statement.subquery("lessons_done")


def _activity(now: Clock, people, course_id: int | None):
    """Per learner: active events in the last 14 days and in the 14 before (passive ones left
    out), in one course when ``course_id``."""
    recent = LearningEvent.created_at >= now.trend_middle
    statement = (
        select(
            LearningEvent.user_id,
            func.count(case((recent, 1))).label("recent"),
            func.count(case((~recent, 1))).label("before"),
        )
        .where(
            LearningEvent.created_at >= now.trend_start,
            LearningEvent.created_at <= now.now,
            LearningEvent.verb.not_in(PASSIVE_VERBS),
        )
        .group_by(LearningEvent.user_id)
    )
    # Always by person, even for everyone: each person's recent events are then one range of
    # the (person, time, verb) index, whatever the planner knows about the table.
    statement = statement.where(LearningEvent.user_id.in_(people if people is not None else select(User.id)))
    if course_id:
        statement = statement.where(LearningEvent.course_id == course_id)
    return statement.subquery("activity")


def _with_figures(rows, filters: PeopleFilter, now: Clock, people):
    """``rows`` with their latest activity, lessons done (as a percent) and the 14-day counts of ``people``."""
    done = _lessons_done(filters.course_id, people)
    activity = _activity(now, people, filters.course_id)
    done_n = func.coalesce(done.c.done, 0)
    percent = case((rows.c.required > 0, (done_n * 100) // rows.c.required), else_=0)
    return (
        select(
            rows,
            _last_active(rows.c.id, filters.course_id).label("last_active_at"),
            percent.label("percent"),
            func.coalesce(activity.c.recent, 0).label("recent"),
            func.coalesce(activity.c.before, 0).label("before"),
        )
        .outerjoin(done, done.c.user_id == rows.c.id)
        .outerjoin(activity, activity.c.user_id == rows.c.id)
    )


def _order(c, filters: PeopleFilter):
    sort = filters.sort if filters.sort in SORTS else "status"
    if sort == "status":
        keys = [case({code: index for index, code in enumerate(rules.LEARNER_STATUSES)}, value=c.status)]
    elif sort == "name":
        keys = [func.lower(c.name)]
    elif sort == "team":
        keys = [func.lower(func.coalesce(c.team, "")), func.lower(c.name)]
    elif sort == "trend":
        keys = [c.recent - c.before, c.recent]
    else:
        keys = [c[{"percent": "percent", "last_active": "last_active_at", "due": "due_date"}[sort]]]
    ordered = [key.desc().nulls_last() if filters.descending else key.asc().nulls_last() for key in keys]
    return [*ordered, func.lower(c.name), c.id]


def _row(row, now: Clock) -> LearnerRow:
    return LearnerRow(
        id=row.id,
        name=row.name,
        email=row.email,
        team_id=row.team_id,
        team=row.team,
        enrolled=row.enrolled,
        completed=row.completed,
        started=row.started,
        percent=int(row.percent or 0),
        last_active_at=row.last_active_at,
        recent=row.recent,
        before=row.before,
        due_date=row.due_date,
        assigned_at=row.assigned_at,
        lessons_left=int(row.lessons_left or 0),
        lessons_waiting=int(row.lessons_waiting or 0),
        waiting_since=row.waiting_since,
        status_code=row.status,
        clock=now,
    )


def people_page(
    scope: Scope, filters: PeopleFilter, now: Clock, page: int = 1, per_page: int = 50
) -> tuple[list[LearnerRow], int]:
    """One page of the people table and the number of people matching, in one statement."""
    _tune_for_aggregates()
    learners = _learners(scope, filters, now)
    # Sorting by a figure of the second stage needs that figure for everyone before the page is cut.
    if filters.sort == "trend":
        activity = _activity(now, _people_ids(scope, filters), filters.course_id)
        ranked = (
            select(
                learners,
                func.coalesce(activity.c.recent, 0).label("recent"),
                func.coalesce(activity.c.before, 0).label("before"),
            )
            .outerjoin(activity, activity.c.user_id == learners.c.id)
            .subquery("ranked")
        )
    elif filters.sort == "last_active":
        last_active = _last_active(learners.c.id, filters.course_id)
        ranked = select(learners, last_active.label("last_active_at")).subquery("ranked")
    elif filters.sort == "percent":
        done = _lessons_done(filters.course_id, _people_ids(scope, filters))
        percent = case((learners.c.required > 0, (func.coalesce(done.c.done, 0) * 100) // learners.c.required), else_=0)
        ranked = (
            select(learners, percent.label("percent"))
            .outerjoin(done, done.c.user_id == learners.c.id)
            .subquery("ranked")
        )
    else:
        ranked = select(learners).subquery("ranked")
    if filters.status:
        candidates = select(ranked).where(ranked.c.status == filters.status).subquery("candidates")
    else:
        candidates = ranked
    order = _order(candidates.c, filters)
    page_rows = (
        select(
            *[candidates.c[column.key] for column in learners.c],
            func.count().over().label("total"),
            func.row_number().over(order_by=order).label("position"),
        )
        .order_by(*order)
        .limit(per_page)
        .offset((page - 1) * per_page)
        .cte("page_rows")
        .prefix_with("MATERIALIZED")
    )
    statement = _with_figures(page_rows, filters, now, select(page_rows.c.id)).order_by(page_rows.c.position)
    rows = db.session.execute(statement).all()
    if rows:
        return [_row(row, now) for row in rows], rows[0].total
    if page == 1:
        return [], 0
    total = db.session.scalar(select(func.count()).select_from(candidates))
    return [], total


def all_people(scope: Scope, filters: PeopleFilter, now: Clock, batch: int = 1000) -> Iterator[LearnerRow]:
    """Every row of the people table as filtered and sorted, fetched in batches."""
    _tune_for_aggregates()
    learners = _learners(scope, filters, now)
    rows = _with_figures(learners, filters, now, _people_ids(scope, filters)).subquery("rows")
    statement = select(rows)
    if filters.status:
        statement = statement.where(rows.c.status == filters.status)
    statement = statement.order_by(*_order(rows.c, filters)).execution_options(yield_per=batch)
    for row in db.session.execute(statement):
        yield _row(row, now)


def still_in_scope(scope: Scope, rows: list[LearnerRow]) -> list[LearnerRow]:
    """The rows of kept figures whose person is in ``scope`` now: someone moved to another team,
    or whose team the manager no longer manages, leaves the table at once."""
    if scope.everyone or not rows:
        return rows
    present = set(db.session.scalars(select(User.id).where(User.id.in_([row.id for row in rows]), scope.people())))
    return [row for row in rows if row.id in present]


def status_counts(scope: Scope, now: Clock, course_id: int | None = None) -> dict[str, int]:
    """How many people in scope are in each status, plus enrolled/started/in-progress totals."""
    _tune_for_aggregates()
    learners = _learners(scope, PeopleFilter(course_id=course_id), now)
    rows = db.session.execute(
        select(learners.c.status, func.count(), func.count(case((learners.c.started > 0, 1)))).group_by(
            learners.c.status
        )
    ).all()
    counts = dict.fromkeys(rules.LEARNER_STATUSES, 0)
    started = 0
    for status, count, started_count in rows:
        counts[status] = count
        if status not in (rules.DONE_ALL, rules.NOT_ENROLLED):
            started += started_count
    counts["people"] = sum(counts[code] for code in rules.LEARNER_STATUSES)
    counts["enrolled"] = counts["people"] - counts[rules.NOT_ENROLLED]
    counts["in_progress"] = started
    counts["not_started"] = counts["enrolled"] - counts[rules.DONE_ALL] - started
    return counts


# --- charts' figures --------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    label: str
    count: int


def _modules_finished(course: Course, modules: list[list[int]], in_scope) -> list[int]:
    """How many learners completed every lesson of each module, in one pass over lesson progress.

    Each learner's completed lessons are summed into bit fields, one field per module wide
    enough to count its lessons (a lesson is completed at most once per learner, so fields
    never overflow); comparing each field with the module's size counts who finished it. This
    is one integer CASE per row instead of a membership test per module and row.
    """
    if not modules:
        return []
    # Pack the modules' fields into 62-bit integers: (mask number, shift, width) per module.
    layout, mask, shift = [], 0, 0
    for lesson_ids in modules:
        width = max(len(lesson_ids).bit_length(), 1)
        if shift + width > 62:
            mask, shift = mask + 1, 0
        layout.append((mask, shift, width))
        shift += width
    weights: list[dict[int, int]] = [{} for _ in range(mask + 1)]
    for (number, offset, _), lesson_ids in zip(layout, modules, strict=True):
        for lesson_id in lesson_ids:
            weights[number][lesson_id] = 1 << offset
    sums = [
        cast(
            func.sum(
                case(
                    {lesson_id: literal(weight, BigInteger) for lesson_id, weight in fields.items()},
                    value=LessonProgress.lesson_id,
                    else_=literal(0, BigInteger),
                )
            ),
            BigInteger,
        ).label(f"mask{number}")
        for number, fields in enumerate(weights)
    ]
    per_learner = select(*sums).where(LessonProgress.course_id == course.id, LessonProgress.status == "completed")
    if in_scope is not None:
        per_learner = per_learner.where(LessonProgress.user_id.in_(in_scope))
    per_learner = per_learner.group_by(LessonProgress.user_id).subquery("per_learner")
    counts = []
    for (number, offset, width), lesson_ids in zip(layout, modules, strict=True):
        # Inline integers (computed here, never input): PostgreSQL shifts a bigint by an int only.
        field = (
            per_learner.c[f"mask{number}"]
            .op(">>")(literal_column(str(int(offset))))
            .op("&")(literal_column(str((1 << width) - 1)))
        )
        counts.append(func.count(case((field == len(lesson_ids), 1))))
    return list(db.session.execute(select(*counts)).one())


def course_funnel(scope: Scope, course: Course) -> list[Stage]:
    """Learners in scope at each stage of ``course``: assigned, started, each module done, completed."""
    _tune_for_aggregates()
    outline = db.session.execute(
        select(Module.id, Module.title, Module.optional, Lesson.id.label("lesson_id"))
        .join(Lesson, and_(Lesson.module_id == Module.id, Lesson.archived_at.is_(None)))
        .where(Module.course_id == course.id, Module.archived_at.is_(None))
        .order_by(Module.position, Lesson.position)
    ).all()
    modules: dict[int, tuple[str, list[int]]] = {}
    for row in outline:
        label = f"{row.title} (optional)" if row.optional else row.title
        modules.setdefault(row.id, (label, []))[1].append(row.lesson_id)
    in_scope = None if scope.everyone else select(User.id).where(scope.people())
    finished = _modules_finished(course, [lesson_ids for _, lesson_ids in modules.values()], in_scope)
    enrolled = select(func.count(), func.count(Enrollment.started_at), func.count(Enrollment.completed_at)).where(
        Enrollment.course_id == course.id
    )
    if in_scope is not None:
        enrolled = enrolled.where(Enrollment.user_id.in_(in_scope))
    assigned, started, completed = db.session.execute(enrolled).one()
    stages = [Stage("Assigned", assigned), Stage("Started", started)]
    stages += [Stage(label, count) for (label, _), count in zip(modules.values(), finished, strict=True)]
    stages.append(Stage("Completed the course", completed))
    return stages


@dataclass(frozen=True)
class Week:
    start: dt.date
    events: int


def weekly_activity(scope: Scope, now: Clock, weeks: int = 12) -> list[Week]:
    """Active events per calendar week (Monday to Sunday), the last ``weeks``.

    For everyone, each week is two range counts read from indexes alone: all events on the
    time index, less the passive ones on the (verb, time) index. For a manager's teams, the
    events of their people are counted on the (person, time, verb) index.
    """
    _tune_for_aggregates()
    this_monday = now.today - dt.timedelta(days=now.today.weekday())
    starts = [this_monday - dt.timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    bounds = [dt.datetime.combine(day, dt.time(), dt.UTC) for day in [*starts, this_monday + dt.timedelta(weeks=1)]]
    parts = []
    for index in range(weeks):
        in_week = and_(LearningEvent.created_at >= bounds[index], LearningEvent.created_at < bounds[index + 1])
        if scope.everyone:
            every = select(func.count()).where(in_week).scalar_subquery()
            passive = select(func.count()).where(LearningEvent.verb.in_(PASSIVE_VERBS), in_week).scalar_subquery()
            parts.append(select(literal(index).label("week"), (every - passive).label("events")))
        else:
            people = select(User.id).where(scope.people())
            parts.append(
                select(literal(index).label("week"), func.count().label("events")).where(
                    in_week, LearningEvent.verb.not_in(PASSIVE_VERBS), LearningEvent.user_id.in_(people)
                )
            )
    figures = dict(db.session.execute(union_all(*parts)).all())
    return [Week(starts[i], figures.get(i, 0)) for i in range(weeks)]


# --- assigning courses ----------------------------------------------------------------------------


@dataclass
class Assignment:
    course: Course
    due_date: dt.date | None
    people: int = 0
    new: int = 0


def assign_course(
    manager: User,
    scope: Scope,
    course: Course,
    *,
    due_date: dt.date | None,
    team_ids: Iterable[int] = (),
    user_ids: Iterable[int] = (),
    today: dt.date | None = None,
) -> Assignment:
    """Enroll the members of the given teams and the given people in ``course`` with a due date.

    People already enrolled keep their progress; their due date is set to the new one. Refuses
    a draft course, a due date in the past, an empty selection, and anyone outside the scope.
    """
    team_ids, user_ids = set(team_ids), set(user_ids)
    if course.status != "published":
        raise Invalid("Only a published course can be assigned.", field="course")
    if due_date is not None and due_date < (today or dt.date.today()):
        raise Invalid("The due date is in the past; choose today or a later day.", field="due_date")
    if not team_ids and not user_ids:
        raise Invalid("Choose at least one team or person to assign the course to.", field="teams")
    if any(not scope.covers_team(team_id) for team_id in team_ids):
        raise NotAllowed("You can only assign courses to the teams you manage.")
    people = list(
        db.session.scalars(
            select(User)
            .where(or_(User.team_id.in_(team_ids), User.id.in_(user_ids)), User.is_active.is_(True))
            .order_by(User.id)
        )
    )
    found = {person.id for person in people}
    if user_ids - found or any(not scope.covers_team(person.team_id) for person in people):
        raise NotAllowed("You can only assign courses to people in the teams you manage.")
    already = set(
        db.session.scalars(
            select(Enrollment.user_id).where(Enrollment.course_id == course.id, Enrollment.user_id.in_(found))
        )
    )
    for person in people:
        enroll(person, course, assigned_by=manager, due_date=due_date)
    result = Assignment(course, due_date, people=len(people), new=len(found - already))
    log.info(
        "%s assigned course %s to %d people (%d new), due %s",
        manager.email,
        course.slug,
        result.people,
        result.new,
        due_date,
    )
    return result


def assignable_courses() -> list[Course]:
    return list(db.session.scalars(select(Course).where(Course.status == "published").order_by(Course.title)))


def people_by_ids(scope: Scope, user_ids: Iterable[int]) -> list[User]:
    """The active people among ``user_ids`` that are in scope, by name."""
    ids = {int(i) for i in user_ids}
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(User).where(User.id.in_(ids), User.is_active.is_(True), scope.people()).order_by(User.name)
        )
    )


# --- one person ------------------------------------------------------------------------------------


@dataclass
class TimelineItem:
    event: LearningEvent
    course: str | None
    module: str | None
    lesson: str | None


def timeline(person: User, before_id: int | None = None, limit: int = 50) -> list[TimelineItem]:
    """The person's events, newest first: what they did, in which course, module and lesson, when."""
    statement = (
        select(LearningEvent, Course.title, Module.title, LessonRevision.title)
        .outerjoin(Course, Course.id == LearningEvent.course_id)
        .outerjoin(Module, Module.id == LearningEvent.module_id)
        .outerjoin(Lesson, Lesson.id == LearningEvent.lesson_id)
        .outerjoin(LessonRevision, LessonRevision.id == Lesson.published_revision_id)
        .where(LearningEvent.user_id == person.id)
        .order_by(LearningEvent.created_at.desc(), LearningEvent.id.desc())
        .limit(limit)
    )
    if before_id:
        anchor = db.session.get(LearningEvent, before_id)
        if anchor is not None and anchor.user_id == person.id:
            statement = statement.where(
                or_(
                    LearningEvent.created_at < anchor.created_at,
                    and_(LearningEvent.created_at == anchor.created_at, LearningEvent.id < anchor.id),
                )
            )
    return [TimelineItem(*row) for row in db.session.execute(statement)]


@dataclass
class CourseProgress:
    enrollment: Enrollment
    course: Course
    percent: int
    done: int
    required: int
    waiting: int

    @property
    def overdue_days(self) -> int | None:
        if self.enrollment.completed_at is not None:
            return None
        return rules.overdue_days(self.enrollment.due_date, dt.date.today())


def course_progress(person: User) -> list[CourseProgress]:
    """Each of the person's enrollments with how far they are, using the learner's own course map."""
    rows = db.session.execute(
        select(Enrollment, Course)
        .join(Course, Course.id == Enrollment.course_id)
        .where(Enrollment.user_id == person.id)
        .order_by(Enrollment.completed_at.is_not(None), Enrollment.due_date.is_(None), Enrollment.due_date)
    ).all()
    maps = build_course_maps(person, [course for _, course in rows])
    result = []
    for enrollment, course in rows:
        course_map = maps[course.id]
        required = course_map.required
        result.append(
            CourseProgress(
                enrollment,
                course,
                course_map.percent,
                sum(1 for lesson in required if lesson.status == "completed"),
                len(required),
                sum(1 for lesson in required if lesson.status == "awaiting_review"),
            )
        )
    return result


def submissions_with_reviews(person: User) -> list[tuple[Submission, str | None, str | None, list[Review]]]:
    """The person's practice hand-ins, newest first, with course and lesson titles and every review."""
    rows = db.session.execute(
        select(Submission, Course.title, LessonRevision.title)
        .join(Course, Course.id == Submission.course_id)
        .join(Lesson, Lesson.id == Submission.lesson_id)
        .outerjoin(LessonRevision, LessonRevision.id == Lesson.published_revision_id)
        .where(Submission.user_id == person.id)
        .order_by(Submission.created_at.desc(), Submission.id.desc())
    ).all()
    ids = [submission.id for submission, _, _ in rows]
    reviews: dict[int, list[Review]] = {}
    if ids:
        for review in db.session.scalars(
            select(Review).where(Review.submission_id.in_(ids)).order_by(Review.created_at)
        ):
            reviews.setdefault(review.submission_id, []).append(review)
    return [(submission, course, lesson, reviews.get(submission.id, [])) for submission, course, lesson in rows]


def reviewer_names(reviews: Iterable[Review]) -> dict[int, str]:
    ids = {review.reviewer_id for review in reviews if review.reviewer_id}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def objectives_with_revisions(person: User) -> list[Objective]:
    """The person's objectives with their revisions (loaded in one more query)."""
    from sqlalchemy.orm import selectinload

    return list(
        db.session.scalars(
            select(Objective)
            .where(Objective.user_id == person.id)
            .options(selectinload(Objective.revisions))
            .order_by(Objective.status, Objective.target_date.is_(None), Objective.target_date, Objective.id)
        )
    )


def shared_journal(person: User) -> list[JournalEntry]:
    """Journal entries the person chose to share with their manager; nothing else of the journal."""
    return list(
        db.session.scalars(
            select(JournalEntry)
            .where(JournalEntry.user_id == person.id, JournalEntry.shared_with_manager.is_(True))
            .order_by(JournalEntry.created_at.desc())
        )
    )


def reminders_of(person: User, limit: int = 10) -> list[Reminder]:
    return list(
        db.session.scalars(
            select(Reminder).where(Reminder.user_id == person.id).order_by(Reminder.sent_on.desc()).limit(limit)
        )
    )


def person_summary(scope: Scope, person: User, now: Clock) -> LearnerRow | None:
    """The person's line of the people table (status, trend, percent)."""
    return next(all_people(scope, PeopleFilter(user_ids=(person.id,)), now), None)


# --- raw events export ------------------------------------------------------------------------------


EVENT_COLUMNS = (
    "time",
    "user_id",
    "email",
    "name",
    "team",
    "verb",
    "course",
    "module",
    "lesson",
    "activity",
    "score",
    "success",
    "text_length",
    "revision_id",
    "event_id",
)


def export_events(scope: Scope, start: dt.date, end: dt.date, batch: int = 2000) -> Iterator[tuple]:
    """Every event of people in scope from ``start`` to ``end`` (both included), oldest first,
    fetched ``batch`` rows at a time so that memory stays flat however long the range."""
    if end < start:
        raise Invalid("The end date is before the start date.", field="end")
    low = dt.datetime.combine(start, dt.time(), dt.UTC)
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC)
    statement = (
        select(
            LearningEvent.created_at,
            LearningEvent.user_id,
            User.email,
            User.name,
            Team.name,
            LearningEvent.verb,
            Course.slug,
            Module.slug,
            Lesson.slug,
            LearningEvent.activity_key,
            LearningEvent.score,
            LearningEvent.success,
            LearningEvent.text_length,
            LearningEvent.revision_id,
            LearningEvent.id,
        )
        .join(User, User.id == LearningEvent.user_id)
        .outerjoin(Team, Team.id == User.team_id)
        .outerjoin(Course, Course.id == LearningEvent.course_id)
        .outerjoin(Module, Module.id == LearningEvent.module_id)
        .outerjoin(Lesson, Lesson.id == LearningEvent.lesson_id)
        .where(LearningEvent.created_at >= low, LearningEvent.created_at < high, scope.people())
        .order_by(LearningEvent.created_at, LearningEvent.id)
        .execution_options(yield_per=batch)
    )
    for row in db.session.execute(statement):
        yield tuple(row)

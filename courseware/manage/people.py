"""The people table: one row per learner in a manager's scope, with their status and figures.

Each function takes the ``Scope`` of the person asking and never returns anyone outside it.
Every figure is aggregated in SQL, in a fixed number of statements whatever the number of
learners.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import and_, case, func, literal, or_, select, text, type_coerce, union_all

from courseware.core.numbers import percent_sql
from courseware.db import UTCDateTime, utcnow
from courseware.extensions import db
from courseware.i18n import lazy_gettext as _l
from courseware.manage.policies import Scope
from courseware.models import (
    ChecklistState,
    Enrollment,
    LearningEvent,
    Lesson,
    LessonProgress,
    Module,
    Submission,
    Team,
    User,
)
from courseware.progress import status as status_rules
from courseware.progress.services import PASSIVE_VERBS

TREND_DAYS = 14
SORTS = ("name", "team", "percent", "last_active", "trend", "status", "due")
STATUS_LABELS = {
    status_rules.OVERDUE: _l("Overdue"),
    status_rules.BLOCKED: _l("Blocked"),
    status_rules.NOT_STARTED: _l("Not started"),
    status_rules.STALLED: _l("Stalled"),
    status_rules.ON_TRACK: _l("On track"),
    status_rules.DONE_ALL: _l("Completed"),
    status_rules.NOT_ENROLLED: _l("Not enrolled"),
}
# Statuses a reminder is meant for: the learner can act, and hasn't (not started: for as long
# as would make them stalled; see LearnerRow.remindable).
REMINDABLE = (status_rules.STALLED, status_rules.OVERDUE, status_rules.NOT_STARTED)


@dataclass(frozen=True)
class PeopleFilter:
    team_id: int | None = None
    course_id: int | None = None
    status: str | None = None
    query: str = ""
    sort: str = "status"
    descending: bool = False
    user_ids: tuple[int, ...] | None = None
    # Only people with one of their own objectives overdue for review (``user_ids`` holds them).
    objectives_overdue: bool = False

    def args(self) -> dict:
        """The filter as query-string arguments (for links that keep it)."""
        values = {
            "team": self.team_id,
            "course": self.course_id,
            "status": self.status,
            "q": self.query or None,
            "sort": self.sort if self.sort != "status" else None,
            "order": "desc" if self.descending else None,
            "objectives": "overdue" if self.objectives_overdue else None,
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
        return status_rules.stalled_cutoff(self.now, self.stalled_days)


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
        return status_rules.trend(self.recent, self.before)

    @property
    def trend_words(self) -> str:
        return status_rules.trend_in_words(self.recent, self.before)

    @property
    def status(self) -> status_rules.LearnerStatus:
        return status_rules.learner_status(
            enrolled=self.enrolled,
            completed=self.completed,
            started=self.started,
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
        if self.status_code == status_rules.NOT_STARTED:
            return self.assigned_at is not None and self.assigned_at <= self.clock.stalled_cutoff
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


def _open_lessons(course_id: int | None, waiting, today: dt.date):
    """Per learner with work waiting for a trainer: their required lessons that wait for a
    review, and those completed (only such a learner can be blocked). Read by person and
    status on the covering progress index, for the people in ``waiting`` who are not overdue
    (overdue comes before blocked, so their lessons do not change their status)."""
    overdue = select(literal(1)).where(
        Enrollment.user_id == waiting.c.user_id, Enrollment.completed_at.is_(None), Enrollment.due_date < today
    )
    if course_id:
        overdue = overdue.where(Enrollment.course_id == course_id)
    may_be_blocked = select(waiting.c.user_id).where(~overdue.exists())
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
            LessonProgress.user_id.in_(may_be_blocked),
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
    open_lessons = _open_lessons(filters.course_id, waiting, now.today)
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


# Memory for each sort and hash of the managers' aggregates: at 100,000 learners, the table
# sorted by status and the per-learner counts need about 20 MB, which PostgreSQL's default of
# 4 MB sends to temporary files. Set for the current transaction only.
AGGREGATE_WORK_MEM = "64MB"


def tune_for_aggregates() -> None:
    """Settings for the current transaction on PostgreSQL: no JIT compiler (it takes longer to
    compile these one-off aggregate queries than to run them: a second for 10,000 learners),
    and enough memory for their sorts and hashes (``AGGREGATE_WORK_MEM``)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"SET LOCAL jit = off; SET LOCAL work_mem = '{AGGREGATE_WORK_MEM}'"))


def status_expression(learners, now: Clock, course_id: int | None = None):
    """``status_rules.learner_status`` as SQL (status only; the cause is worded in Python for shown rows),
    in one course when ``course_id``: its enrollment and what was done in it.

    Stalled is "the later of the last activity and the latest assignment is at or before the
    cutoff". Whoever gets that far has an unfinished enrollment, so an assignment time; what
    remains is whether they did anything after the cutoff, looked up for these people only
    rather than the latest activity of everyone.
    """
    c = learners.c
    cutoff = now.stalled_cutoff
    return case(
        (c.enrolled == 0, literal(status_rules.NOT_ENROLLED)),
        (c.completed >= c.enrolled, literal(status_rules.DONE_ALL)),
        (c.due_date < now.today, literal(status_rules.OVERDUE)),
        (and_(c.lessons_left > 0, c.lessons_waiting >= c.lessons_left), literal(status_rules.BLOCKED)),
        (c.started <= c.completed, literal(status_rules.NOT_STARTED)),
        (and_(c.assigned_at <= cutoff, ~_active_after(c.id, cutoff, course_id)), literal(status_rules.STALLED)),
        else_=literal(status_rules.ON_TRACK),
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
    percent = percent_sql(done_n, rows.c.required)
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
        keys = [case({code: index for index, code in enumerate(status_rules.LEARNER_STATUSES)}, value=c.status)]
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
    """One page of the people table and the number of people matching, in one statement (one more
    counts them when the page is past the last one)."""
    tune_for_aggregates()
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
        percent = percent_sql(func.coalesce(done.c.done, 0), learners.c.required)
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
    tune_for_aggregates()
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
    tune_for_aggregates()
    learners = _learners(scope, PeopleFilter(course_id=course_id), now)
    rows = db.session.execute(
        select(learners.c.status, func.count(), func.count(case((learners.c.started > 0, 1)))).group_by(
            learners.c.status
        )
    ).all()
    counts = dict.fromkeys(status_rules.LEARNER_STATUSES, 0)
    started = 0
    for status, count, started_count in rows:
        counts[status] = count
        if status not in (status_rules.DONE_ALL, status_rules.NOT_ENROLLED):
            started += started_count
    counts["people"] = sum(counts[code] for code in status_rules.LEARNER_STATUSES)
    counts["enrolled"] = counts["people"] - counts[status_rules.NOT_ENROLLED]
    counts["in_progress"] = started
    counts["not_started"] = counts["enrolled"] - counts[status_rules.DONE_ALL] - started
    return counts

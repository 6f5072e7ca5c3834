"""The overview's charts: how far the learners in scope got in a course, and activity per week.

Each function takes the ``Scope`` of the person asking and counts no one outside it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import BigInteger, and_, case, cast, func, literal, literal_column, select, union_all

from courseware.extensions import db
from courseware.manage.people import Clock, tune_for_aggregates
from courseware.manage.policies import Scope
from courseware.models import Course, Enrollment, LearningEvent, Lesson, LessonProgress, Module, User
from courseware.progress.services import PASSIVE_VERBS


@dataclass(frozen=True)
class Stage:
    """A stage of the course funnel: ``kind`` "assigned", "started", "completed" or "module"
    (then ``title`` is the module's). Its label is worded when shown, in the reader's language."""

    title: str
    count: int
    kind: str = "module"
    optional: bool = False

    @property
    def label(self) -> str:
        if self.kind == "assigned":
            return _("Assigned")
        if self.kind == "started":
            return _("Started")
        if self.kind == "completed":
            return _("Completed the course")
        if self.optional:
            return _("%(title)s (optional)", title=self.title)
        return self.title


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
    weights: list[dict[int, int]] = [{} for _mask in range(mask + 1)]
    for (number, offset, _width), lesson_ids in zip(layout, modules, strict=True):
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
    tune_for_aggregates()
    outline = db.session.execute(
        select(Module.id, Module.title, Module.optional, Lesson.id.label("lesson_id"))
        .join(Lesson, and_(Lesson.module_id == Module.id, Lesson.archived_at.is_(None)))
        .where(Module.course_id == course.id, Module.archived_at.is_(None))
        .order_by(Module.position, Lesson.position)
    ).all()
    modules: dict[int, tuple[str, bool, list[int]]] = {}
    for row in outline:
        modules.setdefault(row.id, (row.title, row.optional, []))[2].append(row.lesson_id)
    in_scope = None if scope.everyone else select(User.id).where(scope.people())
    finished = _modules_finished(course, [lesson_ids for *_, lesson_ids in modules.values()], in_scope)
    enrolled = select(func.count(), func.count(Enrollment.started_at), func.count(Enrollment.completed_at)).where(
        Enrollment.course_id == course.id
    )
    if in_scope is not None:
        enrolled = enrolled.where(Enrollment.user_id.in_(in_scope))
    assigned, started, completed = db.session.execute(enrolled).one()
    stages = [Stage("", assigned, "assigned"), Stage("", started, "started")]
    stages += [
        Stage(title, count, "module", optional)
        for (title, optional, _lessons), count in zip(modules.values(), finished, strict=True)
    ]
    stages.append(Stage("", completed, "completed"))
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
    tune_for_aggregates()
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

"""The raw events export: every event of the people in scope over a range of days, as CSV rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from flask_babel import gettext as _
from sqlalchemy import select

from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.manage.policies import Scope
from courseware.models import Course, LearningEvent, Lesson, Module, Team, User

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
        raise Invalid(_("The end date is before the start date."), field="end")
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

"""What learners read, kept in memory: course outlines and published revisions.

A course's outline is kept under (course id, ``Course.updated_at``), which moves whenever one of
its modules or lessons changes (see ``models.courses``); a revision never changes once saved,
so it is kept under its id. Each worker keeps its own copy in the content cache
(``courseware.core.caching``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import select

from courseware.content.render import image_base, render_markdown
from courseware.core.caching import content_cache, freeze
from courseware.extensions import db
from courseware.models import Course, Lesson, LessonRevision, Module


@dataclass(frozen=True)
class OutlineRow:
    """One published lesson of a course, in order, with its module."""

    course_id: int
    module_id: int
    module_slug: str
    module_title: str
    optional: bool
    lesson_id: int
    lesson_slug: str
    title: str
    minutes: int
    revision_id: int


@dataclass(frozen=True)
class PublishedRevision:
    """The parts of a published revision a learner's page shows."""

    id: int
    title: str
    minutes: int
    activities: tuple
    body_html: Markup
    # The lesson's own say on its discussion (None follows the course).
    discussion: bool | None = None
    # Which translation (and which version of it) this is shown in; () for the original.
    version: tuple = ()


@dataclass(frozen=True)
class PublishedLesson:
    """A lesson as learners see it: where it sits and its published revision."""

    id: int
    slug: str
    course_id: int
    module_id: int
    published_revision_id: int

    @property
    def published_revision(self) -> PublishedRevision:
        return published_revision(self.published_revision_id)


def outline_key(course: Course) -> tuple[str, int, dt.datetime]:
    return ("outline", course.id, course.updated_at)


def course_outlines(courses: list[Course]) -> dict[int, tuple[OutlineRow, ...]]:
    """Each course's published lessons in order, read once per change of the course."""
    cache = content_cache()
    return {
        course.id: cache.get_or_make(outline_key(course), lambda course=course: _outline(course.id))
        for course in courses
    }


def _outline(course_id: int) -> tuple[OutlineRow, ...]:
    return tuple(OutlineRow(*row) for row in _outline_rows([course_id]))


def _outline_rows(course_ids: list[int]):
    return db.session.execute(
        select(
            Module.course_id,
            Module.id,
            Module.slug,
            Module.title,
            Module.optional,
            Lesson.id,
            Lesson.slug,
            LessonRevision.title,
            LessonRevision.minutes,
            LessonRevision.id,
        )
        .join(Lesson, Lesson.module_id == Module.id)
        .join(LessonRevision, LessonRevision.id == Lesson.published_revision_id)
        .where(Module.course_id.in_(course_ids), Module.archived_at.is_(None), Lesson.archived_at.is_(None))
        .order_by(Module.course_id, Module.position, Lesson.position)
    ).all()


def published_revision(revision_id: int) -> PublishedRevision:
    """The revision's title, minutes, activities and sanitised body HTML."""
    return content_cache().get_or_make(("revision", revision_id), lambda: _load_revision(revision_id))


def _load_revision(revision_id: int) -> PublishedRevision:
    title, minutes, activities, body, body_html, discussion, course_slug = db.session.execute(
        select(
            LessonRevision.title,
            LessonRevision.minutes,
            LessonRevision.activities,
            LessonRevision.body,
            LessonRevision.body_html,
            LessonRevision.discussion,
            Course.slug,
        )
        .join(Lesson, Lesson.id == LessonRevision.lesson_id)
        .join(Course, Course.id == Lesson.course_id)
        .where(LessonRevision.id == revision_id)
    ).one()
    html = Markup(body_html) if body_html is not None else render_markdown(body, image_base(course_slug))
    return PublishedRevision(revision_id, title, minutes, freeze(activities or []), html, discussion)

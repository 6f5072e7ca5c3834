"""Enrollments, and the published courses and lessons learners reach."""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, select
from sqlalchemy.exc import IntegrityError

from courseware.content.published import PublishedLesson, course_outlines
from courseware.exceptions import NotAllowed
from courseware.extensions import db
from courseware.models import Course, Enrollment, User
from courseware.progress import rules
from courseware.progress.services import record_event


def enroll(
    user: User, course: Course, *, assigned_by: User | None = None, due_date: dt.date | None = None
) -> Enrollment:
    """Enroll ``user`` in ``course`` (or update the due date of an existing enrollment).

    The unique (learner, course) index decides between two managers assigning the course at the
    same moment: one enrolls, the other finds that enrollment and sets its due date.
    """
    existing = select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.course_id == course.id)
    enrollment = db.session.scalar(existing)
    if enrollment is None:
        fresh = Enrollment(
            user_id=user.id,
            course_id=course.id,
            assigned_by_id=assigned_by.id if assigned_by else None,
            due_date=due_date,
        )
        try:
            with db.session.begin_nested():
                db.session.add(fresh)
        except IntegrityError:
            enrollment = db.session.scalar(existing)
            if enrollment is None:  # some other constraint failed
                raise
        else:
            record_event(user, rules.ENROLLED, course_id=course.id, detail={"assigned_by": fresh.assigned_by_id})
            return fresh
    if due_date is not None:
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
        raise NotAllowed(_("No such course."))
    course, enrollment = found
    if enrollment is None:
        raise NotAllowed(_("You are not enrolled in this course."))
    return course, enrollment

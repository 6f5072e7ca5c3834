"""What a learner's record shows: their timeline of events and their certificates."""

from __future__ import annotations

from sqlalchemy import select

from courseware.extensions import db
from courseware.models import Course, Enrollment, LearningEvent, Lesson, LessonRevision, User
from courseware.progress import rules


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
    """The completed enrollment with certificate number ``code``, its learner and course; None if none."""
    row = db.session.execute(
        select(Enrollment, User, Course)
        .join(User, User.id == Enrollment.user_id)
        .join(Course, Course.id == Enrollment.course_id)
        .where(Enrollment.certificate_code == code, Enrollment.completed_at.is_not(None))
    ).first()
    return tuple(row) if row else None

"""What a learner's record shows: their timeline of events and their certificates."""

from __future__ import annotations

from sqlalchemy import and_, func, select

from courseware.content.translations import course_in
from courseware.extensions import db
from courseware.models import Course, Enrollment, LearningEvent, Lesson, LessonRevision, LessonTranslation, User
from courseware.progress import rules


def timeline(user: User, language: str, limit: int = 100) -> list[tuple[LearningEvent, str | None, str | None]]:
    """The learner's latest events with the course and lesson titles they concern, in
    ``language`` where the course has them."""
    rows = db.session.execute(
        select(LearningEvent, Course, func.coalesce(LessonTranslation.title, LessonRevision.title))
        .outerjoin(Course, Course.id == LearningEvent.course_id)
        .outerjoin(Lesson, Lesson.id == LearningEvent.lesson_id)
        .outerjoin(LessonRevision, LessonRevision.id == Lesson.published_revision_id)
        .outerjoin(
            LessonTranslation, and_(LessonTranslation.lesson_id == Lesson.id, LessonTranslation.language == language)
        )
        .where(LearningEvent.user_id == user.id, LearningEvent.verb != rules.VIEWED)
        .order_by(LearningEvent.id.desc())
        .limit(limit)
    ).all()
    return [
        (event, course_in(course, language).title if course is not None else None, lesson_title)
        for event, course, lesson_title in rows
    ]


def certificate(code: str) -> tuple[Enrollment, User, Course] | None:
    """The completed enrollment with certificate number ``code``, its learner and course; None if none."""
    row = db.session.execute(
        select(Enrollment, User, Course)
        .join(User, User.id == Enrollment.user_id)
        .join(Course, Course.id == Enrollment.course_id)
        .where(Enrollment.certificate_code == code, Enrollment.completed_at.is_not(None))
    ).first()
    return tuple(row) if row else None

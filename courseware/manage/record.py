"""One person's record as their manager sees it: timeline, courses, work and its reviews,
checklists a trainer confirms, objectives, the journal entries they shared, reminders sent, and
the conversations about their work.

These functions read the given person's rows only; the view checks first that the person is in
the manager's scope (``policies.person_in_scope``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select

from courseware.extensions import db
from courseware.learn.course_map import build_course_maps
from courseware.manage.people import Clock, LearnerRow, PeopleFilter, all_people
from courseware.manage.policies import Scope
from courseware.models import (
    ChecklistState,
    Comment,
    Course,
    Enrollment,
    JournalEntry,
    LearningEvent,
    Lesson,
    LessonRevision,
    Module,
    Objective,
    Reminder,
    Review,
    Submission,
    User,
)
from courseware.progress import status as status_rules


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
        return status_rules.overdue_days(self.enrollment.due_date, dt.date.today())


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
    """The person's own objectives (not those they set for a team) with their revisions (loaded in one more query)."""
    from sqlalchemy.orm import selectinload

    return list(
        db.session.scalars(
            select(Objective)
            .where(Objective.user_id == person.id, ~Objective.team_link.has())
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


def checklists_for_trainers(person: User) -> list[tuple[ChecklistState, str | None, str | None]]:
    """The person's checklists that went to a trainer (waiting, confirmed or returned), latest
    first, with course and lesson titles."""
    return [
        tuple(row)
        for row in db.session.execute(
            select(ChecklistState, Course.title, LessonRevision.title)
            .join(Lesson, Lesson.id == ChecklistState.lesson_id)
            .join(Course, Course.id == Lesson.course_id)
            .outerjoin(LessonRevision, LessonRevision.id == Lesson.published_revision_id)
            .where(ChecklistState.user_id == person.id, ChecklistState.status != "open")
            .order_by(ChecklistState.updated_at.desc(), ChecklistState.id.desc())
        )
    ]


def comment_counts(person: User) -> dict[tuple[str, int], int]:
    """How many comments (not deleted) each thread about the person's work holds, by (subject, item id)."""
    rows = db.session.execute(
        select(Comment.subject, Comment.subject_id, func.count())
        .where(Comment.learner_id == person.id, Comment.deleted_at.is_(None))
        .group_by(Comment.subject, Comment.subject_id)
    )
    return {(subject, item_id): count for subject, item_id, count in rows}


def reminders_of(person: User, limit: int = 10) -> list[Reminder]:
    return list(
        db.session.scalars(
            select(Reminder).where(Reminder.user_id == person.id).order_by(Reminder.sent_on.desc()).limit(limit)
        )
    )


def person_summary(scope: Scope, person: User, now: Clock) -> LearnerRow | None:
    """The person's line of the people table (status, trend, percent)."""
    return next(all_people(scope, PeopleFilter(user_ids=(person.id,)), now), None)

"""Who takes part in a lesson's discussion, and who moderates it.

A discussion is open under a published lesson when the lesson says so (``discussion: true``),
or when it says nothing and its course opens one under every lesson. Who reads and posts:

- the learners enrolled in the course;
- the course's trainers: its owner and editors, while they are trainers (``can_edit_course``);
- admins.

Nobody else, managers included: a discussion holds the posts of learners from every team, and a
manager sees only the people of their own. Trainers of the course and admins moderate (hide a
post with a reason). Views answer 404 wherever these say no, and for a closed discussion.
"""

from __future__ import annotations

from sqlalchemy import exists, select

from courseware.authoring.policies import can_edit_course
from courseware.extensions import db
from courseware.models import Course, DiscussionPost, Enrollment, Lesson, LessonRevision


def discussion_open(course: Course, revision: LessonRevision | None) -> bool:
    """Whether the lesson whose published revision is ``revision`` has an open discussion: the
    lesson's own say, or the course's default when it has none."""
    if revision is None:
        return False
    if revision.discussion is not None:
        return revision.discussion
    return bool(course.discussion)


def is_enrolled(user, course: Course) -> bool:
    return bool(
        db.session.scalar(select(exists().where(Enrollment.user_id == user.id, Enrollment.course_id == course.id)))
    )


def can_moderate(user, course: Course) -> bool:
    """The course's trainers (owner and editors who are trainers now) and admins."""
    return bool(user.is_authenticated and can_edit_course(user, course))


def can_join_discussion(user, course: Course) -> bool:
    """May ``user`` read and post in the discussions of ``course``'s lessons?"""
    if not user.is_authenticated or not user.is_active:
        return False
    return can_moderate(user, course) or is_enrolled(user, course)


def can_change_post(user, post: DiscussionPost) -> bool:
    """Only its author edits or deletes a post, while they may still join the discussion; a
    removed post has nothing left to change."""
    if not user.is_authenticated or post.author_id != user.id or post.deleted_at is not None:
        return False
    course = db.session.get(Course, post.course_id)
    return course is not None and can_join_discussion(user, course)


def can_see_hidden_text(user, post: DiscussionPost, course: Course) -> bool:
    """A hidden post's text and the reason: its author and the discussion's moderators."""
    return bool(user.is_authenticated and (post.author_id == user.id or can_moderate(user, course)))


def lesson_course(post: DiscussionPost) -> tuple[Lesson | None, Course | None]:
    return db.session.get(Lesson, post.lesson_id), db.session.get(Course, post.course_id)

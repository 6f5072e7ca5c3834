"""Who may see a course's images: whoever may see its lessons."""

from __future__ import annotations

from sqlalchemy import exists, select

from courseware.authoring.policies import can_edit_course
from courseware.extensions import db
from courseware.models import Course, Enrollment
from courseware.review.policies import review_rights


def may_see_images(user, course: Course) -> bool:
    """The course's editors and admins (a draft's too); once it is out of draft, its enrolled
    learners and the people named to review its work. Everyone else sees nothing."""
    if not user.is_authenticated:
        return False
    if can_edit_course(user, course):
        return True
    if course.status == "draft":
        return False
    enrolled = exists().where(Enrollment.user_id == user.id, Enrollment.course_id == course.id)
    if db.session.scalar(select(enrolled)):
        return True
    rights = review_rights(user.id)
    return bool(db.session.scalar(select(select(rights.c.reviewer_id).where(rights.c.course_id == course.id).exists())))

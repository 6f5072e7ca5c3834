"""Who may reach a package's files: the people who may see its lessons."""

from __future__ import annotations

from sqlalchemy import exists, select

from courseware.authoring.policies import can_edit_course
from courseware.extensions import db
from courseware.models import Course, Enrollment, Package


def can_see_package(user, package: Package) -> bool:
    """A learner enrolled in the package's course (not a draft), or one of its editors."""
    if not user.is_authenticated:
        return False
    course = db.session.get(Course, package.course_id)
    if course is None:
        return False
    if can_edit_course(user, course):
        return True
    if course.status == "draft":
        return False
    return bool(
        db.session.scalar(select(exists().where(Enrollment.user_id == user.id, Enrollment.course_id == course.id)))
    )

"""Who may author: object-level rules for the course and lesson editor, used by views and templates.

Every right needs its role as well as its row. Trainers edit the courses they own or were
granted (``CourseStaff`` editor); admins edit every course and grant editors. Taking the role
away takes the right away at once. Views answer 404 where these say no, so that what a person
may not see looks exactly like what does not exist.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, or_, select, true

from courseware.extensions import db
from courseware.models import Course, CourseStaff

AUTHOR_ROLES = ("trainer", "admin")


def can_edit_course(user, course: Course) -> bool:
    """An admin; or a trainer who owns the course or was made one of its editors."""
    if not user.is_authenticated:
        return False
    if user.has_role("admin"):
        return True
    if not user.has_role("trainer"):
        return False
    if course.owner_id == user.id:
        return True
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    CourseStaff.course_id == course.id, CourseStaff.user_id == user.id, CourseStaff.role == "editor"
                )
            )
        )
    )


def can_grant_editors(user) -> bool:
    """Only admins grant (and withdraw) the right to edit a course."""
    return bool(user.is_authenticated and user.has_role("admin"))


def editable_courses_condition(user) -> ColumnElement[bool]:
    """A condition on ``Course`` selecting the courses ``user`` may edit."""
    if user.has_role("admin"):
        return true()
    if not user.has_role("trainer"):
        return false()
    granted = select(CourseStaff.course_id).where(CourseStaff.user_id == user.id, CourseStaff.role == "editor")
    return or_(Course.owner_id == user.id, Course.id.in_(granted))


TEMPLATE_POLICIES = {"can_grant_editors": can_grant_editors}

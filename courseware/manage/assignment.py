"""Assigning a published course, with a due date, to teams and people in the manager's scope.

Each person newly enrolled, and each whose due date changes, is notified (in the app, and by
e-mail as they chose when SMTP is set up)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import or_, select

from courseware.core.links import email_url, site_path
from courseware.exceptions import Invalid, NotAllowed
from courseware.extensions import db
from courseware.learn.enrollment import enroll
from courseware.manage.policies import Scope
from courseware.models import Course, Enrollment, User
from courseware.notifications.services import notify

log = logging.getLogger(__name__)


@dataclass
class Assignment:
    course: Course
    due_date: dt.date | None
    people: int = 0
    new: int = 0


def assign_course(
    manager: User,
    scope: Scope,
    course: Course,
    *,
    due_date: dt.date | None,
    team_ids: Iterable[int] = (),
    user_ids: Iterable[int] = (),
    today: dt.date | None = None,
) -> Assignment:
    """Enroll the members of the given teams and the given people in ``course`` with a due date.

    People already enrolled keep their progress; their due date is set to the new one. Refuses
    a draft course, a due date in the past, an empty selection, and anyone outside the scope.
    """
    team_ids, user_ids = set(team_ids), set(user_ids)
    if course.status != "published":
        raise Invalid("Only a published course can be assigned.", field="course")
    if due_date is not None and due_date < (today or dt.date.today()):
        raise Invalid("The due date is in the past; choose today or a later day.", field="due_date")
    if not team_ids and not user_ids:
        raise Invalid("Choose at least one team or person to assign the course to.", field="teams")
    if any(not scope.covers_team(team_id) for team_id in team_ids):
        raise NotAllowed("You can only assign courses to the teams you manage.")
    people = list(
        db.session.scalars(
            select(User)
            .where(or_(User.team_id.in_(team_ids), User.id.in_(user_ids)), User.is_active.is_(True))
            .order_by(User.id)
        )
    )
    found = {person.id for person in people}
    if user_ids - found or any(not scope.covers_team(person.team_id) for person in people):
        raise NotAllowed("You can only assign courses to people in the teams you manage.")
    due_before = dict(
        db.session.execute(
            select(Enrollment.user_id, Enrollment.due_date).where(
                Enrollment.course_id == course.id, Enrollment.user_id.in_(found)
            )
        ).all()
    )
    already = set(due_before)
    for person in people:
        enroll(person, course, assigned_by=manager, due_date=due_date)
        if person.id not in already:
            tell_assigned(person, course, manager, due_date)
        elif due_date is not None and due_before[person.id] != due_date:
            tell_due_date(person, course, manager, due_date)
    result = Assignment(course, due_date, people=len(people), new=len(found - already))
    log.info(
        "%s assigned course %s to %d people (%d new), due %s",
        manager.email,
        course.slug,
        result.people,
        result.new,
        due_date,
    )
    return result


def _due(due_date: dt.date | None) -> str:
    return f", due {due_date:%-d %B %Y}" if due_date else ""


def _course_links(course: Course) -> tuple[str, str]:
    return site_path("learn.course", course_slug=course.slug), email_url("learn.course", course_slug=course.slug)


def tell_assigned(person: User, course: Course, manager: User, due_date: dt.date | None) -> None:
    """Notify ``person`` that ``manager`` assigned them ``course``."""
    path, url = _course_links(course)
    message = f"{manager.name} assigned you the course “{course.title}”{_due(due_date)}."
    notify(person, "assigned", message, path, email_body=f"Hello {person.name},\n\n{message}\n\nStart here: {url}\n")


def tell_due_date(person: User, course: Course, manager: User, due_date: dt.date) -> None:
    """Notify ``person`` that ``manager`` changed the due date of ``course``."""
    path, url = _course_links(course)
    message = f"{manager.name} changed the due date of “{course.title}”: it is now due {due_date:%-d %B %Y}."
    notify(person, "due-date", message, path, email_body=f"Hello {person.name},\n\n{message}\n\nYour course: {url}\n")


def assignable_courses() -> list[Course]:
    return list(db.session.scalars(select(Course).where(Course.status == "published").order_by(Course.title)))


def people_by_ids(scope: Scope, user_ids: Iterable[int]) -> list[User]:
    """The active people among ``user_ids`` that are in scope, by name."""
    ids = {int(i) for i in user_ids}
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(User).where(User.id.in_(ids), User.is_active.is_(True), scope.people()).order_by(User.name)
        )
    )

"""Assigning a published course, with a due date, to teams and people in the manager's scope.

A course assigned to a team is, unless the manager asks for just the people in it today, a rule
(:class:`TeamAssignment`): whoever joins the team later is enrolled in it with the rule's due date.
Every change of a person's team goes through :func:`place_in_team`, which applies the rules.
Each person newly enrolled, and each whose due date changes, is notified (in the app, and by
e-mail as they chose when SMTP is set up).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import or_, select

from courseware.core.links import email_url, site_path
from courseware.db import utcnow
from courseware.exceptions import Invalid, NotAllowed
from courseware.extensions import db
from courseware.learn.enrollment import enroll
from courseware.manage.policies import Scope
from courseware.manage.wording import in_language_of, long_date
from courseware.models import Course, Enrollment, Team, TeamAssignment, User
from courseware.notifications.services import notify

log = logging.getLogger(__name__)


@dataclass
class Assignment:
    course: Course
    due_date: dt.date | None
    people: int = 0
    new: int = 0
    rules: int = 0
    moved: list[DueDateChange] = field(default_factory=list)


@dataclass(frozen=True)
class DueDateChange:
    """A person already enrolled whose due date the assignment would change."""

    person: User
    old: dt.date


def _check(course: Course, due_date: dt.date | None, team_ids, user_ids, scope: Scope, today) -> list[User]:
    if course.status != "published":
        raise Invalid(_("Only a published course can be assigned."), field="course")
    if due_date is not None and due_date < (today or dt.date.today()):
        raise Invalid(_("The due date is in the past; choose today or a later day."), field="due_date")
    if not team_ids and not user_ids:
        raise Invalid(_("Choose at least one team or person to assign the course to."), field="teams")
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
    return people


def due_date_changes(
    scope: Scope,
    course: Course,
    *,
    due_date: dt.date | None,
    team_ids: Iterable[int] = (),
    user_ids: Iterable[int] = (),
    today: dt.date | None = None,
) -> list[DueDateChange]:
    """The people already enrolled in ``course`` whose due date the assignment would move: the
    manager is asked before they are changed. A missing due date changes nobody's."""
    team_ids, user_ids = set(team_ids), set(user_ids)
    people = _check(course, due_date, team_ids, user_ids, scope, today)
    if due_date is None or not people:
        return []
    current = dict(
        db.session.execute(
            select(Enrollment.user_id, Enrollment.due_date).where(
                Enrollment.course_id == course.id,
                Enrollment.user_id.in_([p.id for p in people]),
                Enrollment.due_date.is_not(None),
            )
        ).all()
    )
    return [
        DueDateChange(person, current[person.id])
        for person in sorted(people, key=lambda p: p.name)
        if person.id in current and current[person.id] != due_date
    ]


def assign_course(
    manager: User,
    scope: Scope,
    course: Course,
    *,
    due_date: dt.date | None,
    team_ids: Iterable[int] = (),
    user_ids: Iterable[int] = (),
    follow_teams: bool = True,
    today: dt.date | None = None,
) -> Assignment:
    """Enroll the members of the given teams and the given people in ``course`` with a due date.

    With ``follow_teams`` each team keeps the course as a rule, so that people who join it later
    are enrolled too with this due date; without it only today's members are. People already
    enrolled keep their progress; their due date is set to the new one and they are told. Refuses
    a draft course, a due date in the past, an empty selection, and anyone outside the scope.
    """
    team_ids, user_ids = set(team_ids), set(user_ids)
    moved = due_date_changes(scope, course, due_date=due_date, team_ids=team_ids, user_ids=user_ids, today=today)
    people = _check(course, due_date, team_ids, user_ids, scope, today)
    found = {person.id for person in people}
    already = set(
        db.session.scalars(
            select(Enrollment.user_id).where(Enrollment.course_id == course.id, Enrollment.user_id.in_(found))
        )
    )
    for person in people:
        enroll(person, course, assigned_by=manager, due_date=due_date)
        if person.id not in already:
            tell_assigned(person, course, manager, due_date)
    rules = 0
    if follow_teams:
        for team_id in sorted(team_ids):
            _set_rule(team_id, course, due_date, manager)
            rules += 1
    for change in moved:
        tell_due_date(change.person, course, manager, due_date, was=change.old)
    result = Assignment(course, due_date, people=len(people), new=len(found - already), rules=rules, moved=moved)
    log.info(
        "%s assigned course %s to %d people (%d new, %d due dates moved), due %s, %d team rules",
        manager.email,
        course.slug,
        result.people,
        result.new,
        len(moved),
        due_date,
        rules,
    )
    return result


def _course_links(course: Course) -> tuple[str, str]:
    return site_path("learn.course", course_slug=course.slug), email_url("learn.course", course_slug=course.slug)


def tell_assigned(person: User, course: Course, manager: User, due_date: dt.date | None) -> None:
    """Notify ``person`` that ``manager`` assigned them ``course``."""
    path, url = _course_links(course)
    with in_language_of(person):
        if due_date:
            message = _(
                "%(name)s assigned you the course “%(title)s”, due %(due)s.",
                name=manager.name,
                title=course.title,
                due=long_date(due_date),
            )
        else:
            message = _("%(name)s assigned you the course “%(title)s”.", name=manager.name, title=course.title)
        body = _("Hello %(name)s,\n\n%(message)s\n\nStart here: %(url)s\n", name=person.name, message=message, url=url)
    notify(person, "assigned", message, path, email_body=body)


def tell_due_date(person: User, course: Course, manager: User, due_date: dt.date, *, was: dt.date) -> None:
    """Notify ``person`` that ``manager`` moved the due date of ``course`` from ``was``."""
    path, url = _course_links(course)
    with in_language_of(person):
        message = _(
            "%(name)s changed the due date of “%(title)s”: it is now due %(due)s (it was %(was)s).",
            name=manager.name,
            title=course.title,
            due=long_date(due_date),
            was=long_date(was),
        )
        body = _("Hello %(name)s,\n\n%(message)s\n\nYour course: %(url)s\n", name=person.name, message=message, url=url)
    notify(person, "due-date", message, path, email_body=body)


def _set_rule(team_id: int, course: Course, due_date: dt.date | None, manager: User) -> TeamAssignment:
    rule = db.session.scalar(
        select(TeamAssignment).where(TeamAssignment.team_id == team_id, TeamAssignment.course_id == course.id)
    )
    now = utcnow()
    if rule is None:
        rule = TeamAssignment(team_id=team_id, course_id=course.id, created_at=now)
        db.session.add(rule)
    rule.due_date = due_date
    rule.assigned_by_id = manager.id
    rule.updated_at = now
    db.session.flush()
    return rule


def team_rules(scope: Scope) -> list[TeamAssignment]:
    """The courses assigned to teams in the scope as rules, by team and course."""
    rules = db.session.scalars(
        select(TeamAssignment)
        .join(Team, Team.id == TeamAssignment.team_id)
        .join(Course, Course.id == TeamAssignment.course_id)
        .order_by(Team.name, Course.title)
    )
    return [rule for rule in rules if scope.covers_team(rule.team_id)]


def stop_team_rule(scope: Scope, rule: TeamAssignment, manager: User) -> None:
    """Stop enrolling people who join the team later; who is enrolled stays enrolled."""
    if not scope.covers_team(rule.team_id):
        raise NotAllowed("You can only change the teams you manage.")
    db.session.delete(rule)
    db.session.flush()
    log.info("%s stopped the rule assigning course %s to team %s", manager.email, rule.course_id, rule.team_id)


def enroll_by_team_rules(person: User) -> int:
    """Enroll an active ``person`` in every published course their team has as a rule, with the
    rule's due date; a course they already have is left as it is. How many enrollments were made."""
    if person.team_id is None or not person.is_active:
        return 0
    rules = db.session.execute(
        select(TeamAssignment, Course)
        .join(Course, Course.id == TeamAssignment.course_id)
        .where(TeamAssignment.team_id == person.team_id, Course.status == "published")
        .order_by(TeamAssignment.id)
    ).all()
    if not rules:
        return 0
    enrolled = set(
        db.session.scalars(
            select(Enrollment.course_id).where(
                Enrollment.user_id == person.id, Enrollment.course_id.in_([course.id for _, course in rules])
            )
        )
    )
    made = 0
    for rule, course in rules:
        if course.id in enrolled:
            continue
        assigned_by = db.session.get(User, rule.assigned_by_id) if rule.assigned_by_id else None
        enroll(person, course, assigned_by=assigned_by, due_date=rule.due_date)
        if assigned_by is not None:
            tell_assigned(person, course, assigned_by, rule.due_date)
        made += 1
    if made:
        log.info("enrolled %s in %d course(s) by the rules of team %s", person.email, made, person.team_id)
    return made


def place_in_team(person: User, team: Team | None) -> int:
    """Put ``person`` in ``team`` (or in none), enrolling them by the team's rules when they join it.

    Every change of team goes through here: an admin's edit, an accepted invitation, SCIM and
    single sign-on group mapping. How many enrollments the rules made.
    """
    joined = team is not None and (person.team_id != team.id or person.id is None)
    person.team = team
    if person.id is None:
        db.session.add(person)
    db.session.flush()
    return enroll_by_team_rules(person) if joined else 0


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

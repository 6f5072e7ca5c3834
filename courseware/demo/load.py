"""Demo accounts and teams, with the built-in course assigned to the demo learners; created only
when asked for (``flask --app app demo load``)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from flask import current_app
from sqlalchemy import select

from courseware.auth.services import get_or_create_team
from courseware.content.services import import_courses
from courseware.extensions import db
from courseware.learn.enrollment import enroll
from courseware.models import CourseStaff, ManagerScope, Mentorship, Team, User

log = logging.getLogger(__name__)

DEMO_PASSWORD = "courseware-demo"

DEMO_PEOPLE = [
    # email, name, roles, team
    ("admin@example.org", "Ada Admin", ("admin",), None),
    ("manager@example.org", "Morgan Manager", ("manager",), None),
    ("trainer@example.org", "Tess Trainer", ("trainer",), "Communications"),
    ("learner@example.org", "Lee Learner", ("learner",), "Communications"),
    ("alex@example.org", "Alex Rivera", ("learner",), "Communications"),
    ("sam@example.org", "Sam Okafor", ("learner",), "Services"),
]
DEMO_TEAMS = ("Communications", "Services")
DEMO_LEARNERS = ("learner@example.org", "alex@example.org", "sam@example.org")
DEMO_TRAINER = "trainer@example.org"
# The small organisation `make run` adds, so that the manager's pages have people to show.
SAMPLE_SEED = 1
SAMPLE_LEARNERS = 60


def load_demo(echo: Callable[[str], None] = log.info) -> str:
    """Create (or leave as they are) the demo teams and accounts; import and assign the course."""
    teams = {name: get_or_create_team(name) for name in DEMO_TEAMS}
    people: dict[str, User] = {}
    created = 0
    for email, name, roles, team in DEMO_PEOPLE:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, name=name, team=teams.get(team))
            user.set_roles(roles)
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
            created += 1
        people[email] = user
    db.session.flush()
    manager = people["manager@example.org"]
    for team in teams.values():
        if db.session.get(ManagerScope, (manager.id, team.id)) is None:
            db.session.add(ManagerScope(manager_id=manager.id, team_id=team.id))
    trainer, learner = people["trainer@example.org"], people["learner@example.org"]
    if db.session.get(Mentorship, (trainer.id, learner.id)) is None:
        db.session.add(Mentorship(mentor_id=trainer.id, learner_id=learner.id))
    db.session.flush()
    echo(f"Demo accounts ready ({created} new); password for all: {DEMO_PASSWORD}")
    assigned = _import_and_assign(people, manager, echo)
    return f"Demo loaded: {len(people)} accounts, {len(teams)} teams{assigned}."


def load_sample_organisation(learners: int = SAMPLE_LEARNERS, echo: Callable[[str], None] = log.info) -> str:
    """Add a small generated organisation (once; a rerun leaves it as it is) and let the demo
    manager see every team, so that the manager's pages show real figures. Run after load_demo."""
    from courseware.demo.generate import find_or_import_course, generate_organisation, organisation_exists

    if organisation_exists(SAMPLE_SEED):
        said = "The sample organisation is already there."
    else:
        course = find_or_import_course(current_app.config.get("LESSONS_PATH"), echo=echo)
        said = generate_organisation(learners, SAMPLE_SEED, course=course, echo=echo).summary()
    manager = db.session.scalar(select(User).where(User.email == "manager@example.org"))
    if manager is not None:
        for team_id in db.session.scalars(select(Team.id)):
            if db.session.get(ManagerScope, (manager.id, team_id)) is None:
                db.session.add(ManagerScope(manager_id=manager.id, team_id=team_id))
        db.session.flush()
    return said


def _import_and_assign(people: dict[str, User], manager: User, echo) -> str:
    """Import the built-in courses and assign each to the demo learners, due in 30 days."""
    courses = import_courses(current_app.config["LESSONS_PATH"], echo=echo).courses
    due = dt.date.today() + dt.timedelta(days=30)
    trainer, admin = people[DEMO_TRAINER], people["admin@example.org"]
    for course in courses:
        for email in DEMO_LEARNERS:
            enroll(people[email], course, assigned_by=manager, due_date=due)
        # The demo trainer edits the built-in course.
        if db.session.get(CourseStaff, (course.id, trainer.id, "editor")) is None:
            db.session.add(CourseStaff(course_id=course.id, user_id=trainer.id, role="editor", granted_by_id=admin.id))
    db.session.flush()
    return f", {len(courses)} course(s) assigned to {len(DEMO_LEARNERS)} learners"

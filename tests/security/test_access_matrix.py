"""Every route, requested as every kind of person, gives the answer declared for it.

The people: anonymous; the learner who owns the objects in the URL; another learner; a
trainer with no rights to the course; a mentor of someone else; a manager of another team;
an admin; and a former trainer and manager who lost those roles but still holds every row
that came with them (the course, an editor grant, a mentorship of the owner, the owner's team
in their scope), who must be answered exactly as another learner is. A route added without a
declared expectation fails this test.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from courseware.auth.services import invite
from courseware.db import utcnow
from courseware.learn.services import add_journal_entry, enroll, save_checklist, set_objective, submit_practice
from courseware.models import ApiToken, CourseStaff, Enrollment, Lesson, ManagerScope, Mentorship, Notification
from tests.conftest import TEST_PASSWORD
from tests.core.web import new_client

ROLES = ("anonymous", "owner", "other", "trainer", "mentor", "manager", "admin", "former")

QUIZ = {
    "key": "quiz-1",
    "type": "quiz",
    "pass_mark": 1,
    "questions": [
        {
            "prompt": "Q",
            "choices": [
                {"text": "a", "correct": True, "feedback": "f"},
                {"text": "b", "correct": False, "feedback": "f"},
            ],
        }
    ],
}
ACTIVITIES = [
    QUIZ,
    {"key": "checklist-1", "type": "checklist", "items": ["one"], "verified_by": "trainer"},
    {
        "key": "practice-1",
        "type": "practice",
        "prompt": "p",
        "rubric": [{"name": "n", "good": "g"}],
        "approval": "required",
    },
    {"key": "reflection-1", "type": "reflection", "prompt": "r"},
]


def expect(anonymous="login", owner="ok", other="ok", trainer="ok", mentor="ok", manager="ok", admin="ok"):
    # The rows someone kept give nothing without the roles: they are answered as another learner.
    former = other
    return dict(zip(ROLES, (anonymous, owner, other, trainer, mentor, manager, admin, former), strict=True))


PUBLIC = expect(anonymous="ok")
GONE = expect(*(["gone"] * 7))  # a link with a token that is not valid
LOGGED_IN = expect()
OWNER_ONLY = expect(other="missing", trainer="missing", mentor="missing", manager="missing", admin="missing")
ADMIN_ONLY = expect(owner="forbidden", other="forbidden", trainer="forbidden", mentor="forbidden", manager="forbidden")
MANAGERS = expect(owner="forbidden", other="forbidden", trainer="forbidden", mentor="forbidden")
MANAGER_OF_OWNER = expect(
    owner="forbidden", other="forbidden", trainer="forbidden", mentor="forbidden", manager="missing"
)
LOGGED_IN_GUEST_PAGE = expect(anonymous="ok")  # pages that also make sense logged in (they redirect)
AUTHORS = expect(owner="forbidden", other="forbidden", manager="forbidden")
COURSE_EDITORS = expect(owner="forbidden", other="forbidden", trainer="missing", mentor="missing", manager="forbidden")
GRANTS = ADMIN_ONLY
REVIEWERS = AUTHORS
OWNERS_WORK = COURSE_EDITORS  # the owner's submission: neither trainer has rights, the mentor mentors someone else
MENTORS = expect(owner="forbidden", other="forbidden", manager="forbidden", admin="forbidden")
PAIRING = expect(owner="forbidden", other="forbidden", trainer="forbidden", mentor="forbidden")
PAIRING_IN_SCOPE = expect(
    owner="forbidden", other="forbidden", trainer="forbidden", mentor="forbidden", manager="missing"
)

EXPECTATIONS: dict[tuple[str, str], dict[str, str]] = {
    ("static", "GET"): PUBLIC,
    ("core.healthz", "GET"): PUBLIC,
    ("core.home", "GET"): LOGGED_IN,
    ("auth.login", "GET"): LOGGED_IN_GUEST_PAGE,
    ("auth.login", "POST"): LOGGED_IN_GUEST_PAGE,
    ("auth.logout", "POST"): expect(*(["login"] * 7)),  # everyone ends on the login page
    ("auth.forgot_password", "GET"): PUBLIC,
    ("auth.forgot_password", "POST"): expect(*(["login"] * 7)),  # the same answer for everyone
    ("auth.accept_invitation", "GET"): GONE,
    ("auth.accept_invitation", "POST"): GONE,
    ("auth.reset_password", "GET"): GONE,
    ("auth.reset_password", "POST"): GONE,
    ("account.account", "GET"): LOGGED_IN,
    ("account.account", "POST"): LOGGED_IN,
    ("account.revoke_token", "POST"): OWNER_ONLY,
    ("api.my_progress", "GET"): LOGGED_IN,
    ("admin.people", "GET"): ADMIN_ONLY,
    ("admin.invite", "GET"): ADMIN_ONLY,
    ("admin.invite", "POST"): ADMIN_ONLY,
    ("admin.person", "GET"): ADMIN_ONLY,
    ("admin.person", "POST"): ADMIN_ONLY,
    ("admin.set_active", "POST"): ADMIN_ONLY,
    ("admin.revoke_invitation", "POST"): ADMIN_ONLY,
    ("admin.teams", "GET"): ADMIN_ONLY,
    ("admin.teams", "POST"): ADMIN_ONLY,
    ("admin.status", "GET"): ADMIN_ONLY,
    ("learn.home", "GET"): LOGGED_IN,
    ("learn.course", "GET"): OWNER_ONLY,
    ("learn.resume", "GET"): OWNER_ONLY,
    ("learn.lesson", "GET"): OWNER_ONLY,
    ("learn.mark_read", "POST"): expect(
        owner="bad", other="missing", trainer="missing", mentor="missing", manager="missing", admin="missing"
    ),
    ("learn.answer_quiz", "POST"): OWNER_ONLY,
    ("learn.save_checklist", "POST"): OWNER_ONLY,
    ("learn.submit_practice", "POST"): OWNER_ONLY,
    ("learn.write_reflection", "POST"): OWNER_ONLY,
    ("learn.my_certificate", "GET"): OWNER_ONLY,
    ("learn.certificate", "GET"): PUBLIC,
    ("learn.journal", "GET"): LOGGED_IN,
    ("learn.journal", "POST"): LOGGED_IN,
    ("learn.journal_sharing", "POST"): OWNER_ONLY,
    ("learn.objectives", "GET"): LOGGED_IN,
    ("learn.objectives", "POST"): LOGGED_IN,
    ("learn.objective", "GET"): OWNER_ONLY,
    ("learn.objective", "POST"): OWNER_ONLY,
    ("learn.my_progress", "GET"): LOGGED_IN,
    ("manage.overview", "GET"): MANAGERS,
    ("manage.people", "GET"): MANAGERS,
    ("manage.people_csv", "GET"): MANAGERS,
    ("manage.events_csv", "GET"): MANAGERS,
    ("manage.activity_chart", "GET"): MANAGERS,
    ("manage.funnel_chart", "GET"): MANAGERS,
    ("manage.assign", "GET"): MANAGERS,
    ("manage.assign", "POST"): MANAGERS,
    ("manage.people_selected", "POST"): MANAGERS,
    ("manage.send_reminders", "POST"): MANAGERS,
    ("manage.person", "GET"): MANAGER_OF_OWNER,
    ("manage.set_objective", "POST"): MANAGER_OF_OWNER,
    ("core.livez", "GET"): PUBLIC,
    ("notifications.index", "GET"): LOGGED_IN,
    ("notifications.read_all", "POST"): LOGGED_IN,
    ("notifications.read_one", "POST"): OWNER_ONLY,
    # Authoring: trainers create courses and edit those they own or were granted; admins all.
    ("author.index", "GET"): AUTHORS,
    ("author.new_course", "GET"): AUTHORS,
    ("author.new_course", "POST"): AUTHORS,
    ("author.import_zip", "GET"): AUTHORS,
    ("author.import_zip", "POST"): AUTHORS,
    ("author.course", "GET"): COURSE_EDITORS,
    ("author.course", "POST"): COURSE_EDITORS,
    ("author.export_zip", "GET"): COURSE_EDITORS,
    ("author.add_module", "POST"): COURSE_EDITORS,
    ("author.update_module", "POST"): COURSE_EDITORS,
    ("author.move_module", "POST"): COURSE_EDITORS,
    ("author.archive_module", "POST"): COURSE_EDITORS,
    ("author.add_lesson", "POST"): COURSE_EDITORS,
    ("author.edit_lesson", "GET"): COURSE_EDITORS,
    ("author.edit_lesson", "POST"): COURSE_EDITORS,
    ("author.move_lesson", "POST"): COURSE_EDITORS,
    ("author.archive_lesson", "POST"): COURSE_EDITORS,
    ("author.revisions", "GET"): COURSE_EDITORS,
    ("author.diff", "GET"): COURSE_EDITORS,
    ("author.restore", "POST"): COURSE_EDITORS,
    ("author.publish", "POST"): COURSE_EDITORS,
    ("author.grant_editor", "POST"): GRANTS,
    ("author.remove_staff", "POST"): GRANTS,
    # Reviewing: the course's staff, the learner's mentor and admins; nobody else sees the work.
    ("review.queue", "GET"): REVIEWERS,
    ("review.workload", "GET"): expect(owner="forbidden", other="forbidden"),
    ("review.submission", "GET"): OWNERS_WORK,
    ("review.submission", "POST"): OWNERS_WORK,
    ("review.checklist", "GET"): OWNERS_WORK,
    ("review.checklist", "POST"): OWNERS_WORK,
    # Mentoring: mentors see their own mentees; managers and admins pair people and name reviewers.
    ("mentoring.mentees", "GET"): MENTORS,
    ("mentoring.mentee", "GET"): expect(
        owner="forbidden",
        other="forbidden",
        trainer="missing",
        mentor="missing",
        manager="forbidden",
        admin="forbidden",
    ),
    ("mentoring.pairs", "GET"): PAIRING,
    ("mentoring.pairs", "POST"): PAIRING,
    ("mentoring.reviewers", "GET"): PAIRING,
    ("mentoring.end_pair", "POST"): PAIRING_IN_SCOPE,
    ("mentoring.make_reviewer", "POST"): PAIRING_IN_SCOPE,
    ("mentoring.remove_reviewer", "POST"): PAIRING_IN_SCOPE,
    ("manage.remind_person", "POST"): MANAGER_OF_OWNER,
}

# Form data that gets a POST past validation, so that "ok" means the action was allowed.
FORM_DATA = {
    "auth.login": {"email": "nobody@example.org", "password": "wrong password"},
    "auth.forgot_password": {"email": "nobody@example.org"},
    "account.account": {"name": "a token"},
    "admin.invite": {"email": "invitee@example.org", "roles": ["learner"], "team": "0"},
    "admin.person": {"name": "Renamed", "roles": ["learner"], "team": "0"},
    "admin.set_active": {"active": "1"},
    "admin.teams": {"name": "A new team"},
    "learn.answer_quiz": {"q0": "0"},
    "learn.save_checklist": {"item": ["0"]},
    "learn.submit_practice": {"text": "My work"},
    "learn.write_reflection": {"body": "My thoughts"},
    "learn.journal": {"body": "An entry"},
    "learn.objectives": {"title": "T", "horizon": "short", "measure_kind": "qualitative", "measure": "M"},
    "manage.set_objective": {"title": "T", "horizon": "short", "measure_kind": "qualitative", "measure": "M"},
    "mentoring.make_reviewer": {"course": "{course_id}"},
    "mentoring.remove_reviewer": {"course": "{course_id}"},
    "learn.objective": {
        "title": "T2",
        "horizon": "short",
        "measure_kind": "qualitative",
        "measure": "M",
        "status": "active",
    },
}


def all_routes(app) -> list[tuple[str, str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, rule.rule))
    return sorted(routes)


def test_every_route_has_a_declared_expectation(app):
    undeclared = [
        f"{method} {rule} ({endpoint})"
        for endpoint, method, rule in all_routes(app)
        if (endpoint, method) not in EXPECTATIONS
    ]
    assert undeclared == [], "declare who may use these routes in EXPECTATIONS"
    stale = sorted(key for key in EXPECTATIONS if key not in {(e, m) for e, m, _ in all_routes(app)})
    assert stale == []


@pytest.fixture
def world(db, make_user, make_team, make_course):
    team_a, team_b = make_team("Team A"), make_team("Team B")
    owner = make_user(name="Owner", team=team_a)
    other = make_user(name="Other", team=team_a)
    people = {
        "owner": owner,
        "other": other,
        "trainer": make_user(name="Trainer", roles=("trainer",), team=team_a),
        "mentor": make_user(name="Mentor", roles=("trainer",), team=team_a),
        "manager": make_user(name="Manager", roles=("manager",), team=team_b),
        "admin": make_user(name="Admin", roles=("admin",)),
    }
    db.session.add(Mentorship(mentor_id=people["mentor"].id, learner_id=other.id))
    db.session.add(ManagerScope(manager_id=people["manager"].id, team_id=team_b.id))
    course = make_course(modules=[("m", [("first", ACTIVITIES)])])
    enroll(owner, course)
    completed = make_course(modules=[("m", [("only", [])])])
    enrollment = enroll(owner, completed)
    enrollment.completed_at = utcnow()
    enrollment.certificate_code = "0123456789abcdef"
    entry = add_journal_entry(owner, "Private", share_mentor=False, share_manager=False, form_key="")
    objective = set_objective(
        owner, owner, {"title": "Mine", "horizon": "short", "measure_kind": "qualitative", "measure": "m"}
    )
    token = ApiToken(user_id=owner.id, name="script", token_hash="0" * 64)
    db.session.add(token)
    invitation, _ = invite("someone@example.org", ["learner"], None, people["admin"])
    lesson = db.session.scalar(select(Lesson).where(Lesson.course_id == course.id))
    activities = {a["key"]: a for a in ACTIVITIES}
    submission = submit_practice(owner, lesson, activities["practice-1"], "My work", None, "s1")
    checklist = save_checklist(owner, lesson, activities["checklist-1"], [0], "c1")
    staff = make_user(name="Editor", roles=("trainer",))
    db.session.add(CourseStaff(course_id=course.id, user_id=staff.id, role="editor"))
    former = make_user(name="Former", roles=("trainer", "manager"), team=team_b)
    db.session.add(CourseStaff(course_id=course.id, user_id=former.id, role="editor"))
    db.session.add(Mentorship(mentor_id=former.id, learner_id=owner.id))
    db.session.add(ManagerScope(manager_id=former.id, team_id=team_a.id))
    course.owner_id = former.id
    former.set_roles(["learner"])
    people["former"] = former
    notification = Notification(user_id=owner.id, kind="review", message="Your work was reviewed.")
    db.session.add(notification)
    db.session.commit()
    values = {
        "course_slug": course.slug,
        "lesson_slug": "first",
        "entry_id": entry.id,
        "objective_id": objective.id,
        "token_id": token.id,
        "user_id": owner.id,
        "invitation_id": invitation.id,
        "code": enrollment.certificate_code,
        "completed_slug": completed.slug,
        "token": "not-a-valid-token",
        "course_id": course.id,
        "module_id": lesson.module_id,
        "lesson_id": lesson.id,
        "revision_id": lesson.published_revision_id,
        "submission_id": submission.id,
        "state_id": checklist.id,
        "notification_id": notification.id,
        "mentor_id": people["mentor"].id,
        "learner_id": other.id,
        "role": "editor",
        "staff_id": staff.id,
        "filename": "css/site.css",
    }
    return people, values


# Query strings some routes need to do their work.
QUERY = {"manage.events_csv": "?start=2026-01-01&end=2026-12-31", "author.diff": "?old={revision_id}&new={revision_id}"}

KEY_FOR = {
    "learn.answer_quiz": "quiz-1",
    "learn.save_checklist": "checklist-1",
    "learn.submit_practice": "practice-1",
    "learn.write_reflection": "reflection-1",
}


def url_for_rule(rule: str, endpoint: str, values: dict) -> str:
    def fill(match):
        name = match.group(1).split(":")[-1]
        if name == "key":
            return KEY_FOR[endpoint]
        if name == "course_slug" and endpoint == "learn.my_certificate":
            return values["completed_slug"]
        if name == "user_id" and endpoint == "author.remove_staff":
            return str(values["staff_id"])
        return str(values[name])

    return re.sub(r"<([^>]+)>", fill, rule)


def outcome(response) -> str:
    status = response.status_code
    location = response.headers.get("Location", "")
    if status == 401 or (status == 302 and location.split("?")[0].endswith("/login")):
        return "login"
    if status == 403:
        return "forbidden"
    if status == 404:
        return "missing"
    if status == 410:
        return "gone"
    if status in (400, 405) or status >= 500:
        return "bad"
    return "ok"


ROUTE_IDS = sorted(EXPECTATIONS)


@pytest.mark.parametrize(("endpoint", "method"), ROUTE_IDS, ids=[f"{m} {e}" for e, m in ROUTE_IDS])
def test_route_answers_each_person_as_declared(app, world, endpoint, method):
    people, values = world
    rule = next(r.rule for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    url = url_for_rule(rule, endpoint, values) + QUERY.get(endpoint, "").format(**values)
    expected = EXPECTATIONS[(endpoint, method)]
    seen = {}
    for role in ROLES:
        client = new_client(app)
        if role != "anonymous":
            response = client.post(
                "/login", data={"csrf_token": token_of(client), "email": people[role].email, "password": TEST_PASSWORD}
            )
            assert response.status_code == 302, f"{role} could not log in"
        if method == "GET":
            response = client.get(url)
        else:
            data = {k: v.format(**values) if isinstance(v, str) else v for k, v in FORM_DATA.get(endpoint, {}).items()}
            data["csrf_token"] = token_of(client)
            response = client.post(url, data=data)
        if expected[role] == "gone" and response.status_code == 404:
            seen[role] = "gone"
        else:
            seen[role] = outcome(response)
    assert seen == expected


def token_of(client) -> str:
    page = client.get("/login", follow_redirects=True).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if match:
        return match.group(1)
    page = client.get("/account").get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_the_matrix_can_fail(app, world):
    """A route opened to everyone by mistake would show up: the learner pages refuse others."""
    people, values = world
    client = new_client(app)
    client.post(
        "/login", data={"csrf_token": token_of(client), "email": people["other"].email, "password": TEST_PASSWORD}
    )
    assert outcome(client.get(f"/objectives/{values['objective_id']}")) == "missing"
    assert outcome(client.get(f"/learn/{values['course_slug']}/first")) == "missing"
    assert db_has_enrollment(values)


def db_has_enrollment(values) -> bool:
    from courseware.extensions import db

    return db.session.scalar(select(Enrollment.id).where(Enrollment.certificate_code == values["code"])) is not None

"""The people and objects the route-wide tests walk every route with: one of each kind of person,
and a world of objects (courses, entries, submissions, ...) that the URLs point at."""

from __future__ import annotations

import datetime as dt
import re

from flask import current_app
from sqlalchemy import select

from courseware.auth.services import invite
from courseware.auth.sessions import session_handle
from courseware.covers.services import set_cover, uploaded_cover
from courseware.db import utcnow
from courseware.drafts.services import save_draft
from courseware.evidence.files import clean_upload
from courseware.evidence.services import attach_files
from courseware.images.services import add_uploaded_image
from courseware.jobs.services import enqueue
from courseware.learn.activities import save_checklist, submit_practice
from courseware.learn.check_ins import add_check_in
from courseware.learn.enrollment import enroll
from courseware.learn.journal import add_journal_entry
from courseware.learn.objectives import set_objective
from courseware.models import (
    ApiToken,
    Comment,
    CourseStaff,
    DiscussionPost,
    Lesson,
    ManagerScope,
    Mentorship,
    Notification,
    ScimToken,
    SignInProvider,
    TeamAssignment,
    UserSession,
    XapiClient,
)
from courseware.models.cmi5 import Cmi5Registration
from courseware.organisation.services import clean_logo, save_settings
from courseware.packages.cmi5 import launch as cmi5_launch
from courseware.packages.services import import_package
from courseware.xapi.forwarding import save_target
from tests.cmi5.packages import cmi5_zip
from tests.conftest import TEST_PASSWORD
from tests.core.web import new_client
from tests.evidence.images import png
from tests.packages.scorm import scorm_zip

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


# Form data that gets a POST past validation, so that "ok" means the action was allowed.
FORM_DATA = {
    "cmi5.waive_au": {"registration": "{cmi5_registration}", "au": "0", "reason": "Administrative"},
    "cmi5.abandon_session": {"session": "{cmi5_session}"},
    "provisioning.issue": {"name": "Okta"},
    "lrs.issue": {"name": "Authoring tool", "scopes": "statements/write"},
    "lrs.new_target": {
        "name": "Warehouse",
        "endpoint": "https://lrs.example.org/xapi/",
        "key": "courseware",
        "secret": "s3cret",
        "version": "2.0.0",
        "statements": "all",
        "enabled": "y",
    },
    "lrs.forwarding_target": {
        "name": "Warehouse",
        "endpoint": "https://lrs.example.org/xapi/",
        "key": "courseware",
        "version": "1.0.3",
        "statements": "own",
    },
    "auth.login": {"email": "nobody@example.org", "password": "wrong password"},
    "auth.forgot_password": {"email": "nobody@example.org"},
    "account.account": {"name": "a token"},
    "notifications.preference": {"delivery": "digest"},
    "manage.remind_person": {"message": "Keep going."},
    "preferences.save": {"time_zone": "Europe/Paris", "locale": "fr"},
    "organisation.settings": {
        "name": "Renamed Org",
        "accent_colour": "#1f5f8b",
        "default_time_zone": "UTC",
        "default_locale": "en",
    },
    "account.change_name": {"display_name": "A new name"},
    "account.change_email": {"email": "new-address@example.org", "email_password": "not the password"},
    "account.change_password": {"current_password": "not the password", "password": "x", "confirm": "x"},
    "admin.team": {"name": "A renamed team"},
    "admin.invite_bulk": {"csv_text": "e-mail,name\nbulk@example.org,Bulk Person"},
    "admin.invite": {"email": "invitee@example.org", "roles": ["learner"], "team": "0"},
    "admin.person": {"name": "Renamed", "roles": ["learner"], "team": "0"},
    "admin.set_active": {"active": "1"},
    "admin.teams": {"name": "A new team"},
    "learn.answer_quiz": {"q0": "0"},
    "learn.save_checklist": {"item": ["0"]},
    "threads.thread": {"body": "A comment"},
    "threads.edit": {"body": "Changed"},
    "discussions.discussion": {"body": "A post"},
    "discussions.reply": {"body": "A reply"},
    "discussions.edit": {"body": "Changed"},
    "discussions.hide": {"reason": "Off topic"},
    "mentoring.add_note": {"body": "A private note"},
    "learn.checklist_evidence": {"note": "The alert is set.", "links": "https://example.org/alert"},
    "learn.submit_practice": {"text": "My work"},
    "learn.write_reflection": {"body": "My thoughts"},
    "learn.journal": {"body": "An entry"},
    "drafts.save": {"body": "A draft"},
    "learn.objectives": {"title": "T", "horizon": "short", "measure_kind": "qualitative", "measure": "M"},
    "team_objectives.team_page": {"title": "T", "horizon": "short", "measure_kind": "qualitative", "measure": "M"},
    "manage.set_objective": {"title": "T", "horizon": "short", "measure_kind": "qualitative", "measure": "M"},
    "mentoring.make_reviewer": {"course": "{course_id}"},
    "mentoring.remove_reviewer": {"course": "{course_id}"},
    "learn.check_in": {"on_date": "2026-01-05", "rating": "3"},
    "learn.edit_check_in": {"on_date": "2026-01-06", "rating": "4"},
    "learn.review_objective": {"decision": "keep", "learned": "Something"},
    "learn.objective": {
        "title": "T2",
        "horizon": "short",
        "measure_kind": "qualitative",
        "measure": "M",
        "status": "active",
    },
}


# A provider that is never reached: starting a sign-in only sends the browser to its address.
SIGN_IN_PROVIDER = {
    "issuer": "https://idp.example.org",
    "client_id": "courseware",
    "discovery": {
        "issuer": "https://idp.example.org",
        "authorization_endpoint": "https://idp.example.org/authorize",
        "token_endpoint": "https://idp.example.org/token",
        "jwks_uri": "https://idp.example.org/jwks",
    },
}


def all_routes(app) -> list[tuple[str, str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, rule.rule))
    return sorted(routes)


def _cover_version(course) -> int:
    from courseware.covers.services import cover_of

    return cover_of(course).stored_file_id


def build_world(db, make_user, make_team, make_course):
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
    # A course of one SCORM lesson the owner plays.
    packaged = make_course(modules=[("vendor", [])])
    played = import_package(
        packaged,
        scorm_zip("1.2", units=(("intro", "Intro"),)),
        "vendor.zip",
        people["admin"],
        module=packaged.modules[0],
    )
    enroll(owner, packaged)
    # A cmi5 course of one AU the owner has launched (a registration, a session left open).
    cmi5_course = make_course(modules=[("au", [])])
    cmi5_played = import_package(
        cmi5_course, cmi5_zip({"one": {}}), "cmi5.zip", people["admin"], module=cmi5_course.modules[0]
    )
    enroll(owner, cmi5_course)
    cmi5_lesson = cmi5_played.created[0]
    cmi5_unit = cmi5_played.package.unit(cmi5_played.package.manifest["units"][0]["identifier"])
    with current_app.test_request_context():  # the launch URL is built for the request's host
        cmi5_session, _url = cmi5_launch(owner, cmi5_course, cmi5_lesson, cmi5_played.package, cmi5_unit)
    cmi5_registration = db.session.get(Cmi5Registration, cmi5_session.registration_id)
    completed = make_course(modules=[("m", [("only", [])])])
    enrollment = enroll(owner, completed)
    enrollment.completed_at = utcnow()
    enrollment.certificate_code = "0123456789abcdef"
    entry = add_journal_entry(owner, "Private", share_mentor=False, share_manager=False, form_key="")
    save_draft(owner, "journal", {"body": "Half written"})
    objective = set_objective(
        owner, owner, {"title": "Mine", "horizon": "short", "measure_kind": "qualitative", "measure": "m"}
    )
    check_in = add_check_in(objective, owner, {"on_date": dt.date(2026, 1, 1), "rating": 3})
    token = ApiToken(user_id=owner.id, name="script", token_hash="0" * 64)
    db.session.add(token)
    invitation, _ = invite("someone@example.org", ["learner"], None, people["admin"])
    lesson = db.session.scalar(select(Lesson).where(Lesson.course_id == course.id))
    activities = {a["key"]: a for a in ACTIVITIES}
    submission = submit_practice(owner, lesson, activities["practice-1"], "My work", None, "s1")
    checklist = save_checklist(owner, lesson, activities["checklist-1"], [0], "c1")
    comment = Comment(
        subject="submission", subject_id=submission.id, learner_id=owner.id, author_id=owner.id, body="Mine"
    )
    db.session.add(comment)
    course.discussion = True
    post = DiscussionPost(course_id=course.id, lesson_id=lesson.id, author_id=owner.id, body="My question")
    db.session.add(post)
    (evidence,) = attach_files(owner, [clean_upload("shot.png", png())], checklist_state=checklist)
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
    job = enqueue("mail.send", {"to": owner.email, "subject": "s", "body": "b", "key": "world"}, key="world")
    job.state, job.last_error = "failed", "refused"
    provider = SignInProvider(key="example-idp", name="Example IdP", **SIGN_IN_PROVIDER)
    db.session.add(provider)
    scim_token = ScimToken(name="Directory", token_hash="0" * 64)
    db.session.add(scim_token)
    lrs_client = XapiClient(name="Authoring tool", key="0" * 20, secret_hash="0" * 64, scopes="statements/write")
    db.session.add(lrs_client)
    forward_target = save_target(
        None,
        name="Warehouse",
        endpoint="https://lrs.example.org/xapi/",
        key="courseware",
        secret="s3cret",
        version="2.0.0",
        statements="all",
        enabled=True,
        actor=None,
    )
    set_cover(course, uploaded_cover("cover.png", png()))
    course_image = add_uploaded_image(course, "diagram.png", png())
    settings = save_settings(
        name="Example Org",
        accent_colour="#1f5f8b",
        signatory_name="Sam Signer",
        signatory_title="Head of Learning",
        default_time_zone="Europe/Paris",
        logo=clean_logo("logo.png", png()),
    )
    # The owner signed in on another device, and their team has a course as a rule.
    other_device = UserSession(id="owner-other-device", user_id=owner.id, user_agent="Mozilla/5.0 (iPhone)")
    db.session.add(other_device)
    rule = TeamAssignment(team_id=team_a.id, course_id=course.id)
    db.session.add(rule)
    db.session.commit()
    values = {
        "course_slug": course.slug,
        "lesson_slug": "first",
        "entry_id": entry.id,
        "form": "journal",
        "objective_id": objective.id,
        "check_in_id": check_in.id,
        "token_id": token.id,
        "user_id": owner.id,
        "team_id": team_a.id,
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
        "evidence_id": evidence.id,
        "subject": "submission",
        "item_id": submission.id,
        "comment_id": comment.id,
        "post_id": post.id,
        "notification_id": notification.id,
        "job_id": job.id,
        "mentor_id": people["mentor"].id,
        "learner_id": other.id,
        "role": "editor",
        "staff_id": staff.id,
        "filename": "css/site.css",
        "provider_key": provider.key,
        "provider_id": provider.id,
        "scim_token_id": scim_token.id,
        "client_id": lrs_client.id,
        "target_id": forward_target.id,
        "resource_id": str(owner.id),
        "name": "User",
        "schema_id": "urn:ietf:params:scim:schemas:core:2.0:User",
        "logo_version": settings.logo_file_id,
        "cover_version": _cover_version(course),
        "image_name": course_image.name,
        "colour": "1f5f8b",
        "handle": session_handle(other_device.id),
        "rule_id": rule.id,
        "package_course_slug": packaged.slug,
        "package_lesson_slug": played.created[0].slug,
        "package_id": played.package.id,
        "cmi5_course_slug": cmi5_course.slug,
        "cmi5_lesson_slug": cmi5_lesson.slug,
        "cmi5_course_id": cmi5_course.id,
        "cmi5_package_id": cmi5_played.package.id,
        "cmi5_registration": cmi5_registration.registration,
        "cmi5_session": cmi5_session.id,
        "path": "intro/index.html",
    }
    return people, values


KEY_FOR = {
    "learn.answer_quiz": "quiz-1",
    "learn.save_checklist": "checklist-1",
    "learn.checklist_evidence": "checklist-1",
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
        if name == "token_id" and endpoint.startswith("provisioning."):
            return str(values["scim_token_id"])
        if name == "user_id" and endpoint == "author.remove_staff":
            return str(values["staff_id"])
        if endpoint in ("packages.runtime", "packages.commit") and name in ("course_slug", "lesson_slug"):
            return values[f"package_{name}"]
        if name == "ticket":
            return "not-a-ticket"
        if endpoint.startswith("cmi5.") and name in ("course_slug", "lesson_slug", "course_id", "package_id"):
            return str(values[f"cmi5_{name}"])
        if name == "name" and endpoint == "images.image":
            return values["image_name"]
        if name == "version":
            return str(values["logo_version" if endpoint == "organisation.logo" else "cover_version"])
        if name == "language":
            return "es"
        return str(values[name])

    return re.sub(r"<([^>]+)>", fill, rule)


def token_of(client) -> str:
    page = client.get("/login", follow_redirects=True).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if match:
        return match.group(1)
    page = client.get("/account").get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def logged_in_client(app, person):
    """A separate browser logged in as ``person`` through the login form (anonymous for None)."""
    client = new_client(app)
    if person is not None:
        response = client.post(
            "/login", data={"csrf_token": token_of(client), "email": person.email, "password": TEST_PASSWORD}
        )
        assert response.status_code == 302, f"{person.email} could not log in"
    return client

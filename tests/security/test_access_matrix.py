"""Every route, requested as every kind of person, gives the answer declared for it.

The people: anonymous; the learner who owns the objects in the URL; another learner; a
trainer with no rights to the course; a mentor of someone else; a manager of another team;
an admin; and a former trainer and manager who lost those roles but still holds every row
that came with them (the course, an editor grant, a mentorship of the owner, the owner's team
in their scope), who must be answered exactly as another learner is. A route added without a
declared expectation fails this test.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from courseware.models import Enrollment
from tests.security.personas import FORM_DATA, ROLES, all_routes, logged_in_client, token_of, url_for_rule


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
# The owner's work and its evidence: the owner and admins; nobody in the world reviews, mentors or
# manages the owner (the manager manages another team, the mentor someone else).
SEES_OWNERS_WORK = expect(other="missing", trainer="missing", mentor="missing", manager="missing")
# The images of the owner's course: who may see its lessons (the owner is enrolled; none of the
# trainers edits or reviews it; admins see every course).
COURSE_AUDIENCE = expect(other="missing", trainer="missing", mentor="missing", manager="missing")
# Hiding a post in the owner's course: its trainers (none of the personas) and admins.
MODERATORS = expect(owner="missing", other="missing", trainer="missing", mentor="missing", manager="missing")
MENTORS = expect(owner="forbidden", other="forbidden", manager="forbidden", admin="forbidden")
PAIRING = expect(owner="forbidden", other="forbidden", trainer="forbidden", mentor="forbidden")
PAIRING_IN_SCOPE = expect(
    owner="forbidden", other="forbidden", trainer="forbidden", mentor="forbidden", manager="missing"
)

NOWHERE = expect(*(["missing"] * 7))

# SCIM answers only a provisioning token: a browser session, whoever it belongs to, gets 401.
NO_SCIM_TOKEN = expect(*(["login"] * 7))

# The LRS answers only an LRS client's HTTP Basic credentials: a browser session gets 401.
NO_LRS_CLIENT = expect(*(["login"] * 7))

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
    ("preferences.save", "POST"): LOGGED_IN,
    ("organisation.settings", "GET"): ADMIN_ONLY,
    ("organisation.settings", "POST"): ADMIN_ONLY,
    ("organisation.logo", "GET"): PUBLIC,
    ("organisation.theme", "GET"): PUBLIC,
    ("covers.cover", "GET"): LOGGED_IN,
    ("images.image", "GET"): COURSE_AUDIENCE,
    ("covers.edit_cover", "GET"): COURSE_EDITORS,
    ("covers.edit_cover", "POST"): COURSE_EDITORS,
    ("covers.remove_cover", "POST"): COURSE_EDITORS,
    ("account.change_name", "POST"): LOGGED_IN,
    ("account.change_email", "POST"): LOGGED_IN,
    ("account.confirm_email", "GET"): GONE,
    ("account.confirm_email", "POST"): GONE,
    ("account.change_password", "POST"): LOGGED_IN,
    ("account.end_session", "POST"): OWNER_ONLY,  # the owner's other device
    ("account.end_other_sessions", "POST"): LOGGED_IN,
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
    ("admin.team", "GET"): ADMIN_ONLY,
    ("admin.team", "POST"): ADMIN_ONLY,
    ("admin.delete_team", "POST"): ADMIN_ONLY,
    ("admin.reset_link", "POST"): ADMIN_ONLY,
    ("admin.resend_invitation", "POST"): ADMIN_ONLY,
    ("admin.invite_bulk", "GET"): ADMIN_ONLY,
    ("admin.invite_bulk", "POST"): ADMIN_ONLY,
    ("admin.status", "GET"): ADMIN_ONLY,
    ("admin.job_queue", "GET"): ADMIN_ONLY,
    ("admin.retry_job", "POST"): ADMIN_ONLY,
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
    ("learn.checklist_evidence", "POST"): OWNER_ONLY,
    ("evidence.download", "GET"): SEES_OWNERS_WORK,
    ("evidence.thumbnail", "GET"): SEES_OWNERS_WORK,
    ("evidence.remove", "POST"): OWNER_ONLY,
    # SCORM packages: the files to the course's learners and editors; the runtime and its commits
    # to the learner (a commit is JSON, so the matrix's form post is refused as bad).
    ("packages.add_package", "GET"): COURSE_EDITORS,
    ("packages.add_package", "POST"): COURSE_EDITORS,
    ("packages.package_file", "GET"): SEES_OWNERS_WORK,
    ("packages.runtime", "GET"): OWNER_ONLY,
    # Only on a content origin of its own (none here), and only with a ticket.
    ("packages.content_runtime", "GET"): NOWHERE,
    ("packages.content_file", "GET"): NOWHERE,
    ("packages.commit", "POST"): expect(
        owner="bad", other="missing", trainer="missing", mentor="missing", manager="missing", admin="missing"
    ),
    # cmi5: the learner launches their AU; the fetch URL answers anyone (its token is the secret);
    # the cmi5 course's page, waiving and abandoning are its editors'.
    ("cmi5.launch_au", "POST"): OWNER_ONLY,
    ("cmi5.fetch", "POST"): PUBLIC,
    ("cmi5.package_page", "GET"): COURSE_EDITORS,
    ("cmi5.waive_au", "POST"): COURSE_EDITORS,
    ("cmi5.abandon_session", "POST"): COURSE_EDITORS,
    ("threads.thread", "GET"): SEES_OWNERS_WORK,
    ("threads.thread", "POST"): SEES_OWNERS_WORK,
    ("threads.edit", "GET"): OWNER_ONLY,
    ("threads.edit", "POST"): OWNER_ONLY,
    ("threads.delete", "POST"): OWNER_ONLY,
    # A lesson's discussion: the course's learners (the owner), its trainers and admins; another
    # learner, a trainer without rights, a mentor and any manager find nothing.
    ("discussions.discussion", "GET"): SEES_OWNERS_WORK,
    ("discussions.discussion", "POST"): SEES_OWNERS_WORK,
    ("discussions.reply", "POST"): SEES_OWNERS_WORK,
    ("discussions.edit", "GET"): OWNER_ONLY,
    ("discussions.edit", "POST"): OWNER_ONLY,
    ("discussions.delete", "POST"): OWNER_ONLY,
    ("discussions.hide", "POST"): MODERATORS,
    ("discussions.unhide", "POST"): MODERATORS,
    ("learn.write_reflection", "POST"): OWNER_ONLY,
    ("learn.my_certificate", "GET"): OWNER_ONLY,
    ("learn.certificate", "GET"): PUBLIC,
    ("learn.journal", "GET"): LOGGED_IN,
    ("learn.journal", "POST"): LOGGED_IN,
    ("learn.journal_sharing", "POST"): OWNER_ONLY,
    # Drafts: each person reads and writes their own alone (the owner has one; nobody else does).
    ("drafts.draft", "GET"): OWNER_ONLY,
    ("drafts.save", "POST"): LOGGED_IN,
    ("learn.objectives", "GET"): LOGGED_IN,
    ("learn.objectives", "POST"): LOGGED_IN,
    ("learn.objective", "GET"): OWNER_ONLY,
    ("learn.objective", "POST"): OWNER_ONLY,
    ("learn.objective_chart", "GET"): OWNER_ONLY,
    ("learn.check_in", "POST"): OWNER_ONLY,
    ("learn.edit_check_in", "GET"): OWNER_ONLY,
    ("learn.edit_check_in", "POST"): OWNER_ONLY,
    ("learn.delete_check_in", "POST"): OWNER_ONLY,
    ("learn.review_objective", "POST"): OWNER_ONLY,
    ("learn.my_progress", "GET"): LOGGED_IN,
    ("manage.overview", "GET"): MANAGERS,
    ("manage.people", "GET"): MANAGERS,
    ("manage.people_csv", "GET"): MANAGERS,
    ("manage.events_csv", "GET"): MANAGERS,
    ("manage.activity_chart", "GET"): MANAGERS,
    ("manage.funnel_chart", "GET"): MANAGERS,
    ("manage.assign", "GET"): MANAGERS,
    ("manage.assign", "POST"): MANAGERS,
    ("manage.stop_rule", "POST"): MANAGER_OF_OWNER,  # a rule for the owner's team
    ("manage.people_selected", "POST"): MANAGERS,
    ("manage.send_reminders", "POST"): MANAGERS,
    ("manage.person", "GET"): MANAGER_OF_OWNER,
    ("manage.set_objective", "POST"): MANAGER_OF_OWNER,
    ("core.livez", "GET"): PUBLIC,
    ("notifications.index", "GET"): LOGGED_IN,
    ("notifications.read_all", "POST"): LOGGED_IN,
    ("notifications.read_one", "POST"): OWNER_ONLY,
    ("notifications.open_one", "POST"): OWNER_ONLY,
    ("notifications.preference", "POST"): LOGGED_IN,
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
    ("translations.lesson", "GET"): COURSE_EDITORS,
    ("translations.lesson", "POST"): COURSE_EDITORS,
    ("translations.remove", "POST"): COURSE_EDITORS,
    ("translations.course", "GET"): COURSE_EDITORS,
    ("translations.course", "POST"): COURSE_EDITORS,
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
    ("mentoring.add_note", "POST"): expect(
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
    # The owner's team's objectives: its managers and admins; another team's manager finds nothing.
    ("team_objectives.team_page", "GET"): MANAGER_OF_OWNER,
    ("team_objectives.team_page", "POST"): MANAGER_OF_OWNER,
    # Single sign-on: anyone may start one (the logged-in are sent home); a callback without the
    # state of a sign-in started in that browser is refused; admins set the providers up.
    ("sso.start", "GET"): PUBLIC,
    ("sso.callback", "GET"): expect(*(["bad"] * 7)),
    ("sso.providers", "GET"): ADMIN_ONLY,
    ("sso.options", "POST"): ADMIN_ONLY,
    ("sso.new_provider", "GET"): ADMIN_ONLY,
    ("sso.new_provider", "POST"): ADMIN_ONLY,
    ("sso.edit_provider", "GET"): ADMIN_ONLY,
    ("sso.edit_provider", "POST"): ADMIN_ONLY,
    ("sso.log", "GET"): ADMIN_ONLY,
    ("provisioning.index", "GET"): ADMIN_ONLY,
    ("provisioning.issue", "POST"): ADMIN_ONLY,
    ("provisioning.revoke", "GET"): ADMIN_ONLY,
    ("provisioning.revoke", "POST"): ADMIN_ONLY,
    ("scim.service_provider_config", "GET"): NO_SCIM_TOKEN,
    ("scim.resource_types", "GET"): NO_SCIM_TOKEN,
    ("scim.resource_type", "GET"): NO_SCIM_TOKEN,
    ("scim.schemas", "GET"): NO_SCIM_TOKEN,
    ("scim.schema", "GET"): NO_SCIM_TOKEN,
    ("scim.search", "POST"): NO_SCIM_TOKEN,
    ("scim.users", "GET"): NO_SCIM_TOKEN,
    ("scim.create_user", "POST"): NO_SCIM_TOKEN,
    ("scim.search_users", "POST"): NO_SCIM_TOKEN,
    ("scim.user", "GET"): NO_SCIM_TOKEN,
    ("scim.replace_user", "PUT"): NO_SCIM_TOKEN,
    ("scim.patch_user", "PATCH"): NO_SCIM_TOKEN,
    ("scim.delete_user", "DELETE"): NO_SCIM_TOKEN,
    ("scim.groups", "GET"): NO_SCIM_TOKEN,
    ("scim.create_group", "POST"): NO_SCIM_TOKEN,
    ("scim.search_groups", "POST"): NO_SCIM_TOKEN,
    ("scim.group", "GET"): NO_SCIM_TOKEN,
    ("scim.replace_group", "PUT"): NO_SCIM_TOKEN,
    ("scim.patch_group", "PATCH"): NO_SCIM_TOKEN,
    ("scim.delete_group", "DELETE"): NO_SCIM_TOKEN,
    ("lrs.index", "GET"): ADMIN_ONLY,
    ("lrs.issue", "POST"): ADMIN_ONLY,
    ("lrs.revoke", "GET"): ADMIN_ONLY,
    ("lrs.revoke", "POST"): ADMIN_ONLY,
    ("lrs.forwarding_targets", "GET"): ADMIN_ONLY,
    ("lrs.new_target", "GET"): ADMIN_ONLY,
    ("lrs.new_target", "POST"): ADMIN_ONLY,
    ("lrs.forwarding_target", "GET"): ADMIN_ONLY,
    ("lrs.forwarding_target", "POST"): ADMIN_ONLY,
    ("lrs.retry_target", "POST"): ADMIN_ONLY,
    ("lrs.remove_target", "GET"): ADMIN_ONLY,
    ("lrs.remove_target", "POST"): ADMIN_ONLY,
    ("xapi.about", "GET"): PUBLIC,
    ("xapi.get_statements", "GET"): NO_LRS_CLIENT,
    ("xapi.put_statement", "PUT"): NO_LRS_CLIENT,
    ("xapi.post_statements", "POST"): NO_LRS_CLIENT,
    ("xapi.get_state", "GET"): NO_LRS_CLIENT,
    ("xapi.put_state", "PUT"): NO_LRS_CLIENT,
    ("xapi.post_state", "POST"): NO_LRS_CLIENT,
    ("xapi.delete_state", "DELETE"): NO_LRS_CLIENT,
    ("xapi.get_activity_profile", "GET"): NO_LRS_CLIENT,
    ("xapi.put_activity_profile", "PUT"): NO_LRS_CLIENT,
    ("xapi.post_activity_profile", "POST"): NO_LRS_CLIENT,
    ("xapi.delete_activity_profile", "DELETE"): NO_LRS_CLIENT,
    ("xapi.get_agent_profile", "GET"): NO_LRS_CLIENT,
    ("xapi.put_agent_profile", "PUT"): NO_LRS_CLIENT,
    ("xapi.post_agent_profile", "POST"): NO_LRS_CLIENT,
    ("xapi.delete_agent_profile", "DELETE"): NO_LRS_CLIENT,
    ("xapi.activities", "GET"): NO_LRS_CLIENT,
    ("xapi.agents", "GET"): NO_LRS_CLIENT,
}


def test_every_route_has_a_declared_expectation(app):
    undeclared = [
        f"{method} {rule} ({endpoint})"
        for endpoint, method, rule in all_routes(app)
        if (endpoint, method) not in EXPECTATIONS
    ]
    assert undeclared == [], "declare who may use these routes in EXPECTATIONS"
    stale = sorted(key for key in EXPECTATIONS if key not in {(e, m) for e, m, _ in all_routes(app)})
    assert stale == []


# Query strings some routes need to do their work.
QUERY = {"manage.events_csv": "?start=2026-01-01&end=2026-12-31", "author.diff": "?old={revision_id}&new={revision_id}"}


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
        client = logged_in_client(app, people.get(role))
        if method == "GET":
            response = client.get(url)
        else:
            data = {k: v.format(**values) if isinstance(v, str) else v for k, v in FORM_DATA.get(endpoint, {}).items()}
            data["csrf_token"] = token_of(client)
            response = client.open(url, method=method, data=data)
        if expected[role] == "gone" and response.status_code == 404:
            seen[role] = "gone"
        else:
            seen[role] = outcome(response)
    assert seen == expected


def test_the_matrix_can_fail(app, world):
    """A route opened to everyone by mistake would show up: the learner pages refuse others."""
    people, values = world
    client = logged_in_client(app, people["other"])
    assert outcome(client.get(f"/objectives/{values['objective_id']}")) == "missing"
    assert outcome(client.get(f"/learn/{values['course_slug']}/first")) == "missing"
    assert db_has_enrollment(values)


def db_has_enrollment(values) -> bool:
    from courseware.extensions import db

    return db.session.scalar(select(Enrollment.id).where(Enrollment.certificate_code == values["code"])) is not None

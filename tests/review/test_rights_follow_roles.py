"""Every right needs the role it comes with as well as its row: a mentorship, a course someone
owns or edits, a team someone manages. When an admin takes the role away, the very next request
is refused and the work is no longer listed, though the rows stay (they count again if the role
comes back)."""

from __future__ import annotations

import pytest

from courseware.models import CourseStaff, ManagerScope, Mentorship, Submission
from courseware.review.services import review_queue, workload
from tests.conftest import post, post_confirmed
from tests.core.web import new_client
from tests.review.test_review import APPROVE


@pytest.fixture
def admin_client(app, make_user, login):
    """A separate browser with an admin logged in."""
    browser = new_client(app)
    login(make_user(name="Ada Admin", roles=("admin",)), target=browser)
    return browser


@pytest.fixture
def browser(app, login):
    """``browser(person)``: a separate browser with ``person`` logged in."""

    def factory(person):
        opened = new_client(app)
        login(person, target=opened)
        return opened

    return factory


def set_roles(admin_client, person, roles, managed_teams=()):
    """The admin saves the person's page with these roles, as on the People page; taking a role or
    a managed team away asks first, and the admin answers yes."""
    path = f"/admin/people/{person.id}"
    data = {
        "name": person.name,
        "roles": list(roles),
        "team": person.team_id or 0,
        "managed_teams": list(managed_teams),
    }
    response = post(admin_client, path, data)
    if response.status_code == 200 and 'name="confirmed" value="yes"' in response.get_data(as_text=True):
        response = post(admin_client, path, {**data, "confirmed": "yes"})
    assert response.status_code == 302, response.get_data(as_text=True)


def listed(browser, submission) -> bool:
    return f"/review/submissions/{submission.id}" in browser.get("/review/").get_data(as_text=True)


def open_reviews(person) -> int | None:
    rows, _ = workload()
    return next((row.open_reviews for row in rows if row.reviewer.id == person.id), None)


def test_a_mentor_who_is_no_longer_a_trainer_cannot_review_their_mentees_work(
    db, make_user, make_course, hand_in, admin_client, browser
):
    """The mentorship stays, but without the trainer role it gives nothing: no queue, no work, no
    workload line, no mentee pages."""
    mentor = make_user(name="Mo Mentor", roles=("trainer", "manager"))
    mentee = make_user(name="Mina Mentee")
    db.session.add(Mentorship(mentor_id=mentor.id, learner_id=mentee.id))
    db.session.commit()
    course = make_course(modules=[("basics", [("write", [])])])
    submission = hand_in(mentee, course)
    mentor_browser = browser(mentor)
    assert listed(mentor_browser, submission)
    assert mentor_browser.get(f"/review/submissions/{submission.id}").status_code == 200
    assert mentor_browser.get(f"/mentoring/mentees/{mentee.id}").status_code == 200
    assert open_reviews(mentor) == 1
    assert f'<th scope="row">{mentor.name}</th>' in mentor_browser.get("/review/workload").get_data(as_text=True)

    set_roles(admin_client, mentor, ["learner", "manager"])

    assert mentor_browser.get(f"/review/submissions/{submission.id}").status_code in (403, 404)
    assert post(mentor_browser, f"/review/submissions/{submission.id}", APPROVE).status_code in (403, 404)
    assert mentor_browser.get("/review/").status_code == 403
    assert mentor_browser.get("/mentoring/mentees").status_code == 403
    assert mentor_browser.get(f"/mentoring/mentees/{mentee.id}").status_code == 403
    assert review_queue(mentor) == []
    assert open_reviews(mentor) is None
    assert f'<th scope="row">{mentor.name}</th>' not in mentor_browser.get("/review/workload").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Submission, submission.id).status == "submitted"
    assert db.session.get(Mentorship, (mentor.id, mentee.id)) is not None
    pairs = admin_client.get("/mentoring/pairs").get_data(as_text=True)
    assert "Not an active trainer now: sees nothing of this learner" in pairs  # the manager is told

    set_roles(admin_client, mentor, ["learner", "trainer", "manager"])  # the row counts again
    assert listed(mentor_browser, submission)


def test_a_former_trainer_who_still_reviews_one_course_no_longer_sees_their_mentees_work(
    db, make_user, make_course, practice_course, hand_in, admin_client, browser
):
    """A named reviewer keeps that course (a right that needs no role), and only that course."""
    mentor = make_user(name="Mo Mentor", roles=("trainer",))
    mentee = make_user(name="Mina Mentee")
    db.session.add(Mentorship(mentor_id=mentor.id, learner_id=mentee.id))
    db.session.add(CourseStaff(course_id=practice_course.id, user_id=mentor.id, role="reviewer"))
    db.session.commit()
    elsewhere = make_course(modules=[("basics", [("write", [])])])
    mentees_work = hand_in(mentee, elsewhere)
    course_work = hand_in(make_user(), practice_course)
    mentor_browser = browser(mentor)
    assert listed(mentor_browser, mentees_work) and listed(mentor_browser, course_work)

    set_roles(admin_client, mentor, ["learner"])

    assert not listed(mentor_browser, mentees_work)
    assert mentor_browser.get(f"/review/submissions/{mentees_work.id}").status_code == 404
    assert f'value="{mentee.id}"' not in mentor_browser.get("/review/").get_data(as_text=True)  # mentee filter
    assert listed(mentor_browser, course_work)
    assert [item.id for item in review_queue(mentor)] == [course_work.id]
    assert open_reviews(mentor) == 1


def test_a_named_reviewer_whose_grant_is_withdrawn_is_refused_at_once(
    db, make_user, make_team, practice_course, hand_in, browser
):
    team = make_team("Comms")
    manager = make_user(roles=("manager",))
    db.session.add(ManagerScope(manager_id=manager.id, team_id=team.id))
    reviewer = make_user(name="Rita Reviewer", team=team)
    db.session.add(CourseStaff(course_id=practice_course.id, user_id=reviewer.id, role="reviewer"))
    db.session.commit()
    submission = hand_in(make_user(), practice_course)
    reviewer_browser = browser(reviewer)
    assert listed(reviewer_browser, submission)
    assert open_reviews(reviewer) == 1

    response = post_confirmed(
        browser(manager), f"/mentoring/reviewers/{reviewer.id}/remove", {"course": practice_course.id}
    )
    assert response.status_code == 302

    assert reviewer_browser.get(f"/review/submissions/{submission.id}").status_code in (403, 404)
    assert post(reviewer_browser, f"/review/submissions/{submission.id}", APPROVE).status_code in (403, 404)
    assert reviewer_browser.get("/review/").status_code == 403
    assert review_queue(reviewer) == []
    assert open_reviews(reviewer) is None


@pytest.mark.parametrize("grant", ["owner", "editor"])
def test_a_course_author_who_is_no_longer_a_trainer_neither_edits_nor_reviews_the_course(
    db, make_user, make_course, hand_in, tick_all, admin_client, browser, grant, practice_course, trainer
):
    """Owning a course, or being named one of its editors, counts only for a trainer."""
    author = trainer
    if grant == "editor":
        practice_course.owner_id = None
        db.session.add(CourseStaff(course_id=practice_course.id, user_id=author.id, role="editor"))
        db.session.commit()
    submission = hand_in(make_user(), practice_course)
    state = tick_all(make_user(), practice_course)
    author_browser = browser(author)
    assert listed(author_browser, submission)
    assert author_browser.get(f"/author/courses/{practice_course.id}").status_code == 200
    assert open_reviews(author) == 1

    set_roles(admin_client, author, ["learner"])

    assert author_browser.get(f"/author/courses/{practice_course.id}").status_code in (403, 404)
    assert author_browser.get("/author/").status_code == 403
    assert author_browser.get(f"/review/submissions/{submission.id}").status_code in (403, 404)
    assert author_browser.get(f"/review/checklists/{state.id}").status_code in (403, 404)
    assert post(author_browser, f"/review/checklists/{state.id}", {"decision": "confirm"}).status_code in (403, 404)
    assert author_browser.get("/review/").status_code == 403
    assert review_queue(author) == []
    assert open_reviews(author) is None


def test_an_admin_who_keeps_only_the_trainer_role_reviews_only_their_own_rights(
    db, make_user, make_course, hand_in, admin_client, browser
):
    former_admin = make_user(name="Al Formerly-Admin", roles=("admin", "trainer"))
    submission = hand_in(make_user(), make_course(modules=[("basics", [("write", [])])]))
    former_browser = browser(former_admin)
    assert listed(former_browser, submission)

    set_roles(admin_client, former_admin, ["learner", "trainer"])

    assert not listed(former_browser, submission)
    assert former_browser.get(f"/review/submissions/{submission.id}").status_code == 404


def test_a_manager_who_loses_the_role_no_longer_sees_the_team(db, make_user, make_team, admin_client, browser):
    team = make_team("Comms")
    manager = make_user(name="Meg Manager", roles=("manager", "trainer"))
    db.session.add(ManagerScope(manager_id=manager.id, team_id=team.id))
    db.session.commit()
    member = make_user(name="Tom Teammember", team=team)
    manager_browser = browser(manager)
    assert manager_browser.get(f"/manage/people/{member.id}").status_code == 200
    assert "Tom Teammember" in manager_browser.get("/manage/people").get_data(as_text=True)
    assert manager_browser.get("/mentoring/pairs").status_code == 200

    set_roles(admin_client, manager, ["learner", "trainer"], managed_teams=[team.id])

    assert manager_browser.get(f"/manage/people/{member.id}").status_code in (403, 404)
    assert manager_browser.get("/manage/people").status_code == 403
    assert manager_browser.get("/mentoring/pairs").status_code == 403
    assert post(manager_browser, f"/manage/people/{member.id}/remind").status_code in (403, 404)


def test_a_manager_scope_row_left_without_the_role_gives_nothing(db, make_user, make_team, browser):
    """A team left in someone's scope (by a script, say) is not a right on its own."""
    team = make_team("Comms")
    member = make_user(name="Tom Teammember", team=team)
    trainer = make_user(roles=("trainer",))
    db.session.add(ManagerScope(manager_id=trainer.id, team_id=team.id))
    db.session.commit()
    trainer_browser = browser(trainer)
    assert trainer_browser.get(f"/manage/people/{member.id}").status_code in (403, 404)
    assert (
        post(trainer_browser, "/mentoring/pairs", {"mentor": trainer.id, "learners": member.email}).status_code == 403
    )

"""Mentoring: pairing in a manager's scope, what a mentor sees, and learners who become reviewers."""

from __future__ import annotations

from sqlalchemy import select

from courseware.learn.enrollment import enroll
from courseware.learn.journal import add_journal_entry
from courseware.models import CourseStaff, Enrollment, ManagerScope, Mentorship
from courseware.review.services import review_submission
from tests.conftest import post, post_confirmed
from tests.core.web import page


def test_a_manager_pairs_a_mentor_with_learners_of_their_teams_only(client, db, login, make_user, make_team, trainer):
    mine, theirs = make_team("Comms"), make_team("Finance")
    manager = make_user(roles=("manager",))
    db.session.add(ManagerScope(manager_id=manager.id, team_id=mine.id))
    db.session.commit()
    ada = make_user(email="ada@example.org", team=mine)
    ben = make_user(email="ben@example.org", team=theirs)
    login(manager)

    refused = post(client, "/mentoring/pairs", {"mentor": trainer.id, "learners": "ada@example.org\nben@example.org"})
    assert refused.status_code == 422
    assert any("ben@example.org: no one in your teams" in e for e in page(refused).errors)
    assert db.session.scalar(select(Mentorship)) is None  # all or nothing

    assert post(client, "/mentoring/pairs", {"mentor": trainer.id, "learners": "ADA@example.org"}).status_code == 302
    assert db.session.get(Mentorship, (trainer.id, ada.id)).created_by_id == manager.id
    listing = page(client.get("/mentoring/pairs")).text
    assert "Tess Trainer" in listing and ada.name in listing

    learner_mentor = make_user()
    not_trainer = post(client, "/mentoring/pairs", {"mentor": learner_mentor.id, "learners": "ada@example.org"})
    assert not_trainer.status_code == 422  # only trainers are offered as mentors

    assert post(client, f"/mentoring/pairs/{trainer.id}/{ben.id}/end").status_code == 404
    assert post_confirmed(client, f"/mentoring/pairs/{trainer.id}/{ada.id}/end").status_code == 302
    assert db.session.get(Mentorship, (trainer.id, ada.id)) is None


def test_only_managers_and_admins_pair(client, login, trainer):
    login(trainer)
    assert client.get("/mentoring/pairs").status_code == 403
    assert client.get("/mentoring/reviewers").status_code == 403


def test_a_mentor_sees_progress_work_and_only_the_journal_entries_shared_with_mentors(
    app, client, db, login, make_user, trainer, practice_course, hand_in
):
    mentee, other = make_user(name="Mina Mentee"), make_user(name="Otto Other")
    db.session.add(Mentorship(mentor_id=trainer.id, learner_id=mentee.id))
    hand_in(mentee, practice_course, text="My three objectives.")
    add_journal_entry(mentee, "Shared with my mentor.", share_mentor=True, share_manager=False, form_key="a")
    add_journal_entry(mentee, "Only for my manager.", share_mentor=False, share_manager=True, form_key="b")
    add_journal_entry(mentee, "Private thoughts.", share_mentor=False, share_manager=False, form_key="c")
    db.session.commit()
    login(trainer)

    overview = page(client.get("/mentoring/mentees")).text
    assert "Mina Mentee" in overview and "1 waiting for review" in overview and practice_course.title in overview
    detail = page(client.get(f"/mentoring/mentees/{mentee.id}")).text
    assert "My three objectives." in detail and "waiting for review" in detail
    assert "Shared with my mentor." in detail
    assert "Only for my manager." not in detail and "Private thoughts." not in detail
    assert client.get(f"/mentoring/mentees/{other.id}").status_code == 404
    assert client.get(f"/mentoring/mentees/{trainer.id}").status_code == 404


def test_a_manager_makes_a_learner_who_completed_with_approved_practice_a_reviewer(
    app, client, db, login, make_user, make_team, trainer, practice_course, hand_in
):
    team = make_team("Comms")
    manager = make_user(roles=("manager",))
    db.session.add(ManagerScope(manager_id=manager.id, team_id=team.id))
    graduate, beginner = make_user(name="Gina Graduate", team=team), make_user(name="Bea Beginner", team=team)
    submission = hand_in(graduate, practice_course)
    review_submission(
        trainer, submission, scores={"Specific": "met", "Measurable": "met"}, comment="", decision="approved"
    )
    enroll(beginner, practice_course)
    db.session.scalar(select(Enrollment).where(Enrollment.user_id == graduate.id)).completed_at = submission.created_at
    db.session.commit()
    login(manager)

    listing = page(client.get("/mentoring/reviewers")).text
    assert "Gina Graduate" in listing and "Bea Beginner" not in listing
    refused = post(client, f"/mentoring/reviewers/{beginner.id}", {"course": practice_course.id})
    assert refused.status_code == 302
    assert db.session.get(CourseStaff, (practice_course.id, beginner.id, "reviewer")) is None

    assert post(client, f"/mentoring/reviewers/{graduate.id}", {"course": practice_course.id}).status_code == 302
    assert db.session.get(CourseStaff, (practice_course.id, graduate.id, "reviewer")).granted_by_id == manager.id

    # The new reviewer now opens the queue for that course, though not a trainer.
    graduate_client = app.test_client()
    login(graduate, target=graduate_client)
    assert graduate_client.get(f"/review/?course={practice_course.id}").status_code == 200
    assert "You can now review practice work" in page(graduate_client.get("/notifications/")).text

    post_confirmed(client, f"/mentoring/reviewers/{graduate.id}/remove", {"course": practice_course.id})
    assert db.session.get(CourseStaff, (practice_course.id, graduate.id, "reviewer")) is None

"""The review queue: who sees what, decisions on practice work and checklists, and notifications."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from courseware.exceptions import Invalid
from courseware.models import (
    ChecklistState,
    CourseStaff,
    LearningEvent,
    LessonProgress,
    Mentorship,
    Notification,
    Review,
    Submission,
)
from courseware.review.services import review_queue, review_submission, workload
from tests.conftest import lesson_of, post, run_jobs
from tests.core.web import page, path_of

APPROVE = {"score-0": "met", "score-1": "partly", "decision": "approved", "comment": "Clear and countable."}


def test_the_queue_lists_waiting_work_in_my_courses_oldest_first_with_how_long_it_waited(
    client, db, login, make_user, trainer, practice_course, owned_course, make_course, hand_in, tick_all
):
    ada, bob = make_user(name="Ada"), make_user(name="Bob")
    older = hand_in(ada, practice_course)
    older.created_at = older.created_at - dt.timedelta(days=3)
    newer = hand_in(bob, practice_course)
    state = tick_all(bob, practice_course)
    elsewhere = make_course(modules=[("basics", [("write", [])])])
    foreign = hand_in(make_user(name="Carl"), elsewhere)
    db.session.commit()

    login(trainer)
    items = review_queue(trainer)
    assert [(i.kind, i.id) for i in items] == [("practice", older.id), ("practice", newer.id), ("checklist", state.id)]
    html = client.get("/review/").get_data(as_text=True)
    assert "3 days" in html and "under an hour" in html
    assert f"/review/submissions/{older.id}" in html and f"/review/checklists/{state.id}" in html
    assert f"/review/submissions/{foreign.id}" not in html

    filtered = client.get(f"/review/?course={elsewhere.id}").get_data(as_text=True)  # not my course: ignored
    assert f"/review/submissions/{older.id}" in filtered
    second = owned_course(modules=[("basics", [("write", [])])])
    only_second = client.get(f"/review/?course={second.id}").get_data(as_text=True)
    assert "Nothing is waiting for you with these filters" in only_second


def test_the_queue_filters_by_mentee_and_a_mentor_reviews_mentees_work_outside_their_courses(
    client, db, login, make_user, trainer, make_course, hand_in
):
    course = make_course(modules=[("basics", [("write", [])])])
    mentee, stranger = make_user(name="Mina Mentee"), make_user(name="Stan Stranger")
    db.session.add(Mentorship(mentor_id=trainer.id, learner_id=mentee.id))
    db.session.commit()
    mine = hand_in(mentee, course)
    theirs = hand_in(stranger, course)

    login(trainer)
    html = client.get(f"/review/?mentee={mentee.id}").get_data(as_text=True)
    assert f"/review/submissions/{mine.id}" in html and f"/review/submissions/{theirs.id}" not in html
    assert client.get(f"/review/submissions/{mine.id}").status_code == 200
    assert client.get(f"/review/submissions/{theirs.id}").status_code == 404


def test_approving_completes_the_lesson_records_the_review_and_notifies_the_learner_by_email(
    app, client, db, login, make_user, trainer, practice_course, hand_in, smtp_server
):
    learner = make_user(name="Ada Learner", email="ada@example.org")
    submission = hand_in(learner, practice_course, link="https://example.org/draft")
    lesson = lesson_of(db, practice_course, "write")
    assert db.session.get(LessonProgress, (learner.id, lesson.id)).status == "awaiting_review"

    login(trainer)
    shown = page(client.get(f"/review/submissions/{submission.id}"))
    assert "Write three objectives." in shown.text and "Twenty replies a month." in shown.text
    assert "https://example.org/draft" in shown.text and "Names what will change." in shown.text

    response = post(client, f"/review/submissions/{submission.id}", APPROVE)
    assert response.status_code == 302 and path_of(response.location) == "/review/"
    assert smtp_server.messages == []
    run_jobs(app)

    db.session.expire_all()
    assert db.session.get(Submission, submission.id).status == "approved"
    review = db.session.scalar(select(Review).where(Review.submission_id == submission.id))
    assert review.decision == "approved" and review.reviewer_id == trainer.id
    assert review.scores == {"Specific": "met", "Measurable": "partly"}
    assert db.session.get(LessonProgress, (learner.id, lesson.id)).status == "completed"
    event = db.session.scalar(
        select(LearningEvent).where(LearningEvent.user_id == learner.id, LearningEvent.verb == "reviewed")
    )
    assert event.success is True and event.activity_key == "practice-1" and event.score == 0.75
    assert event.detail["review_id"] == review.id and event.detail["decision"] == "approved"

    notification = db.session.scalar(select(Notification).where(Notification.user_id == learner.id))
    assert "Tess Trainer approved your practice work" in notification.message
    assert notification.link == f"/learn/{practice_course.slug}/write#activity-practice-1"
    assert notification.emailed_at is not None
    # The trainer was told of the hand-in, by email too; the learner of the review.
    [handed_in] = [m for m in smtp_server.messages if m["To"] == trainer.email]
    assert "Ada Learner handed in practice work" in handed_in["Subject"]
    [message] = [m for m in smtp_server.messages if m["To"] == "ada@example.org"]
    assert "approved your practice work" in message["Subject"]
    assert "Clear and countable." in message.get_payload() and "/learn/" in message.get_payload()

    # The learner sees the review on the lesson and the notification with an unread count.
    learner_client = app.test_client()
    login(learner, target=learner_client)
    lesson_page = page(learner_client.get(f"/learn/{practice_course.slug}/write"))
    assert "Review by Tess Trainer" in lesson_page.text and "Clear and countable." in lesson_page.text
    assert "Specific: met" in lesson_page.text
    header = learner_client.get("/learn").get_data(as_text=True)
    assert '<span class="count">1<span class="visually-hidden"> unread</span>' in header
    assert "Tess Trainer approved your practice work" in page(learner_client.get("/notifications/")).text
    post(learner_client, "/notifications/read")
    assert 'class="count"' not in learner_client.get("/learn").get_data(as_text=True)


def test_asking_for_changes_needs_a_comment_and_returns_the_work(
    app, client, db, login, make_user, trainer, practice_course, hand_in
):
    learner = make_user()
    submission = hand_in(learner, practice_course)
    lesson = lesson_of(db, practice_course, "write")
    login(trainer)

    missing = post(
        client, f"/review/submissions/{submission.id}", {"score-0": "not yet", "decision": "changes_requested"}
    )
    assert missing.status_code == 422
    errors = page(missing).errors
    assert any("Score “Measurable”" in e for e in errors) and any("Say what to change" in e for e in errors)
    assert 'value="not yet" checked' in missing.get_data(as_text=True)  # the score given is kept

    fields = {"score-0": "not yet", "score-1": "partly", "decision": "changes_requested", "comment": "Add numbers."}
    assert post(client, f"/review/submissions/{submission.id}", fields).status_code == 302
    db.session.expire_all()
    assert db.session.get(Submission, submission.id).status == "changes_requested"
    progress = db.session.get(LessonProgress, (learner.id, lesson.id))
    assert progress.status == "in_progress"
    assert "asked for changes" in db.session.scalar(
        select(Notification.message).where(Notification.user_id == learner.id)
    )

    # Decided work cannot be decided again, by the page or the service.
    again = post(client, f"/review/submissions/{submission.id}", APPROVE)
    assert again.status_code == 302
    assert db.session.get(Submission, submission.id).status == "changes_requested"
    try:
        review_submission(
            trainer, submission, scores={"Specific": "met", "Measurable": "met"}, comment="", decision="approved"
        )
    except Invalid as exc:
        assert "already been reviewed" in exc.message
    else:
        raise AssertionError("a second decision was accepted")


def test_checklists_are_confirmed_or_returned_with_a_comment(
    client, db, login, make_user, trainer, practice_course, tick_all
):
    learner, other = make_user(), make_user()
    state = tick_all(learner, practice_course)
    lesson = lesson_of(db, practice_course, "setup")
    assert db.session.get(LessonProgress, (learner.id, lesson.id)).status == "awaiting_review"
    login(trainer)
    assert "Save a search" in page(client.get(f"/review/checklists/{state.id}")).text

    refused = post(client, f"/review/checklists/{state.id}", {"decision": "return"})
    assert refused.status_code == 422 and any("Say what to look at again" in e for e in page(refused).errors)
    assert (
        post(client, f"/review/checklists/{state.id}", {"decision": "return", "comment": "Alert is off."}).status_code
        == 302
    )
    db.session.expire_all()
    state = db.session.get(ChecklistState, state.id)
    assert (state.status, state.comment, state.verified_by_id) == ("returned", "Alert is off.", trainer.id)
    assert db.session.get(LessonProgress, (learner.id, lesson.id)).status == "in_progress"

    second = tick_all(other, practice_course)
    assert post(client, f"/review/checklists/{second.id}", {"decision": "confirm"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(ChecklistState, second.id).status == "verified"
    assert db.session.get(LessonProgress, (other.id, lesson.id)).status == "completed"
    assert db.session.scalar(select(Notification.message).where(Notification.user_id == other.id)).endswith(
        "confirmed your checklist on “Lesson setup”."
    )


def test_a_trainer_without_rights_gets_404_on_other_work_and_a_learner_403_on_the_queue(
    app, client, db, login, make_user, practice_course, hand_in, tick_all
):
    learner = make_user()
    submission = hand_in(learner, practice_course)
    state = tick_all(learner, practice_course)
    outsider = make_user(roles=("trainer",))
    login(outsider)
    assert client.get("/review/").status_code == 200
    assert f"/review/submissions/{submission.id}" not in client.get("/review/").get_data(as_text=True)
    assert client.get(f"/review/submissions/{submission.id}").status_code == 404
    assert post(client, f"/review/submissions/{submission.id}", APPROVE).status_code == 404
    assert client.get(f"/review/checklists/{state.id}").status_code == 404
    assert post(client, f"/review/checklists/{state.id}", {"decision": "confirm"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Submission, submission.id).status == "submitted"

    learner_client = app.test_client()
    login(learner, target=learner_client)
    assert learner_client.get("/review/").status_code == 403
    assert learner_client.get(f"/review/submissions/{submission.id}").status_code == 403


def test_nobody_reviews_their_own_work_not_even_an_admin(client, db, login, make_user, practice_course, hand_in):
    admin = make_user(roles=("admin", "trainer"))
    submission = hand_in(admin, practice_course)
    login(admin)
    assert client.get(f"/review/submissions/{submission.id}").status_code == 404
    assert review_queue(admin) == []


def test_a_course_reviewer_without_the_trainer_role_reviews_that_course(
    client, db, login, make_user, practice_course, hand_in
):
    reviewer = make_user(name="Rita Reviewer")
    db.session.add(CourseStaff(course_id=practice_course.id, user_id=reviewer.id, role="reviewer"))
    db.session.commit()
    submission = hand_in(make_user(), practice_course)
    login(reviewer)
    assert f"/review/submissions/{submission.id}" in client.get("/review/").get_data(as_text=True)
    assert post(client, f"/review/submissions/{submission.id}", APPROVE).status_code == 302


def test_workload_counts_open_reviews_and_the_median_time_to_a_first_review(
    client, db, login, make_user, trainer, practice_course, hand_in
):
    colleague = make_user(name="Cleo Colleague", roles=("trainer",))
    db.session.add(CourseStaff(course_id=practice_course.id, user_id=colleague.id, role="editor"))
    db.session.commit()
    scores = {"Specific": "met", "Measurable": "met"}
    now = dt.datetime.now(dt.UTC)
    for hours, reviewer in ((2, trainer), (4, trainer), (10, colleague)):
        submission = hand_in(make_user(), practice_course)
        submission.created_at = now - dt.timedelta(hours=hours)
        review_submission(reviewer, submission, scores=scores, comment="", decision="approved")
    old = hand_in(make_user(), practice_course)
    old.created_at = now - dt.timedelta(days=45)
    review_submission(trainer, old, scores=scores, comment="", decision="approved")
    db.session.flush()
    db.session.execute(
        Review.__table__.update().where(Review.submission_id == old.id).values(created_at=now - dt.timedelta(days=40))
    )
    hand_in(make_user(), practice_course)  # still waiting
    db.session.commit()

    rows, overall = workload(now=now + dt.timedelta(minutes=1))
    by_name = {row.reviewer.name: row for row in rows}
    assert by_name["Tess Trainer"].open_reviews == 1 and by_name["Cleo Colleague"].open_reviews == 1
    assert by_name["Tess Trainer"].reviewed == 2 and round(by_name["Tess Trainer"].median_hours) == 3
    assert round(by_name["Cleo Colleague"].median_hours) == 10
    assert round(overall) == 4

    login(trainer)
    text = page(client.get("/review/workload")).text
    assert "Cleo Colleague" in text and "Median time to first review, everyone: 4.0 hours" in text

"""Threads about a learner's work: the learner and those who may see the work talk it through."""

from __future__ import annotations

from sqlalchemy import select

from courseware.learn.journal import add_journal_entry
from courseware.models import Comment, ManagerScope, Mentorship, Notification
from courseware.review.services import review_submission
from tests.conftest import csrf_token
from tests.evidence.test_evidence_xss import VECTORS, executable


def comment(client, url, body):
    return client.post(url, data={"csrf_token": csrf_token(client, "/account"), "body": body})


def notifications_of(db, person) -> list[str]:
    db.session.expire_all()
    return [n.message for n in db.session.scalars(select(Notification).where(Notification.user_id == person.id))]


def test_returned_work_shows_the_comment_and_the_learner_replies_and_hands_in_again(
    client, db, login, make_user, trainer, practice_course, hand_in
):
    learner = make_user(name="Lena Learner")
    submission = hand_in(learner, practice_course, text="First go at objectives.")
    review_submission(
        trainer,
        submission,
        scores={"Specific": "partly", "Measurable": "not yet"},
        comment="Say how you will count replies.",
        decision="changes_requested",
    )
    db.session.commit()

    login(learner)
    page = client.get(f"/learn/{practice_course.slug}/write").get_data(as_text=True)
    assert "Tess Trainer asked for changes" in page and "Say how you will count replies." in page
    assert "First go at objectives.</textarea>" in page  # the new hand-in starts from the last one

    url = f"/threads/submission/{submission.id}"
    assert comment(client, url, "Would **weekly** counts do?").status_code == 302
    assert "Lena Learner commented on the practice work." in notifications_of(db, trainer)

    reviewer = client.application.test_client()
    login(trainer, target=reviewer)
    thread = reviewer.get(url).get_data(as_text=True)
    assert "<strong>weekly</strong>" in thread
    assert comment(reviewer, url, "Yes, weekly is fine.").status_code == 302
    assert "Tess Trainer commented on your practice work." in notifications_of(db, learner)


def test_people_edit_and_delete_their_own_comments_only_and_a_removed_marker_stays(
    client, db, login, make_user, trainer, practice_course, hand_in
):
    learner = make_user(name="Lena Learner")
    submission = hand_in(learner, practice_course)
    login(learner)
    url = f"/threads/submission/{submission.id}"
    comment(client, url, "Original words")
    mine = db.session.scalar(select(Comment))
    token = csrf_token(client, "/account")
    assert (
        client.post(f"/threads/comments/{mine.id}/edit", data={"csrf_token": token, "body": "Better words"}).status_code
        == 302
    )
    page = client.get(url).get_data(as_text=True)
    assert "Better words" in page and "(edited)" in page

    reviewer = client.application.test_client()
    login(trainer, target=reviewer)
    assert reviewer.get(f"/threads/comments/{mine.id}/edit").status_code == 404
    assert (
        reviewer.post(
            f"/threads/comments/{mine.id}/delete", data={"csrf_token": csrf_token(reviewer, "/account")}
        ).status_code
        == 404
    )

    assert client.post(f"/threads/comments/{mine.id}/delete", data={"csrf_token": token}).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "This comment was removed." in page and "Better words" not in page
    assert client.get(f"/threads/comments/{mine.id}/edit").status_code == 404


def test_a_journal_entry_has_a_thread_only_with_those_it_is_shared_with(client, db, login, make_user, make_team):
    team = make_team("Comms")
    learner = make_user(name="Lena Learner", team=team)
    mentor = make_user(name="Mo Mentor", roles=("trainer",))
    manager = make_user(name="Mia Manager", roles=("manager",))
    db.session.add_all(
        [Mentorship(mentor_id=mentor.id, learner_id=learner.id), ManagerScope(manager_id=manager.id, team_id=team.id)]
    )
    db.session.commit()
    shared = add_journal_entry(
        learner, "Tried replying to a complaint.", share_mentor=True, share_manager=False, form_key=""
    )
    private = add_journal_entry(learner, "Private thoughts.", share_mentor=False, share_manager=False, form_key="")
    db.session.commit()

    login(mentor)
    assert comment(client, f"/threads/journal/{shared.id}", "Well handled.").status_code == 302
    assert "Mo Mentor commented on your journal entry." in notifications_of(db, learner)
    assert client.get(f"/threads/journal/{private.id}").status_code == 404
    boss = client.application.test_client()
    login(manager, target=boss)
    assert boss.get(f"/threads/journal/{shared.id}").status_code == 404  # shared with the mentor only


def test_a_mentors_private_notes_are_seen_by_that_mentor_alone(client, db, login, make_user):
    learner = make_user(name="Lena Learner")
    mentor, second = make_user(name="Mo Mentor", roles=("trainer",)), make_user(name="Sid Mentor", roles=("trainer",))
    db.session.add_all(
        [Mentorship(mentor_id=mentor.id, learner_id=learner.id), Mentorship(mentor_id=second.id, learner_id=learner.id)]
    )
    db.session.commit()
    login(mentor)
    token = csrf_token(client, "/account")
    assert (
        client.post(
            f"/mentoring/mentees/{learner.id}/notes",
            data={"csrf_token": token, "body": "Needs confidence with *replies*"},
        ).status_code
        == 302
    )
    assert "Needs confidence with <em>replies</em>" in client.get(f"/mentoring/mentees/{learner.id}").get_data(
        as_text=True
    )
    other = client.application.test_client()
    login(second, target=other)
    assert "Needs confidence" not in other.get(f"/mentoring/mentees/{learner.id}").get_data(as_text=True)
    learner_browser = client.application.test_client()
    login(learner, target=learner_browser)
    assert (
        learner_browser.post(
            f"/mentoring/mentees/{learner.id}/notes",
            data={"csrf_token": csrf_token(learner_browser, "/account"), "body": "x"},
        ).status_code
        == 403
    )


def test_hostile_comments_never_run_for_anyone_in_the_thread(
    client, db, login, make_user, trainer, practice_course, hand_in
):
    learner = make_user(name="Lena Learner")
    submission = hand_in(learner, practice_course)
    login(learner)
    url = f"/threads/submission/{submission.id}"
    for chunk in range(0, 200, 50):
        assert comment(client, url, "\n\n".join(VECTORS[chunk : chunk + 50])).status_code == 302
    assert executable(client.get(url).get_data(as_text=True)) == []
    reviewer = client.application.test_client()
    login(trainer, target=reviewer)
    assert executable(reviewer.get(url).get_data(as_text=True)) == []
    empty = comment(reviewer, url, "   ")
    assert empty.status_code == 422 and "Write something before sending." in empty.get_data(as_text=True)

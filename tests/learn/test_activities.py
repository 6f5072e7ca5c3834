"""What a learner does in a lesson: quizzes, checklists, practice work, and the progress each step folds into."""

import re

from sqlalchemy import func, select

from courseware.learn.enrollment import enroll
from courseware.models import LessonProgress, QuizAttempt, Submission
from courseware.progress.services import rebuild
from tests.conftest import QUIZ, csrf_token, post
from tests.learn.player import CHECKLIST, PRACTICE, REFLECTION, VERIFIED, events, lesson_url


def test_quiz_unanswered_keeps_answers_and_records_nothing(client, db, make_user, make_course, login):
    two_questions = {**QUIZ, "questions": QUIZ["questions"] * 2}
    learner = make_user()
    course = make_course(modules=[("m", [("first", [two_questions])])])
    enroll(learner, course)
    db.session.commit()
    login(learner)
    client.get(lesson_url(course, "first"))
    before = events(db, learner)
    response = post(client, f"/learn/{course.slug}/first/quiz/quiz-1", {"q1": "1", "form_key": "k1"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/learn/{course.slug}/first#activity-quiz-1"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r'Not answered yet:\s*<a href="#quiz-1-q0">question 1</a>\.', html)
    assert re.search(r'<fieldset class="question unanswered" id="quiz-1-q0"', html)
    assert '<fieldset class="question" id="quiz-1-q1"' in html
    assert re.search(r'id="quiz-1-q1-c1" value="1" checked', html)
    again = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Not answered yet" not in again and " checked>" not in again
    assert events(db, learner) == before
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 0


def test_quiz_wrong_then_right_shows_feedback_and_stores_each_attempt(client, db, make_user, make_course, login):
    learner = make_user()
    course = make_course()
    enroll(learner, course)
    db.session.commit()
    login(learner)
    response = post(client, f"/learn/{course.slug}/first/quiz/quiz-1", {"q0": "1", "form_key": "a1"})
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Not yet: 0 of 1 right" in html
    assert "Posting before listening misses the conversation." in html
    assert response.headers["Location"].startswith(f"/learn/{course.slug}/first?attempt=")
    # The pick stays ticked, with its feedback beside it, ready to change.
    pick = re.search(r'id="quiz-1-q0-c1" value="1" checked>\s*<label[^>]*>(.*?)</label>', html, re.S)
    assert pick and "Posting before listening misses the conversation." in pick.group(1)
    assert re.search(r'<span class="wrong">Not right</span>', html)
    response = post(client, f"/learn/{course.slug}/first/quiz/quiz-1", {"q0": "0", "form_key": "a2"})
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Passed: 1 of 1 right" in html
    assert "objectives tell you what to listen for" in html
    attempts = db.session.scalars(select(QuizAttempt).order_by(QuizAttempt.id)).all()
    assert [a.passed for a in attempts] == [False, True]
    assert all(a.revision_id is not None for a in attempts)
    status = db.session.scalar(select(LessonProgress.status).where(LessonProgress.user_id == learner.id))
    assert status == "completed"


def test_resubmitted_quiz_form_counts_once(client, db, make_user, make_course, login):
    learner = make_user()
    course = make_course()
    enroll(learner, course)
    db.session.commit()
    login(learner)
    shown = set()
    for _ in range(3):
        response = post(client, f"/learn/{course.slug}/first/quiz/quiz-1", {"q0": "0", "form_key": "same"})
        assert response.status_code == 302
        shown.add(response.headers["Location"])
    attempt = db.session.scalar(select(QuizAttempt))
    assert shown == {f"/learn/{course.slug}/first?attempt={attempt.id}#activity-quiz-1"}
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1
    assert events(db, learner, "passed") == 1
    assert events(db, learner, "completed") == 1


def test_checklist_ticks_are_saved_and_json_for_scripts(client, db, make_user, make_course, login):
    learner = make_user()
    course = make_course(modules=[("m", [("setup", [CHECKLIST])])])
    enroll(learner, course)
    db.session.commit()
    login(learner)
    token = csrf_token(client)
    response = client.post(
        f"/learn/{course.slug}/setup/checklist/checklist-1",
        data={"csrf_token": token, "item": ["0"]},
        headers={"Accept": "application/json"},
    )
    assert response.get_json() == {"ticked": [0], "status": "open", "items": 2}
    html = client.get(lesson_url(course, "setup")).get_data(as_text=True)
    assert 'id="checklist-1-item-0" checked' in html
    assert 'id="checklist-1-item-1">' in html
    # the same ticks again record nothing
    client.post(f"/learn/{course.slug}/setup/checklist/checklist-1", data={"csrf_token": token, "item": ["0"]})
    assert events(db, learner, "checked") == 1
    post(client, f"/learn/{course.slug}/setup/checklist/checklist-1", {"item": ["0", "1"]})
    assert db.session.scalar(select(LessonProgress.status)) == "completed"


def test_verified_checklist_waits_for_a_trainer(client, db, make_user, make_course, login):
    learner = make_user()
    course = make_course(modules=[("m", [("setup", [VERIFIED]), ("after", [])])])
    enroll(learner, course)
    db.session.commit()
    login(learner)
    post(client, f"/learn/{course.slug}/setup/checklist/setup", {"item": ["0", "1"]})
    assert db.session.scalar(select(LessonProgress.status)) == "awaiting_review"
    outline = client.get(f"/learn/{course.slug}").get_data(as_text=True)
    assert "Waiting for review" in outline
    # waiting for a trainer does not hold the learner back
    assert client.get(lesson_url(course, "after")).status_code == 200


def test_practice_submission_history_and_validation(client, db, make_user, make_course, login):
    learner = make_user()
    course = make_course(modules=[("m", [("task", [PRACTICE])])])
    enroll(learner, course)
    db.session.commit()
    login(learner)
    url = f"/learn/{course.slug}/task/practice/practice-1"
    response = post(client, url, {"text": "My objectives", "links": "javascript:alert(1)", "form_key": "p1"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "starting with https://" in html and "My objectives" in html
    response = post(client, url, {"text": "My objectives", "links": "https://example.org/doc", "form_key": "p2"})
    assert response.status_code == 302
    post(client, url, {"text": "My objectives", "form_key": "p2"})  # double click
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 1
    response = post(client, url, {"text": "Second go", "form_key": "p3"})
    assert response.status_code == 422
    assert "waiting for review" in response.get_data(as_text=True)
    html = client.get(lesson_url(course, "task")).get_data(as_text=True)
    assert "Submitted, waiting for review" in html and "https://example.org/doc" in html


def test_an_activity_posted_to_the_wrong_kind_of_form_is_not_found(client, db, make_user, make_course, login):
    learner = make_user()
    course = make_course(modules=[("m", [("setup", [CHECKLIST, QUIZ])])])
    enroll(learner, course)
    db.session.commit()
    login(learner)
    assert post(client, f"/learn/{course.slug}/setup/quiz/checklist-1", {"q0": "0"}).status_code == 404
    assert post(client, f"/learn/{course.slug}/setup/checklist/quiz-1", {"item": ["0"]}).status_code == 404
    assert events(db, learner, "checked") == 0


def test_a_returned_checklist_goes_back_to_the_trainer_when_saved_again(client, db, make_user, make_course, login):
    from courseware.models import ChecklistState
    from courseware.review.services import verify_checklist

    learner = make_user()
    trainer = make_user(roles=("admin",))
    course = make_course(modules=[("m", [("setup", [VERIFIED])])])
    enroll(learner, course)
    db.session.commit()
    login(learner)
    post(client, f"/learn/{course.slug}/setup/checklist/setup", {"item": ["0", "1"]})
    state = db.session.scalar(select(ChecklistState))
    verify_checklist(trainer, state, confirm=False, comment="The second search finds nothing yet.")
    db.session.commit()
    html = client.get(lesson_url(course, "setup")).get_data(as_text=True)
    assert "The second search finds nothing yet." in html
    post(client, f"/learn/{course.slug}/setup/checklist/setup", {"item": ["0", "1"]})
    db.session.refresh(state)
    assert state.status == "awaiting_verification"
    assert db.session.scalar(select(LessonProgress.status)) == "awaiting_review"


def test_rebuild_matches_live_progress_and_repairs_a_bad_row(client, db, make_user, make_course, login):
    learner = make_user()
    course = make_course(modules=[("m", [("a", [QUIZ]), ("b", [CHECKLIST]), ("c", [])])])
    enroll(learner, course)
    db.session.commit()
    login(learner)
    client.get(lesson_url(course, "a"))
    post(client, f"/learn/{course.slug}/a/quiz/quiz-1", {"q0": "0"})
    post(client, f"/learn/{course.slug}/b/checklist/checklist-1", {"item": ["1"]})
    assert rebuild() == 0
    row = db.session.scalar(select(LessonProgress).where(LessonProgress.status == "in_progress"))
    row.status = "completed"
    db.session.flush()
    assert rebuild() == 1
    assert rebuild() == 0


def test_each_step_folds_on_from_the_kept_state_and_a_changed_lesson_is_folded_whole(
    client, db, make_user, make_course, login
):
    """Steps fold one event on from the state kept with the progress row; once the lesson's
    activities change, the next step reads the whole log again. Either way the row is the one
    ``rebuild`` derives from the log."""
    from courseware.models import Lesson, LessonRevision

    learner = make_user()
    course = make_course(modules=[("m", [("a", [CHECKLIST]), ("b", [])])])
    enroll(learner, course)
    db.session.commit()
    login(learner)
    url = f"/learn/{course.slug}/a/checklist/checklist-1"
    for ticked in (["0"], ["1"], []):
        post(client, url, {"item": ticked, "form_key": "k" + "".join(ticked)})
    row = db.session.scalar(select(LessonProgress).where(LessonProgress.user_id == learner.id))
    assert row.status == "in_progress"
    assert row.fold_state["activities"] == {"checklist-1": "open"}
    assert rebuild() == 0

    lesson = db.session.scalar(select(Lesson).where(Lesson.course_id == course.id, Lesson.slug == "a"))
    old = db.session.get(LessonRevision, lesson.published_revision_id)
    revision = LessonRevision(
        lesson_id=lesson.id,
        number=2,
        title=old.title,
        body=old.body,
        activities=[{**CHECKLIST, "items": ["Search for the cause"]}, REFLECTION],
        content_hash="changed",
    )
    db.session.add(revision)
    db.session.flush()
    lesson.published_revision_id = revision.id
    db.session.commit()
    post(client, url, {"item": ["0"], "form_key": "after-edit"})

    db.session.refresh(row)
    assert row.fold_state["activities"] == {"checklist-1": "done", "reflection-1": "open"}
    assert row.status == "in_progress"
    assert rebuild() == 0


def test_a_sitting_of_ticks_is_one_line_of_the_timelines(app, client, db, make_user, make_course, login):
    learner = make_user()
    manager = make_user(roles=("admin",))
    course = make_course(modules=[("m", [("setup", [CHECKLIST])])])
    enroll(learner, course)
    db.session.commit()
    login(learner)
    for ticks in (["0"], [], ["1"], ["0", "1"]):
        post(client, f"/learn/{course.slug}/setup/checklist/checklist-1", {"item": ticks})
    assert events(db, learner, "checked") == 4
    mine = client.get("/progress").get_data(as_text=True)
    assert mine.count("Ticked checklist items in") == 1
    assert re.search(
        r"Ticked checklist items in <em>[^<]+</em> — all ticked <span class=\"meta\">\(4 saves in one sitting", mine
    )
    other = app.test_client()
    login(manager, target=other)
    theirs = other.get(f"/manage/people/{learner.id}").get_data(as_text=True)
    assert theirs.count("Ticked checklist items in") == 1
    assert "(4 saves in one sitting" in theirs

"""The learner's journey through a course: unlocking, activities, idempotency, completion."""

import re

from sqlalchemy import func, select

from courseware.learn.services import enroll
from courseware.models import JournalEntry, LearningEvent, LessonProgress, Objective, QuizAttempt, Submission
from courseware.progress.services import rebuild
from tests.conftest import QUIZ, csrf_token, post

CHECKLIST = {"key": "checklist-1", "type": "checklist", "items": ["Search for the cause", "Save the search"]}
VERIFIED = {**CHECKLIST, "key": "setup", "verified_by": "trainer"}
PRACTICE = {
    "key": "practice-1",
    "type": "practice",
    "prompt": "Write three objectives.",
    "rubric": [{"name": "Specific", "good": "Names what will change."}],
    "approval": "required",
}
REFLECTION = {"key": "reflection-1", "type": "reflection", "prompt": "What surprised you?"}


def events(db, user, verb=None):
    statement = select(func.count()).select_from(LearningEvent).where(LearningEvent.user_id == user.id)
    if verb:
        statement = statement.where(LearningEvent.verb == verb)
    return db.session.scalar(statement)


def lesson_url(course, slug):
    return f"/learn/{course.slug}/{slug}"


def form_key(html: str, action: str) -> str:
    match = re.search(re.escape(action) + r'".*?name="form_key"[^>]*value="([0-9a-f]+)"', html, re.S)
    assert match, f"no form for {action}"
    return match.group(1)


def test_home_lists_assigned_courses_with_continue(client, db, make_user, make_course, login):
    learner = make_user()
    course = make_course()
    enroll(learner, course)
    db.session.commit()
    login(learner)
    html = client.get("/learn").get_data(as_text=True)
    assert course.title in html
    assert f'href="/learn/{course.slug}/first"' in html
    assert "Start" in html and "0%" in html


def test_unenrolled_course_is_not_found(client, make_user, make_course, login):
    learner = make_user()
    course = make_course()
    login(learner)
    assert client.get(f"/learn/{course.slug}").status_code == 404
    assert client.get(lesson_url(course, "first")).status_code == 404


def test_lessons_unlock_in_order(client, db, make_user, make_course, login):
    learner = make_user()
    course = make_course()
    enroll(learner, course)
    db.session.commit()
    login(learner)
    assert client.get(lesson_url(course, "second")).status_code == 403
    outline = client.get(f"/learn/{course.slug}").get_data(as_text=True)
    assert "Locked" in outline
    html = client.get(lesson_url(course, "first")).get_data(as_text=True)
    action = f"/learn/{course.slug}/first/quiz/quiz-1"
    response = post(client, action, {"q0": "0", "form_key": form_key(html, action)})
    assert response.status_code == 302
    assert client.get(lesson_url(course, "second")).status_code == 200
    assert client.get(lesson_url(course, "third")).status_code == 403


def test_steps_on_a_locked_lesson_or_unenrolled_course_are_refused_and_change_nothing(
    app, client, db, make_user, make_course, login
):
    course = make_course(
        modules=[("m", [("first", [QUIZ]), ("second", [QUIZ]), ("third", []), ("fourth", [CHECKLIST])])]
    )
    learner, stranger = make_user(), make_user()
    enrollment = enroll(learner, course)
    db.session.commit()
    login(learner)
    response = post(client, f"/learn/{course.slug}/second/quiz/quiz-1", {"q0": "0", "form_key": "k1"})
    assert response.status_code == 403
    assert "opens once you have finished the lessons before it" in response.get_data(as_text=True)
    assert post(client, f"/learn/{course.slug}/third/read", {}).status_code == 403
    assert post(client, f"/learn/{course.slug}/fourth/checklist/checklist-1", {"item": "0"}).status_code == 403
    other = app.test_client()
    login(stranger, target=other)
    assert post(other, f"/learn/{course.slug}/first/quiz/quiz-1", {"q0": "0", "form_key": "k2"}).status_code == 404
    assert post(other, f"/learn/{course.slug}/third/read", {}).status_code == 404
    assert post(other, f"/learn/{course.slug}/nowhere/read", {}).status_code == 404
    assert post(other, f"/learn/{course.slug}/fourth/checklist/checklist-1", {"item": "0"}).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 0
    assert events(db, learner) == events(db, learner, "enrolled") and events(db, stranger) == 0
    db.session.refresh(enrollment)
    assert enrollment.started_at is None and enrollment.last_activity_at is None


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
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "question 1 has no answer yet" in html
    assert re.search(r'id="quiz-1-q1-c1" value="1" checked', html)
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


def test_reading_a_lesson_without_activities_and_resume(client, db, make_user, make_course, login):
    learner = make_user()
    course = make_course(modules=[("m", [("intro", []), ("next", []), ("last", [])])])
    enroll(learner, course)
    db.session.commit()
    login(learner)
    assert client.get(f"/learn/{course.slug}/continue").headers["Location"].endswith("/intro")
    post(client, f"/learn/{course.slug}/intro/read")
    post(client, f"/learn/{course.slug}/intro/read")
    assert events(db, learner, "read") == 1
    assert client.get(f"/learn/{course.slug}/continue").headers["Location"].endswith("/next")


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
    response = post(client, url, {"text": "My objectives", "link": "javascript:alert(1)", "form_key": "p1"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "starting with https://" in html and "My objectives" in html
    response = post(client, url, {"text": "My objectives", "link": "https://example.org/doc", "form_key": "p2"})
    assert response.status_code == 302
    post(client, url, {"text": "My objectives", "form_key": "p2"})  # double click
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 1
    response = post(client, url, {"text": "Second go", "form_key": "p3"})
    assert response.status_code == 422
    assert "waiting for review" in response.get_data(as_text=True)
    html = client.get(lesson_url(course, "task")).get_data(as_text=True)
    assert "Submitted, waiting for review" in html and "https://example.org/doc" in html


def test_reflection_goes_to_the_journal_and_sharing_can_change(client, db, make_user, make_course, login):
    learner = make_user()
    course = make_course(modules=[("m", [("think", [REFLECTION])])])
    enroll(learner, course)
    db.session.commit()
    login(learner)
    response = post(client, f"/learn/{course.slug}/think/reflection/reflection-1", {"body": "", "form_key": "r0"})
    assert response.status_code == 422
    post(
        client,
        f"/learn/{course.slug}/think/reflection/reflection-1",
        {"body": "Listening first.", "share_mentor": "y", "form_key": "r1"},
    )
    entry = db.session.scalar(select(JournalEntry))
    assert entry.body == "Listening first." and entry.shared_with_mentor and not entry.shared_with_manager
    assert db.session.scalar(select(LessonProgress.status)) == "completed"
    html = client.get("/journal").get_data(as_text=True)
    assert "Listening first." in html and "What surprised you?" in html
    post(client, f"/journal/{entry.id}/sharing", {"share_manager": "y"})
    db.session.refresh(entry)
    assert entry.shared_with_manager and not entry.shared_with_mentor


def test_objectives_keep_every_revision(client, db, make_user, login):
    learner = make_user()
    login(learner)
    response = post(
        client, "/objectives", {"title": "", "horizon": "short", "measure_kind": "qualitative", "measure": "x"}
    )
    assert response.status_code == 422 and "Say what you want to achieve." in response.get_data(as_text=True)
    post(
        client,
        "/objectives",
        {
            "title": "Hear from partners",
            "horizon": "medium",
            "measure_kind": "qualitative",
            "measure": "Partners say so",
            "form_key": "o1",
        },
    )
    objective = db.session.scalar(select(Objective))
    post(
        client,
        f"/objectives/{objective.id}",
        {
            "title": "Hear from partners monthly",
            "horizon": "medium",
            "measure_kind": "quantitative",
            "measure": "5 replies a month",
            "status": "active",
            "note": "Counting is clearer",
        },
    )
    db.session.refresh(objective)
    assert [r.title for r in objective.revisions] == ["Hear from partners", "Hear from partners monthly"]
    html = client.get(f"/objectives/{objective.id}").get_data(as_text=True)
    assert "Counting is clearer" in html and "Version 2" in html


def test_course_completion_gives_a_public_certificate(client, db, make_user, make_course, login, app):
    learner = make_user(name="Lee Learner")
    course = make_course(modules=[("m", [("only", [])])])
    enroll(learner, course)
    db.session.commit()
    login(learner)
    post(client, f"/learn/{course.slug}/only/read")
    response = client.get(f"/learn/{course.slug}/certificate")
    assert response.status_code == 302
    certificate_url = response.headers["Location"]
    anonymous = app.test_client()
    html = anonymous.get(certificate_url).get_data(as_text=True)
    assert "Lee Learner" in html and course.title in html
    assert anonymous.get("/certificates/not-a-code").status_code == 404


def test_a_learner_cannot_reach_another_learners_work(client, db, make_user, make_course, login):
    owner, other = make_user(), make_user()
    course = make_course()
    enroll(owner, course)
    db.session.commit()
    login(owner)
    post(client, "/objectives", {"title": "Mine", "horizon": "short", "measure_kind": "qualitative", "measure": "x"})
    post(client, "/journal", {"body": "Private thoughts"})
    objective = db.session.scalar(select(Objective))
    entry = db.session.scalar(select(JournalEntry))
    post(client, "/logout")
    login(other)
    assert client.get(f"/objectives/{objective.id}").status_code == 404
    assert post(client, f"/journal/{entry.id}/sharing", {"share_manager": "y"}).status_code == 404
    assert "Private thoughts" not in client.get("/journal").get_data(as_text=True)
    assert "Mine" not in client.get("/objectives").get_data(as_text=True)
    assert client.get(f"/learn/{course.slug}").status_code == 404


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


def test_progress_api_with_session_token_and_without(client, db, make_user, make_course, login, app):
    learner = make_user()
    course = make_course()
    enroll(learner, course)
    db.session.commit()
    anonymous = app.test_client()
    response = anonymous.get("/api/v1/me/progress")
    assert response.status_code == 401 and response.get_json()["error"]["status"] == 401
    login(learner)
    body = client.get("/api/v1/me/progress").get_json()
    lessons = body["courses"][0]["modules"][0]["lessons"]
    assert [(lesson["slug"], lesson["locked"]) for lesson in lessons] == [
        ("first", False),
        ("second", True),
        ("third", True),
    ]
    html = post(client, "/account", {"name": "my script"}).get_data(as_text=True)
    token = re.search(r'id="new-token"[^>]*value="([^"]+)"', html).group(1)
    response = anonymous.get("/api/v1/me/progress", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.get_json()["user"]["email"] == learner.email
    assert anonymous.get("/api/v1/me/progress", headers={"Authorization": "Bearer wrong"}).status_code == 401


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

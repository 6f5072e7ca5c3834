"""Courseware's own events as xAPI statements: stored with the event, readable through the LRS,
valid, never doubled, and never read back into progress."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from courseware.learn.enrollment import enroll
from courseware.models import LearningEvent, LessonProgress, XapiStatement
from courseware.progress import rules
from courseware.progress.services import rebuild, record_event
from courseware.xapi import events as own
from courseware.xapi.validation import validate_statement
from tests.conftest import QUIZ, post
from tests.learn.player import CHECKLIST, PRACTICE, REFLECTION

HOME = "http://localhost"
ADL = "http://adlnet.gov/expapi/verbs/"


def statements_about(lrs, user) -> list[dict]:
    agent = json.dumps({"account": {"homePage": HOME, "name": str(user.id)}})
    found = lrs.get(f"/statements?agent={agent}&ascending=true&limit=100")
    assert found.status_code == 200, found.json
    return found.json["statements"]


def own_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(XapiStatement).where(XapiStatement.client_id.is_(None)))


def test_a_quiz_answer_is_a_statement_readable_through_the_lrs(app, db, client, make_user, make_course, login, lrs):
    learner = make_user(name="Ada Lovelace")
    course = make_course(modules=[("m", [("first", [QUIZ]), ("second", [])])])
    enroll(learner, course)
    db.session.commit()
    login(learner)
    assert post(client, f"/learn/{course.slug}/first/quiz/quiz-1", {"q0": "1", "form_key": "a1"}).status_code == 302
    assert post(client, f"/learn/{course.slug}/first/quiz/quiz-1", {"q0": "0", "form_key": "a2"}).status_code == 302

    found = statements_about(lrs, learner)
    verbs = [s["verb"]["id"] for s in found]
    assert verbs == [ADL + "registered", ADL + "failed", ADL + "passed", ADL + "completed"]
    registered, failed, passed, completed = found
    assert passed["actor"] == {
        "objectType": "Agent",
        "name": "Ada Lovelace",
        "account": {"homePage": HOME, "name": str(learner.id)},
    }
    course_iri = f"{HOME}/learn/{course.slug}"
    assert registered["object"]["id"] == course_iri
    assert passed["object"]["id"] == f"{course_iri}/first/activities/quiz-1"
    assert passed["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/assessment"
    assert passed["result"] == {
        "score": {"scaled": 1.0, "raw": 1, "min": 0, "max": 1},
        "success": True,
        "completion": True,
    }
    assert failed["result"]["success"] is False and failed["result"]["score"]["scaled"] == 0
    context = passed["context"]
    assert context["platform"] == "Courseware"
    assert [a["id"] for a in context["contextActivities"]["parent"]] == [f"{course_iri}/first"]
    assert [a["id"] for a in context["contextActivities"]["grouping"]] == [course_iri]
    assert completed["object"]["id"] == f"{course_iri}/first"
    assert completed["object"]["definition"]["name"] == {"en": "Lesson first"}
    assert passed["authority"]["account"] == {"homePage": HOME, "name": "courseware"}
    # Identified by the event, timed at it.
    event = db.session.scalar(select(LearningEvent).where(LearningEvent.verb == rules.PASSED))
    assert passed["id"] == own.statement_id(event.id, HOME)
    assert dt.datetime.fromisoformat(passed["timestamp"]) == event.created_at
    # The learner's e-mail address is in none of them.
    assert learner.email not in json.dumps(found)


def test_the_lrs_defines_courseware_s_own_activities_from_the_course(db, make_course, lrs):
    course = make_course(modules=[("m", [("first", [QUIZ])])])
    iri = f"{HOME}/learn/{course.slug}/first"
    assert lrs.get(f"/activities?activityId={iri}").json["definition"]["name"] == {"en": "Lesson first"}
    quiz = lrs.get(f"/activities?activityId={iri}/activities/quiz-1").json["definition"]
    assert quiz["type"] == "http://adlnet.gov/expapi/activities/assessment"


@pytest.mark.parametrize(
    "path",
    ["/learn/%00", "/learn/a%0A", "/learn/" + "x" * 300, "/learn/c/l/activities/k/more", "/objectives/1%00", "/learn/"],
)
def test_odd_iris_on_the_site_s_home_page_are_answered_without_a_definition(db, lrs, path):
    from urllib.parse import quote

    answer = lrs.get("/activities?activityId=" + quote(HOME + path, safe=""))
    assert answer.status_code in (200, 400)
    if answer.status_code == 200:
        assert "definition" not in answer.json


def test_without_the_statement_the_event_is_not_kept_either(db, make_user, make_course):
    """Same transaction: rolled back together."""
    learner = make_user()
    course = make_course()
    enroll(learner, course)
    db.session.commit()
    before = own_count(db)
    record_event(learner, rules.ENROLLED, course_id=course.id)
    assert own_count(db) == before + 1
    db.session.rollback()
    assert own_count(db) == before
    assert db.session.scalar(select(func.count()).select_from(LearningEvent)) == 1


def test_storing_an_event_s_statement_again_does_not_double_it(db, make_user, make_course):
    learner = make_user()
    course = make_course()
    enroll(learner, course)
    db.session.commit()
    event = db.session.scalar(select(LearningEvent).where(LearningEvent.verb == rules.ENROLLED))
    values = {name: getattr(event, name) for name in ("verb", "course_id", "activity_key", "score", "success")}
    values.update(detail=event.detail, created_at=event.created_at)
    before = own_count(db)
    assert own.store_event_statement(event.id, learner, values)
    assert own_count(db) == before


def test_an_event_whose_verb_has_no_statement_is_recorded_without_one(db, make_user, make_course):
    learner = make_user()
    course = make_course()
    enroll(learner, course)
    db.session.commit()
    before = own_count(db)
    assert record_event(learner, "waved", course_id=course.id)
    assert own_count(db) == before
    assert db.session.scalar(select(func.count()).select_from(LearningEvent).where(LearningEvent.verb == "waved"))


def test_every_verb_courseware_records_has_a_statement():
    recorded = {value for name, value in vars(rules).items() if name.isupper() and isinstance(value, str)}
    recorded -= {rules.OPEN, rules.WAITING, rules.RETURNED, rules.DONE}
    assert recorded == set(own.VERBS)


LESSON_ACTIVITIES = [QUIZ, CHECKLIST, PRACTICE, REFLECTION]
EXAMPLES = {
    rules.ENROLLED: {},
    rules.VIEWED: {"lesson": True},
    rules.READ: {"lesson": True},
    rules.PASSED: {
        "lesson": True,
        "activity_key": "quiz-1",
        "score": 1.0,
        "success": True,
        "detail": {"right": 1, "questions": 1},
    },
    rules.FAILED: {
        "lesson": True,
        "activity_key": "quiz-1",
        "score": 0.0,
        "success": False,
        "detail": {"right": 0, "questions": 1},
    },
    rules.CHECKED: {
        "lesson": True,
        "activity_key": "checklist-1",
        "score": 0.5,
        "detail": {"ticked": [0], "complete": False},
    },
    rules.SUBMITTED: {"lesson": True, "activity_key": "practice-1", "detail": {"submission_id": 1}},
    rules.REVIEWED: {
        "lesson": True,
        "activity_key": "practice-1",
        "score": 0.5,
        "success": True,
        "detail": {"reviewer_id": 9, "decision": "approved"},
    },
    rules.JOURNALED: {"lesson": True, "activity_key": "reflection-1", "detail": {"entry_id": 3}},
    rules.COMPLETED: {"lesson": True, "success": True},
    rules.COMMENTED: {"lesson": True, "detail": {"where": "discussion", "link": "/learn/social/listening#post-3"}},
    rules.SET_OBJECTIVE: {"course": False, "detail": {"objective_id": 4, "by": 1}},
    rules.REVISED_OBJECTIVE: {"course": False, "detail": {"objective_id": 4, "revision": 2}},
    rules.CHECKED_IN: {"course": False, "score": 7.5, "detail": {"objective_id": 4}},
    rules.REVIEWED_OBJECTIVE: {"course": False, "detail": {"objective_id": 4, "decision": "keep", "owner": 1}},
}


def example(verb: str, **changes):
    spec = {**EXAMPLES[verb], **changes}
    course = SimpleNamespace(slug="social", title="Social media") if spec.get("course", True) else None
    lesson = SimpleNamespace(slug="listening") if spec.get("lesson") else None
    revision = SimpleNamespace(title="Listening", activities=LESSON_ACTIVITIES)
    event = SimpleNamespace(
        id=42,
        verb=verb,
        activity_key=spec.get("activity_key"),
        score=spec.get("score"),
        success=spec.get("success"),
        detail=spec.get("detail"),
        created_at=dt.datetime(2026, 12, 6, 9, 30, tzinfo=dt.UTC),
    )
    user = SimpleNamespace(id=1, name="Ada")
    made = own.statement_for(event, user, course=course, lesson=lesson, revision=revision, home=HOME)
    made.update(stored=made["timestamp"], authority=own.authority(HOME), version=own.VERSION)
    return made


@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
@pytest.mark.parametrize("verb", sorted(EXAMPLES))
def test_each_verb_s_statement_is_valid(verb, version):
    validate_statement(example(verb), version)


@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_a_verdict_asking_for_changes_is_a_valid_failed_statement(version):
    made = example(rules.REVIEWED, success=False, detail={"reviewer_id": 9, "decision": "changes_requested"})
    validate_statement(made, version)
    assert made["verb"]["id"] == ADL + "failed"
    assert made["result"] == {"score": {"scaled": 0.5}, "success": False, "response": "changes requested"}
    assert made["context"]["instructor"]["account"] == {"homePage": HOME, "name": "9"}


def test_a_journal_entry_outside_a_lesson_is_a_comment_on_the_journal():
    made = example(rules.JOURNALED, lesson=False, course=False, activity_key=None)
    assert made["object"]["id"] == f"{HOME}/journal"
    validate_statement(made, "2.0.0")


def test_a_comment_on_a_shared_journal_entry_names_its_conversation():
    made = example(
        rules.COMMENTED, lesson=False, course=False, detail={"where": "journal", "link": "/threads/journal/5#comment-8"}
    )
    assert made["object"]["id"] == f"{HOME}/threads/journal/5"
    assert made["verb"]["id"] == ADL + "commented"
    validate_statement(made, "2.0.0")


def test_the_home_page_is_the_site_s_address_when_set(app):
    app.config["BASE_URL"] = "https://learn.example.org/"
    try:
        assert own.site_home() == "https://learn.example.org"
        assert own.authority()["account"]["homePage"] == "https://learn.example.org"
    finally:
        app.config["BASE_URL"] = None
    assert own.site_home() == HOME


def test_a_statement_a_client_posts_never_changes_progress(db, make_user, make_course, lrs):
    learner = make_user()
    course = make_course(modules=[("m", [("first", [QUIZ])])])
    enroll(learner, course)
    db.session.commit()
    lesson_iri = f"{HOME}/learn/{course.slug}/first"
    claims = [
        {
            "actor": {"objectType": "Agent", "account": {"homePage": HOME, "name": str(learner.id)}},
            "verb": {"id": ADL + verb},
            "object": {"objectType": "Activity", "id": iri},
            "result": {"success": True, "completion": True, "score": {"scaled": 1}},
        }
        for verb, iri in [("passed", lesson_iri + "/activities/quiz-1"), ("completed", lesson_iri)]
    ]
    assert lrs.post("/statements", claims).status_code == 200
    assert rebuild() == 0
    progress = db.session.scalar(select(LessonProgress).where(LessonProgress.user_id == learner.id))
    assert progress is None


def quiz_step_sql(app, db, make_user, course, login, email) -> list[str]:
    """The SQL a learner's quiz answer sends, from the POST to its redirect."""
    learner = make_user(email=email)
    enroll(learner, course)
    db.session.commit()
    client = app.test_client()
    login(learner, target=client)
    client.get(f"/learn/{course.slug}/first")
    engine = app.extensions["courseware.db"]["engine"]
    seen = []

    def record(_connection, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()).lower())

    sa_event.listen(engine, "before_cursor_execute", record)
    try:
        response = post(client, f"/learn/{course.slug}/first/quiz/quiz-1", {"q0": "1", "form_key": "once"})
    finally:
        sa_event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 302
    return seen


def test_a_quiz_answer_costs_one_insert_of_its_statement_one_of_its_keys_and_one_look_for_lrss_to_forward_to(
    app, db, make_user, make_course, login, monkeypatch
):
    course = make_course(modules=[("m", [("first", [QUIZ]), ("second", [])])])
    with_statement = quiz_step_sql(app, db, make_user, course, login, "with@example.org")
    monkeypatch.setattr("courseware.progress.services.store_event_statement", lambda *args, **kwargs: None)
    without = quiz_step_sql(app, db, make_user, course, login, "without@example.org")
    added = [s.split(" (")[0].split(" where")[0] for s in with_statement if "xapi_" in s]
    assert added == [
        "insert into xapi_statements",
        "insert into xapi_statement_keys",
        "select xapi_forward_targets.id from xapi_forward_targets",
    ]
    assert len(with_statement) == len(without) + 3


def test_events_recorded_without_statements_get_them_once_from_the_command(db, runner, make_user, make_course):
    """As ``demo generate`` writes events straight into the log."""
    from courseware.db import utcnow
    from courseware.models import Lesson

    learner = make_user(name="Grace")
    course = make_course(modules=[("m", [("first", [QUIZ])])])
    lesson = db.session.scalar(select(Lesson).where(Lesson.course_id == course.id))
    rows = [
        LearningEvent(user_id=learner.id, verb=rules.ENROLLED, course_id=course.id, created_at=utcnow()),
        LearningEvent(
            user_id=learner.id,
            verb=rules.PASSED,
            course_id=course.id,
            module_id=lesson.module_id,
            lesson_id=lesson.id,
            activity_key="quiz-1",
            score=1.0,
            success=True,
            detail={"right": 1, "questions": 1},
            created_at=utcnow(),
        ),
        LearningEvent(user_id=learner.id, verb="waved", created_at=utcnow()),
    ]
    db.session.add_all(rows)
    db.session.commit()
    before = own_count(db)
    result = runner.invoke(args=["lrs", "own-statements"])
    assert result.exit_code == 0, result.output
    assert "Stored 2 statements for 3 events." in result.output
    assert own_count(db) == before + 2
    passed = db.session.get(XapiStatement, own.statement_id(rows[1].id, HOME))
    body = json.loads(passed.statement)
    assert body["object"]["id"] == f"{HOME}/learn/{course.slug}/first/activities/quiz-1"
    assert body["actor"]["name"] == "Grace" and body["result"]["success"] is True
    again = runner.invoke(args=["lrs", "own-statements"])
    assert "Stored 0 statements for 3 events." in again.output
    assert own_count(db) == before + 2

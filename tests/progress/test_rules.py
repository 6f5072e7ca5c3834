"""The rules that turn events into a lesson's state, tested on hand-made event histories."""

import datetime as dt
from types import SimpleNamespace

from courseware.progress.rules import fold_lesson, quiz_score

T0 = dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)


def ev(minutes, verb, key=None, success=None, **detail):
    return SimpleNamespace(
        verb=verb,
        activity_key=key,
        success=success,
        detail=detail or None,
        created_at=T0 + dt.timedelta(minutes=minutes),
    )


QUIZ = {
    "key": "quiz-1",
    "type": "quiz",
    "pass_mark": 0.5,
    "questions": [
        {"prompt": "a", "choices": [{"text": "x", "correct": True}, {"text": "y", "correct": False}]},
        {
            "prompt": "b",
            "choices": [
                {"text": "x", "correct": True},
                {"text": "y", "correct": True},
                {"text": "z", "correct": False},
            ],
        },
    ],
}
CHECKLIST = {"key": "checklist-1", "type": "checklist", "items": ["a", "b"]}
VERIFIED_CHECKLIST = {**CHECKLIST, "verified_by": "trainer"}
PRACTICE = {"key": "practice-1", "type": "practice", "prompt": "p", "rubric": []}
APPROVED_PRACTICE = {**PRACTICE, "approval": "required"}
REFLECTION = {"key": "reflection-1", "type": "reflection", "prompt": "r"}


def test_no_events_is_not_started():
    assert fold_lesson([QUIZ], []).status == "not_started"


def test_viewing_starts_but_does_not_complete():
    state = fold_lesson([QUIZ], [ev(0, "viewed")])
    assert state.status == "in_progress"
    assert state.started_at == T0 and state.completed_at is None


def test_lesson_without_activities_completes_when_read():
    assert fold_lesson([], [ev(0, "viewed")]).status == "in_progress"
    state = fold_lesson([], [ev(0, "viewed"), ev(3, "read")])
    assert state.status == "completed"
    assert state.completed_at == T0 + dt.timedelta(minutes=3)


def test_quiz_needs_a_pass_and_a_pass_is_kept():
    assert fold_lesson([QUIZ], [ev(0, "failed", "quiz-1", False)]).status == "in_progress"
    state = fold_lesson([QUIZ], [ev(0, "failed", "quiz-1"), ev(1, "passed", "quiz-1"), ev(2, "failed", "quiz-1")])
    assert state.status == "completed"
    assert state.completed_at == T0 + dt.timedelta(minutes=1)


def test_every_activity_must_be_done():
    events = [ev(0, "passed", "quiz-1"), ev(1, "journaled", "reflection-1")]
    assert fold_lesson([QUIZ, REFLECTION, CHECKLIST], events).status == "in_progress"
    events.append(ev(2, "checked", "checklist-1", complete=True))
    assert fold_lesson([QUIZ, REFLECTION, CHECKLIST], events).status == "completed"


def test_checklist_unticked_again_is_not_done():
    events = [ev(0, "checked", "checklist-1", complete=True), ev(1, "checked", "checklist-1", complete=False)]
    # completion is sticky once reached
    assert fold_lesson([CHECKLIST], events).status == "completed"
    events = [ev(0, "checked", "checklist-1", complete=False)]
    assert fold_lesson([CHECKLIST], events).status == "in_progress"


def test_verified_checklist_waits_for_the_trainer():
    events = [ev(0, "checked", "checklist-1", complete=True)]
    assert fold_lesson([VERIFIED_CHECKLIST], events).status == "awaiting_review"
    returned = [*events, ev(5, "reviewed", "checklist-1", False)]
    assert fold_lesson([VERIFIED_CHECKLIST], returned).status == "in_progress"
    confirmed = [*events, ev(5, "reviewed", "checklist-1", True)]
    assert fold_lesson([VERIFIED_CHECKLIST], confirmed).status == "completed"


def test_practice_without_approval_completes_on_submission():
    assert fold_lesson([PRACTICE], [ev(0, "submitted", "practice-1")]).status == "completed"


def test_practice_with_approval_waits_then_follows_the_review():
    submitted = [ev(0, "submitted", "practice-1")]
    assert fold_lesson([APPROVED_PRACTICE], submitted).status == "awaiting_review"
    changes = [*submitted, ev(60, "reviewed", "practice-1", False)]
    assert fold_lesson([APPROVED_PRACTICE], changes).status == "in_progress"
    resubmitted = [*changes, ev(90, "submitted", "practice-1")]
    assert fold_lesson([APPROVED_PRACTICE], resubmitted).status == "awaiting_review"
    approved = [*resubmitted, ev(120, "reviewed", "practice-1", True)]
    state = fold_lesson([APPROVED_PRACTICE], approved)
    assert state.status == "completed"
    assert state.completed_at == T0 + dt.timedelta(minutes=120)


def test_a_review_without_a_waiting_submission_changes_nothing():
    assert (
        fold_lesson([APPROVED_PRACTICE], [ev(0, "viewed"), ev(1, "reviewed", "practice-1", True)]).status
        == "in_progress"
    )


def test_completed_event_keeps_a_lesson_complete_after_activities_are_added():
    events = [ev(0, "passed", "quiz-1"), ev(0, "completed")]
    assert fold_lesson([QUIZ, REFLECTION], events).status == "completed"


def test_events_for_unknown_activities_are_ignored():
    assert fold_lesson([QUIZ], [ev(0, "passed", "quiz-9")]).status == "in_progress"


def test_quiz_score_counts_exact_choice_sets():
    assert quiz_score(QUIZ, {0: {0}, 1: {0, 1}}) == (2, 2, True)
    assert quiz_score(QUIZ, {0: {0}, 1: {0}}) == (1, 2, True)  # half is the pass mark
    assert quiz_score(QUIZ, {0: {1}, 1: {0, 1, 2}}) == (0, 2, False)


def test_quiz_pass_mark_as_count_and_fraction_boundaries():
    three = {**QUIZ, "questions": QUIZ["questions"] + [QUIZ["questions"][0]]}
    assert quiz_score({**three, "pass_mark": 2}, {0: {0}, 1: {0, 1}})[2] is True
    assert quiz_score({**three, "pass_mark": 3}, {0: {0}, 1: {0, 1}})[2] is False
    assert quiz_score({**three, "pass_mark": 0.67}, {0: {0}, 1: {0, 1}})[2] is False
    assert quiz_score({**three, "pass_mark": 0.66}, {0: {0}, 1: {0, 1}})[2] is True
    assert quiz_score({**three, "pass_mark": 1.0}, {0: {0}, 1: {0, 1}, 2: {0}})[2] is True


def _random_history(rng, activities, length):
    """A plausible jumble of a learner's events on a lesson with ``activities``."""
    keys = [activity["key"] for activity in activities] + ["gone-activity"]
    events = []
    for minute in range(length):
        verb = rng.choice(
            [
                "viewed",
                "read",
                "answered",
                "passed",
                "failed",
                "checked",
                "submitted",
                "reviewed",
                "journaled",
                "completed",
            ]
        )
        key = None if verb in ("viewed", "read") or (verb == "completed" and rng.random() < 0.7) else rng.choice(keys)
        detail = {"complete": rng.random() < 0.5} if verb == "checked" else {}
        events.append(ev(minute, verb, key, success=rng.random() < 0.5, **detail))
    return events


def test_folding_on_from_a_kept_state_gives_what_folding_the_whole_log_gives():
    """The live path folds each new event on from the state kept with the progress row (as JSON);
    whatever the history and wherever it is cut, the result is the whole log's."""
    import json
    import random

    from courseware.progress.rules import LessonState

    lessons = [[], [QUIZ], [CHECKLIST, REFLECTION], [VERIFIED_CHECKLIST, APPROVED_PRACTICE, QUIZ], [PRACTICE]]
    rng = random.Random(8)
    for _ in range(400):
        activities = rng.choice(lessons)
        events = _random_history(rng, activities, rng.randint(1, 25))
        whole = fold_lesson(activities, events)
        cut = rng.randint(0, len(events))
        before = fold_lesson(activities, events[:cut])
        row = SimpleNamespace(
            status=before.status,
            started_at=before.started_at,
            completed_at=before.completed_at,
            last_activity_at=before.last_activity_at,
        )
        kept = json.loads(json.dumps(before.snapshot(activities)))
        state = LessonState.resumed(kept, activities, row)
        for event in events[cut:]:
            state = fold_lesson(activities, [event], since=state)
        assert state == whole, (activities, events, cut)


def test_a_kept_state_is_not_used_once_the_lessons_activities_change():
    from courseware.progress.rules import LessonState

    state = fold_lesson([QUIZ], [ev(0, "passed", "quiz-1")])
    row = SimpleNamespace(status=state.status, started_at=T0, completed_at=T0, last_activity_at=T0)
    kept = state.snapshot([QUIZ])
    assert LessonState.resumed(kept, [QUIZ], row) is not None
    assert LessonState.resumed(kept, [QUIZ, CHECKLIST], row) is None
    assert LessonState.resumed(kept, [{**CHECKLIST, "key": "quiz-1"}], row) is None
    assert LessonState.resumed(None, [QUIZ], row) is None

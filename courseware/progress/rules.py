"""The rules that turn a learner's events on one lesson into that lesson's state.

``fold_lesson`` is the only place that decides what completes a lesson. The live path
(after every recorded event) and ``rebuild`` (from the whole log) both call it, so the
derived ``LessonProgress`` rows and the event log can never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# What a learner's action is called in the event log (one verb per kind of action).
VIEWED = "viewed"
READ = "read"
PASSED = "passed"
FAILED = "failed"
CHECKED = "checked"
SUBMITTED = "submitted"
REVIEWED = "reviewed"
JOURNALED = "journaled"
COMPLETED = "completed"
SET_OBJECTIVE = "set-objective"
REVISED_OBJECTIVE = "revised-objective"
CHECKED_IN = "checked-in"
REVIEWED_OBJECTIVE = "reviewed-objective"
ENROLLED = "enrolled"
COMMENTED = "commented"
# Events about a lesson that say nothing of the learner's progress in it: a post in its
# discussion, a comment on work handed in there (often by a trainer). The fold passes over them.
PROGRESS_NEUTRAL_VERBS = frozenset({COMMENTED})

# Per-activity states while folding.
OPEN = "open"
WAITING = "waiting"  # handed in, a trainer's approval or verification is due
RETURNED = "returned"  # a trainer asked for changes
DONE = "done"


@dataclass
class LessonState:
    status: str = "not_started"
    activities: dict[str, str] = field(default_factory=dict)
    started_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    last_activity_at: dt.datetime | None = None
    read: bool = False

    @property
    def done_keys(self) -> list[str]:
        return sorted(key for key, state in self.activities.items() if state == DONE)

    def snapshot(self, activities: list[dict]) -> dict:
        """What folding on from this state needs beyond the progress row's own columns."""
        return {"rules": rules_signature(activities), "activities": dict(self.activities), "read": self.read}

    @classmethod
    def resumed(cls, snapshot: dict | None, activities: list[dict], row) -> LessonState | None:
        """The state a progress ``row`` and its ``snapshot`` stand for, or None when the snapshot is
        missing or was taken under other rules (the lesson's activities changed since)."""
        if not snapshot or snapshot.get("rules") != rules_signature(activities):
            return None
        return cls(
            status=row.status,
            activities=dict(snapshot["activities"]),
            started_at=row.started_at,
            completed_at=row.completed_at,
            last_activity_at=row.last_activity_at,
            read=bool(snapshot.get("read")),
        )


def rules_signature(activities: list[dict]) -> str:
    """What of a lesson's activities the fold depends on: their keys, kinds and who finishes them."""
    return "|".join(f"{a['key']}:{a['type']}:{int(needs_trainer(a))}" for a in activities)


def needs_trainer(activity: dict) -> bool:
    """True when a trainer must approve (practice) or verify (checklist) the learner's work."""
    if activity["type"] == "practice":
        return activity.get("approval") == "required"
    if activity["type"] == "checklist":
        return activity.get("verified_by") == "trainer"
    return False


def fold_lesson(activities: list[dict], events, since: LessonState | None = None) -> LessonState:
    """The state of one lesson for one learner after ``events`` (oldest first).

    Events need ``verb``, ``activity_key``, ``success``, ``detail`` and ``created_at``.
    A lesson completes when every activity is done; once completed it stays completed,
    whatever later edits to the lesson add.

    ``since`` is the state after every earlier event (see ``LessonState.resumed``): folding on
    from it gives what folding the whole log would.
    """
    by_key = {activity["key"]: activity for activity in activities}
    if since is None:
        state = LessonState(activities=dict.fromkeys(by_key, OPEN))
    else:
        state = LessonState(
            activities=dict(since.activities),
            started_at=since.started_at,
            completed_at=since.completed_at,
            last_activity_at=since.last_activity_at,
            read=since.read,
        )
    for event in events:
        if event.verb in PROGRESS_NEUTRAL_VERBS:
            continue
        when = event.created_at
        if state.started_at is None:
            state.started_at = when
        state.last_activity_at = when
        if event.verb == COMPLETED and event.activity_key is None:
            state.completed_at = state.completed_at or when
            continue
        if event.verb == READ:
            state.read = True
        activity = by_key.get(event.activity_key) if event.activity_key else None
        if activity is not None:
            current = state.activities[activity["key"]]
            state.activities[activity["key"]] = _step(activity, current, event)
        if state.completed_at is None and _all_done(state, state.read):
            state.completed_at = when
    if state.completed_at is not None:
        state.status = "completed"
    elif state.started_at is None:
        state.status = "not_started"
    elif state.activities and all(s in (DONE, WAITING) for s in state.activities.values()):
        state.status = "awaiting_review"
    else:
        state.status = "in_progress"
    return state


def _all_done(state: LessonState, read: bool) -> bool:
    if not state.activities:
        return read
    return all(s == DONE for s in state.activities.values())


def _step(activity: dict, current: str, event) -> str:
    kind = activity["type"]
    verb = event.verb
    if current == DONE and kind in ("quiz", "practice", "reflection", "package"):
        return DONE
    if kind == "package":
        # SCORM: the SCO said it is complete (1.2: completed or passed)
        return DONE if verb == COMPLETED else current
    if kind == "quiz":
        return DONE if verb == PASSED else current
    if kind == "reflection":
        return DONE if verb == JOURNALED else current
    if kind == "practice":
        if verb == SUBMITTED:
            return WAITING if needs_trainer(activity) else DONE
        if verb == REVIEWED and current == WAITING:
            return DONE if event.success else RETURNED
        return current
    if kind == "checklist":
        if verb == CHECKED:
            complete = bool((event.detail or {}).get("complete"))
            if not complete:
                return OPEN
            if current == DONE:
                return DONE
            return WAITING if needs_trainer(activity) else DONE
        if verb == REVIEWED and current == WAITING:
            return DONE if event.success else RETURNED
    return current


def quiz_score(activity: dict, answers: dict[int, set[int]]) -> tuple[int, int, bool]:
    """(right answers, questions, passed) for ``answers``: question index -> chosen choice indexes.

    A question is right when exactly its correct choices are chosen. ``pass_mark`` is a
    fraction of the questions when it is a float (0.75) and a count when it is an integer (3).
    """
    questions = activity["questions"]
    right = 0
    for index, question in enumerate(questions):
        correct = {i for i, choice in enumerate(question["choices"]) if choice["correct"]}
        if answers.get(index, set()) == correct:
            right += 1
    mark = activity.get("pass_mark", 1.0)
    if isinstance(mark, bool):
        mark = 1.0
    needed = mark if isinstance(mark, int) else mark * len(questions) - 1e-9
    passed = right >= needed
    return right, len(questions), passed

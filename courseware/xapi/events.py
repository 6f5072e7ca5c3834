"""Courseware's own events as xAPI statements, stored with the event in the same transaction.

Every event :func:`courseware.progress.services.record_event` appends (and the lesson and course
completions it logs) becomes one statement:

- the actor is the learner as an account on the site's home page (``COURSEWARE_BASE_URL``, or
  ``http://localhost`` when it is unset), named by their user id, never their e-mail address;
- the verb comes from :data:`VERBS`, ADL's where one fits (cmi5 uses the same ``completed``,
  ``passed`` and ``failed``);
- the object is an activity IRI under the home page: the course and lesson at the addresses
  learners open them at, an activity of a lesson below it, an objective at its page;
- the id is derived from the event's (and the home page), so storing an event's statement again
  never makes a second one.

Statements are stored by :func:`courseware.xapi.services.store_statements` with no client:
``client_id=None`` is what marks a statement as Courseware's own. ``progress rebuild`` never reads
statements; progress comes from the event log alone.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from types import SimpleNamespace
from urllib.parse import quote, unquote

from flask import current_app

from courseware.db import utcnow
from courseware.extensions import db
from courseware.models import Course
from courseware.progress import rules

log = logging.getLogger(__name__)

# The home page of the site's accounts and activities when COURSEWARE_BASE_URL is not set.
DEFAULT_HOME = "http://localhost"
PLATFORM = "Courseware"
# The authority's account name: the site itself vouches for its own statements.
AUTHORITY_NAME = "courseware"
# Statement ids: uuid5 of the event id in a namespace of the site's home page.
NAMESPACE = uuid.UUID("0b1d6f4e-7c1a-5d55-9a43-6c6f75727365")

ADL = "http://adlnet.gov/expapi/verbs/"
AS = "http://activitystrea.ms/schema/1.0/"
TINCAN = "http://id.tincanapi.com/verb/"

# Courseware's verb -> (xAPI verb IRI, display in English).
VERBS: dict[str, tuple[str, str]] = {
    rules.ENROLLED: (ADL + "registered", "registered"),
    rules.VIEWED: (ADL + "experienced", "experienced"),
    rules.READ: (AS + "read", "read"),
    rules.PASSED: (ADL + "passed", "passed"),
    rules.FAILED: (ADL + "failed", "failed"),
    rules.CHECKED: (ADL + "progressed", "progressed"),
    rules.SUBMITTED: (AS + "submit", "submitted"),
    # A trainer's verdict on practice work or a checklist: passed when approved or confirmed.
    rules.REVIEWED: (ADL + "passed", "passed"),
    rules.JOURNALED: (ADL + "commented", "commented"),
    rules.COMMENTED: (ADL + "commented", "commented"),
    rules.COMPLETED: (ADL + "completed", "completed"),
    rules.SET_OBJECTIVE: (AS + "create", "set"),
    rules.REVISED_OBJECTIVE: (AS + "update", "revised"),
    rules.CHECKED_IN: (ADL + "progressed", "progressed"),
    rules.REVIEWED_OBJECTIVE: (TINCAN + "reviewed", "reviewed"),
}
# A verdict that asks for changes, or a checklist sent back.
REVIEW_NOT_PASSED = (ADL + "failed", "failed")

ACTIVITY_TYPES = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "lesson": "http://adlnet.gov/expapi/activities/lesson",
    "quiz": "http://adlnet.gov/expapi/activities/assessment",
    "checklist": "http://adlnet.gov/expapi/activities/performance",
    "practice": "http://adlnet.gov/expapi/activities/performance",
    "reflection": "http://adlnet.gov/expapi/activities/interaction",
    "package": "http://adlnet.gov/expapi/activities/module",
    "objective": "http://adlnet.gov/expapi/activities/objective",
}
VERSION = "1.0.0"
# What a slug, an activity key or an id in one of Courseware's own IRIs can be.
_NAME = re.compile(r"[A-Za-z0-9_.-]{1,80}")


def site_home() -> str:
    """The site's home page, without a trailing slash: where its accounts and activities live."""
    return (current_app.config.get("BASE_URL") or DEFAULT_HOME).rstrip("/")


def authority(home: str | None = None) -> dict:
    home = home or site_home()
    return {"objectType": "Agent", "name": PLATFORM, "account": {"homePage": home, "name": AUTHORITY_NAME}}


def agent(user_id: int, name: str | None = None, home: str | None = None) -> dict:
    found = {"objectType": "Agent", "account": {"homePage": home or site_home(), "name": str(user_id)}}
    if name:
        found["name"] = name
    return found


def statement_id(event_id: int, home: str | None = None) -> str:
    namespace = uuid.uuid5(NAMESPACE, home or site_home())
    return str(uuid.uuid5(namespace, f"learning-event:{event_id}"))


def course_iri(home: str, course: Course) -> str:
    return f"{home}/learn/{quote(course.slug)}"


def lesson_iri(home: str, course: Course, lesson_slug: str) -> str:
    return f"{course_iri(home, course)}/{quote(lesson_slug)}"


def _activity(iri: str, kind: str | None, title: str | None = None) -> dict:
    definition = {}
    if title:
        definition["name"] = {"en": title}
    if kind:
        definition["type"] = ACTIVITY_TYPES[kind]
    found = {"objectType": "Activity", "id": iri}
    if definition:
        found["definition"] = definition
    return found


def _iso(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def statement_for(event, user, *, course: Course | None, lesson=None, revision=None, home: str | None = None):
    """The statement for one event, or None for a verb with no mapping (logged, not stored).

    ``event`` has the event's columns (``id``, ``verb``, ``activity_key``, ``score``, ``success``,
    ``detail``, ``created_at``); ``lesson`` has ``slug``, ``revision`` a ``title`` and
    ``activities``. Needs no database: the caller passes what the event refers to.
    """
    verb = VERBS.get(event.verb)
    if verb is None:
        return None
    home = home or site_home()
    detail = event.detail or {}
    if event.verb == rules.REVIEWED and event.success is False:
        verb = REVIEW_NOT_PASSED
    statement: dict = {
        "id": statement_id(event.id, home),
        "actor": agent(user.id, user.name, home),
        "verb": {"id": verb[0], "display": {"en": verb[1]}},
    }
    context: dict = {"platform": PLATFORM}
    parents: list[dict] = []
    grouping: list[dict] = []
    course_activity = _activity(course_iri(home, course), "course", course.title) if course is not None else None
    if lesson is not None and course is not None:
        lesson_activity = _activity(
            lesson_iri(home, course, lesson.slug), "lesson", revision.title if revision is not None else None
        )
        if event.activity_key:
            found = _find(revision, event.activity_key)
            kind = found.get("type") if found.get("type") in ACTIVITY_TYPES else None
            statement["object"] = _activity(
                f"{lesson_activity['id']}/activities/{quote(event.activity_key)}", kind, found.get("title")
            )
            parents.append(lesson_activity)
        else:
            statement["object"] = lesson_activity
            parents.append(course_activity)
        grouping.append(course_activity)
    elif course_activity is not None:
        statement["object"] = course_activity
    elif "objective_id" in detail:
        statement["object"] = _activity(f"{home}/objectives/{int(detail['objective_id'])}", "objective")
    elif event.verb == rules.JOURNALED:
        statement["object"] = _activity(f"{home}/journal", None, "Journal")
    elif event.verb == rules.COMMENTED and str(detail.get("link", "")).startswith("/"):
        # a comment on something of no course (a shared journal entry): the conversation itself
        statement["object"] = _activity(home + str(detail["link"]).split("#", 1)[0], None, "Conversation")
    else:
        log.warning("event %s (%s) refers to nothing a statement can name; not stored", event.id, event.verb)
        return None
    if event.verb == rules.REVIEWED and detail.get("reviewer_id") is not None:
        context["instructor"] = agent(int(detail["reviewer_id"]), home=home)
    if parents or grouping:
        context["contextActivities"] = {}
        if parents:
            context["contextActivities"]["parent"] = parents
        if grouping:
            context["contextActivities"]["grouping"] = grouping
    result = _result(event, detail)
    if result:
        statement["result"] = result
    statement["context"] = context
    statement["timestamp"] = _iso(event.created_at)
    return statement


def _find(revision, key: str) -> dict:
    for activity in (revision.activities if revision is not None else ()) or ():
        if activity.get("key") == key:
            return activity
    return {}


def _result(event, detail: dict) -> dict:
    result: dict = {}
    verb = event.verb
    if verb in (rules.PASSED, rules.FAILED):
        score = {"scaled": _scaled(event.score)}
        if isinstance(detail.get("right"), int) and isinstance(detail.get("questions"), int):
            score.update(raw=detail["right"], min=0, max=detail["questions"])
        result.update(score=score, success=verb == rules.PASSED, completion=True)
    elif verb == rules.CHECKED:
        if event.score is not None:
            result["score"] = {"scaled": _scaled(event.score)}
        result["completion"] = bool(detail.get("complete"))
    elif verb == rules.REVIEWED:
        if event.score is not None:
            result["score"] = {"scaled": _scaled(event.score)}
        if event.success is not None:
            result["success"] = bool(event.success)
        decision = detail.get("decision")
        if decision is None and "confirmed" in detail:
            decision = "confirmed" if detail["confirmed"] else "sent back"
        if decision:
            result["response"] = str(decision).replace("_", " ")
    elif verb == rules.COMPLETED:
        result["completion"] = True
        if event.success is not None:
            result["success"] = bool(event.success)
    elif verb == rules.CHECKED_IN and event.score is not None:
        result["score"] = {"raw": event.score}
    return result


def _scaled(value) -> float:
    return max(-1.0, min(1.0, float(value or 0)))


def store_event_statement(event_id: int, user, values: dict, lesson=None) -> bool:
    """Store the statement for the event just recorded with ``values``; False when its verb has
    no statement. One INSERT of the statement and one of its keys; what the statement names
    (the course, the lesson's revision) is what the step has read already."""
    from courseware.xapi.services import store_statements

    course = db.session.get(Course, values["course_id"]) if values.get("course_id") is not None else None
    revision = lesson.published_revision if lesson is not None else None
    event = SimpleNamespace(id=event_id, **values)
    statement = statement_for(event, user, course=course, lesson=lesson, revision=revision)
    if statement is None:
        return False
    stored = utcnow()
    statement["stored"] = _iso(stored)
    statement["authority"] = authority()
    statement["version"] = VERSION
    store_statements([statement], client_id=None, stored=stored)
    return True


def own_activity(iri: str) -> dict | None:
    """The definition of one of Courseware's own activities, from the course as it is now; None
    for any other IRI."""
    from sqlalchemy import select

    from courseware.models import Lesson

    home = site_home()
    if not iri.startswith(home + "/"):
        return None
    path = [unquote(part) for part in iri[len(home) :].split("/")[1:]]
    if not all(_NAME.fullmatch(part) for part in path):
        return None
    if len(path) == 2 and path[0] == "objectives" and path[1].isdigit():
        return {"type": ACTIVITY_TYPES["objective"]}
    if not path or path[0] != "learn" or len(path) not in (2, 3, 5) or (len(path) == 5 and path[3] != "activities"):
        return None
    course = db.session.scalar(select(Course).where(Course.slug == path[1]))
    if course is None:
        return None
    if len(path) == 2:
        return _activity(iri, "course", course.title)["definition"]
    lesson = db.session.scalar(select(Lesson).where(Lesson.course_id == course.id, Lesson.slug == path[2]))
    if lesson is None or lesson.published_revision is None:
        return None
    revision = lesson.published_revision
    if len(path) == 3:
        return _activity(iri, "lesson", revision.title)["definition"]
    found = _find(revision, path[4])
    if not found:
        return None
    kind = found.get("type") if found.get("type") in ACTIVITY_TYPES else None
    return _activity(iri, kind, found.get("title")).get("definition")


def store_missing_statements(batch: int = 1000):
    """Store the statement of every event that has none (events recorded before statements were
    made, or by ``demo generate``), oldest first; yields how many events it has gone through after
    each batch, so that the caller can commit and say how far it got. An event whose statement is
    stored already is skipped: running it again stores nothing twice."""
    from sqlalchemy import select

    from courseware.content.published import published_revision
    from courseware.models import LearningEvent, Lesson, User
    from courseware.xapi.services import store_statements

    home = site_home()
    # Plain copies: the caller commits between pages, which expires ORM objects.
    courses = {
        row.id: SimpleNamespace(**row._mapping)
        for row in db.session.execute(select(Course.id, Course.slug, Course.title))
    }
    lessons = {
        row.id: SimpleNamespace(**row._mapping)
        for row in db.session.execute(select(Lesson.id, Lesson.slug, Lesson.published_revision_id))
    }
    seen = last = 0
    while True:
        rows = db.session.execute(
            select(LearningEvent, User.id, User.name)
            .join(User, User.id == LearningEvent.user_id)
            .where(LearningEvent.id > last)
            .order_by(LearningEvent.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        statements = []
        for event, user_id, name in rows:
            lesson = lessons.get(event.lesson_id) if event.lesson_id is not None else None
            revision = None
            if lesson is not None and lesson.published_revision_id is not None:
                revision = published_revision(lesson.published_revision_id)
            course = courses.get(event.course_id) if event.course_id is not None else None
            person = SimpleNamespace(id=user_id, name=name)
            statement = statement_for(event, person, course=course, lesson=lesson, revision=revision, home=home)
            if statement is not None:
                statements.append(statement)
        if statements:
            _store_batch(statements, home, store_statements)
        seen += len(rows)
        last = rows[-1][0].id
        yield seen


def _store_batch(statements: list[dict], home: str, store) -> None:
    stored = utcnow()
    for statement in statements:
        statement.update(stored=_iso(stored), authority=authority(home), version=VERSION)
    store(statements, client_id=None, stored=stored)

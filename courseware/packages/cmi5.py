"""cmi5 courses as lessons: launching an AU as the cmi5 specification says, and being its LMS.

A launch (``POST /learn/<course>/<lesson>/cmi5/launch``) makes or continues the learner's
registration in the cmi5 course (one per learner and package), abandons any session of it
left open, opens a session, writes the ``LMS.LaunchData`` state document and the ``launched``
statement into Courseware's own LRS, and sends the AU to its URL with ``endpoint`` (``/xapi``),
``fetch`` (a one-time URL answering the auth token), ``actor`` (the learner's account, as in
Courseware's own statements), ``registration`` and ``activityId``. An AU whose launchMethod is
OwnWindow is sent there; AnyWindow gets a page that frames it, with a link to open it alone.

The auth token is an HTTP Basic credential for ``/xapi`` that works for that session alone:
:func:`check_request` refuses (403) what breaks cmi5's rules for the session, before the LRS
reads the request, and :func:`after_statements` keeps the session and registration up to date
after the LRS stored the AU's statements, writing ``satisfied`` when moveOn is met and
recording the lesson's progress (``completed`` once moveOn is met; ``passed``/``failed``).
Trainers waive an AU for a learner and abandon a session from the package's page.

The requirement numbers in messages are those of the cmi5 specification that CATAPULT's LMS test
suite checks (``tests/cmi5``).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import re
import secrets
import uuid
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Blueprint, Response, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import or_, select, update

from courseware.auth.policies import role_required
from courseware.authoring.policies import AUTHOR_ROLES, can_edit_course
from courseware.core.links import page_url
from courseware.core.security import CONTENT_SECURITY_POLICY
from courseware.db import utcnow
from courseware.exceptions import Invalid, NotAllowed
from courseware.extensions import csrf, db
from courseware.models import Course, Lesson, Package, User, XapiClient
from courseware.models.cmi5 import Cmi5Registration, Cmi5Session
from courseware.packages import content_origin

log = logging.getLogger(__name__)
bp = Blueprint("cmi5", __name__)

ADL = "http://adlnet.gov/expapi/verbs/"
ADL_W3ID = "https://w3id.org/xapi/adl/verbs/"
CMI5 = "https://w3id.org/xapi/cmi5/"
LAUNCHED, INITIALIZED, COMPLETED = ADL + "launched", ADL + "initialized", ADL + "completed"
PASSED, FAILED, TERMINATED = ADL + "passed", ADL + "failed", ADL + "terminated"
ABANDONED, WAIVED, SATISFIED = ADL_W3ID + "abandoned", ADL_W3ID + "waived", ADL_W3ID + "satisfied"
VOIDED = ADL + "voided"
AU_VERBS = (INITIALIZED, COMPLETED, PASSED, FAILED, TERMINATED)
LMS_VERBS = (LAUNCHED, ABANDONED, WAIVED, SATISFIED)
MOVE_ON_VERBS = (COMPLETED, PASSED, FAILED)
CATEGORY = CMI5 + "context/categories/cmi5"
MOVE_ON_CATEGORY = CMI5 + "context/categories/moveon"
EXTENSION = CMI5 + "context/extensions/"
SESSION_ID = EXTENSION + "sessionid"
MASTERY_SCORE = EXTENSION + "masteryscore"
REASON = CMI5 + "result/extensions/reason"
BLOCK_TYPE = CMI5 + "activitytype/block"
COURSE_TYPE = CMI5 + "activitytype/course"
LAUNCH_DATA = "LMS.LaunchData"
PREFERENCES = "cmi5LearnerPreferences"
LAUNCH_MODES = ("Normal", "Browse", "Review")
# The reasons cmi5 names for waiving an AU (9.5.5.2), each with what a trainer reads.
WAIVE_REASONS = {
    "Tested Out": _l("Tested out"),
    "Equivalent AU": _l("Did an equivalent AU"),
    "Equivalent Outside Activity": _l("Did an equivalent activity elsewhere"),
    "Administrative": _l("Administrative"),
}
CLIENT_KEY = "cmi5-sessions"
# A session whose AU has not called the LRS for this long no longer has a working token; the
# next launch of its registration writes its abandoned statement.
SESSION_TIMEOUT = dt.timedelta(hours=12)
LAST_REQUEST_EVERY = dt.timedelta(minutes=1)
_LANGUAGE = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _iso(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _duration(seconds: float) -> str:
    return f"PT{max(seconds, 0):.2f}S"


# --- who and what -----------------------------------------------------------------------------


def actor_of(user: User) -> dict:
    """The learner's agent: their account on the site, as in Courseware's own statements."""
    from courseware.xapi.events import agent

    return agent(user.id, user.name)


def _home() -> str:
    from courseware.xapi.events import site_home

    return site_home()


def package_iri(package: Package) -> str:
    """The LMS's id for the cmi5 course (never the publisher's, 9.3.9.0-8)."""
    return f"{_home()}/cmi5/packages/{package.id}"


def block_iri(package: Package, block_id: str) -> str:
    return f"{package_iri(package)}/blocks/{digest(block_id)[:24]}"


def au_iri(package: Package, au_id: str) -> str:
    """The activity id an AU's statements use: the LMS's own, the same at every launch (8.1.5.0-4)."""
    return f"{package_iri(package)}/aus/{digest(au_id)[:24]}"


def is_cmi5(course_id: int, activity: dict) -> bool:
    from courseware.packages.services import package_of

    package = package_of(course_id, activity.get("file", ""))
    return package is not None and package.format == "cmi5"


def _units(package: Package) -> list[dict]:
    return list(package.manifest.get("units", []))


def lessons_of(package: Package) -> dict[str, Lesson]:
    """The course's lessons playing an AU of ``package``, by AU id."""
    from courseware.packages.services import lessons_playing

    return lessons_playing(package.course_id, package.filename)


def _lms_client() -> XapiClient:
    """The LRS client the sessions' statements are stored as (made at the first launch)."""
    client = db.session.scalar(select(XapiClient).where(XapiClient.key == CLIENT_KEY))
    if client is None:
        from courseware.auth.services import token_digest

        client = XapiClient(
            name="cmi5 AUs",
            key=CLIENT_KEY,
            secret_hash=token_digest(secrets.token_urlsafe(32)),
            scopes="statements/read/mine statements/write state profile",
        )
        db.session.add(client)
        db.session.flush()
    return client


# --- storing the LMS's statements ---------------------------------------------------------------


class _Clock:
    """Stored times one microsecond apart, so that the LMS's statements keep their order."""

    def __init__(self, start: dt.datetime | None = None):
        self.moment = start or utcnow()

    def next(self) -> dt.datetime:
        self.moment += dt.timedelta(microseconds=1)
        return self.moment


def _store(statement: dict, stored: dt.datetime) -> None:
    from courseware.xapi.events import authority
    from courseware.xapi.services import store_statements

    statement.setdefault("id", str(uuid.uuid4()))
    statement.setdefault("timestamp", _iso(stored))
    statement.update(stored=_iso(stored), authority=authority(), version="1.0.0")
    store_statements([statement], client_id=None, stored=stored)


def _context(registration: str, session_id: str, *, categories=(CATEGORY,), grouping=(), extensions=None) -> dict:
    context = {
        "registration": registration,
        "contextActivities": {"category": [{"id": c} for c in categories]},
        "extensions": {SESSION_ID: session_id, **(extensions or {})},
    }
    if grouping:
        context["contextActivities"]["grouping"] = [{"id": i} for i in grouping]
    return context


def _statement(actor: dict, verb: str, display: str, object_id: str, context: dict, **extra) -> dict:
    statement = {
        "actor": actor,
        "verb": {"id": verb, "display": {"en": display}},
        "object": {"objectType": "Activity", "id": object_id},
        "context": context,
    }
    statement.update(extra)
    return statement


# --- registrations and satisfaction ------------------------------------------------------------


def _au_state(registration: Cmi5Registration, au_id: str) -> dict:
    return dict((registration.aus or {}).get(au_id) or {})


def _set_au_state(registration: Cmi5Registration, au_id: str, **values) -> None:
    aus = dict(registration.aus or {})
    aus[au_id] = {**(aus.get(au_id) or {}), **values}
    registration.aus = aus
    registration.updated_at = utcnow()


def move_on_met(move_on: str, state: dict) -> bool:
    """Whether an AU's moveOn criterion is met by what the registration knows of it."""
    if state.get("waived") or move_on == "NotApplicable":
        return True
    completed, passed = bool(state.get("completed")), bool(state.get("passed"))
    return {
        "Completed": completed,
        "Passed": passed,
        "CompletedAndPassed": completed and passed,
        "CompletedOrPassed": completed or passed,
    }.get(move_on, False)


def _satisfy(
    registration: Cmi5Registration,
    package: Package,
    user: User,
    session_id: str,
    clock: _Clock,
    newly: list[str],
    known: dict[str, Lesson] | None = None,
) -> None:
    """Mark AUs whose moveOn is met, record their lessons complete, and write satisfied for each
    block (innermost first) and then the course once all their AUs are (9.3.9)."""
    units = _units(package)
    # the lessons playing the AUs, read only when one not ``known`` is to be recorded complete
    lessons: dict[str, Lesson] | None = dict(known) if known else None
    for unit in units:
        state = _au_state(registration, unit["identifier"])
        if not state.get("satisfied") and move_on_met(unit.get("move_on", "NotApplicable"), state):
            _set_au_state(registration, unit["identifier"], satisfied=True)
            if unit["identifier"] in newly:
                if lessons is None or unit["identifier"] not in lessons:
                    lessons = {**lessons_of(package), **(known or {})}
                lesson = lessons.get(unit["identifier"])
                if lesson is not None:
                    _record_completion(user, lesson, package, unit)
    done = set(registration.satisfied or [])
    satisfied_aus = {u["identifier"] for u in units if _au_state(registration, u["identifier"]).get("satisfied")}
    actor = actor_of(user)
    blocks = list(package.manifest.get("blocks", []))
    # innermost blocks first: the deepest ones
    for block in sorted(blocks, key=lambda b: -len(b.get("parents", []))):
        if block["identifier"] in done:
            continue
        inside = [u for u in units if block["identifier"] in (u.get("blocks") or [])]
        if inside and all(u["identifier"] in satisfied_aus for u in inside):
            done.add(block["identifier"])
            _store(
                _statement(
                    actor,
                    SATISFIED,
                    "satisfied",
                    block_iri(package, block["identifier"]),
                    _context(registration.registration, session_id, grouping=[block["identifier"]]),
                )
                | {"object": _typed(block_iri(package, block["identifier"]), BLOCK_TYPE)},
                clock.next(),
            )
    course_id = package.manifest["identifier"]
    if course_id not in done and units and all(u["identifier"] in satisfied_aus for u in units):
        done.add(course_id)
        _store(
            _statement(
                actor,
                SATISFIED,
                "satisfied",
                package_iri(package),
                _context(registration.registration, session_id, grouping=[package.manifest["identifier"]]),
            )
            | {"object": _typed(package_iri(package), COURSE_TYPE)},
            clock.next(),
        )
    registration.satisfied = sorted(done)


def _typed(iri: str, kind: str) -> dict:
    return {"objectType": "Activity", "id": iri, "definition": {"type": kind}}


def _record_completion(user: User, lesson: Lesson, package: Package, unit: dict) -> None:
    """The lesson counts as complete: its AU's moveOn is met."""
    from courseware.packages.services import PACKAGE
    from courseware.progress import rules
    from courseware.progress.services import record_event

    try:
        _begin(user, lesson)
    except NotAllowed:
        return
    record_event(
        user,
        rules.COMPLETED,
        lesson=lesson,
        course_id=lesson.course_id,
        activity_key=_activity_key(lesson, package, unit, PACKAGE),
        detail={"package": package.filename, "moveOn": unit.get("move_on")},
    )


def _begin(user: User, lesson: Lesson) -> None:
    from courseware.progress.services import begin_step

    begin_step(user.id, lesson)


def _activity_key(lesson: Lesson, package: Package, unit: dict, kind: str) -> str:
    revision = lesson.published_revision
    for activity in revision.activities if revision is not None else []:
        if activity.get("type") == kind and activity.get("unit") == unit["identifier"]:
            return activity["key"]
    return "package-1"


# --- launching ---------------------------------------------------------------------------------


def registration_for(user: User, package: Package) -> tuple[Cmi5Registration, bool]:
    found = db.session.scalar(
        select(Cmi5Registration).where(Cmi5Registration.user_id == user.id, Cmi5Registration.package_id == package.id)
    )
    if found is not None:
        return found, False
    found = Cmi5Registration(
        registration=str(uuid.uuid4()), user_id=user.id, package_id=package.id, aus={}, satisfied=[]
    )
    db.session.add(found)
    db.session.flush()
    return found, True


def open_sessions(registration: Cmi5Registration) -> list[Cmi5Session]:
    return list(
        db.session.scalars(
            select(Cmi5Session).where(
                Cmi5Session.registration_id == registration.id,
                Cmi5Session.terminated_at.is_(None),
                Cmi5Session.abandoned_at.is_(None),
            )
        )
    )


def au_url(package: Package, unit: dict, user: User, course: Course, lesson: Lesson) -> str:
    """The AU's address: its own, or its file in the package, served by Courseware to ``user``:
    on the content origin with a ticket when ``COURSEWARE_CONTENT_ORIGIN`` is set (the AU then
    reaches ``/xapi`` across origins, with its token), else on the site's own origin."""
    launch = unit["launch"]
    parts = urlsplit(launch)
    if parts.scheme:
        return launch
    origin = content_origin.content_origin()
    if origin:
        ticket = content_origin.issue_ticket(
            user_id=user.id,
            lesson_id=lesson.id,
            package_id=package.id,
            course_slug=course.slug,
            lesson_slug=lesson.slug,
        )
        base = origin + url_for("packages.content_file", ticket=ticket, path=parts.path)
    else:
        base = page_url("packages.package_file", package_id=package.id, path=parts.path)
    return base + (f"?{parts.query}" if parts.query else "")


def with_query(url: str, params: dict) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def launch(
    user: User, course: Course, lesson: Lesson, package: Package, unit: dict, launch_mode: str = "Normal"
) -> tuple[Cmi5Session, str]:
    """Launch ``unit`` for ``user``: the session and the URL to send the browser to."""
    if launch_mode not in LAUNCH_MODES:
        raise Invalid(_("Choose how to open the module: normally, to browse or to review."))
    _lms_client()
    clock = _Clock()
    registration, new = registration_for(user, package)
    for stale in open_sessions(registration):
        abandon(stale, clock=clock)
    actor = actor_of(user)
    activity_id = au_iri(package, unit["identifier"])
    fetch_token = secrets.token_urlsafe(32)
    session = Cmi5Session(
        id=str(uuid.uuid4()),
        registration_id=registration.id,
        lesson_id=lesson.id,
        au_id=unit["identifier"],
        activity_id=activity_id,
        launch_mode=launch_mode,
        fetch_digest=digest(fetch_token),
        seen=[],
        preferences=False,
        launched_at=utcnow(),
    )
    db.session.add(session)
    db.session.flush()
    if new:
        # NotApplicable AUs are satisfied as the registration is made (9.6.1.1-3)
        _satisfy(registration, package, user, session.id, clock, newly=[])
    url = with_query(
        au_url(package, unit, user, course, lesson),
        {
            "endpoint": page_url("xapi.about").rsplit("/about", 1)[0],
            "fetch": page_url("cmi5.fetch", token=fetch_token),
            "actor": json.dumps(actor, separators=(",", ":")),
            "registration": registration.registration,
            "activityId": activity_id,
        },
    )
    return_url = page_url("learn.lesson", course_slug=course.slug, lesson_slug=lesson.slug)
    launch_data = {
        "contextTemplate": {
            "contextActivities": {"grouping": [{"id": unit["identifier"]}]},
            "extensions": {SESSION_ID: session.id},
        },
        "launchMode": launch_mode,
        "launchMethod": unit.get("launch_method", "AnyWindow"),
        "moveOn": unit.get("move_on", "NotApplicable"),
        "returnURL": return_url,
    }
    extensions = {
        EXTENSION + "launchmode": launch_mode,
        EXTENSION + "launchurl": url,
        EXTENSION + "moveon": launch_data["moveOn"],
    }
    if unit.get("launch_parameters") is not None:
        launch_data["launchParameters"] = unit["launch_parameters"]
        extensions[EXTENSION + "launchparameters"] = unit["launch_parameters"]
    if unit.get("mastery_score") is not None:
        launch_data["masteryScore"] = unit["mastery_score"]
        launch_data["contextTemplate"]["extensions"][MASTERY_SCORE] = unit["mastery_score"]
        extensions[MASTERY_SCORE] = unit["mastery_score"]
    if unit.get("entitlement_key") is not None:
        launch_data["entitlementKey"] = {"courseStructure": unit["entitlement_key"]}
    from courseware.xapi import services as lrs

    scope = lrs.document_scope(
        "state", activity_id=activity_id, agent=actor, registration=registration.registration.lower()
    )
    lrs.save_document(scope, LAUNCH_DATA, json.dumps(launch_data).encode(), "application/json", merge=False)
    _store(
        _statement(
            actor,
            LAUNCHED,
            "launched",
            activity_id,
            _context(registration.registration, session.id, grouping=[unit["identifier"]], extensions=extensions),
        ),
        clock.next(),
    )
    if launch_mode == "Normal":
        _begin(user, lesson)
        if unit.get("move_on") == "NotApplicable" and not _au_state(registration, unit["identifier"]).get("recorded"):
            _set_au_state(registration, unit["identifier"], recorded=True)
            _record_completion(user, lesson, package, unit)
    db.session.flush()
    log.info("cmi5: user %s launched %s of package %s (%s)", user.id, unit["identifier"], package.id, launch_mode)
    return session, url


def fetch_token(token: str) -> dict:
    """The fetch URL's answer (8.2): the auth token the first time, cmi5's error body after."""
    session = db.session.scalar(select(Cmi5Session).where(Cmi5Session.fetch_digest == digest(token)))
    if session is None:
        return {"error-code": "3", "error-text": "This fetch URL is not one Courseware made."}
    if session.fetched_at is not None:
        return {"error-code": "1", "error-text": "This fetch URL was used already: launch the AU again."}
    if session.terminated_at is not None or session.abandoned_at is not None:
        return {"error-code": "2", "error-text": "This session has ended: launch the AU again."}
    secret = base64.b64encode(f"cmi5:{secrets.token_urlsafe(32)}".encode()).decode()
    session.token_digest = digest(secret)
    session.fetched_at = session.last_request_at = utcnow()
    return {"auth-token": secret}


# --- abandoning and waiving ---------------------------------------------------------------------


def abandon(session: Cmi5Session, *, clock: _Clock | None = None) -> None:
    """Write the abandoned statement of a session left without terminated (9.3.6)."""
    if session.terminated_at is not None or session.abandoned_at is not None:
        raise Invalid(_("This session has ended already."))
    registration = db.session.get(Cmi5Registration, session.registration_id)
    user = db.session.get(User, registration.user_id)
    now = utcnow()
    # whoever marks it first writes the statement (two workers, or a worker and a launch)
    marked = db.session.execute(
        update(Cmi5Session)
        .where(Cmi5Session.id == session.id, Cmi5Session.terminated_at.is_(None), Cmi5Session.abandoned_at.is_(None))
        .values(abandoned_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not marked:
        raise Invalid(_("This session has ended already."))
    session.abandoned_at = now
    start = session.initialized_at or session.launched_at
    seconds = ((session.last_request_at or now) - start).total_seconds()
    _store(
        _statement(
            actor_of(user),
            ABANDONED,
            "abandoned",
            session.activity_id,
            _context(registration.registration, session.id),
            result={"duration": _duration(seconds)},
        ),
        (clock or _Clock(now)).next(),
    )
    log.info("cmi5: session %s abandoned", session.id)


def abandon_stale_sessions() -> int:
    """Abandon the sessions whose AU has not called the LRS for ``SESSION_TIMEOUT`` (their token
    no longer works); how many. The background worker runs it every few minutes."""
    before = utcnow() - SESSION_TIMEOUT
    stale = db.session.scalars(
        select(Cmi5Session).where(
            Cmi5Session.terminated_at.is_(None),
            Cmi5Session.abandoned_at.is_(None),
            or_(
                Cmi5Session.last_request_at < before,
                Cmi5Session.last_request_at.is_(None) & (Cmi5Session.launched_at < before),
            ),
        )
    ).all()
    count = 0
    for session in stale:
        try:
            abandon(session)
        except Invalid:
            continue
        count += 1
    return count


def waive(registration: Cmi5Registration, au_id: str, reason: str, by: User) -> None:
    """Waive an AU for the registration's learner (9.3.7): waived, then satisfied where due."""
    package = db.session.get(Package, registration.package_id)
    unit = package.unit(au_id) if package is not None else None
    if unit is None:
        raise Invalid(_("This course has no such AU."))
    if reason not in WAIVE_REASONS:
        raise Invalid(_("Choose a reason for waiving it."), field="reason")
    if _au_state(registration, au_id).get("satisfied"):
        raise Invalid(_("This AU is satisfied already: there is nothing to waive."))
    user = db.session.get(User, registration.user_id)
    session_id = str(uuid.uuid4())
    clock = _Clock()
    _store(
        _statement(
            actor_of(user),
            WAIVED,
            "waived",
            au_iri(package, au_id),
            _context(registration.registration, session_id, categories=(CATEGORY, MOVE_ON_CATEGORY)),
            result={"success": True, "completion": True, "extensions": {REASON: reason}},
        ),
        clock.next(),
    )
    _set_au_state(registration, au_id, waived=reason)
    _satisfy(registration, package, user, session_id, clock, newly=[au_id])
    db.session.flush()
    log.info("cmi5: %s waived %s for user %s (%s)", by.id, au_id, user.id, reason)


# --- the LRS side: the AU's auth token and cmi5's rules ------------------------------------------


def client_for_token(token: str) -> XapiClient | None:
    """The LRS client for a session's auth token (sent as ``Basic <token>``), or None when the
    token is unknown or its session ended; remembers the session for :func:`check_request`."""
    if not token or len(token) > 200:
        return None
    session = db.session.scalar(select(Cmi5Session).where(Cmi5Session.token_digest == digest(token)))
    if session is None or session.terminated_at is not None or session.abandoned_at is not None:
        return None
    if session.last_request_at and utcnow() - session.last_request_at > SESSION_TIMEOUT:
        return None
    client = db.session.scalar(select(XapiClient).where(XapiClient.key == CLIENT_KEY))
    if client is None:
        return None
    g.cmi5_session_id = session.id
    return client


def current_session() -> Cmi5Session | None:
    session_id = g.get("cmi5_session_id")
    return db.session.get(Cmi5Session, session_id) if session_id else None


def _same_agent(given, actor: dict) -> bool:
    if not isinstance(given, dict) or given.get("objectType", "Agent") != "Agent":
        return False
    if any(key in given for key in ("mbox", "mbox_sha1sum", "openid")):
        return False
    account = given.get("account")
    return isinstance(account, dict) and account == actor["account"]


def check_request(method: str, path: str, args: dict, body: bytes, content_type: str) -> str | None:
    """Why the session's AU may not make this LRS request (a 403), or None."""
    session = current_session()
    if session is None:
        return None
    registration = db.session.get(Cmi5Registration, session.registration_id)
    user = db.session.get(User, registration.user_id)
    actor = actor_of(user)
    if session.last_request_at is None or utcnow() - session.last_request_at > LAST_REQUEST_EVERY:
        _touch(session.id, last_request_at=utcnow())
    if path == "/statements":
        if method in ("GET", "HEAD"):
            if (args.get("registration") or "").lower() != registration.registration:
                return "an AU reads only the statements of its registration (give registration)"
            return None
        try:
            parsed = json.loads(body or b"null")
        except (ValueError, UnicodeDecodeError):
            return None  # the LRS says what is wrong with the JSON
        statements = parsed if isinstance(parsed, list) else [parsed]
        if method == "PUT" and isinstance(parsed, dict) and "id" not in parsed and args.get("statementId"):
            parsed = {**parsed, "id": args["statementId"]}
            statements = [parsed]
        return _statements_problem(statements, session, registration, actor)
    if path == "/activities/state":
        agent = _json_arg(args, "agent")
        if agent is not None and not _same_agent(agent, actor):
            return "the agent must be the launch's actor"
        if args.get("activityId") not in (None, session.activity_id):
            return "an AU keeps state only for its own activity id"
        if (args.get("registration") or registration.registration).lower() != registration.registration:
            return "an AU keeps state only for its own registration"
        if args.get("stateId") == LAUNCH_DATA and method not in ("GET", "HEAD"):
            return "LMS.LaunchData is the LMS's: an AU may only read it (10.2.1.0-5)"
        return None
    if path == "/agents/profile":
        agent = _json_arg(args, "agent")
        if agent is None:
            return None  # the LRS answers 400: agent is required
        if not _same_agent(agent, actor):
            return "the agent must be the launch's actor (11.0.0.0-1)"
        if args.get("profileId") == PREFERENCES:
            if method in ("GET", "HEAD"):
                if not session.preferences:
                    _touch(session.id, preferences=True)
            elif method in ("PUT", "POST"):
                return _preferences_problem(body, content_type)
        return None
    return None


def _touch(session_id: str, **values) -> None:
    with db.writing():
        fresh = db.session.get(Cmi5Session, session_id)
        for name, value in values.items():
            setattr(fresh, name, value)
        db.session.commit()


def _json_arg(args: dict, name: str):
    try:
        return json.loads(args[name]) if name in args else None
    except ValueError:
        return None


def _preferences_problem(body: bytes, content_type: str) -> str | None:
    if content_type != "application/json":
        return "cmi5LearnerPreferences is a JSON document (application/json) (11.0.0.0-5)"
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return "cmi5LearnerPreferences is a JSON object (11.0.0.0-5)"
    if not isinstance(value, dict) or "languagePreference" not in value or "audioPreference" not in value:
        return "cmi5LearnerPreferences has languagePreference and audioPreference (11.0.0.0-5)"
    languages = value["languagePreference"]
    if not isinstance(languages, str) or not all(_LANGUAGE.match(code) for code in languages.split(",")):
        return "languagePreference is a comma-separated list of language codes (11.1.0.0-1)"
    if value["audioPreference"] not in ("on", "off"):
        return "audioPreference is on or off (11.2.0.0-1)"
    return None


class _SessionView:
    """What the rules need of the session and registration, updated statement by statement."""

    def __init__(self, session: Cmi5Session, registration: Cmi5Registration):
        self.session = session
        self.seen = list(session.seen or [])
        self.initialized = session.initialized_at is not None
        self.terminated = session.terminated_at is not None
        self.state = _au_state(registration, session.au_id)


def _statements_problem(
    statements: list, session: Cmi5Session, registration: Cmi5Registration, actor: dict
) -> str | None:
    package = db.session.get(Package, registration.package_id)
    unit = package.unit(session.au_id) or {}
    view = _SessionView(session, registration)
    for statement in statements:
        problem = statement_problem(statement, view, registration.registration, actor, unit)
        if problem is not None:
            return problem
        verb = statement["verb"]["id"]
        view.seen.append(verb)
        if verb == INITIALIZED:
            view.initialized = True
        elif verb == TERMINATED:
            view.terminated = True
        elif verb == COMPLETED:
            view.state["completed"] = True
        elif verb == PASSED:
            view.state["passed"] = True
    return None


def statement_problem(statement, view: _SessionView, registration: str, actor: dict, unit: dict) -> str | None:
    """Why cmi5 does not let the session's AU send ``statement``, or None."""
    if not isinstance(statement, dict):
        return None  # the LRS refuses it (400)
    if "id" not in statement:
        return "a cmi5 statement has an id (9.1.0.0-1)"
    timestamp = statement.get("timestamp")
    if not isinstance(timestamp, str):
        return "a cmi5 statement has a timestamp (9.7.0.0-1)"
    if not (timestamp.endswith("Z") or timestamp.endswith("+00:00")):
        return "a cmi5 statement's timestamp is in UTC (9.7.0.0-2)"
    if not _same_agent(statement.get("actor"), actor):
        return "the actor must be the launch's actor, an Agent with its account (9.2.0.0-2, 9.2.0.0-3)"
    verb = (statement.get("verb") or {}).get("id") if isinstance(statement.get("verb"), dict) else None
    if verb == VOIDED:
        return "an AU may not void statements (6.3.0.0-1)"
    if verb in LMS_VERBS:
        return "only the LMS sends launched, satisfied, abandoned and waived"
    obj = statement.get("object")
    if (
        not isinstance(obj, dict)
        or obj.get("objectType", "Activity") != "Activity"
        or obj.get("id") != (view.session.activity_id)
    ):
        return "the object must be the activity id given at launch (8.1.5.0-6)"
    context = statement.get("context")
    if not isinstance(context, dict):
        return "a cmi5 statement has a context (9.6.0.0-1)"
    if str(context.get("registration") or "").lower() != registration:
        return "the registration must be the one given at launch (9.6.1.0-1)"
    extensions = context.get("extensions") if isinstance(context.get("extensions"), dict) else {}
    if extensions.get(SESSION_ID) != view.session.id:
        return "the session id extension must be the session's (9.6.3.1-4)"
    if view.terminated:
        return "the session is terminated: no statement may follow (9.3.0.0-5)"
    if not view.initialized and verb != INITIALIZED:
        return "the first statement of a session is initialized (9.3.0.0-4)"
    if verb == INITIALIZED:
        if view.initialized:
            return "the session is initialized already (9.3.2.0-3)"
        if not view.session.preferences:
            return "read the cmi5LearnerPreferences agent profile before initialized (11.0.0.0-3)"
    activities = context.get("contextActivities") if isinstance(context.get("contextActivities"), dict) else {}
    category = activities.get("category") or []
    category = [category] if isinstance(category, dict) else category
    categories = {item.get("id") for item in category if isinstance(item, dict)}
    defined = verb in AU_VERBS
    if defined and CATEGORY not in categories:
        return "cmi5 defined statements carry the cmi5 category (9.6.2.1-1)"
    if MOVE_ON_CATEGORY in categories and verb not in MOVE_ON_VERBS:
        return "only completed, passed and failed carry the moveOn category (9.6.2.2-2)"
    if verb in MOVE_ON_VERBS and MOVE_ON_CATEGORY not in categories:
        return "completed, passed and failed carry the moveOn category (9.6.2.2-1)"
    if not defined:
        return None
    result = statement.get("result") if isinstance(statement.get("result"), dict) else {}
    if verb == TERMINATED:
        return None if "duration" in result else "terminated has a result.duration (9.5.4.1-1)"
    if verb == INITIALIZED:
        return None
    if view.session.launch_mode != "Normal":
        return f"in {view.session.launch_mode} mode an AU sends no completed, passed or failed (10.2.2.0-2, 10.2.2.0-3)"
    if "duration" not in result:
        return "completed, passed and failed have a result.duration (9.5.4.1-2, 9.5.4.1-3, 9.5.4.1-4)"
    if verb == COMPLETED:
        if result.get("completion") is not True:
            return "completed has result.completion true (9.5.3.0-1)"
        if "success" in result:
            return "completed has no result.success (9.5.2.0-3)"
        if "score" in result:
            return "completed has no score (9.5.1.0-2)"
        if view.state.get("completed") or COMPLETED in view.seen:
            return "the AU is completed already in this registration (9.3.0.0-2, 9.3.0.0-6)"
        return None
    # passed or failed
    if "completion" in result:
        return "passed and failed have no result.completion (9.5.3.0-2)"
    if verb == PASSED and result.get("success") is not True:
        return "passed has result.success true (9.5.2.0-1)"
    if verb == FAILED and result.get("success") is not False:
        return "failed has result.success false (9.5.2.0-2)"
    score = result.get("score") if isinstance(result.get("score"), dict) else None
    if score is not None and "raw" in score and ("min" not in score or "max" not in score):
        return "a raw score comes with min and max (9.5.1.0-3)"
    mastery = unit.get("mastery_score")
    if mastery is not None:
        if extensions.get(MASTERY_SCORE) != mastery:
            return "passed and failed carry the masteryScore given at launch (9.6.3.2-2)"
        scaled = _scaled(score)
        if verb == PASSED and scaled is not None and scaled < mastery:
            return "passed needs a score of at least the masteryScore (9.3.4.0-2)"
        if verb == FAILED and scaled is not None and scaled >= mastery:
            return "failed needs a score below the masteryScore (9.3.5.0-2)"
    if view.state.get("passed"):
        return "the AU is passed already in this registration (9.3.0.0-7, 9.3.0.0-8)"
    if PASSED in view.seen or FAILED in view.seen:
        return "the session has a passed or failed already (9.3.0.0-2, 9.3.0.0-3)"
    return None


def _scaled(score: dict | None) -> float | None:
    if not score:
        return None
    if isinstance(score.get("scaled"), int | float):
        return float(score["scaled"])
    raw, low, high = score.get("raw"), score.get("min"), score.get("max")
    if all(isinstance(v, int | float) for v in (raw, low, high)) and high > low:
        return (raw - low) / (high - low)
    return None


def after_statements(statements: list[dict], stored: dt.datetime) -> None:
    """Bring the session and registration up to date with the AU's statements just stored, write
    satisfied where moveOn is now met, and record the lesson's progress."""
    session = current_session()
    if session is None:
        return
    from courseware.progress import rules
    from courseware.progress.services import record_event

    registration = db.session.get(Cmi5Registration, session.registration_id)
    package = db.session.get(Package, registration.package_id)
    user = db.session.get(User, registration.user_id)
    lesson = db.session.get(Lesson, session.lesson_id) if session.lesson_id else None
    unit = package.unit(session.au_id) or {"identifier": session.au_id}
    seen = list(session.seen or [])
    changed = False
    for statement in statements:
        verb = statement["verb"]["id"]
        if verb not in AU_VERBS:
            continue
        seen.append(verb)
        now = utcnow()
        if verb == INITIALIZED:
            session.initialized_at = now
        elif verb == TERMINATED:
            session.terminated_at = now
        elif verb == COMPLETED:
            _set_au_state(registration, session.au_id, completed=True)
            changed = True
        elif verb in (PASSED, FAILED):
            _set_au_state(registration, session.au_id, **{"passed" if verb == PASSED else "failed": True})
            changed = True
            if lesson is not None:
                score = _scaled((statement.get("result") or {}).get("score"))
                try:
                    _begin(user, lesson)
                except NotAllowed:
                    continue
                from courseware.packages.services import PACKAGE

                record_event(
                    user,
                    rules.PASSED if verb == PASSED else rules.FAILED,
                    lesson=lesson,
                    course_id=lesson.course_id,
                    activity_key=_activity_key(lesson, package, unit, PACKAGE),
                    score=round(score, 4) if score is not None else None,
                    success=verb == PASSED,
                    detail={"package": package.filename},
                )
    session.seen = seen
    if changed:
        known = {session.au_id: lesson} if lesson is not None else None
        _satisfy(registration, package, user, session.id, _Clock(stored), newly=[session.au_id], known=known)
    db.session.flush()


# --- routes ------------------------------------------------------------------------------------


def _learner_au(course_slug: str, lesson_slug: str):
    from courseware.packages.routes import _learner_lesson

    course, lesson, activity, package, unit = _learner_lesson(course_slug, lesson_slug)
    if package.format != "cmi5":
        abort(404)
    return course, lesson, activity, package, unit


@bp.route("/learn/<course_slug>/<lesson_slug>/cmi5/launch", methods=["POST"])
@role_required()
def launch_au(course_slug: str, lesson_slug: str):
    """Launch the lesson's AU: to its URL (OwnWindow), or on a page that frames it (AnyWindow)."""
    course, lesson, _activity, package, unit = _learner_au(course_slug, lesson_slug)
    me = current_user._get_current_object()
    mode = request.form.get("mode", "Normal")
    try:
        session, url = launch(me, course, lesson, package, unit, mode)
    except NotAllowed:
        db.session.rollback()
        abort(404)
    except Invalid as exc:
        db.session.rollback()
        abort(400, exc.message)
    db.session.commit()
    if unit.get("launch_method") == "OwnWindow":
        return redirect(url, code=303)
    page = render_template(
        "packages/cmi5_player.html",
        course=course,
        lesson=lesson,
        title=unit.get("title") or lesson.slug,
        au_url=url,
        lesson_url=url_for("learn.lesson", course_slug=course.slug, lesson_slug=lesson.slug),
    )
    response = Response(page)
    response.headers["Cache-Control"] = "no-store"
    origin = urlsplit(url)
    response.headers["Content-Security-Policy"] = (
        f"{CONTENT_SECURITY_POLICY}; frame-src 'self' {origin.scheme}://{origin.netloc}"
    )
    return response


@bp.route("/cmi5/fetch/<token>", methods=["POST"])
@csrf.exempt
def fetch(token: str):
    """The fetch URL (8.2): ``{"auth-token": ...}`` once, then cmi5's error body."""
    with db.writing():
        answer = fetch_token(token[:200])
        db.session.commit()
    response = jsonify(answer)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "no-store"
    return response


def _editable_package(course_id: int, package_id: int) -> tuple[Course, Package]:
    course = db.session.get(Course, course_id)
    package = db.session.get(Package, package_id)
    if (
        course is None
        or package is None
        or package.course_id != course.id
        or package.format != "cmi5"
        or not can_edit_course(current_user, course)
    ):
        abort(404)
    return course, package


@bp.route("/author/courses/<id:course_id>/cmi5/<id:package_id>")
@role_required(*AUTHOR_ROLES)
def package_page(course_id: int, package_id: int):
    """A cmi5 course's page for its trainers: its AUs with their lessons, and each learner's
    registration, with a button to waive an AU and to abandon a session left open."""
    course, package = _editable_package(course_id, package_id)
    lessons = lessons_of(package)
    registrations = db.session.execute(
        select(Cmi5Registration, User)
        .join(User, User.id == Cmi5Registration.user_id)
        .where(Cmi5Registration.package_id == package.id)
        .order_by(User.name, User.id)
    ).all()
    sessions = {}
    for registration, _user in registrations:
        sessions[registration.id] = open_sessions(registration)
    return render_template(
        "packages/cmi5_package.html",
        course=course,
        package=package,
        units=_units(package),
        lessons=lessons,
        registrations=registrations,
        sessions=sessions,
        reasons=WAIVE_REASONS,
    )


_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _uuid(value: str | None) -> str | None:
    """A registration's or session's id as typed into a trainer's form, or None when it cannot be one."""
    value = (value or "").strip().lower()
    return value if _UUID_RE.match(value) else None


@bp.route("/author/courses/<id:course_id>/cmi5/<id:package_id>/waive", methods=["POST"])
@role_required(*AUTHOR_ROLES)
def waive_au(course_id: int, package_id: int):
    """Waive an AU (by its index in the course structure, or its id) for one registration."""
    course, package = _editable_package(course_id, package_id)
    wanted = _uuid(request.form.get("registration"))
    registration = wanted and db.session.scalar(
        select(Cmi5Registration).where(
            Cmi5Registration.registration == wanted, Cmi5Registration.package_id == package.id
        )
    )
    back = redirect(url_for("cmi5.package_page", course_id=course.id, package_id=package.id), code=303)
    if registration is None:
        flash(_("No learner of this course has that registration."), "error")
        return back
    au = request.form.get("au", "")
    units = _units(package)
    if au.isascii() and au.isdigit() and int(au) < len(units):
        au = units[int(au)]["identifier"]
    try:
        waive(registration, au, request.form.get("reason", ""), current_user._get_current_object())
    except Invalid as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return back
    db.session.commit()
    flash(_("The AU is waived."), "success")
    return back


@bp.route("/author/courses/<id:course_id>/cmi5/<id:package_id>/abandon", methods=["POST"])
@role_required(*AUTHOR_ROLES)
def abandon_session(course_id: int, package_id: int):
    """Abandon a session left open (its AU can no longer send statements)."""
    course, package = _editable_package(course_id, package_id)
    wanted = _uuid(request.form.get("session"))
    session = db.session.get(Cmi5Session, wanted) if wanted else None
    registration = db.session.get(Cmi5Registration, session.registration_id) if session is not None else None
    if registration is None or registration.package_id != package.id:
        flash(_("This course has no such session."), "error")
        return redirect(url_for("cmi5.package_page", course_id=course.id, package_id=package.id), code=303)
    try:
        abandon(session)
    except Invalid as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("The session is abandoned."), "success")
    return redirect(url_for("cmi5.package_page", course_id=course.id, package_id=package.id), code=303)


def lesson_panel(user: User, lesson: Lesson, activity: dict) -> dict | None:
    """What the lesson page shows of a cmi5 AU: None when the activity is not cmi5."""
    from courseware.packages.services import package_of

    package = package_of(lesson.course_id, activity.get("file", ""))
    if package is None or package.format != "cmi5":
        return None
    unit = package.unit(activity.get("unit", "")) or {}
    registration = db.session.scalar(
        select(Cmi5Registration).where(Cmi5Registration.user_id == user.id, Cmi5Registration.package_id == package.id)
    )
    state = _au_state(registration, unit.get("identifier", "")) if registration is not None else {}
    return {"unit": unit, "state": state, "own_window": unit.get("launch_method") == "OwnWindow"}

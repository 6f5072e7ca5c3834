"""Storing and finding statements, and keeping documents. Services flush; the view commits."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import logging
import uuid

from sqlalchemy import and_, delete, or_, select

from courseware.db import dialect_insert, utcnow
from courseware.extensions import db
from courseware.models import XapiActivity, XapiAttachment, XapiDocument, XapiStatement, XapiStatementKey
from courseware.xapi import VOIDED_VERB
from courseware.xapi.events import own_activity
from courseware.xapi.forwarding import queue_forwards
from courseware.xapi.validation import InvalidStatement, parse_timestamp, validate_statement

log = logging.getLogger(__name__)


class Conflict(Exception):
    """A statement id already stored with different content, or a document precondition failed."""


class NotFound(Exception):
    pass


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def agent_ifi(value: dict) -> str | None:
    """The identifying property of an agent or identified group, as a stable string."""
    if "mbox" in value:
        return "mbox:" + value["mbox"]
    if "mbox_sha1sum" in value:
        return "mbox_sha1sum:" + value["mbox_sha1sum"].lower()
    if "openid" in value:
        return "openid:" + value["openid"]
    account = value.get("account")
    if isinstance(account, dict):
        return "account:" + json.dumps([account.get("homePage"), account.get("name")])
    return None


def agent_key(value: dict) -> str:
    ifi = agent_ifi(value)
    if ifi is None:  # an anonymous group: its members, sorted
        members = sorted(agent_ifi(m) or "" for m in value.get("member", []))
        ifi = "group:" + json.dumps(members)
    return digest(ifi)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


# ---------------------------------------------------------------- statements


def _agents_in(value, *, direct: bool) -> list[dict]:
    """Agents and groups an actor-like value holds (members of groups too, when related)."""
    if not isinstance(value, dict):
        return []
    found = [value]
    if not direct:
        found += [m for m in value.get("member", []) if isinstance(m, dict)]
    return found


def _activities_in(context: dict) -> list[dict]:
    found = []
    for item in (context.get("contextActivities") or {}).values():
        found += [item] if isinstance(item, dict) else list(item)
    return found


def statement_keys(statement: dict) -> set[tuple[str, str]]:
    """The (kind, key) pairs a statement is found by, through its own properties."""
    keys: set[tuple[str, str]] = set()
    keys.add(("verb", digest(statement["verb"]["id"])))
    _collect(statement, keys, top=True)
    registration = (statement.get("context") or {}).get("registration")
    if registration:
        keys.add(("registration", registration.lower()))
    return keys


def _collect(body: dict, keys: set[tuple[str, str]], *, top: bool) -> None:
    obj = body["object"]
    kind = obj.get("objectType", "Activity")
    for a in _agents_in(body["actor"], direct=True):
        if top:
            keys.add(("agent", agent_key(a)))
        keys.add(("related_agent", agent_key(a)))
    for member in body["actor"].get("member", []):
        keys.add(("related_agent", agent_key(member)))
    if kind in ("Agent", "Group"):
        if top:
            keys.add(("agent", agent_key(obj)))
        keys.add(("related_agent", agent_key(obj)))
        for member in obj.get("member", []):
            keys.add(("related_agent", agent_key(member)))
    if kind == "Activity":
        if top:
            keys.add(("activity", digest(obj["id"])))
        keys.add(("related_activity", digest(obj["id"])))
    context = body.get("context") or {}
    for role in ("instructor", "team"):
        if role in context:
            keys.add(("related_agent", agent_key(context[role])))
            for member in context[role].get("member", []):
                keys.add(("related_agent", agent_key(member)))
    for item in context.get("contextAgents", []):
        keys.add(("related_agent", agent_key(item["agent"])))
    for item in context.get("contextGroups", []):
        keys.add(("related_agent", agent_key(item["group"])))
        for member in item["group"].get("member", []):
            keys.add(("related_agent", agent_key(member)))
    for item in _activities_in(context):
        keys.add(("related_activity", digest(item["id"])))
    if top and "authority" in body:
        keys.add(("related_agent", agent_key(body["authority"])))
        for member in body["authority"].get("member", []):
            keys.add(("related_agent", agent_key(member)))
    if kind == "SubStatement":
        _collect(obj, keys, top=False)
        keys.add(("verb_sub", digest(obj["verb"]["id"])))


def _comparable(statement: dict) -> dict:
    value = copy.deepcopy(statement)
    for key in ("stored", "authority", "version", "id"):
        value.pop(key, None)
    if "timestamp" in value:
        try:
            value["timestamp"] = parse_timestamp(value["timestamp"], "timestamp").timestamp()
        except InvalidStatement:
            pass
    return value


def same_statement(a: dict, b: dict) -> bool:
    """Whether two statements say the same thing, apart from what the LRS added to them."""
    first, second = _comparable(a), _comparable(b)
    if a.get("timestamp") == a.get("stored") and b.get("timestamp") == b.get("stored"):
        first.pop("timestamp", None)
        second.pop("timestamp", None)
    return first == second


def prepare_statement(
    statement, *, authority: dict, version: str, statement_id: str | None = None, stored: dt.datetime | None = None
) -> dict:
    """Validate a statement and complete it with id, timestamp, stored, authority and version."""
    validate_statement(statement, version)
    if statement_id is not None:
        if "id" in statement and statement["id"].lower() != statement_id.lower():
            raise InvalidStatement("id", "differs from the statementId parameter")
        statement["id"] = statement_id
    statement["id"] = str(uuid.UUID(statement["id"])) if "id" in statement else str(uuid.uuid4())
    stored = stored or utcnow()
    statement["stored"] = iso(stored)
    if "timestamp" not in statement:
        statement["timestamp"] = statement["stored"]
    statement["authority"] = authority
    if "version" not in statement:
        statement["version"] = "2.0.0" if version.startswith("2.") else "1.0.0"
    return statement


def store_statements(statements: list[dict], *, client_id: int | None, stored: dt.datetime) -> list[str]:
    """Store prepared statements all together; an id already stored with other content is a
    :class:`Conflict`, with the same content it is skipped. Voiding marks the target voided.
    The new ones are queued, in the same transaction, for the LRSs they are forwarded to.

    ``client_id`` None stores Courseware's own statements (:mod:`courseware.xapi.events`): their
    ids derive from the events just recorded, so none is looked for first, and one already
    stored (an event's statement stored again) is skipped by the insert itself."""
    ids = [s["id"] for s in statements]
    if len(set(ids)) != len(ids):
        raise InvalidStatement("id", "the same id appears twice in the batch")
    own = client_id is None
    new = _store_own(statements, stored) if own else _store_received(statements, ids, client_id, stored)
    if new:
        queue_forwards([s["id"] for s in new], client_id=client_id)
        db.session.flush()
        log.info("stored %d xAPI statement(s)", len(new))
    return ids


def _store_received(statements: list[dict], ids: list[str], client_id: int, stored: dt.datetime) -> list[dict]:
    existing = {row.id: row for row in db.session.scalars(select(XapiStatement).where(XapiStatement.id.in_(ids)))}
    in_batch = {s["id"]: s for s in statements}
    new: list[dict] = []
    for statement in statements:
        row = existing.get(statement["id"])
        if row is not None:
            if not same_statement(json.loads(row.statement), statement):
                raise Conflict(f"statement {statement['id']} is already stored with other content")
            continue
        new.append(statement)
    # Voiding: the target must not itself be a voiding statement.
    targets = {s["object"]["id"].lower(): s for s in new if s["verb"]["id"] == VOIDED_VERB}
    if targets:
        for row in db.session.scalars(select(XapiStatement).where(XapiStatement.id.in_(list(targets)))):
            if row.voids_id is not None:
                raise InvalidStatement("object.id", "a voiding statement cannot be voided")
        for target_id in targets:
            target = in_batch.get(target_id)
            if target is not None and target["verb"]["id"] == VOIDED_VERB:
                raise InvalidStatement("object.id", "a voiding statement cannot be voided")
    refs = {s["object"]["id"].lower() for s in new if s["object"].get("objectType") == "StatementRef"}
    inherited: dict[str, list[tuple[str, str]]] = {}
    if refs:
        for key in db.session.scalars(select(XapiStatementKey).where(XapiStatementKey.statement_id.in_(list(refs)))):
            inherited.setdefault(key.statement_id, []).append((key.kind, key.key))
    rows, key_rows = [], []
    for statement in new:
        obj = statement["object"]
        kind = obj.get("objectType", "Activity")
        rows.append(_statement_values(statement, stored=stored, client_id=client_id))
        keys = statement_keys(statement)
        if kind == "StatementRef":
            keys |= set(inherited.get(obj["id"].lower(), []))
            target = in_batch.get(obj["id"].lower())
            if target is not None:
                keys |= statement_keys(target)
        key_rows += [{"statement_id": statement["id"], "kind": name, "key": key} for name, key in sorted(keys)]
    # One INSERT of the statements and one of their keys, however many the batch holds.
    if rows:
        db.session.execute(XapiStatement.__table__.insert(), rows)
        db.session.execute(XapiStatementKey.__table__.insert(), key_rows)
    _remember_activities(new)
    db.session.flush()
    voided_ids = [s["object"]["id"].lower() for s in new if s["verb"]["id"] == VOIDED_VERB]
    if voided_ids:
        for row in db.session.scalars(select(XapiStatement).where(XapiStatement.id.in_(voided_ids))):
            row.voided = True
    db.session.flush()
    return new


def _statement_values(statement: dict, *, stored: dt.datetime, client_id: int | None) -> dict:
    obj = statement["object"]
    kind = obj.get("objectType", "Activity")
    return {
        "id": statement["id"],
        "statement": json.dumps(statement, separators=(",", ":"), ensure_ascii=False),
        "stored": stored,
        "voided": False,
        "voids_id": obj["id"].lower() if statement["verb"]["id"] == VOIDED_VERB else None,
        "actor_key": agent_key(statement["actor"]),
        "verb_key": digest(statement["verb"]["id"]),
        "activity_key": digest(obj["id"]) if kind == "Activity" else None,
        "registration": ((statement.get("context") or {}).get("registration") or "").lower() or None,
        "client_id": client_id,
    }


def _store_own(statements: list[dict], stored: dt.datetime) -> list[dict]:
    """INSERT … ON CONFLICT (id) DO NOTHING for each statement, then one INSERT of all their keys.

    Their activities' definitions are not kept in ``xapi_activities``: ``/xapi/activities``
    answers Courseware's own from its courses (:func:`activity_definition`)."""
    insert = dialect_insert(db.session)
    table = XapiStatement.__table__
    new = []
    for statement in statements:
        values = _statement_values(statement, stored=stored, client_id=None)
        inserted = db.session.execute(
            insert(table).values(values).on_conflict_do_nothing(index_elements=["id"]).returning(table.c.id)
        ).scalar()
        if inserted is not None:
            new.append(statement)
    keys = [
        {"statement_id": statement["id"], "kind": kind, "key": key}
        for statement in new
        for kind, key in sorted(statement_keys(statement))
    ]
    if keys:
        db.session.execute(XapiStatementKey.__table__.insert(), keys)
    return new


def _remember_activities(statements: list[dict]) -> None:
    """Keep the latest definition of each activity the statements define (names and
    descriptions merged by language), reading those already kept in one query."""
    given: dict[str, tuple[str, list[dict]]] = {}
    for statement in statements:
        found = []
        obj = statement["object"]
        if obj.get("objectType", "Activity") == "Activity":
            found.append(obj)
        if obj.get("objectType") == "SubStatement" and obj["object"].get("objectType", "Activity") == "Activity":
            found.append(obj["object"])
        found += _activities_in(statement.get("context") or {})
        for item in found:
            if "definition" in item:
                given.setdefault(digest(item["id"]), (item["id"], []))[1].append(item["definition"])
    if not given:
        return
    kept = {row.key: row for row in db.session.scalars(select(XapiActivity).where(XapiActivity.key.in_(list(given))))}
    for key, (activity_id, definitions) in given.items():
        row = kept.get(key)
        merged = json.loads(row.definition) if row is not None else None
        for definition in definitions:
            if merged is None:
                merged = dict(definition)
                continue
            for name, value in definition.items():
                if name in ("name", "description") and isinstance(merged.get(name), dict):
                    merged[name] = {**merged[name], **value}
                else:
                    merged[name] = value
        if row is None:
            db.session.add(XapiActivity(key=key, activity_id=activity_id, definition=json.dumps(merged)))
        else:
            row.definition = json.dumps(merged)


def store_attachment(sha2: str, content_type: str, content: bytes) -> None:
    if db.session.get(XapiAttachment, sha2) is None:
        db.session.add(XapiAttachment(sha2=sha2, content_type=content_type[:255], content=content))
        db.session.flush()


def attachment(sha2: str) -> XapiAttachment | None:
    return db.session.get(XapiAttachment, sha2)


def statement_row(statement_id: str) -> XapiStatement | None:
    return db.session.get(XapiStatement, statement_id.lower())


def query_statements(
    *,
    agent: dict | None = None,
    verb: str | None = None,
    activity: str | None = None,
    registration: str | None = None,
    related_activities: bool = False,
    related_agents: bool = False,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    ascending: bool = False,
    limit: int,
    after: tuple[dt.datetime, str] | None = None,
    client_id: int | None = None,
) -> list[XapiStatement]:
    """Statements that are not voided, matching every filter given, newest first unless
    ``ascending``; ``after`` continues from the last (stored, id) of a previous page."""
    query = select(XapiStatement).where(XapiStatement.voided.is_(False))

    def having(kind: str, key: str):
        return XapiStatement.id.in_(
            select(XapiStatementKey.statement_id).where(XapiStatementKey.kind == kind, XapiStatementKey.key == key)
        )

    if agent is not None:
        query = query.where(having("related_agent" if related_agents else "agent", agent_key(agent)))
    if verb is not None:
        query = query.where(having("verb", digest(verb)))
    if activity is not None:
        query = query.where(having("related_activity" if related_activities else "activity", digest(activity)))
    if registration is not None:
        query = query.where(having("registration", registration.lower()))
    if since is not None:
        query = query.where(XapiStatement.stored > since)
    if until is not None:
        query = query.where(XapiStatement.stored <= until)
    if client_id is not None:
        query = query.where(XapiStatement.client_id == client_id)
    if after is not None:
        stored, last_id = after
        if ascending:
            query = query.where(
                or_(XapiStatement.stored > stored, and_(XapiStatement.stored == stored, XapiStatement.id > last_id))
            )
        else:
            query = query.where(
                or_(XapiStatement.stored < stored, and_(XapiStatement.stored == stored, XapiStatement.id < last_id))
            )
    if ascending:
        query = query.order_by(XapiStatement.stored, XapiStatement.id)
    else:
        query = query.order_by(XapiStatement.stored.desc(), XapiStatement.id.desc())
    return list(db.session.scalars(query.limit(limit)))


def activity_definition(activity_id: str) -> dict:
    found = {"objectType": "Activity", "id": activity_id}
    own = own_activity(activity_id)
    if own is not None:
        found["definition"] = own
        return found
    row = db.session.get(XapiActivity, digest(activity_id))
    if row is not None:
        found["definition"] = json.loads(row.definition)
    return found


# ---------------------------------------------------------------- documents


def document_scope(kind: str, *, activity_id=None, agent=None, registration=None) -> dict:
    return {
        "kind": kind,
        "activity_key": digest(activity_id) if activity_id is not None else "",
        "agent_key": agent_key(agent) if agent is not None else "",
        "registration": (registration or "").lower(),
    }


def find_document(scope: dict, doc_id: str) -> XapiDocument | None:
    return db.session.scalar(
        select(XapiDocument).where(
            *[getattr(XapiDocument, k) == v for k, v in scope.items()], XapiDocument.doc_key == digest(doc_id)
        )
    )


def document_ids(scope: dict, since: dt.datetime | None) -> list[str]:
    scope = (
        {k: v for k, v in scope.items() if not (k == "registration" and v == "")} if scope["kind"] != "state" else scope
    )
    query = select(XapiDocument.doc_id).where(*[getattr(XapiDocument, k) == v for k, v in scope.items()])
    if since is not None:
        query = query.where(XapiDocument.updated > since)
    return list(db.session.scalars(query.order_by(XapiDocument.id)))


def save_document(scope: dict, doc_id: str, content: bytes, content_type: str, *, merge: bool) -> XapiDocument:
    """Create or replace a document; with ``merge``, JSON objects are merged key by key."""
    row = find_document(scope, doc_id)
    now = utcnow()
    if row is not None and merge:
        if not (_is_json_type(row.content_type) and _is_json_type(content_type)):
            raise InvalidStatement("content", "only JSON documents can be merged")
        try:
            old = json.loads(row.content)
            new = json.loads(content)
        except ValueError:
            raise InvalidStatement("content", "is not a JSON object") from None
        if not isinstance(old, dict) or not isinstance(new, dict):
            raise InvalidStatement("content", "only JSON objects can be merged")
        old.update(new)
        content = json.dumps(old).encode()
        content_type = "application/json"
    elif merge and _is_json_type(content_type):
        try:
            parsed = json.loads(content)
        except ValueError:
            raise InvalidStatement("content", "is not valid JSON") from None
        if not isinstance(parsed, dict):
            raise InvalidStatement("content", "only a JSON object can be posted")
    etag = hashlib.sha1(content).hexdigest()
    if row is None:
        row = XapiDocument(
            **scope,
            doc_key=digest(doc_id),
            doc_id=doc_id,
            content=content,
            content_type=content_type[:255],
            etag=etag,
            updated=now,
        )
        db.session.add(row)
    else:
        row.content, row.content_type, row.etag, row.updated = content, content_type[:255], etag, now
    db.session.flush()
    return row


def delete_documents(scope: dict, doc_id: str | None) -> None:
    conditions = [getattr(XapiDocument, k) == v for k, v in scope.items()]
    if doc_id is not None:
        conditions.append(XapiDocument.doc_key == digest(doc_id))
    db.session.execute(delete(XapiDocument).where(*conditions))


def _is_json_type(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == "application/json"

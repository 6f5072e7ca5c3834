"""The xAPI endpoints at ``/xapi``: HTTP Basic with an LRS client, the version each request asks
for, one transaction per request, and a JSON body naming the property at fault for every refusal."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from urllib.parse import parse_qsl

from flask import Blueprint, Response, current_app, g, request
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError

from courseware.core.links import page_url
from courseware.core.validators import has_control_characters
from courseware.db import utcnow
from courseware.extensions import csrf, db
from courseware.xapi import SIGNATURE_USAGE, clients, services
from courseware.xapi.formats import format_statement
from courseware.xapi.signatures import InvalidSignature, check_signature
from courseware.xapi.validation import InvalidStatement, parse_timestamp, uuid_or_none
from courseware.xapi.validation import agent as check_agent

bp = Blueprint("xapi", __name__)
csrf.exempt(bp)

MAX_LIMIT = 500
STATEMENT_PARAMS = {
    "statementId",
    "voidedStatementId",
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
}
FORM_HEADERS = {
    "authorization",
    "x-experience-api-version",
    "content-type",
    "content-length",
    "if-match",
    "if-none-match",
}


class Refused(Exception):
    def __init__(self, status: int, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.path = status, message, path


def xapi_error(status: int, message: str, path: str | None = None):
    # The LRS's error bodies are read by the systems that call it and their logs, not by people in
    # the app: like the rest of the xAPI protocol, they stay in English.
    body = {"error": {"status": status, "message": message}}
    if path:
        body["error"]["property"] = path
    response = current_app.response_class(json.dumps(body), status=status, mimetype="application/json")
    # Not to a page's script (fetch, XMLHttpRequest): the browser would stop and ask its user for
    # a password, and a cmi5 AU whose token has ended would hang instead of hearing 401.
    if status == 401 and request.headers.get("Sec-Fetch-Mode", "navigate") == "navigate":
        response.headers["WWW-Authenticate"] = 'Basic realm="xAPI"'
    return response


def json_response(body, status: int = 200):
    return current_app.response_class(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")), status=status, mimetype="application/json"
    )


def no_content():
    return current_app.response_class(status=204)


# ---------------------------------------------------------------- the request's shape


def _alternate_request() -> None:
    """Turn xAPI 1.0's alternate request syntax (``POST ?method=PUT`` with a form) into the request it stands for."""
    g.xapi_headers = {k.lower(): v for k, v in request.headers.items()}
    g.xapi_args = request.args.to_dict(flat=True)
    g.xapi_method = request.method
    g.xapi_body = None
    if "method" not in request.args:
        return
    if request.method != "POST" or len(request.args) != 1:
        raise Refused(400, "the alternate request syntax is a POST whose only query parameter is method")
    method = request.args["method"].upper()
    if method not in ("GET", "PUT", "POST", "DELETE", "HEAD"):
        raise Refused(400, "method must be GET, PUT, POST, DELETE or HEAD", "method")
    content_type = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise Refused(400, "the alternate request syntax sends a form (application/x-www-form-urlencoded)")
    try:
        pairs = parse_qsl(request.get_data(as_text=True), keep_blank_values=True, strict_parsing=False)
    except ValueError:
        raise Refused(400, "the form could not be read") from None
    headers = {k: v for k, v in g.xapi_headers.items() if k not in ("content-type", "content-length")}
    args: dict[str, str] = {}
    body = None
    for name, value in pairs:
        if name.lower() in FORM_HEADERS:
            headers[name.lower()] = value
        elif name == "content":
            body = value.encode()
        else:
            args[name] = value
    g.xapi_alternate = True
    g.xapi_headers, g.xapi_args, g.xapi_method = headers, args, method
    g.xapi_body = body if body is not None else b""


def header(name: str, default: str | None = None) -> str | None:
    return g.xapi_headers.get(name.lower(), default)


def body_bytes() -> bytes:
    return g.xapi_body if g.xapi_body is not None else request.get_data()


def content_type() -> str:
    return (header("content-type") or "").split(";")[0].strip().lower()


def _version() -> None:
    given = header("x-experience-api-version")
    if given is None:
        raise Refused(400, "send the X-Experience-API-Version header (1.0.3 or 2.0.0)", "X-Experience-API-Version")
    given = given.strip()
    parts = given.split(".")
    if len(parts) in (2, 3) and parts[0] == "1" and parts[1] == "0" and all(p.isdigit() for p in parts[2:]):
        g.xapi_version = "1.0.3"
    elif len(parts) in (2, 3) and parts[0] == "2" and parts[1] == "0" and all(p.isdigit() for p in parts[2:]):
        g.xapi_version = "2.0.0"
    else:
        raise Refused(400, f"version {given[:20]} is not supported: use 1.0.3 or 2.0.0", "X-Experience-API-Version")
    if g.get("xapi_alternate") and g.xapi_version == "2.0.0":
        raise Refused(400, "xAPI 2.0 has no alternate request syntax", "method")


def _client() -> clients.XapiClient | None:
    scheme, _, encoded = (header("authorization") or "").partition(" ")
    client = None
    if scheme.lower() == "basic":
        try:
            key, _, secret = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            key = secret = ""
        client = clients.client_for(key, secret)
        if client is None:
            # a cmi5 AU's auth token, good for its session alone (courseware.packages.cmi5)
            from courseware.packages.cmi5 import client_for_token

            client = client_for_token(encoded.strip())
    return client


def _authenticate(client) -> None:
    """Record the client's use (at most once a minute) and the version it speaks; set the authority."""
    if clients.use_needs_recording(client) or client.last_version != g.xapi_version:
        with db.writing():
            fresh = db.session.get(type(client), client.id)
            fresh.last_used_at = utcnow()
            fresh.last_version = g.xapi_version
            db.session.commit()
    g.xapi_client = client
    g.xapi_authority = {
        "objectType": "Agent",
        "name": client.name,
        "account": {"homePage": page_url("core.home").rstrip("/"), "name": client.key},
    }


def require(scope: str) -> None:
    scopes = g.xapi_client.scope_set
    if scope == "statements/read" and ("statements/read" in scopes or "statements/read/mine" in scopes):
        return
    if scope not in scopes:
        raise Refused(403, f"this client may not do that (it lacks the {scope} permission)")


# What a learning activity on another origin (a cmi5 AU on the content origin, or anywhere) may
# send and read: it authenticates with HTTP Basic in a header, never with a cookie.
CORS_ALLOWED_HEADERS = "Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match"
CORS_EXPOSED_HEADERS = "ETag, Last-Modified, X-Experience-API-Version, X-Experience-API-Consistent-Through"


@bp.before_request
def _before():
    if request.method == "OPTIONS":
        # A browser asking first whether another origin may send these headers and methods.
        response = Response(status=204)
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, PUT, POST, DELETE"
        response.headers["Access-Control-Allow-Headers"] = CORS_ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = "600"
        return response
    try:
        _alternate_request()
        if request.endpoint == "xapi.about":
            g.xapi_version = "2.0.0" if (header("x-experience-api-version") or "").startswith("2") else "1.0.3"
            return None
        client = _client()
        if client is None:
            try:
                _version()
            except Refused:
                pass
            raise Refused(
                401, "send an LRS client's key and secret with HTTP Basic; these are missing, wrong or revoked"
            )
        try:
            _version()
        except Refused:
            if client.last_version:
                g.xapi_version = client.last_version
            raise
        _authenticate(client)
        if g.get("cmi5_session_id"):
            from courseware.packages.cmi5 import check_request

            rule = request.url_rule.rule.removeprefix("/xapi") if request.url_rule else request.path
            problem = check_request(g.xapi_method, rule, g.xapi_args, body_bytes(), content_type())
            if problem:
                raise Refused(403, problem)
    except Refused as exc:
        return xapi_error(exc.status, exc.message, exc.path)
    if g.get("xapi_alternate"):
        return _dispatch_alternate()
    return None


def _dispatch_alternate():
    view = {
        ("/statements", "GET"): get_statements,
        ("/statements", "PUT"): put_statement,
        ("/statements", "POST"): post_statements,
        ("/activities/state", "GET"): get_state,
        ("/activities/state", "PUT"): put_state,
        ("/activities/state", "POST"): post_state,
        ("/activities/state", "DELETE"): delete_state,
        ("/activities/profile", "GET"): get_activity_profile,
        ("/activities/profile", "PUT"): put_activity_profile,
        ("/activities/profile", "POST"): post_activity_profile,
        ("/activities/profile", "DELETE"): delete_activity_profile,
        ("/agents/profile", "GET"): get_agent_profile,
        ("/agents/profile", "PUT"): put_agent_profile,
        ("/agents/profile", "POST"): post_agent_profile,
        ("/agents/profile", "DELETE"): delete_agent_profile,
        ("/activities", "GET"): activities,
        ("/agents", "GET"): agents,
    }.get((request.url_rule.rule.removeprefix("/xapi"), "GET" if g.xapi_method == "HEAD" else g.xapi_method))
    if view is None:
        return xapi_error(405, "this resource does not accept that method")
    return view()


@bp.after_request
def _headers(response):
    response.headers["X-Experience-API-Version"] = g.get("xapi_version", "2.0.0")
    response.headers["X-Experience-API-Consistent-Through"] = services.iso(utcnow())
    response.headers.setdefault("Date", _http_date(utcnow()))
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSED_HEADERS
    return response


def _http_date(moment: dt.datetime) -> str:
    from email.utils import format_datetime

    return format_datetime(moment.astimezone(dt.UTC), usegmt=True)


@bp.errorhandler(Refused)
def _refused(exc: Refused):
    db.session.rollback()
    return xapi_error(exc.status, exc.message, exc.path)


@bp.errorhandler(InvalidStatement)
def _invalid(exc: InvalidStatement):
    db.session.rollback()
    return xapi_error(400, exc.message, exc.path or None)


@bp.errorhandler(InvalidSignature)
def _bad_signature(exc: InvalidSignature):
    db.session.rollback()
    return xapi_error(400, str(exc), "attachments")


@bp.errorhandler(services.Conflict)
def _conflict(exc):
    db.session.rollback()
    return xapi_error(409, str(exc))


# ---------------------------------------------------------------- parameters


def args() -> dict[str, str]:
    return g.xapi_args


def only(allowed: set[str]) -> None:
    for name in args():
        if name not in allowed:
            raise Refused(400, f"{name} is not a parameter of this resource", name[:60])


def json_param(name: str, required: bool = False):
    raw = args().get(name)
    if raw is None:
        if required:
            raise Refused(400, f"{name} is required", name)
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise Refused(400, f"{name} must be JSON", name) from None


def agent_param(name: str = "agent", required: bool = False) -> dict | None:
    value = json_param(name, required)
    if value is None:
        return None
    if isinstance(value, dict) and value.get("objectType") == "Group":
        from courseware.xapi.validation import group

        group(value, name, g.xapi_version)
    else:
        check_agent(value, name, g.xapi_version)
    return value


def iri_param(name: str, required: bool = False) -> str | None:
    from courseware.xapi.validation import IRI_RE

    value = args().get(name)
    if value is None:
        if required:
            raise Refused(400, f"{name} is required", name)
        return None
    if not IRI_RE.match(value):
        raise Refused(400, f"{name} must be an IRI", name)
    return value


def time_param(name: str) -> dt.datetime | None:
    value = args().get(name)
    return None if value is None else parse_timestamp(value, name)


def bool_param(name: str) -> bool:
    value = args().get(name, "false").lower()
    if value not in ("true", "false"):
        raise Refused(400, f"{name} must be true or false", name)
    return value == "true"


# ---------------------------------------------------------------- statements


def _more_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="xapi-more")


@bp.route("/statements", methods=["GET"])
def get_statements():
    """One statement by id (or voided id), or a page of the statements matching the filters."""
    require("statements/read")
    params = args()
    if "more" in params:
        if len(params) != 1:
            raise Refused(400, "more takes no other parameter", "more")
        try:
            saved = _more_serializer().loads(params["more"])
        except BadSignature:
            raise Refused(400, "this more link is not one this LRS made", "more") from None
        g.xapi_args = saved["q"]
        return _query(after=(dt.datetime.fromisoformat(saved["s"]), saved["i"]))
    only(STATEMENT_PARAMS)
    fmt = params.get("format", "exact")
    if fmt not in ("ids", "exact", "canonical"):
        raise Refused(400, "format must be ids, exact or canonical", "format")
    with_attachments = bool_param("attachments")
    if "statementId" in params or "voidedStatementId" in params:
        if "statementId" in params and "voidedStatementId" in params:
            raise Refused(400, "give statementId or voidedStatementId, not both", "statementId")
        extra = set(params) - {"statementId", "voidedStatementId", "format", "attachments"}
        if extra:
            raise Refused(400, "a single statement takes only format and attachments", sorted(extra)[0])
        voided = "voidedStatementId" in params
        name = "voidedStatementId" if voided else "statementId"
        statement_id = uuid_or_none(params[name], name)
        row = services.statement_row(statement_id)
        if row is None or row.voided != voided or not _may_read(row):
            raise Refused(404, "no such statement")
        statement = format_statement(json.loads(row.statement), fmt, header("accept-language"))
        response = _statements_response(statement, [statement], with_attachments)
        response.headers["Last-Modified"] = _http_date(row.stored)
        return response
    return _query(after=None)


def _may_read(row) -> bool:
    scopes = g.xapi_client.scope_set
    return "statements/read" in scopes or row.client_id == g.xapi_client.id


def _query(after):
    params = args()
    fmt = params.get("format", "exact")
    if fmt not in ("ids", "exact", "canonical"):
        raise Refused(400, "format must be ids, exact or canonical", "format")
    with_attachments = bool_param("attachments")
    try:
        limit = int(params.get("limit", "0"))
    except ValueError:
        raise Refused(400, "limit must be a whole number", "limit") from None
    if limit < 0:
        raise Refused(400, "limit must not be negative", "limit")
    limit = MAX_LIMIT if limit == 0 else min(limit, MAX_LIMIT)
    ascending = bool_param("ascending")
    registration = uuid_or_none(params.get("registration"), "registration")
    rows = services.query_statements(
        agent=agent_param(),
        verb=iri_param("verb"),
        activity=iri_param("activity"),
        registration=registration,
        related_activities=bool_param("related_activities"),
        related_agents=bool_param("related_agents"),
        since=time_param("since"),
        until=time_param("until"),
        ascending=ascending,
        limit=limit + 1,
        after=after,
        client_id=None if "statements/read" in g.xapi_client.scope_set else g.xapi_client.id,
    )
    more = ""
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        token = _more_serializer().dumps({"q": params, "s": last.stored.isoformat(), "i": last.id})
        more = f"{request.script_root}/xapi/statements?more={token}"
    statements = [format_statement(json.loads(r.statement), fmt, header("accept-language")) for r in rows]
    return _statements_response({"statements": statements, "more": more}, statements, with_attachments)


def _statements_response(body, statements: list[dict], with_attachments: bool):
    if not with_attachments:
        return json_response(body)
    boundary = "xapi-" + hashlib.sha1(json.dumps(body).encode()).hexdigest()
    parts = [
        f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode()
        + json.dumps(body, ensure_ascii=False).encode()
    ]
    seen = set()
    for statement in statements:
        for item in statement.get("attachments", []) + (
            statement["object"].get("attachments", []) if isinstance(statement.get("object"), dict) else []
        ):
            sha2 = item.get("sha2")
            if not sha2 or sha2 in seen:
                continue
            stored = services.attachment(sha2)
            if stored is None:
                continue
            seen.add(sha2)
            parts.append(
                f"\r\n--{boundary}\r\nContent-Type: {stored.content_type}\r\nContent-Transfer-Encoding: binary\r\n"
                f"X-Experience-API-Hash: {sha2}\r\n\r\n".encode()
                + stored.content
            )
    data = b"".join(parts) + f"\r\n--{boundary}--\r\n".encode()
    return current_app.response_class(data, status=200, content_type=f"multipart/mixed; boundary={boundary}")


def _read_statements_body() -> tuple[object, dict[str, tuple[str, bytes]]]:
    """The statement JSON and the attachment parts (hash -> content type, bytes) of a request."""
    data = body_bytes()
    kind = content_type()
    if kind == "multipart/mixed":
        from courseware.xapi.multipart import MultipartError, split_multipart

        try:
            first, parts = split_multipart(header("content-type") or "", data)
        except MultipartError as exc:
            raise Refused(400, str(exc), "attachments") from None
        data = first
    elif kind == "application/json" or (g.get("xapi_alternate") and kind in ("", "application/json")):
        parts = {}
    else:
        raise Refused(400, "send statements as application/json, or multipart/mixed with attachments", "Content-Type")
    try:
        return json.loads(data), parts
    except (ValueError, UnicodeDecodeError):
        raise Refused(400, "the body is not valid JSON") from None


def _check_attachments(statements: list[dict], parts: dict[str, tuple[str, bytes]]) -> None:
    declared = {}
    for statement in statements:
        for n, item in enumerate(statement.get("attachments", [])):
            if "fileUrl" not in item and item["sha2"] not in parts:
                raise InvalidStatement(f"attachments[{n}].sha2", "has no attachment part with this hash")
            declared[item["sha2"]] = item
            if item["usageType"] == SIGNATURE_USAGE and item["sha2"] in parts:
                if item["contentType"] != "application/octet-stream":
                    raise InvalidStatement(f"attachments[{n}].contentType", "a signature is application/octet-stream")
                check_signature(statement, parts[item["sha2"]][1])
    for sha2 in parts:
        if sha2 not in declared:
            raise InvalidStatement("attachments", f"the part with hash {sha2[:16]}… matches no attachment")


def _store(statements: list[dict], parts) -> list[str]:
    stored = utcnow()
    prepared = [
        services.prepare_statement(s, authority=g.xapi_authority, version=g.xapi_version, stored=stored)
        for s in statements
    ]
    _check_attachments(prepared, parts)
    for sha2, (kind, content) in parts.items():
        services.store_attachment(sha2, kind, content)
    ids = services.store_statements(prepared, client_id=g.xapi_client.id, stored=stored)
    if g.get("cmi5_session_id"):
        from courseware.packages.cmi5 import after_statements

        after_statements(prepared, stored)
    return ids


@bp.route("/statements", methods=["PUT"])
def put_statement():
    """Store one statement under the statementId parameter; 409 if that id holds another statement."""
    require("statements/write")
    only({"statementId"})
    statement_id = uuid_or_none(args().get("statementId"), "statementId")
    if statement_id is None:
        raise Refused(400, "statementId is required", "statementId")
    body, parts = _read_statements_body()
    if not isinstance(body, dict):
        raise InvalidStatement("statement", "must be a JSON object")
    if "id" in body and isinstance(body["id"], str) and body["id"].lower() != statement_id:
        raise InvalidStatement("id", "differs from the statementId parameter")
    body["id"] = statement_id
    try:
        _store([body], parts)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise services.Conflict("this statement id was stored at the same moment") from None
    return no_content()


@bp.route("/statements", methods=["POST"])
def post_statements():
    """Store one statement or a batch, all or nothing; answers their ids."""
    require("statements/write")
    only(set())
    body, parts = _read_statements_body()
    batch = body if isinstance(body, list) else [body]
    if not batch:
        raise InvalidStatement("statement", "the batch is empty")
    for item in batch:
        if not isinstance(item, dict):
            raise InvalidStatement("statement", "must be a JSON object")
    try:
        ids = _store(batch, parts)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise services.Conflict("a statement id in this batch was stored at the same moment") from None
    return json_response(ids)


# ---------------------------------------------------------------- documents


def document_id(id_name: str) -> str | None:
    value = args().get(id_name)
    if value is not None and has_control_characters(value):
        raise Refused(400, f"{id_name} must not contain control characters", id_name)
    return value


def _document_get(scope: dict, id_name: str):
    doc_id = document_id(id_name)
    if doc_id is None:
        ids = services.document_ids(scope, time_param("since"))
        return json_response(ids)
    if "since" in args():
        raise Refused(400, "since is only for listing ids", "since")
    row = services.find_document(scope, doc_id)
    if row is None:
        raise Refused(404, "no such document")
    response = current_app.response_class(row.content, status=200, content_type=row.content_type)
    response.headers["ETag"] = f'"{row.etag}"'
    response.headers["Last-Modified"] = _http_date(row.updated)
    return response


def _preconditions(row, *, put: bool, must_have_header: bool) -> None:
    if_match = header("if-match")
    if_none_match = header("if-none-match")
    if if_match is not None:
        tags = [t.strip().strip('"') for t in if_match.split(",")]
        if row is None or ("*" not in tags and row.etag not in tags):
            raise Refused(412, "the document changed since you read it (If-Match)")
    if if_none_match is not None:
        tags = [t.strip().strip('"') for t in if_none_match.split(",")]
        if row is not None and ("*" in tags or row.etag in tags):
            raise Refused(412, "the document already exists (If-None-Match)")
    if put and must_have_header and if_match is None and if_none_match is None:
        if row is not None:
            raise Refused(409, "this document exists: send If-Match with its ETag to replace it")
        if g.xapi_version == "1.0.3":
            raise Refused(400, "send If-None-Match: * to create a profile, or If-Match with its ETag to replace it")


def _document_write(scope: dict, id_name: str, *, merge: bool):
    doc_id = document_id(id_name)
    if doc_id is None:
        raise Refused(400, f"{id_name} is required", id_name)
    data = body_bytes()
    kind = header("content-type") or "application/octet-stream"
    if merge and not data:
        raise Refused(400, "the document is empty")
    row = services.find_document(scope, doc_id)
    strict = g.xapi_version == "2.0.0" or scope["kind"] != "state"
    _preconditions(row, put=not merge, must_have_header=strict)
    services.save_document(scope, doc_id, data, kind, merge=merge)
    db.session.commit()
    return no_content()


def _document_delete(scope: dict, id_name: str, *, allow_all: bool):
    doc_id = document_id(id_name)
    if doc_id is None and not allow_all:
        raise Refused(400, f"{id_name} is required", id_name)
    if doc_id is not None:
        row = services.find_document(scope, doc_id)
        _preconditions(row, put=False, must_have_header=False)
    services.delete_documents(scope, doc_id)
    db.session.commit()
    return no_content()


def _state_scope():
    require("state")
    only({"activityId", "agent", "stateId", "registration", "since"})
    activity_id = iri_param("activityId", required=True)
    agent = agent_param(required=True)
    registration = uuid_or_none(args().get("registration"), "registration")
    return services.document_scope("state", activity_id=activity_id, agent=agent, registration=registration)


@bp.route("/activities/state", methods=["GET"])
def get_state():
    """One state document, or the ids of an agent's state documents for an activity."""
    return _document_get(_state_scope(), "stateId")


@bp.route("/activities/state", methods=["PUT"])
def put_state():
    """Store or replace a state document."""
    return _document_write(_state_scope(), "stateId", merge=False)


@bp.route("/activities/state", methods=["POST"])
def post_state():
    """Store a state document, merging JSON objects into one already there."""
    return _document_write(_state_scope(), "stateId", merge=True)


@bp.route("/activities/state", methods=["DELETE"])
def delete_state():
    """Delete one state document, or all of an agent's for an activity (and registration)."""
    return _document_delete(_state_scope(), "stateId", allow_all=True)


def _activity_profile_scope():
    require("profile")
    only({"activityId", "profileId", "since"})
    return services.document_scope("activity_profile", activity_id=iri_param("activityId", required=True))


@bp.route("/activities/profile", methods=["GET"])
def get_activity_profile():
    """One activity profile document, or the ids of an activity's profiles."""
    return _document_get(_activity_profile_scope(), "profileId")


@bp.route("/activities/profile", methods=["PUT"])
def put_activity_profile():
    """Store or replace an activity profile (an existing one needs If-Match)."""
    return _document_write(_activity_profile_scope(), "profileId", merge=False)


@bp.route("/activities/profile", methods=["POST"])
def post_activity_profile():
    """Store an activity profile, merging JSON objects."""
    return _document_write(_activity_profile_scope(), "profileId", merge=True)


@bp.route("/activities/profile", methods=["DELETE"])
def delete_activity_profile():
    """Delete an activity profile."""
    return _document_delete(_activity_profile_scope(), "profileId", allow_all=False)


def _agent_profile_scope():
    require("profile")
    only({"agent", "profileId", "since"})
    return services.document_scope("agent_profile", agent=agent_param(required=True))


@bp.route("/agents/profile", methods=["GET"])
def get_agent_profile():
    """One agent profile document, or the ids of an agent's profiles."""
    return _document_get(_agent_profile_scope(), "profileId")


@bp.route("/agents/profile", methods=["PUT"])
def put_agent_profile():
    """Store or replace an agent profile (an existing one needs If-Match)."""
    return _document_write(_agent_profile_scope(), "profileId", merge=False)


@bp.route("/agents/profile", methods=["POST"])
def post_agent_profile():
    """Store an agent profile, merging JSON objects."""
    return _document_write(_agent_profile_scope(), "profileId", merge=True)


@bp.route("/agents/profile", methods=["DELETE"])
def delete_agent_profile():
    """Delete an agent profile."""
    return _document_delete(_agent_profile_scope(), "profileId", allow_all=False)


# ---------------------------------------------------------------- activities, agents, about


@bp.route("/activities", methods=["GET"])
def activities():
    """The LRS's definition of an activity."""
    only({"activityId"})
    return json_response(services.activity_definition(iri_param("activityId", required=True)))


@bp.route("/agents", methods=["GET"])
def agents():
    """The Person object of an agent: what the LRS knows identifies them."""
    only({"agent"})
    agent = agent_param(required=True)
    if agent.get("objectType") == "Group":
        raise Refused(400, "agent must be an Agent, not a Group", "agent")
    person = {"objectType": "Person"}
    if "name" in agent:
        person["name"] = [agent["name"]]
    for key in ("mbox", "mbox_sha1sum", "openid", "account"):
        if key in agent:
            person[key] = [agent[key]]
    return json_response(person)


@bp.route("/about", methods=["GET"])
def about():
    """The xAPI versions this LRS speaks."""
    return json_response({"version": ["1.0.3", "2.0.0"], "extensions": {}})

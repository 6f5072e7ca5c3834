"""The SCIM 2.0 endpoints at ``/scim/v2``: a directory's bearer token, one transaction per
request, SCIM's error bodies for every refusal."""

from __future__ import annotations

import json

from flask import Blueprint, g, request
from pydantic import ValidationError
from scim2_models import (
    Context,
    Group,
    InvalidSyntaxException,
    InvalidValueException,
    NotFoundException,
    PreconditionFailedException,
    ResponseParameters,
    SCIMException,
    SearchRequest,
    User,
)
from sqlalchemy.exc import IntegrityError

from courseware.extensions import csrf, db
from courseware.scim import discovery, services, tokens
from courseware.scim.services import MAX_RESULTS

bp = Blueprint("scim", __name__)
csrf.exempt(bp)

SCIM_JSON = "application/scim+json"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


def scim_response(body, status: int = 200, *, version: str | None = None, location: str | None = None):
    from flask import current_app

    response = current_app.response_class(json.dumps(body), status=status, mimetype=SCIM_JSON)
    if version:
        response.headers["ETag"] = version
    if location:
        response.headers["Location"] = location
    return response


def scim_error(status: int, detail: str, scim_type: str | None = None):
    # SCIM errors are read by the directory's software and its logs, not by people in the app:
    # their ``detail`` stays in English, as do all of this protocol's messages.
    body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    response = scim_response(body, status)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="SCIM"'
    return response


@bp.before_request
def _authenticate():
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    token = tokens.token_for(secret.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        return scim_error(
            401,
            "Send a provisioning token as `Authorization: Bearer <token>`; this one is missing, unknown or revoked.",
        )
    if tokens.use_needs_recording(token):
        with db.writing():
            token = tokens.token_for(secret.strip())
            if token is None:
                return scim_error(401, "This provisioning token was revoked.")
            token.last_used_at = services.utcnow()
            db.session.commit()
    g.scim_token = token
    return None


@bp.errorhandler(SCIMException)
def _refused(exc: SCIMException):
    db.session.rollback()
    body, status = services.error_body(exc)
    return scim_error(status, body.get("detail") or "The request was refused.", body.get("scimType"))


@bp.errorhandler(ValidationError)
def _not_valid(exc: ValidationError):
    db.session.rollback()
    body, status = services.error_body(exc)
    return scim_error(
        status, body.get("detail") or "The request body is not valid.", body.get("scimType") or "invalidValue"
    )


@bp.errorhandler(IntegrityError)
def _conflict(_exc):
    db.session.rollback()
    return scim_error(409, "Another request changed the same resource at the same moment; try again.", "uniqueness")


def _body() -> dict:
    mimetype = request.mimetype
    if mimetype not in (SCIM_JSON, "application/json"):
        raise InvalidSyntaxException(detail="Send the body as application/scim+json (or application/json).")
    try:
        body = json.loads(request.get_data(as_text=False) or b"null")
    except (ValueError, UnicodeDecodeError):
        raise InvalidSyntaxException(detail="The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise InvalidSyntaxException(detail="The request body must be a JSON object.")
    return body


def _whole_number(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.lstrip("-").isdigit() or len(raw) > 12:
        raise InvalidValueException(detail=f"{name} must be a whole number.")
    return int(raw)


def _paging() -> tuple[int, int]:
    start = max(1, _whole_number("startIndex", 1))
    count = min(max(0, _whole_number("count", MAX_RESULTS)), MAX_RESULTS)
    return start, count


def _response_parameters() -> ResponseParameters | None:
    attributes = request.args.get("attributes")
    excluded = request.args.get("excludedAttributes")
    if not attributes and not excluded:
        return None
    split = lambda text: [part.strip() for part in text.split(",") if part.strip()] if text else None  # noqa: E731
    return ResponseParameters(attributes=split(attributes), excluded_attributes=split(excluded))


def _dump(resource, parameters=None) -> dict:
    return resource.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=parameters)


def _check_if_match(version: str) -> None:
    wanted = request.headers.get("If-Match")
    if wanted is None:
        return
    tags = [tag.strip() for tag in wanted.split(",")]
    if "*" not in tags and version not in tags and version.removeprefix("W/") not in tags:
        raise PreconditionFailedException(detail="The resource changed since you read it (its ETag differs).")


def _one(resource, status: int = 200):
    body = _dump(resource, _response_parameters())
    return scim_response(
        body, status, version=resource.meta.version, location=resource.meta.location if status == 201 else None
    )


def _listing(page, to_resource):
    parameters = _response_parameters()
    resources = [_dump(to_resource(*row), parameters) for row in page.rows]
    body = {
        "schemas": [LIST_RESPONSE],
        "totalResults": page.total,
        "startIndex": page.start_index,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }
    return scim_response(body)


def _search_request() -> tuple[SearchRequest, str | None, int, int]:
    """A SearchRequest body, with its filter as text and its paging kept within bounds."""
    search = SearchRequest.model_validate(_body(), scim_ctx=Context.SEARCH_REQUEST)
    start = max(1, search.start_index or 1)
    count = MAX_RESULTS if search.count is None else min(max(0, search.count), MAX_RESULTS)
    filter_text = search.filter if isinstance(search.filter, str) or search.filter is None else str(search.filter)
    return search, filter_text, start, count


def _found(search: SearchRequest, total: int, start: int, resources) -> dict:
    dumped = [_dump(resource, search) for resource in resources]
    return {
        "schemas": [LIST_RESPONSE],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": len(dumped),
        "Resources": dumped,
    }


def _search(lister, to_resource):
    """POST …/.search: the same query as a GET, sent as a SearchRequest body."""
    search, filter_text, start, count = _search_request()
    page = lister(filter_text, start, count)
    return scim_response(_found(search, page.total, start, [to_resource(*row) for row in page.rows]))


# -- discovery ------------------------------------------------------------------------------------


@bp.route("/ServiceProviderConfig")
def service_provider_config():
    """What this server supports: PATCH, filters, ETags; no bulk, sorting or password changes."""
    return scim_response(discovery.service_provider_config())


@bp.route("/ResourceTypes")
def resource_types():
    found = list(discovery.resource_types().values())
    return scim_response(
        {
            "schemas": [LIST_RESPONSE],
            "totalResults": len(found),
            "startIndex": 1,
            "itemsPerPage": len(found),
            "Resources": found,
        }
    )


@bp.route("/ResourceTypes/<name>")
def resource_type(name: str):
    found = discovery.resource_types().get(name)
    if found is None:
        raise NotFoundException(detail="There is no such resource type.")
    return scim_response(found)


@bp.route("/Schemas")
def schemas():
    found = list(discovery.schemas().values())
    return scim_response(
        {
            "schemas": [LIST_RESPONSE],
            "totalResults": len(found),
            "startIndex": 1,
            "itemsPerPage": len(found),
            "Resources": found,
        }
    )


@bp.route("/Schemas/<schema_id>")
def schema(schema_id: str):
    found = discovery.schemas().get(schema_id)
    if found is None:
        raise NotFoundException(detail="There is no such schema.")
    return scim_response(found)


@bp.route("/.search", methods=["POST"])
def search():
    """Users and Groups found by one SearchRequest, the Users first; each is filtered as at its
    own endpoint. A filter on an attribute only one of them can be filtered by finds none of the
    other; one that neither can is refused."""
    search_request, filter_text, start, count = _search_request()
    total, found, refusals = 0, [], []
    for lister, to_resource in (
        (services.list_people, services.user_resource),
        (services.list_teams, services.group_resource),
    ):
        try:
            # Groups are numbered after every User that matches.
            page = lister(filter_text, max(1, start - total), count - len(found))
        except services.FilterNotSupported as exc:
            refusals.append(exc)
            continue
        total += page.total
        found += [to_resource(*row) for row in page.rows]
    if len(refusals) == 2:
        raise refusals[0]
    return scim_response(_found(search_request, total, start, found))


# -- Users ----------------------------------------------------------------------------------------


@bp.route("/Users", methods=["GET"])
def users():
    """Users, filtered (userName, externalId, id, emails: `eq` only) and paged."""
    start, count = _paging()
    page = services.list_people(request.args.get("filter"), start, count)
    return _listing(page, services.user_resource)


@bp.route("/Users/.search", methods=["POST"])
def search_users():
    """Users found by a SearchRequest (filter, paging, attributes)."""
    return _search(services.list_people, services.user_resource)


@bp.route("/Users", methods=["POST"])
def create_user():
    """Provision an account; 409 when the userName or e-mail address is taken."""
    data = services.validate_resource(User, _body(), Context.RESOURCE_CREATION_REQUEST)
    person, link = services.create_person(data, g.scim_token)
    db.session.commit()
    return _one(services.user_resource(person, link), 201)


@bp.route("/Users/<resource_id>", methods=["GET"])
def user(resource_id: str):
    person, link = services.find_person(resource_id)
    return _one(services.user_resource(person, link))


@bp.route("/Users/<resource_id>", methods=["PUT"])
def replace_user(resource_id: str):
    """Replace a User; ``active: false`` deactivates the person and ends their sessions."""
    person, link = services.find_person(resource_id)
    _check_if_match(services.user_version(person, link))
    data = services.validate_resource(User, _body(), Context.RESOURCE_REPLACEMENT_REQUEST)
    link = services.replace_person(person, link, data, g.scim_token)
    db.session.commit()
    return _one(services.user_resource(person, link))


@bp.route("/Users/<resource_id>", methods=["PATCH"])
def patch_user(resource_id: str):
    """Apply PATCH operations (add, replace, remove; with or without a path) all or nothing."""
    person, link = services.find_person(resource_id)
    _check_if_match(services.user_version(person, link))
    link = services.patch_person(person, link, _body(), g.scim_token)
    db.session.commit()
    return _one(services.user_resource(person, link))


@bp.route("/Users/<resource_id>", methods=["DELETE"])
def delete_user(resource_id: str):
    """Deactivate the account (keeping its records) and stop serving it over SCIM."""
    person, link = services.find_person(resource_id)
    _check_if_match(services.user_version(person, link))
    services.deprovision_person(person, link, g.scim_token)
    db.session.commit()
    return "", 204


# -- Groups ---------------------------------------------------------------------------------------


@bp.route("/Groups", methods=["GET"])
def groups():
    """Groups (teams), filtered (displayName, externalId, id: `eq` only) and paged."""
    start, count = _paging()
    page = services.list_teams(request.args.get("filter"), start, count)
    return _listing(page, services.group_resource)


@bp.route("/Groups/.search", methods=["POST"])
def search_groups():
    """Groups found by a SearchRequest (filter, paging, attributes)."""
    return _search(services.list_teams, services.group_resource)


@bp.route("/Groups", methods=["POST"])
def create_group():
    """Create a team; its members move into it from whatever team they were in."""
    data = services.validate_resource(Group, _body(), Context.RESOURCE_CREATION_REQUEST)
    team, link = services.create_team(data, g.scim_token)
    db.session.commit()
    return _one(services.group_resource(team, link), 201)


@bp.route("/Groups/<resource_id>", methods=["GET"])
def group(resource_id: str):
    team, link = services.find_team(resource_id)
    return _one(services.group_resource(team, link))


@bp.route("/Groups/<resource_id>", methods=["PUT"])
def replace_group(resource_id: str):
    team, link = services.find_team(resource_id)
    _check_if_match(services.group_version(team, link))
    data = services.validate_resource(Group, _body(), Context.RESOURCE_REPLACEMENT_REQUEST)
    link = services.replace_team(team, link, data)
    db.session.commit()
    return _one(services.group_resource(team, link))


@bp.route("/Groups/<resource_id>", methods=["PATCH"])
def patch_group(resource_id: str):
    """Rename a team or add and remove members, all or nothing."""
    team, link = services.find_team(resource_id)
    _check_if_match(services.group_version(team, link))
    link = services.patch_team(team, link, _body())
    db.session.commit()
    return _one(services.group_resource(team, link))


@bp.route("/Groups/<resource_id>", methods=["DELETE"])
def delete_group(resource_id: str):
    """Delete the team; its people stay, in no team."""
    team, _link = services.find_team(resource_id)
    _check_if_match(services.group_version(team, _link))
    services.delete_team(team, g.scim_token)
    db.session.commit()
    return "", 204

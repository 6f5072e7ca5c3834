"""SCIM 2.0 resources over Courseware's people and teams (RFC 7643 and 7644).

A SCIM User is an account: ``userName`` is the directory's name for the person (their e-mail
address unless the directory says otherwise), ``emails`` their e-mail address, ``displayName``
their name, ``active`` whether they may sign in. ``displayName`` and ``active`` may be left
unassigned (or removed): the account then takes its name from the name parts or the e-mail
address, keeps whether it is active, and SCIM serves neither attribute until the directory
gives it again. A SCIM Group is a team; since a person belongs
to one team, adding them to a group moves them out of the team they were in. A resource's id is
unique across both kinds, as RFC 7643 asks: a User's is the account's number, a Group's the
team's number after ``team-`` (a Group is also found by its bare number, as it was once served). Payloads are
validated with ``scim2-models``; every refusal is a :class:`~scim2_models.SCIMException`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from pydantic import ValidationError
from scim2_models import (
    Context,
    Email,
    Error,
    Group,
    GroupMember,
    GroupMembership,
    InvalidFilterException,
    InvalidValueException,
    Meta,
    MutabilityException,
    Name,
    NotFoundException,
    PatchOp,
    SCIMException,
    UniquenessException,
    User,
)
from sqlalchemy import and_, func, or_, select

from courseware.auth.services import normalise_email, set_active
from courseware.core.links import page_url
from courseware.core.validators import LARGEST_ID, has_control_characters
from courseware.db import utcnow
from courseware.extensions import db
from courseware.manage.assignment import place_in_team
from courseware.models import ScimGroup, ScimToken, ScimUser, Team, fold_team_name
from courseware.models import User as Person

log = logging.getLogger(__name__)

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
MAX_RESULTS = 200


class FilterNotSupported(InvalidFilterException):
    """A filter this server does not evaluate."""


def invalid(detail: str) -> InvalidValueException:
    return InvalidValueException(detail=detail)


def error_body(exc: SCIMException | ValidationError) -> tuple[dict, int]:
    """SCIM's error body and status for a refusal."""
    if isinstance(exc, ValidationError):
        errors = exc.errors()
        context = (errors[0].get("ctx") or {}) if errors else {}
        status = context.get("status") if isinstance(context.get("status"), int) else 400
        error = Error(status=status, scim_type=context.get("scim_type") or "invalidValue", detail=_first_message(exc))
    else:
        error = exc.to_error()
    body = error.model_dump(scim_ctx=Context.DEFAULT)
    return body, int(error.status or 400)


def _first_message(exc: ValidationError) -> str:
    errors = exc.errors()
    if not errors:
        return "The request body is not valid."
    first = errors[0]
    where = ".".join(str(part) for part in first.get("loc", ()))
    return f"{where}: {first.get('msg', 'not valid')}" if where else str(first.get("msg", "not valid"))


# -- what is served ------------------------------------------------------------------------------


def _location(endpoint: str, **values) -> str:
    return page_url(endpoint, **values)


def _version(*parts) -> str:
    digest = hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()[:20]
    return f'W/"{digest}"'


def user_version(person: Person, link: ScimUser | None) -> str:
    team = person.team
    return _version(
        person.email,
        person.name,
        person.is_active,
        team.id if team else None,
        team.name if team else None,
        [
            link.user_name,
            link.external_id,
            link.given_name,
            link.family_name,
            link.formatted_name,
            link.display_name_assigned,
            link.active_assigned,
        ]
        if link
        else None,
    )


def user_resource(person: Person, link: ScimUser | None) -> User:
    """The SCIM User for a person."""
    name = None
    if link and (link.formatted_name or link.given_name or link.family_name):
        name = Name(formatted=link.formatted_name, given_name=link.given_name, family_name=link.family_name)
    groups = None
    if person.team is not None:
        groups = [
            GroupMembership(
                value=group_id(person.team),
                display=person.team.name,
                ref=_location("scim.group", resource_id=group_id(person.team)),
                type="direct",
            )
        ]
    return User(
        id=str(person.id),
        external_id=link.external_id if link else None,
        user_name=(link.user_name if link and link.user_name else person.email),
        name=name,
        display_name=person.name if link is None or link.display_name_assigned else None,
        emails=[Email(value=person.email)],
        active=person.is_active if link is None or link.active_assigned else None,
        groups=groups,
        meta=Meta(
            resource_type="User",
            created=person.created_at,
            last_modified=link.updated_at if link else person.created_at,
            location=_location("scim.user", resource_id=str(person.id)),
            version=user_version(person, link),
        ),
    )


def group_version(team: Team, link: ScimGroup | None) -> str:
    members = sorted((m.id, m.name) for m in team.members)
    return _version(team.name, link.external_id if link else None, members)


def group_resource(team: Team, link: ScimGroup | None) -> Group:
    """The SCIM Group for a team: its people are its members."""
    members = [
        GroupMember(
            value=str(member.id),
            ref=_location("scim.user", resource_id=str(member.id)),
            type="User",
        )
        for member in sorted(team.members, key=lambda m: m.id)
    ]
    return Group(
        id=group_id(team),
        external_id=link.external_id if link else None,
        display_name=team.name,
        members=members or None,
        meta=Meta(
            resource_type="Group",
            created=team.created_at,
            last_modified=link.updated_at if link else team.created_at,
            location=_location("scim.group", resource_id=group_id(team)),
            version=group_version(team, link),
        ),
    )


# -- finding --------------------------------------------------------------------------------------


def _id_of(resource_id: str) -> int | None:
    if not resource_id.isascii() or not resource_id.isdigit() or len(resource_id) > 12:
        return None
    value = int(resource_id)
    return value if 0 < value <= LARGEST_ID else None


GROUP_ID_PREFIX = "team-"


def group_id(team: Team) -> str:
    """A Group's SCIM id, never the same as any User's."""
    return f"{GROUP_ID_PREFIX}{team.id}"


def _team_id_of(resource_id: str) -> int | None:
    return _id_of(resource_id.removeprefix(GROUP_ID_PREFIX))


def find_person(resource_id: str) -> tuple[Person, ScimUser | None]:
    """The person a SCIM User id names; a deprovisioned one is gone for SCIM."""
    person_id = _id_of(resource_id)
    person = db.session.get(Person, person_id) if person_id else None
    link = db.session.get(ScimUser, person_id) if person else None
    if person is None or (link is not None and link.deprovisioned_at is not None):
        raise NotFoundException(detail=f"There is no User with id {resource_id[:40]!r}.")
    return person, link


def find_team(resource_id: str) -> tuple[Team, ScimGroup | None]:
    team_id = _team_id_of(resource_id)
    team = db.session.get(Team, team_id) if team_id else None
    if team is None:
        raise NotFoundException(detail=f"There is no Group with id {resource_id[:40]!r}.")
    return team, db.session.get(ScimGroup, team.id)


# `attribute eq "value"`, the one comparison identity providers send to find a resource.
_EQ = re.compile(r'^\s*([A-Za-z][\w.:$-]*)\s+eq\s+("(?:[^"\\]|\\.)*")\s*$', re.IGNORECASE)


def _parse_eq(text: str, supported: dict[str, str]) -> tuple[str, str]:
    match = _EQ.match(text)
    if not match:
        raise FilterNotSupported(
            detail=f'Only `attribute eq "value"` filters on {", ".join(sorted(set(supported.values())))} are supported.'
        )
    attribute = match.group(1).lower()
    if attribute.startswith(USER_SCHEMA.lower() + ":"):
        attribute = attribute[len(USER_SCHEMA) + 1 :]
    elif attribute.startswith(GROUP_SCHEMA.lower() + ":"):
        attribute = attribute[len(GROUP_SCHEMA) + 1 :]
    if attribute not in supported:
        raise FilterNotSupported(detail=f"Filtering on {match.group(1)[:60]!r} is not supported.")
    try:
        value = json.loads(match.group(2))
    except ValueError:
        raise FilterNotSupported(detail="The filter's value is not a valid string.") from None
    if not isinstance(value, str) or has_control_characters(value):
        raise FilterNotSupported(detail="The filter's value is not a valid string.")
    return supported[attribute], value


_USER_FILTERS = {
    "username": "userName",
    "externalid": "externalId",
    "id": "id",
    "emails": "emails",
    "emails.value": "emails",
}
_GROUP_FILTERS = {"displayname": "displayName", "externalid": "externalId", "id": "id"}


@dataclass(frozen=True)
class Page:
    total: int
    start_index: int
    rows: list


def _offset(start_index: int) -> int:
    """The rows to skip before a page: past the largest id there are none left, however far."""
    return min(start_index - 1, LARGEST_ID)


def list_people(filter_text: str | None, start_index: int, count: int) -> Page:
    """A page of Users, filtered by ``userName`` (ignoring case), ``externalId`` (exactly), ``id``
    or ``emails``; any other filter is refused."""
    query = (
        select(Person, ScimUser)
        .outerjoin(ScimUser, ScimUser.user_id == Person.id)
        .where(ScimUser.deprovisioned_at.is_(None))
    )
    if filter_text:
        attribute, value = _parse_eq(filter_text, _USER_FILTERS)
        if attribute == "userName":
            folded = value.strip().lower()
            query = query.where(
                or_(
                    ScimUser.folded_user_name == folded,
                    and_(ScimUser.folded_user_name.is_(None), Person.email == folded),
                )
            )
        elif attribute == "externalId":
            query = query.where(ScimUser.external_id == value)
        elif attribute == "emails":
            query = query.where(Person.email == normalise_email(value))
        else:
            query = query.where(Person.id == (_id_of(value) or 0))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = (
        db.session.execute(query.order_by(Person.id).offset(_offset(start_index)).limit(count)).all() if count else []
    )
    return Page(total=total or 0, start_index=start_index, rows=[(person, link) for person, link in rows])


def list_teams(filter_text: str | None, start_index: int, count: int) -> Page:
    """A page of Groups, filtered by ``displayName`` (ignoring case), ``externalId`` or ``id``."""
    query = select(Team, ScimGroup).outerjoin(ScimGroup, ScimGroup.team_id == Team.id)
    if filter_text:
        attribute, value = _parse_eq(filter_text, _GROUP_FILTERS)
        if attribute == "displayName":
            query = query.where(Team.folded_name == fold_team_name(value))
        elif attribute == "externalId":
            query = query.where(ScimGroup.external_id == value)
        else:
            query = query.where(Team.id == (_team_id_of(value) or 0))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.execute(query.order_by(Team.id).offset(_offset(start_index)).limit(count)).all() if count else []
    return Page(total=total or 0, start_index=start_index, rows=[(team, link) for team, link in rows])


# -- writing people -------------------------------------------------------------------------------


def _clean_text(value: str | None, what: str, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or has_control_characters(value):
        raise invalid(f"{what} must be text on one line.")
    value = value.strip()
    if len(value) > limit:
        raise invalid(f"{what} is longer than {limit} characters.")
    return value or None


def _email_of(data: User) -> str:
    """The account's e-mail address: the primary (else the first) of ``emails``, else ``userName``."""
    candidates = []
    if data.emails:
        ordered = sorted(data.emails, key=lambda e: not e.primary)
        candidates = [e.value for e in ordered if e.value]
    if not candidates and data.user_name:
        candidates = [data.user_name]
    if not candidates:
        raise invalid("Give the person's e-mail address in emails or as userName.")
    address = candidates[0]
    if not isinstance(address, str) or has_control_characters(address) or len(address) > 254:
        raise invalid("The e-mail address is not valid.")
    try:
        validate_email(address.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise invalid(f"The e-mail address {address.strip()[:80]!r} is not valid: {exc}") from None
    return normalise_email(address)


def _display_name(data: User, email: str) -> tuple[str, bool]:
    """The account's name and whether the directory gave it as displayName: else the name parts
    make it, else the e-mail address."""
    name = _clean_text(data.display_name, "displayName", 120)
    if name:
        return name, True
    if data.name:
        name = _clean_text(data.name.formatted, "name.formatted", 120) or _clean_text(
            " ".join(p for p in (data.name.given_name, data.name.family_name) if isinstance(p, str)),
            "name",
            120,
        )
    return name or email.split("@")[0][:120], False


def _write_person(person: Person, link: ScimUser, data: User, actor: str) -> None:
    """Set a person's account and SCIM record from ``data``, which replaces what SCIM said before.

    Refuses a userName or e-mail address that another person holds (409 uniqueness).
    """
    user_name = _clean_text(data.user_name, "userName", 254)
    if not user_name:
        raise invalid("userName is required.")
    email = _email_of(data)
    folded = user_name.lower()
    taken_email = db.session.scalar(select(Person.id).where(Person.email == email, Person.id != person.id))
    taken_name = db.session.scalar(
        select(Person.id)
        .outerjoin(ScimUser, ScimUser.user_id == Person.id)
        .where(
            Person.id != person.id,
            or_(
                ScimUser.folded_user_name == folded,
                and_(ScimUser.folded_user_name.is_(None), Person.email == folded),
            ),
        )
    )
    if taken_email is not None:
        raise UniquenessException(detail=f"Another account has the e-mail address {email}.")
    if taken_name is not None:
        raise UniquenessException(detail=f"Another User has the userName {user_name}.")
    person.email = email
    person.name, link.display_name_assigned = _display_name(data, email)
    link.user_name = user_name
    link.folded_user_name = folded
    link.external_id = _clean_text(data.external_id, "externalId", 255)
    name = data.name
    link.given_name = _clean_text(name.given_name, "name.givenName", 120) if name else None
    link.family_name = _clean_text(name.family_name, "name.familyName", 120) if name else None
    link.formatted_name = _clean_text(name.formatted, "name.formatted", 255) if name else None
    link.updated_at = utcnow()
    # An unassigned active leaves the account as it is: the directory did not say.
    link.active_assigned = data.active is not None
    if data.active is not None and bool(data.active) != person.is_active:
        set_active(person, bool(data.active), actor)


def actor_of(token: ScimToken) -> str:
    return f"provisioning token “{token.name}”"


def create_person(data: User, token: ScimToken) -> tuple[Person, ScimUser]:
    """Provision an account without a password: the person signs in through single sign-on (or
    an admin sends a password reset). An account SCIM deleted earlier comes back, with its records."""
    email = _email_of(data)
    person = db.session.scalar(select(Person).where(Person.email == email))
    link = db.session.get(ScimUser, person.id) if person else None
    if person is not None and (link is None or link.deprovisioned_at is None):
        raise UniquenessException(detail=f"An account with the e-mail address {email} already exists.")
    if person is None:
        person = Person(email=email, name=email.split("@")[0][:120])
        person.set_roles(["learner"])
        db.session.add(person)
        db.session.flush()
        link = ScimUser(user_id=person.id)
        db.session.add(link)
    else:
        link.deprovisioned_at = None
        set_active(person, True, actor_of(token))
    _write_person(person, link, data, actor_of(token))
    db.session.flush()
    log.info("%s provisioned %s", actor_of(token), person.email)
    return person, link


def replace_person(person: Person, link: ScimUser | None, data: User, token: ScimToken) -> ScimUser:
    """PUT: what the directory sends replaces what it said before."""
    if data.id is not None and data.id != str(person.id):
        raise MutabilityException(detail="id cannot be changed.")
    if link is None:
        link = ScimUser(user_id=person.id)
        db.session.add(link)
    _write_person(person, link, data, actor_of(token))
    db.session.flush()
    return link


def patch_person(person: Person, link: ScimUser | None, body: dict, token: ScimToken) -> ScimUser:
    """PATCH: the operations applied in order to the User as served, then saved as a whole (so a
    failing operation leaves nothing changed)."""
    patch = PatchOp[User].model_validate(body, scim_ctx=Context.RESOURCE_PATCH_REQUEST)
    resource = user_resource(person, link)
    patch.patch(resource)
    return replace_person(person, link, resource, token)


def deprovision_person(person: Person, link: ScimUser | None, token: ScimToken) -> None:
    """DELETE: the account is deactivated (sessions end at once) and kept with its records; SCIM
    no longer serves it, and creating the same e-mail address again brings it back."""
    if link is None:
        link = ScimUser(user_id=person.id)
        db.session.add(link)
    set_active(person, False, actor_of(token))
    link.deprovisioned_at = link.updated_at = utcnow()
    # Free the userName for whoever the directory names so next.
    link.folded_user_name = None
    db.session.flush()
    log.info("%s deprovisioned %s", actor_of(token), person.email)


# -- writing teams --------------------------------------------------------------------------------


def _members_of(data: Group) -> list[Person]:
    people = []
    for member in data.members or []:
        if member.type not in (None, "User"):
            raise invalid("Groups hold Users only: a team cannot contain a team.")
        person_id = _id_of(member.value or "")
        person = db.session.get(Person, person_id) if person_id else None
        link = db.session.get(ScimUser, person_id) if person else None
        if person is None or (link is not None and link.deprovisioned_at is not None):
            raise invalid(f"There is no User with id {(member.value or '')[:40]!r} to add to the group.")
        people.append(person)
    return people


def _write_team(team: Team, link: ScimGroup, data: Group) -> None:
    name = _clean_text(data.display_name, "displayName", 120)
    if not name:
        raise invalid("displayName is required.")
    other = db.session.scalar(select(Team.id).where(Team.folded_name == fold_team_name(name), Team.id != team.id))
    if other is not None:
        raise UniquenessException(detail=f"There is already a Group (team) called {name}.")
    members = _members_of(data)
    team.name = name
    link.external_id = _clean_text(data.external_id, "externalId", 255)
    link.updated_at = utcnow()
    wanted = {person.id for person in members}
    for person in list(team.members):
        if person.id not in wanted:
            place_in_team(person, None)
    for person in members:
        if person.team is not team:
            # A person is in one team: joining this one takes them out of their last.
            place_in_team(person, team)
            log.info("SCIM moved %s to team %s", person.email, name)


def create_team(data: Group, token: ScimToken) -> tuple[Team, ScimGroup]:
    """A new team with the group's members moved into it."""
    team = Team(name="")
    link = ScimGroup()
    _write_team(team, link, data)
    db.session.add(team)
    db.session.flush()
    link.team_id = team.id
    db.session.add(link)
    db.session.flush()
    log.info("%s created team %s", actor_of(token), team.name)
    return team, link


def replace_team(team: Team, link: ScimGroup | None, data: Group) -> ScimGroup:
    if data.id is not None and _team_id_of(data.id) != team.id:
        raise MutabilityException(detail="id cannot be changed.")
    if link is None:
        link = ScimGroup(team_id=team.id)
        db.session.add(link)
    _write_team(team, link, data)
    db.session.flush()
    return link


def patch_team(team: Team, link: ScimGroup | None, body: dict) -> ScimGroup:
    patch = PatchOp[Group].model_validate(body, scim_ctx=Context.RESOURCE_PATCH_REQUEST)
    resource = group_resource(team, link)
    patch.patch(resource)
    return replace_team(team, link, resource)


def delete_team(team: Team, token: ScimToken) -> None:
    """The team goes; its people stay, in no team."""
    for person in list(team.members):
        place_in_team(person, None)
    db.session.delete(team)
    db.session.flush()
    log.info("%s deleted team %s", actor_of(token), team.name)


def validate_resource(model, body, context: Context):
    """A request body as a SCIM resource, or a SCIM refusal."""
    if not isinstance(body, dict):
        raise InvalidValueException(detail="The request body must be a JSON object.")
    return model.model_validate(body, scim_ctx=context)

"""Statement validation: each refusal names the property at fault (``actor.mbox``, ``object.definition.type``)."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from courseware.xapi import VOIDED_VERB


class InvalidStatement(ValueError):
    """A statement (or a request parameter) that breaks the specification, with where and why."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$")
IRI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s\x00-\x1f\x7f]*$")
MBOX_RE = re.compile(r"^mailto:[^@\s]+@[^@\s]+$")
SHA1_RE = re.compile(r"^[0-9a-fA-F]{40}$")
SHA2_RE = re.compile(r"^[0-9a-fA-F]{56}$|^[0-9a-fA-F]{64}$|^[0-9a-fA-F]{96}$|^[0-9a-fA-F]{128}$")
LANGUAGE_RE = re.compile(
    r"^(?:(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4}|[A-Za-z]{5,8})"
    r"(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*(?:-[xX](?:-[A-Za-z0-9]{1,8})+)?"
    r"|[xX](?:-[A-Za-z0-9]{1,8})+|[iI]-[A-Za-z]+)$"
)
DURATION_RE = re.compile(
    r"^P(?:\d+(?:\.\d+)?W|(?=\d|T\d)(?:\d+(?:\.\d+)?Y)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?D)?"
    r"(?:T(?=\d)(?:\d+(?:\.\d+)?H)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?S)?)?)$"
)
TIMESTAMP_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}(?::?\d{2})?)?$")
INTERACTION_TYPES = {
    "true-false": (),
    "choice": ("choices",),
    "fill-in": (),
    "long-fill-in": (),
    "matching": ("source", "target"),
    "performance": ("steps",),
    "sequencing": ("choices",),
    "likert": ("scale",),
    "numeric": (),
    "other": (),
}
COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")


def parse_timestamp(value, path: str) -> dt.datetime:
    """An ISO 8601 date and time (RFC 3339 offsets; ``-00:00`` refused), as an aware datetime."""
    if not isinstance(value, str):
        raise InvalidStatement(path, "must be an ISO 8601 timestamp string")
    match = TIMESTAMP_RE.match(value)
    if not match:
        raise InvalidStatement(path, "is not an ISO 8601 timestamp")
    zone = match.group(8)
    if zone and zone[0] == "-" and zone.replace(":", "").strip("-0") == "":
        raise InvalidStatement(path, "must not use the offset -00:00")
    text = value.replace("Z", "+00:00") if zone else value + "+00:00"
    if zone and len(zone) == 3:
        text += ":00"
    elif zone and ":" not in zone and zone != "Z":
        text = text[: -len(zone)] + zone[:3] + ":" + zone[3:]
    fraction = match.group(7)
    if fraction and len(fraction) > 7:
        text = text.replace(fraction, fraction[:7], 1)
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidStatement(path, "is not a valid date and time") from None


def _object(value, path: str) -> dict:
    if not isinstance(value, dict):
        raise InvalidStatement(path, "must be a JSON object")
    return value


def _keys(value: dict, path: str, allowed: set[str], required: tuple[str, ...] = ()) -> None:
    for key in value:
        if key not in allowed:
            raise InvalidStatement(f"{path}.{key}" if path else key, "is not a property allowed here")
    for key in required:
        if key not in value:
            raise InvalidStatement(f"{path}.{key}" if path else key, "is required")


def _string(value, path: str) -> str:
    if not isinstance(value, str):
        raise InvalidStatement(path, "must be a string")
    return value


def _iri(value, path: str) -> str:
    if not isinstance(value, str) or not IRI_RE.match(value):
        raise InvalidStatement(path, "must be an absolute IRI")
    return value


def _uuid(value, path: str) -> str:
    if not isinstance(value, str) or not UUID_RE.match(value):
        raise InvalidStatement(path, "must be a UUID")
    return value


def _bool(value, path: str) -> None:
    if not isinstance(value, bool):
        raise InvalidStatement(path, "must be true or false")


def _number(value, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidStatement(path, "must be a number")
    return value


def language_map(value, path: str) -> None:
    _object(value, path)
    for tag, text in value.items():
        if not LANGUAGE_RE.match(tag):
            raise InvalidStatement(f"{path}.{tag}", "is not an RFC 5646 language tag")
        _string(text, f"{path}.{tag}")


def _extensions(value, path: str) -> None:
    _object(value, path)
    for key in value:
        _iri(key, f"{path}.{key}")


def _no_nulls(value, path: str) -> None:
    """Null is refused everywhere but inside extensions."""
    if value is None:
        raise InvalidStatement(path, "must not be null")
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "extensions":
                _object(item, f"{path}.{key}" if path else key)
                continue
            _no_nulls(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _no_nulls(item, f"{path}[{index}]")


AGENT_KEYS = {"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"}


def _ifis(value: dict, path: str) -> int:
    count = 0
    if "mbox" in value:
        count += 1
        if not isinstance(value["mbox"], str) or not MBOX_RE.match(value["mbox"]):
            raise InvalidStatement(f"{path}.mbox", "must be a mailto: IRI")
    if "mbox_sha1sum" in value:
        count += 1
        if not isinstance(value["mbox_sha1sum"], str) or not SHA1_RE.match(value["mbox_sha1sum"]):
            raise InvalidStatement(f"{path}.mbox_sha1sum", "must be a hex SHA-1")
    if "openid" in value:
        count += 1
        _iri(value["openid"], f"{path}.openid")
    if "account" in value:
        count += 1
        account = _object(value["account"], f"{path}.account")
        _keys(account, f"{path}.account", {"homePage", "name"}, ("homePage", "name"))
        _iri(account["homePage"], f"{path}.account.homePage")
        _string(account["name"], f"{path}.account.name")
    return count


def agent(value, path: str, version: str) -> None:
    """An Agent: exactly one identifying property."""
    _object(value, path)
    _keys(value, path, AGENT_KEYS)
    if value.get("objectType", "Agent") != "Agent":
        raise InvalidStatement(f"{path}.objectType", "must be Agent")
    if "name" in value:
        _string(value["name"], f"{path}.name")
    if _ifis(value, path) != 1:
        raise InvalidStatement(path, "must have exactly one of mbox, mbox_sha1sum, openid and account")


def group(value, path: str, version: str) -> None:
    """A Group: identified (one identifying property) or anonymous (members required)."""
    _object(value, path)
    _keys(value, path, AGENT_KEYS | {"member"}, ("objectType",))
    if value["objectType"] != "Group":
        raise InvalidStatement(f"{path}.objectType", "must be Group")
    if "name" in value:
        _string(value["name"], f"{path}.name")
    count = _ifis(value, path)
    if count > 1:
        raise InvalidStatement(path, "must have at most one identifying property")
    if "member" in value:
        if not isinstance(value["member"], list):
            raise InvalidStatement(f"{path}.member", "must be an array of agents")
        for index, member in enumerate(value["member"]):
            agent(member, f"{path}.member[{index}]", version)
    if count == 0 and not value.get("member"):
        raise InvalidStatement(f"{path}.member", "is required for an anonymous group")


def actor(value, path: str, version: str) -> None:
    _object(value, path)
    if value.get("objectType") == "Group":
        group(value, path, version)
    else:
        agent(value, path, version)


def verb(value, path: str) -> None:
    _object(value, path)
    _keys(value, path, {"id", "display"}, ("id",))
    _iri(value["id"], f"{path}.id")
    if "display" in value:
        language_map(value["display"], f"{path}.display")


def _components(value, path: str) -> None:
    if not isinstance(value, list):
        raise InvalidStatement(path, "must be an array of interaction components")
    seen = set()
    for index, component in enumerate(value):
        where = f"{path}[{index}]"
        _object(component, where)
        _keys(component, where, {"id", "description"}, ("id",))
        _string(component["id"], f"{where}.id")
        if component["id"] in seen:
            raise InvalidStatement(f"{where}.id", "repeats an id of this list")
        seen.add(component["id"])
        if "description" in component:
            language_map(component["description"], f"{where}.description")


def definition(value, path: str) -> None:
    _object(value, path)
    _keys(
        value,
        path,
        {"name", "description", "type", "moreInfo", "extensions", "interactionType", "correctResponsesPattern"}
        | set(COMPONENT_LISTS),
    )
    for key in ("name", "description"):
        if key in value:
            language_map(value[key], f"{path}.{key}")
    for key in ("type", "moreInfo"):
        if key in value:
            _iri(value[key], f"{path}.{key}")
    if "extensions" in value:
        _extensions(value["extensions"], f"{path}.extensions")
    interaction = value.get("interactionType")
    if interaction is not None and (not isinstance(interaction, str) or interaction not in INTERACTION_TYPES):
        raise InvalidStatement(f"{path}.interactionType", "is not an xAPI interaction type")
    if "correctResponsesPattern" in value:
        if interaction is None:
            raise InvalidStatement(f"{path}.correctResponsesPattern", "needs an interactionType")
        pattern = value["correctResponsesPattern"]
        if not isinstance(pattern, list) or not all(isinstance(p, str) for p in pattern):
            raise InvalidStatement(f"{path}.correctResponsesPattern", "must be an array of strings")
    for key in COMPONENT_LISTS:
        if key in value:
            if interaction is None or key not in INTERACTION_TYPES[interaction]:
                raise InvalidStatement(f"{path}.{key}", "is not allowed for this interactionType")
            _components(value[key], f"{path}.{key}")


def activity(value, path: str) -> None:
    _object(value, path)
    _keys(value, path, {"objectType", "id", "definition"}, ("id",))
    if value.get("objectType", "Activity") != "Activity":
        raise InvalidStatement(f"{path}.objectType", "must be Activity")
    _iri(value["id"], f"{path}.id")
    if "definition" in value:
        definition(value["definition"], f"{path}.definition")


def statement_ref(value, path: str) -> None:
    _object(value, path)
    _keys(value, path, {"objectType", "id"}, ("objectType", "id"))
    if value["objectType"] != "StatementRef":
        raise InvalidStatement(f"{path}.objectType", "must be StatementRef")
    _uuid(value["id"], f"{path}.id")


def statement_object(value, path: str, version: str, *, in_substatement: bool = False) -> None:
    _object(value, path)
    kind = value.get("objectType", "Activity")
    if kind == "Activity":
        activity(value, path)
    elif kind == "Agent":
        agent(value, path, version)
    elif kind == "Group":
        group(value, path, version)
    elif kind == "StatementRef":
        statement_ref(value, path)
    elif kind == "SubStatement":
        if in_substatement:
            raise InvalidStatement(f"{path}.objectType", "a SubStatement cannot contain a SubStatement")
        _keys(
            value,
            path,
            {"objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments"},
            ("actor", "verb", "object"),
        )
        _body(value, path, version, in_substatement=True)
    else:
        raise InvalidStatement(f"{path}.objectType", "is not an object type xAPI knows")


def result(value, path: str) -> None:
    _object(value, path)
    _keys(value, path, {"score", "success", "completion", "response", "duration", "extensions"})
    if "score" in value:
        score = _object(value["score"], f"{path}.score")
        _keys(score, f"{path}.score", {"scaled", "raw", "min", "max"})
        for key in score:
            _number(score[key], f"{path}.score.{key}")
        if "scaled" in score and not -1 <= score["scaled"] <= 1:
            raise InvalidStatement(f"{path}.score.scaled", "must be between -1 and 1")
        if "min" in score and "max" in score and score["min"] >= score["max"]:
            raise InvalidStatement(f"{path}.score.min", "must be less than max")
        if "raw" in score and "min" in score and score["raw"] < score["min"]:
            raise InvalidStatement(f"{path}.score.raw", "must not be less than min")
        if "raw" in score and "max" in score and score["raw"] > score["max"]:
            raise InvalidStatement(f"{path}.score.raw", "must not be more than max")
    for key in ("success", "completion"):
        if key in value:
            _bool(value[key], f"{path}.{key}")
    if "response" in value:
        _string(value["response"], f"{path}.response")
    if "duration" in value and (not isinstance(value["duration"], str) or not DURATION_RE.match(value["duration"])):
        raise InvalidStatement(f"{path}.duration", "must be an ISO 8601 duration")
    if "extensions" in value:
        _extensions(value["extensions"], f"{path}.extensions")


def _activity_list(value, path: str) -> None:
    if isinstance(value, dict):
        activity(value, path)
        return
    if not isinstance(value, list):
        raise InvalidStatement(path, "must be an activity or an array of activities")
    for index, item in enumerate(value):
        activity(item, f"{path}[{index}]")


def context(value, path: str, version: str, statement_object_type: str) -> None:
    _object(value, path)
    allowed = {
        "registration",
        "instructor",
        "team",
        "contextActivities",
        "revision",
        "platform",
        "language",
        "statement",
        "extensions",
    }
    if version.startswith("2."):
        allowed |= {"contextAgents", "contextGroups"}
    _keys(value, path, allowed)
    if "registration" in value:
        _uuid(value["registration"], f"{path}.registration")
    if "instructor" in value:
        actor(value["instructor"], f"{path}.instructor", version)
    if "team" in value:
        group(value["team"], f"{path}.team", version)
    if "contextActivities" in value:
        activities = _object(value["contextActivities"], f"{path}.contextActivities")
        _keys(activities, f"{path}.contextActivities", {"parent", "grouping", "category", "other"})
        for key, item in activities.items():
            _activity_list(item, f"{path}.contextActivities.{key}")
    for key in ("revision", "platform"):
        if key in value:
            _string(value[key], f"{path}.{key}")
            if statement_object_type != "Activity":
                raise InvalidStatement(f"{path}.{key}", "is only allowed when the object is an activity")
    if "language" in value and (not isinstance(value["language"], str) or not LANGUAGE_RE.match(value["language"])):
        raise InvalidStatement(f"{path}.language", "must be an RFC 5646 language tag")
    if "statement" in value:
        statement_ref(value["statement"], f"{path}.statement")
    if "extensions" in value:
        _extensions(value["extensions"], f"{path}.extensions")
    for key, kind, check in (("contextAgents", "contextAgent", agent), ("contextGroups", "contextGroup", group)):
        if key not in value:
            continue
        items = value[key]
        if not isinstance(items, list):
            raise InvalidStatement(f"{path}.{key}", "must be an array")
        member = kind.removeprefix("context").lower()
        for index, item in enumerate(items):
            where = f"{path}.{key}[{index}]"
            _object(item, where)
            _keys(item, where, {"objectType", member, "relevantTypes"}, ("objectType", member))
            if item["objectType"] != kind:
                raise InvalidStatement(f"{where}.objectType", f"must be {kind}")
            check(item[member], f"{where}.{member}", version)
            if "relevantTypes" in item:
                types = item["relevantTypes"]
                if not isinstance(types, list) or not types:
                    raise InvalidStatement(f"{where}.relevantTypes", "must be a non-empty array of IRIs")
                for n, iri in enumerate(types):
                    _iri(iri, f"{where}.relevantTypes[{n}]")


def attachments(value, path: str) -> None:
    if not isinstance(value, list):
        raise InvalidStatement(path, "must be an array")
    for index, item in enumerate(value):
        where = f"{path}[{index}]"
        _object(item, where)
        _keys(
            item,
            where,
            {"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"},
            ("usageType", "display", "contentType", "length", "sha2"),
        )
        _iri(item["usageType"], f"{where}.usageType")
        language_map(item["display"], f"{where}.display")
        if "description" in item:
            language_map(item["description"], f"{where}.description")
        _string(item["contentType"], f"{where}.contentType")
        if isinstance(item["length"], bool) or not isinstance(item["length"], int) or item["length"] < 0:
            raise InvalidStatement(f"{where}.length", "must be a whole number")
        if not isinstance(item["sha2"], str) or not SHA2_RE.match(item["sha2"]):
            raise InvalidStatement(f"{where}.sha2", "must be a hex SHA-2 hash")
        if "fileUrl" in item:
            _iri(item["fileUrl"], f"{where}.fileUrl")


def _body(value: dict, path: str, version: str, *, in_substatement: bool = False) -> None:
    prefix = f"{path}." if path else ""
    actor(value["actor"], f"{prefix}actor", version)
    verb(value["verb"], f"{prefix}verb")
    statement_object(value["object"], f"{prefix}object", version, in_substatement=in_substatement)
    object_type = value["object"].get("objectType", "Activity")
    if "result" in value:
        result(value["result"], f"{prefix}result")
    if "context" in value:
        context(value["context"], f"{prefix}context", version, object_type)
    if "timestamp" in value:
        parse_timestamp(value["timestamp"], f"{prefix}timestamp")
    if "attachments" in value:
        attachments(value["attachments"], f"{prefix}attachments")
    if value["verb"]["id"] == VOIDED_VERB and not in_substatement and object_type != "StatementRef":
        raise InvalidStatement(f"{prefix}object", "a voiding statement's object must be a StatementRef")


def validate_statement(value, version: str) -> None:
    """Raise :class:`InvalidStatement` unless ``value`` is a statement the LRS may store."""
    _object(value, "statement")
    _no_nulls(value, "")
    _keys(
        value,
        "",
        {
            "id",
            "actor",
            "verb",
            "object",
            "result",
            "context",
            "timestamp",
            "stored",
            "authority",
            "version",
            "attachments",
        },
        ("actor", "verb", "object"),
    )
    if "id" in value:
        _uuid(value["id"], "id")
    if "stored" in value:
        parse_timestamp(value["stored"], "stored")
    if "version" in value:
        given = value["version"]
        if not isinstance(given, str) or not re.match(r"^(1\.0(\.\d+)?|2\.0(\.\d+)?)$", given):
            raise InvalidStatement("version", "must be 1.0.x or 2.0.x")
    if "authority" in value:
        authority(value["authority"], version)
    _body(value, "", version)


def authority(value, version: str) -> None:
    _object(value, "authority")
    if value.get("objectType") == "Group":
        group(value, "authority", version)
        members = value.get("member") or []
        if len(members) != 2 or _ifis(value, "authority"):
            raise InvalidStatement("authority.member", "an authority group has exactly two agents (OAuth)")
    else:
        agent(value, "authority", version)


def uuid_or_none(value: str | None, path: str) -> str | None:
    if value is None:
        return None
    _uuid(value, path)
    return str(uuid.UUID(value))

"""The three forms a statement is returned in: exact, ids and canonical."""

from __future__ import annotations

import copy

LANGUAGE_MAPS = ("display", "name", "description")


def format_statement(statement: dict, fmt: str, accept_language: str | None) -> dict:
    _context_activities_as_lists(statement)
    if isinstance(statement.get("object"), dict) and statement["object"].get("objectType") == "SubStatement":
        _context_activities_as_lists(statement["object"])
    if fmt == "ids":
        return _ids(statement)
    if fmt == "canonical":
        return _canonical(copy.deepcopy(statement), _preferences(accept_language))
    return statement


def _context_activities_as_lists(statement: dict) -> None:
    """Context activities are always answered as arrays, however they were sent."""
    activities = (statement.get("context") or {}).get("contextActivities")
    if isinstance(activities, dict):
        for key, value in activities.items():
            if isinstance(value, dict):
                activities[key] = [value]


def _agent_ids(value: dict) -> dict:
    found = {"objectType": value.get("objectType", "Agent")}
    for key in ("mbox", "mbox_sha1sum", "openid", "account"):
        if key in value:
            found[key] = value[key]
    if found["objectType"] == "Group" and len(found) == 1 and "member" in value:
        found["member"] = [_agent_ids(m) for m in value["member"]]
    return found


def _object_ids(value: dict) -> dict:
    kind = value.get("objectType", "Activity")
    if kind == "Activity":
        return {"id": value["id"]}
    if kind in ("Agent", "Group"):
        return _agent_ids(value)
    if kind == "SubStatement":
        return _body_ids(value)
    return value


def _body_ids(value: dict) -> dict:
    result = dict(value)
    result["actor"] = _agent_ids(value["actor"])
    result["verb"] = {"id": value["verb"]["id"]}
    result["object"] = _object_ids(value["object"])
    if "authority" in value:
        result["authority"] = _agent_ids(value["authority"])
    context = value.get("context")
    if context:
        context = dict(context)
        for role in ("instructor", "team"):
            if role in context:
                context[role] = _agent_ids(context[role])
        if "contextActivities" in context:
            context["contextActivities"] = {
                k: [_object_ids(a) for a in (v if isinstance(v, list) else [v])]
                for k, v in context["contextActivities"].items()
            }
        result["context"] = context
    return result


def _ids(statement: dict) -> dict:
    return _body_ids(statement)


def _preferences(header: str | None) -> list[str]:
    ranked = []
    for index, item in enumerate((header or "").split(",")):
        tag, _, params = item.strip().partition(";")
        if not tag:
            continue
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, index, tag.strip().lower()))
    return [tag for _, _, tag in sorted(ranked)]


def _pick(language_map: dict, preferences: list[str]) -> dict:
    if not language_map:
        return language_map
    lowered = {k.lower(): k for k in language_map}
    for wanted in preferences:
        if wanted == "*":
            break
        if wanted in lowered:
            key = lowered[wanted]
            return {key: language_map[key]}
        for key_lower, key in lowered.items():
            if key_lower.split("-")[0] == wanted.split("-")[0]:
                return {key: language_map[key]}
    key = next(iter(language_map))
    return {key: language_map[key]}


def _canonical(value, preferences: list[str]):
    if isinstance(value, dict):
        for key, item in value.items():
            if key in LANGUAGE_MAPS and isinstance(item, dict) and all(isinstance(v, str) for v in item.values()):
                value[key] = _pick(item, preferences)
            elif key != "extensions":
                value[key] = _canonical(item, preferences)
    elif isinstance(value, list):
        return [_canonical(v, preferences) for v in value]
    return value

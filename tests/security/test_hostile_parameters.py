"""Every route, for every method and as every kind of person, answers hostile input with a 4xx
page, never a 500: huge, negative and Unicode digits, NUL and other control characters, invalid
UTF-8, over-long text and dates at the ends of the calendar, in every URL path variable, in the
query parameters the views read and in the form fields the POST routes read.

To the people a route serves, each value is sent in every query parameter and form field at
once, then in one parameter or path variable at a time next to otherwise valid input, so that a
check refusing one parameter early cannot hide a failure further on. Everyone else, refused before
the view reads anything, sends one request with a hostile value in every parameter.
"""

from __future__ import annotations

import datetime as dt
import inspect
import pkgutil
import re
from importlib import import_module
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Response, request, stream_with_context
from wtforms import Form
from wtforms.fields.core import UnboundField

import courseware
from tests.security.personas import FORM_DATA, ROLES, all_routes, logged_in_client, token_of, url_for_rule
from tests.security.test_access_matrix import EXPECTATIONS

# Already percent-encoded, so that bytes that are not UTF-8 reach the server as they are.
HOSTILE = {
    "huge": quote("9" * 31),
    "negative": "-1",
    "superscript digit": quote("²"),
    "arabic-indic digits": quote("١٢٣"),
    "nul and control characters": quote("a\x00b\x1b[31m\r\n"),
    "invalid utf-8": "%FF%FE%C3%28",
    "over-long": "7" * 3000,
    "last day": "9999-12-31",
    "first day": "0001-01-01",
}

# Query parameters the views read (test_every_query_parameter_read_is_sent keeps this complete).
QUERY_PARAMETERS = (
    "q",
    "page",
    "team",
    "course",
    "status",
    "objectives",
    "sort",
    "order",
    "start",
    "end",
    "before",
    "attempt",
    "old",
    "new",
    "person",
    "mentee",
    "next",
    "state",
    "code",
    "error",
    "iss",
    "outcome",
    "provider",
    "email",
    "filter",
    "attributes",
    "excludedAttributes",
    "startIndex",
    "count",
    "method",
)

# Valid query strings for routes that need one to reach their work.
VALID_QUERY = {
    "manage.events_csv": {"start": "2026-01-01", "end": "2026-12-31"},
    "author.diff": {"old": "{revision_id}", "new": "{revision_id}"},
    "manage.people": {"team": "", "course": "{course_id}", "page": "1"},
    "manage.overview": {"course": "{course_id}"},
    "manage.person": {"before": "1"},
}

HERE = "HOSTILE-VALUE-HERE"
SOURCE = Path(courseware.__file__).parent
ARG_NAME = re.compile(r"""request\.args(?:\.get|\.getlist|\[)\(?["'](\w+)["']""")
FORM_NAME = re.compile(r"""(?:request\.form|form)(?:\.get|\.getlist|\[)\(?["'](\w+)["']""")


def form_field_names() -> set[str]:
    """The names of every field of every form class in the application, and the names the
    views and the lesson editor read from ``request.form`` directly."""
    names = set()
    for module in pkgutil.walk_packages([str(SOURCE)], "courseware."):
        if not module.name.endswith("forms"):
            continue
        for _, cls in inspect.getmembers(import_module(module.name), inspect.isclass):
            if issubclass(cls, Form):
                names.update(name for name, value in vars_of(cls) if isinstance(value, UnboundField))
    for path in SOURCE.rglob("*.py"):
        names.update(FORM_NAME.findall(path.read_text()))
    # Rows of the lesson editor, the quiz's questions and the review's rubric scores.
    names.update(["act-count", "act-0-type", "act-0-key", "act-0-prompt", "act-0-q-count", "act-0-q-0-prompt"])
    names.update(["act-0-q-0-c-count", "act-0-q-0-c-0-text", "act-0-pass_mark", "q0", "score-0", "item"])
    return names


def vars_of(cls):
    for klass in cls.__mro__:
        yield from vars(klass).items()


FORM_FIELDS = tuple(sorted(form_field_names()))


def test_every_query_parameter_read_is_sent():
    read = {name for path in SOURCE.rglob("*.py") for name in ARG_NAME.findall(path.read_text())}
    filter_forms = [import_module("courseware.manage.forms").PeopleFilterForm]
    filter_forms.append(import_module("courseware.review.forms").QueueFilterForm)
    for form in filter_forms:
        read.update(name for name, value in vars_of(form) if isinstance(value, UnboundField))
    assert read - set(QUERY_PARAMETERS) == set()


def encode(pairs: dict[str, str]) -> str:
    """A query string or form body from values that are already percent-encoded."""
    return "&".join(f"{quote(name)}={value}" for name, value in pairs.items())


def valid(pairs: dict, values: dict) -> dict[str, str]:
    return {
        name: quote(value.format(**values) if isinstance(value, str) else str(value[0]))
        for name, value in pairs.items()
    }


def requests_for(endpoint: str, method: str, rule: str, values: dict, served: bool):
    """(description, path, query string, form body) for every hostile request made to one route.

    A person the route serves gets each value in every parameter at once, then in one parameter
    or path variable at a time. Anyone else is refused before the view reads a parameter, so one
    request carries a different hostile value in each parameter.
    """
    path = url_for_rule(rule, endpoint, values)
    if not served:
        labels = list(HOSTILE)
        mixed = {name: HOSTILE[labels[i % len(labels)]] for i, name in enumerate(QUERY_PARAMETERS)}
        fields = {name: HOSTILE[labels[i % len(labels)]] for i, name in enumerate(FORM_FIELDS)}
        yield "a mix in every parameter", path, encode(mixed), encode(fields) if method != "GET" else ""
        return
    query = valid(VALID_QUERY.get(endpoint, {}), values)
    form = valid(FORM_DATA.get(endpoint, {}), values) if method != "GET" else {}
    variables = re.findall(r"<(?:[^:>]+:)?([^>]+)>", rule)
    for label, hostile in HOSTILE.items():
        everything = dict.fromkeys(QUERY_PARAMETERS, hostile)
        everywhere = dict.fromkeys(FORM_FIELDS, hostile) if method != "GET" else {}
        yield f"{label} in every parameter", path, encode(everything), encode(everywhere)
        for name in query:
            yield f"{label} in ?{name}", path, encode({**query, name: hostile}), encode(form)
        for name in form:
            yield f"{label} in form field {name}", path, encode(query), encode({**form, name: hostile})
        for variable in variables:
            marked = re.sub(rf"<(?:[^:>]+:)?{variable}>", HERE, rule)
            hostile_path = url_for_rule(marked, endpoint, values).replace(HERE, hostile)
            yield f"{label} in <{variable}>", hostile_path, encode(query), encode(form)


def served_roles(endpoint: str, method: str) -> set[str]:
    """The people whose requests reach the view's reading of its parameters: those it serves, or
    (for links with a token, and logging out) whoever comes first."""
    expected = EXPECTATIONS[(endpoint, method)]
    served = {role for role in ROLES if expected[role] in ("ok", "bad")}
    # Two learners, or two trainers, that a route serves alike take the same path through it.
    for kept, alike in (("owner", "other"), ("mentor", "trainer")):
        if kept in served:
            served.discard(alike)
    return served or {ROLES[0]}


ROUTES = sorted(EXPECTATIONS)


def test_every_route_is_walked(app):
    assert sorted((endpoint, method) for endpoint, method, _ in all_routes(app)) == ROUTES


@pytest.mark.parametrize(("endpoint", "method"), ROUTES, ids=[f"{m} {e}" for e, m in ROUTES])
def test_hostile_input_gets_no_server_error(app, world, endpoint, method):
    """No 500 for any hostile value in any parameter, whoever asks; a failure names the request."""
    assert server_errors(app, world, endpoint, method) == []


def test_the_walk_sees_a_server_error(app, world, monkeypatch):
    """A view that trusts its input shows up: its 500, and a CSV that fails while it streams."""

    def careless_home():
        return f"page {int(request.args.get('page', '1'))}"

    def careless_export():
        def rows():
            yield "header\n"
            yield f"{dt.date.fromisoformat(request.args['end']) + dt.timedelta(days=1)}\n"

        return Response(stream_with_context(rows()), mimetype="text/csv")

    monkeypatch.setitem(app.view_functions, "core.home", careless_home)
    monkeypatch.setitem(app.view_functions, "manage.events_csv", careless_export)

    assert any("superscript digit" in failure for failure in server_errors(app, world, "core.home", "GET"))
    assert any("last day in ?end" in failure for failure in server_errors(app, world, "manage.events_csv", "GET"))


def server_errors(app, world, endpoint: str, method: str) -> list[str]:
    """Every hostile request to one route, as every person, that got a 500 or failed while its
    answer was streamed."""
    rule = next(r.rule for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    people, values = world
    failures = []
    # Everyone logs in first: a route may turn password sign-in off for all but admins.
    clients = {role: logged_in_client(app, people.get(role)) for role in ROLES}
    for role in ROLES:
        client = clients[role]
        csrf = quote(token_of(client)) if method != "GET" else ""
        served = role in served_roles(endpoint, method)
        for description, path, query, body in requests_for(endpoint, method, rule, values, served):
            url = path + (f"?{query}" if query else "")
            try:
                if method == "GET":
                    response = client.get(url)
                else:
                    response = client.open(
                        url,
                        method=method,
                        data=f"csrf_token={csrf}&{body}",
                        content_type="application/x-www-form-urlencoded",
                    )
                status = response.status_code
                response.get_data()
            except Exception as exc:  # an answer that fails half-way through being streamed
                failures.append(f"{role}: {description}: {method} {url[:120]}: {exc!r}"[:400])
                continue
            if status >= 500:
                failures.append(f"{role}: {description}: {method} {url[:120]}: {status}")
    return failures

"""axe-core finds no WCAG 2.2 A or AA violation on any page: every GET page of the access matrix,
opened by the least privileged person the matrix lets in, on the matrix's own world of objects."""

from __future__ import annotations

import threading
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from courseware.extensions import db
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import violations
from tests.conftest import (
    POSTGRES_URL,
    build_app,
    course_factory,
    drop_scratch_postgres,
    free_port,
    scratch_name,
    team_factory,
    user_factory,
)
from tests.security.personas import build_world, url_for_rule
from tests.security.test_access_matrix import EXPECTATIONS, QUERY

pytestmark = pytest.mark.browser

# Least privileged first; "former" is answered as "other" is, so it adds nothing here.
PERSONAS = ("anonymous", "owner", "other", "mentor", "trainer", "manager", "admin")

# GET routes that answer with something other than an HTML page (files, images, CSV, SVG, JSON),
# or that send the browser off the site.
NOT_PAGES = {
    "static",
    "core.healthz",
    "core.livez",
    "organisation.logo",
    "organisation.theme",
    "covers.cover",
    "api.my_progress",
    "admin.status",
    "evidence.download",
    "evidence.thumbnail",
    "manage.people_csv",
    "manage.events_csv",
    "manage.activity_chart",
    "manage.funnel_chart",
    "learn.objective_chart",
    "author.export_zip",
    "drafts.draft",
    "sso.start",
    "xapi.about",
    "images.image",
    "packages.package_file",  # the package's own files, played inside the lesson
    "packages.content_runtime",  # only on a content origin, framed by a lesson
    "packages.content_file",  # the package's own files on a content origin
}


# Pages the matrix's URLs show to nobody, opened on an object that someone may see: the mentor's
# own mentee (the matrix asks about the owner, whom the mentor does not mentor).
ELSEWHERE = {"mentoring.mentee": ("mentor", {"user_id": "learner_id"})}
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def pages_by_persona() -> dict[str, list[str]]:
    """Each HTML GET endpoint under the least privileged persona that may open it."""
    found: dict[str, list[str]] = {persona: [] for persona in PERSONAS}
    for (endpoint, method), answers in sorted(EXPECTATIONS.items()):
        if method != "GET" or endpoint in NOT_PAGES:
            continue
        persona = next((p for p in PERSONAS if answers[p] == "ok"), None)
        if endpoint in ELSEWHERE:
            persona = ELSEWHERE[endpoint][0]
        if persona is not None:
            found[persona].append(endpoint)
    return found


def page_url(rule: str, endpoint: str, values: dict) -> str:
    values = dict(values)
    for name, value_of in ELSEWHERE.get(endpoint, (None, {}))[1].items():
        values[name] = values[value_of]
    return url_for_rule(rule, endpoint, values) + QUERY.get(endpoint, "").format(**values)


PAGES = pages_by_persona()


@pytest.fixture(scope="module")
def axe_site(backend, tmp_path_factory):
    """The access matrix's world on a server of its own: (base URL, emails by persona, values)."""
    app = build_app(backend, str(tmp_path_factory.mktemp(f"axe-{backend}")), purpose="axe", SERVER_NAME=None)
    with app.app_context():
        people, values = build_world(db, user_factory(db), team_factory(db), course_factory(db))
        emails = {role: person.email for role, person in people.items()}
        db.session.remove()
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}", emails, values, app
    server.shutdown()
    app.extensions["courseware.db"]["engine"].dispose()
    if backend == "postgresql" and POSTGRES_URL:
        drop_scratch_postgres(POSTGRES_URL, scratch_name("axe"))


def test_every_get_route_is_checked_or_named_as_not_a_page():
    checked = {endpoint for endpoints in PAGES.values() for endpoint in endpoints}
    opened_by_someone = {
        endpoint
        for (endpoint, method), answers in EXPECTATIONS.items()
        if method == "GET" and any(answers[p] == "ok" for p in PERSONAS)
    } | set(ELSEWHERE)
    assert opened_by_someone - NOT_PAGES == checked
    assert len(checked) >= 60


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
@pytest.mark.parametrize("persona", [p for p in PERSONAS if PAGES[p]])
def test_every_page_has_no_wcag_22_aa_violations(browser, axe_site, persona, viewport):
    base_url, emails, values, app = axe_site
    rules = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    phone = viewport == "phone"
    context = browser.new_context(viewport=VIEWPORTS[viewport], is_mobile=phone, has_touch=phone)
    page = context.new_page()
    try:
        if persona != "anonymous":
            log_in(page, base_url, emails[persona])
        problems: dict[str, list[str]] = {}
        for endpoint in PAGES[persona]:
            url = page_url(rules[endpoint], endpoint, values)
            response = page.goto(base_url + url)
            assert response is not None and response.ok, f"{url} as {persona}: {response and response.status}"
            assert endpoint == "auth.login" or urlsplit(page.url).path != "/login", f"{url} sent {persona} to log in"
            kind = response.headers.get("content-type", "")
            assert kind.startswith("text/html"), f"{endpoint} is not a page ({kind}): add it to NOT_PAGES"
            found = violations(page)
            if found:
                problems[f"{endpoint} {url}"] = found
    finally:
        context.close()
    assert problems == {}


def test_the_walk_can_fail(browser, axe_site):
    """A page given an image without a text alternative and a tiny button is reported."""
    base_url, emails, values, app = axe_site
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    try:
        page.goto(f"{base_url}/login")
        assert violations(page) == []
        page.evaluate(
            """() => document.querySelector('main').insertAdjacentHTML('beforeend',
                '<img src="/static/favicon.svg"><button style="width:8px;height:8px;padding:0;border:0"></button>')"""
        )
        found = " ".join(violations(page))
    finally:
        context.close()
    assert "image-alt" in found
    assert "button-name" in found

"""A live server on a real database and a real Chromium, for the journeys people take."""

from __future__ import annotations

import os
import threading

import pytest
from werkzeug.serving import make_server

from courseware.extensions import db
from tests.conftest import (
    POSTGRES_URL,
    TEST_PASSWORD,
    build_app,
    drop_scratch_postgres,
    free_port,
    scratch_name,
    smtp_inbox,
)

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(config, items):
    missing = None
    if not os.path.exists(CHROMIUM):
        missing = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    else:
        try:
            import playwright  # noqa: F401
        except ImportError:
            missing = "Playwright for Python is not installed (pip install -r requirements-dev.txt)"
    if missing:
        for item in items:
            if "tests/browser" in str(item.fspath):
                item.add_marker(pytest.mark.skip(reason=missing))


@pytest.fixture(scope="session")
def live_app(backend, tmp_path_factory):
    """The application on its own database (committed for real), served on a free port."""
    app = build_app(backend, str(tmp_path_factory.mktemp(f"live-{backend}")), purpose="live", SERVER_NAME=None)
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["LIVE_URL"] = f"http://127.0.0.1:{port}"
    yield app
    server.shutdown()
    app.extensions["courseware.db"]["engine"].dispose()
    if backend == "postgresql" and POSTGRES_URL:
        drop_scratch_postgres(POSTGRES_URL, scratch_name("live"))


@pytest.fixture
def base_url(live_app) -> str:
    return live_app.config["LIVE_URL"]


@pytest.fixture
def live_db(live_app):
    """Run setup code against the live server's database (and commit it)."""
    with live_app.app_context():
        yield db
        db.session.remove()


@pytest.fixture
def live_smtp(live_app, monkeypatch):
    """A real SMTP server (aiosmtpd) that the live server sends through, for one test."""
    with smtp_inbox() as (inbox, port):
        monkeypatch.setitem(live_app.config, "SMTP_HOST", "127.0.0.1")
        monkeypatch.setitem(live_app.config, "SMTP_PORT", port)
        monkeypatch.setitem(live_app.config, "BASE_URL", live_app.config["LIVE_URL"])
        yield inbox


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.js_errors = errors
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def one_module_course(root, slug: str, title: str, lessons: list[tuple[str, str, list[dict]]]):
    """Import a course of one module from lesson files written under ``root``: ``lessons`` are
    (slug, title, activities). Returns the course."""
    import yaml

    from courseware.content.services import import_courses

    folder = root / slug
    (folder / "only").mkdir(parents=True)
    course = {"slug": slug, "title": title, "summary": f"{title}.", "modules": [{"slug": "only", "title": "Only"}]}
    (folder / "course.yaml").write_text(yaml.safe_dump(course, sort_keys=False))
    for position, (lesson, lesson_title, activities) in enumerate(lessons, start=1):
        front = yaml.safe_dump({"title": lesson_title, "minutes": 5, "activities": activities}, sort_keys=False)
        (folder / "only" / f"{position:02d}-{lesson}.md").write_text(f"---\n{front}---\n\nBody.\n")
    return import_courses(str(folder)).courses[0]


def log_in(page, base_url: str, email: str, password: str = TEST_PASSWORD) -> None:
    page.goto(f"{base_url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


def tab_to(page, matches: str, limit: int = 300) -> None:
    """Press Tab until the focused element satisfies the JavaScript predicate ``matches(el)``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!el && ({matches}); }})()"):
            return
    raise AssertionError(f"no focusable element matching {matches} reached by Tab")


INJECTED = """() => [...document.querySelectorAll('main *')].filter(el =>
    ['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'svg', 'math', 'STYLE', 'BASE', 'META'].includes(el.tagName)
    || [...el.attributes].some(a => a.name.startsWith('on') || a.name === 'srcdoc' || a.name === 'formaction')
  ).map(el => el.outerHTML.slice(0, 120))"""


def injected_markup(page) -> list[str]:
    """Elements in the page's main part that only injected markup would bring (the site's CSP would
    stop an injected handler from running; a page must not even hold one)."""
    return page.evaluate(INJECTED)

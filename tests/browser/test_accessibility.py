"""axe-core finds no WCAG 2.2 A or AA violation (target size included) on the pages each role uses most."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import update

from courseware.auth.services import create_user, get_or_create_team
from courseware.content.services import import_courses
from courseware.db import utcnow
from courseware.learn.enrollment import enroll
from courseware.models import XapiForward
from courseware.xapi.forwarding import save_target
from courseware.xapi.services import prepare_statement, store_statements
from tests.browser.conftest import log_in
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

WCAG_22_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}


def violations(page) -> list[str]:
    results = Axe().run(page, options=WCAG_22_AA)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


@pytest.fixture
def people(live_app, live_db, tmp_path):
    suffix = tmp_path.name[-12:]
    course = import_courses(live_app.config["LESSONS_PATH"]).courses[0]
    team = get_or_create_team("Communications")
    learner = create_user(f"axe-learner-{suffix}@example.org", "Ada Learner", TEST_PASSWORD, team=team)
    admin = create_user(f"axe-admin-{suffix}@example.org", "Ann Admin", TEST_PASSWORD, roles=("admin",))
    enroll(learner, course)
    live_db.session.commit()
    return {"learner": learner, "admin": admin, "course": course}


def check(page, url: str, problems: dict) -> None:
    page.goto(url)
    found = violations(page)
    if found:
        problems[url] = found


def test_login_page_has_no_violations(page, base_url):
    page.goto(f"{base_url}/login")
    assert violations(page) == []
    page.click("form button[type=submit]")  # the error state too
    assert violations(page) == []


def test_learner_pages_have_no_violations(page, base_url, people):
    course = people["course"]
    log_in(page, base_url, people["learner"].email)
    problems: dict[str, list[str]] = {}
    for path in ("/learn", f"/learn/{course.slug}", "/journal", "/objectives", "/progress", "/account"):
        check(page, base_url + path, problems)
    page.goto(f"{base_url}/learn/{course.slug}/continue")
    problems_here = violations(page)
    if problems_here:
        problems[page.url] = problems_here
    assert problems == {}


def test_quiz_feedback_and_form_errors_have_no_violations(page, base_url, people):
    course = people["course"]
    log_in(page, base_url, people["learner"].email)
    page.goto(f"{base_url}/learn/{course.slug}/why-results-take-months")
    page.click("text=Save to my journal")  # empty: shows the error summary
    assert violations(page) == []
    page.fill("textarea[name=body]", "Leaders expect quick results.")
    page.click("text=Save to my journal")
    page.goto(f"{base_url}/learn/{course.slug}/quantitative-and-qualitative-objectives")
    for question in page.locator("fieldset.question").all():
        question.locator("input").first.check()
    page.click("form.quiz button[type=submit]")
    assert "right" in page.inner_text(".quiz-result")
    assert violations(page) == []


def test_admin_pages_have_no_violations(page, base_url, people):
    log_in(page, base_url, people["admin"].email)
    problems: dict[str, list[str]] = {}
    admin_pages = (
        "/admin/people",
        "/admin/people/invite",
        "/admin/teams",
        "/admin/jobs",
        "/admin/lrs/forwarding",
        "/admin/lrs/forwarding/new",
    )
    for path in (*admin_pages, f"/admin/people/{people['learner'].id}"):
        check(page, base_url + path, problems)
    assert problems == {}


def test_forwarding_pages_with_failed_statements_and_form_errors_have_no_violations(page, base_url, people, live_db):
    target = save_target(
        None,
        name=f"Warehouse {people['admin'].id}",
        endpoint="https://lrs.example.org/xapi/",
        key="courseware",
        secret="s3cret",
        version="2.0.0",
        statements="all",
        enabled=True,
        actor=None,
    )
    stored = prepare_statement(
        {
            "actor": {"mbox": "mailto:ada@example.org"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
            "object": {"id": "http://example.org/activities/listening"},
        },
        authority={"mbox": "mailto:courseware@example.org"},
        version="2.0.0",
    )
    store_statements([stored], client_id=None, stored=utcnow())
    live_db.session.execute(
        update(XapiForward)
        .where(XapiForward.target_id == target.id)
        .values(state="failed", attempts=8, last_error="HTTP 500 Internal Server Error", failed_at=utcnow())
    )
    live_db.session.commit()
    log_in(page, base_url, people["admin"].email)
    problems: dict[str, list[str]] = {}
    check(page, f"{base_url}/admin/lrs/forwarding/{target.id}", problems)
    check(page, f"{base_url}/admin/lrs/forwarding/{target.id}/remove", problems)
    page.goto(f"{base_url}/admin/lrs/forwarding/{target.id}")
    page.fill("input[name=endpoint]", "not an address")
    page.click("text=Save")
    assert page.is_visible(".error-summary")
    found = violations(page)
    if found:
        problems["form errors"] = found
    assert problems == {}


def test_lesson_page_works_on_a_phone(phone_page, base_url, people):
    log_in(phone_page, base_url, people["learner"].email)
    phone_page.goto(f"{base_url}/learn/{people['course'].slug}/why-results-take-months")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px wide)"
    assert phone_page.is_visible("text=Save to my journal")


def test_wide_tables_scroll_inside_their_box_on_a_phone(phone_page, base_url, people):
    """The people tables are wider than a phone: they scroll on their own, the page does not."""
    log_in(phone_page, base_url, people["admin"].email)
    for path in ("/manage/people", f"/manage/people?course={people['course'].id}", "/admin/people"):
        phone_page.goto(base_url + path)
        assert phone_page.is_visible("table")
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways on a phone ({width}px wide)"

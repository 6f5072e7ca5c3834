"""A draft surviving the end of a session, in Chromium: a reflection saved as it is typed is
there after a reload, and one sent after the session ended comes back after signing in."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select, update

from courseware.auth.services import create_user
from courseware.content.services import import_courses
from courseware.learn.enrollment import enroll
from courseware.models import JournalEntry, UserSession
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import violations
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

TEXT = "Our followers ask about opening hours more than anything else."


@pytest.fixture
def learner(live_app, live_db, tmp_path):
    suffix = tmp_path.name[-12:]
    course = import_courses(live_app.config["LESSONS_PATH"]).courses[0]
    person = create_user(f"draft-{suffix}@example.org", "Dee Drafter", TEST_PASSWORD)
    enroll(person, course)
    live_db.session.commit()
    return person, course


def journal_entries(live_db, person_id: int) -> int:
    """How many journal entries the person has. The transaction ends at once: outside a request
    it holds SQLite's write lock, and the live server would wait for it."""
    try:
        return live_db.session.scalar(
            select(func.count()).select_from(JournalEntry).where(JournalEntry.user_id == person_id)
        )
    finally:
        live_db.session.rollback()


def end_session_on_the_server(live_db, person_id: int) -> None:
    live_db.session.execute(
        update(UserSession).where(UserSession.user_id == person_id).values(revoked_at=dt.datetime.now(dt.UTC))
    )
    live_db.session.commit()


@pytest.mark.parametrize("how", ["session cookie deleted", "session ended on the server"])
def test_a_draft_survives_a_reload_and_the_end_of_the_session(browser, base_url, live_db, learner, how):
    person, course = learner
    # Plain values: reading a row's attributes after a rollback would begin a transaction here.
    email, person_id, course_slug = person.email, person.id, course.slug
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, base_url, email)
    page.goto(f"{base_url}/learn/{course_slug}/continue")
    form = page.locator("form:has(textarea[name=body])")
    form.locator("textarea[name=body]").press_sequentially(TEXT[:20])
    form.locator("textarea[name=body]").fill(TEXT)
    status = form.locator(".draft-status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_contain_text("Draft saved", timeout=10_000)
    assert journal_entries(live_db, person_id) == 0, "a draft is not a journal entry"

    page.reload()
    form = page.locator("form:has(textarea[name=body])")
    expect(form.locator("textarea[name=body]")).to_have_value(TEXT)
    expect(form.locator(".draft-status")).to_contain_text("Draft saved")
    assert violations(page) == []

    if how == "session cookie deleted":
        context.clear_cookies(name="session")
    else:
        end_session_on_the_server(live_db, person_id)
    form.locator("textarea[name=body]").fill(TEXT + " And about parking.")
    form.get_by_role("button", name="Save to my journal").click()
    page.wait_for_url("**/login?**")
    expect(page.locator(".flashes")).to_contain_text("What you wrote is kept: sign in")

    page.fill("input[name=email]", email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"**/learn/{course_slug}/**")
    form = page.locator("form:has(textarea[name=body])")
    expect(form.locator("textarea[name=body]")).to_have_value(TEXT + " And about parking.")
    expect(page.locator(".flashes")).to_contain_text("What you wrote before signing in is in the form again")
    assert journal_entries(live_db, person_id) == 0, "the kept text is only shown again, never sent"

    form.get_by_role("button", name="Save to my journal").click()
    expect(page.locator(".flashes")).to_contain_text("Saved in your journal")
    assert journal_entries(live_db, person_id) == 1
    page.reload()
    expect(page.locator("form:has(textarea[name=body]) .draft-status")).to_have_text("")
    assert errors == []
    context.close()

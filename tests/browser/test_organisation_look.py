"""The organisation's look and the viewer's time zone, in a real Chromium: times in a chosen
zone, the settings page and its errors, course cards, and axe at WCAG 2.2 AA (target size
included) with focus never hidden, on a desktop and a 390 px phone."""

from __future__ import annotations

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe

from courseware.auth.services import create_user
from courseware.content.services import import_courses
from courseware.core import times
from courseware.covers.services import set_cover, uploaded_cover
from courseware.db import utcnow
from courseware.learn.enrollment import enroll
from courseware.models import LearningEvent
from courseware.organisation.services import organisation, save_settings
from tests.browser.conftest import log_in, tab_to
from tests.conftest import TEST_PASSWORD
from tests.evidence.images import png

pytestmark = pytest.mark.browser

WCAG_22_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}
# A known event, long enough ago to be shown as its date rather than "… days ago".
KNOWN = dt.datetime(2025, 1, 15, 23, 30, tzinfo=dt.UTC)

# Whether the focused element can be seen: inside the viewport and not covered by anything else.
FOCUS_VISIBLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return true;
  const box = el.getBoundingClientRect();
  if (box.width === 0 && box.height === 0) return true;
  if (box.bottom <= 0 || box.top >= innerHeight || box.right <= 0 || box.left >= innerWidth) return false;
  const x = Math.min(Math.max(box.left + box.width / 2, 0), innerWidth - 1);
  const y = Math.min(Math.max(box.top + box.height / 2, 0), innerHeight - 1);
  const hit = document.elementFromPoint(x, y);
  return !!hit && (hit === el || el.contains(hit) || hit.contains(el));
}"""


def violations(page) -> list[str]:
    results = Axe().run(page, options=WCAG_22_AA)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


def focus_never_hidden(page, stops: int = 60) -> list[str]:
    """Tab through the page; the focusable elements that were hidden when focused."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    hidden = []
    for _ in range(stops):
        page.keyboard.press("Tab")
        if not page.evaluate(FOCUS_VISIBLE):
            hidden.append(page.evaluate("() => document.activeElement.outerHTML.slice(0, 120)"))
    return hidden


@pytest.fixture
def people(live_app, live_db, tmp_path):
    suffix = tmp_path.name[-12:]
    course = import_courses(live_app.config["LESSONS_PATH"]).courses[0]
    learner = create_user(f"look-learner-{suffix}@example.org", "Tomo Learner", TEST_PASSWORD)
    admin = create_user(f"look-admin-{suffix}@example.org", "Ann Admin", TEST_PASSWORD, roles=("admin",))
    enroll(learner, course)
    live_db.session.add(LearningEvent(user_id=learner.id, verb="journaled", created_at=KNOWN))
    live_db.session.add(LearningEvent(user_id=learner.id, verb="journaled", created_at=utcnow() - dt.timedelta(days=3)))
    live_db.session.commit()
    yield {"learner": learner, "admin": admin, "course": course}
    save_settings(name="", accent_colour="", signatory_name="", signatory_title="", default_time_zone="UTC")
    set_cover(course, None)
    live_db.session.commit()


def test_times_shown_in_a_chosen_time_zone(page, base_url, people, live_app):
    with live_app.app_context():
        before = times.format_date(KNOWN, times.zone(organisation().default_time_zone))
    log_in(page, base_url, people["learner"].email)
    page.goto(f"{base_url}/progress")
    assert before in page.inner_text("ol.timeline")

    page.goto(f"{base_url}/account")
    page.select_option("#time_zone", "Asia/Tokyo")
    page.click("text=Save preferences")
    assert "times are now shown in Asia/Tokyo" in page.inner_text(".flashes")
    assert page.input_value("#time_zone") == "Asia/Tokyo"

    page.goto(f"{base_url}/progress")
    timeline = page.locator("ol.timeline")
    assert "16 Jan 2025, 08:30 JST" in timeline.inner_text()
    assert page.locator("ol.timeline time[datetime='2025-01-16T08:30:00+09:00']").count() == 1
    # A recent event reads as "3 days ago", its exact time in Tokyo's zone in its title.
    recent = timeline.locator("time", has_text="3 days ago")
    assert recent.get_attribute("title").endswith(" JST")


def test_an_admin_gives_the_site_the_organisation_look(page, base_url, people):
    log_in(page, base_url, people["admin"].email)
    page.goto(f"{base_url}/admin/organisation")
    page.fill("#name", "Harbour Trust")
    page.fill("#accent_colour", "#ffdd00")
    page.click("text=Save settings")
    error = page.locator("#accent_colour-error")
    assert "contrast" in error.inner_text()
    assert page.input_value("#name") == "Harbour Trust"  # nothing typed is lost
    assert violations(page) == []

    page.fill("#accent_colour", "#6b2c91")
    page.fill("#signatory_name", "Maya Okafor")
    page.fill("#signatory_title", "Head of Learning")
    page.select_option("#default_time_zone", "Europe/Paris")
    page.set_input_files("#logo", files=[{"name": "logo.png", "mimeType": "image/png", "buffer": png((300, 100))}])
    page.click("text=Save settings")

    assert "Organisation settings saved." in page.inner_text(".flashes")
    brand = page.locator("header .brand")
    assert brand.inner_text().strip() == "Harbour Trust"
    assert brand.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    header = page.eval_on_selector(".site-header", "el => getComputedStyle(el).backgroundColor")
    assert header != "rgb(23, 74, 109)"  # the accent's, not the site's own blue
    assert violations(page) == []
    assert focus_never_hidden(page) == []


@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_course_cards_and_account_pass_axe_and_keep_focus_in_view(browser, base_url, people, live_db, viewport):
    set_cover(people["course"], uploaded_cover("cover.png", png((900, 300), (30, 90, 60))))
    live_db.session.commit()
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        log_in(page, base_url, people["learner"].email)
        for path in ("/learn", "/account", "/progress"):
            page.goto(base_url + path)
            assert violations(page) == [], path
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path
            assert focus_never_hidden(page) == [], path
        page.goto(f"{base_url}/learn")
        cover = page.locator(".course-card img.course-cover").first
        assert cover.evaluate("img => img.complete && img.naturalWidth > 0")
        tab_to(page, "el.textContent.includes('Course outline')")
    finally:
        context.close()

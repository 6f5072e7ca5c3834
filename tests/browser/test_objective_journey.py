"""A learner sets a quantitative objective, checks in three times, sees the chart and the line,
and two weeks on is asked to review it and revises it, in Chromium."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from courseware.auth.services import create_user
from courseware.models import Objective
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import violations
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_a_learner_tracks_an_objective_and_revises_it_at_review(page, base_url, live_db, tmp_path):
    learner = create_user(f"obi-{tmp_path.name[-10:]}@example.org", "Obi Objective", TEST_PASSWORD)
    live_db.session.commit()
    today = dt.date.today()
    log_in(page, base_url, learner.email)

    page.goto(f"{base_url}/objectives")
    page.fill("#title", "More sign-ups from social")
    page.select_option("#horizon", "short")
    page.select_option("#measure_kind", "quantitative")
    page.fill("#measure", "Sign-ups we can trace to our posts")
    page.fill("#unit", "sign-ups a month")
    page.fill("#baseline_value", "10")
    page.fill("#baseline_date", (today - dt.timedelta(days=21)).isoformat())
    page.fill("#target_value", "40")
    page.fill("#target_date", (today + dt.timedelta(days=21)).isoformat())
    page.click("text=Save objective")
    expect(page.locator("body")).to_contain_text("Objective saved.")
    page.click("a:has-text('More sign-ups from social')")

    # The line runs from 10 (three weeks ago) to 40 (in three weeks): 20, 22.5 and 25 on these days.
    for days_ago, value in ((14, "14"), (7, "24"), (0, "26")):
        page.fill("#on_date", (today - dt.timedelta(days=days_ago)).isoformat())
        page.fill("#value", value)
        page.click("text=Save check-in")
        expect(page.locator("body")).to_contain_text("Check-in saved.")
    expect(page.locator("#standing")).to_have_text("This objective is on track.")
    chart = page.locator("figure.chart img")
    expect(chart).to_be_visible()
    assert page.evaluate("document.querySelector('figure.chart img').naturalWidth") > 0
    rows = page.locator("#progress-caption >> xpath=.. >> tbody tr")
    expect(rows).to_have_count(5)  # baseline, three check-ins, target
    expect(rows.nth(3)).to_contain_text("26")
    expect(rows.nth(3)).to_contain_text("25")
    assert violations(page) == []

    # Two weeks on: the objective was set fifteen days ago.
    live_db.session.execute(
        update(Objective)
        .where(Objective.user_id == learner.id)
        .values(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=15))
    )
    live_db.session.commit()
    page.goto(f"{base_url}/learn")
    expect(page.locator("#reviews-due")).to_have_text("Objectives to review")
    page.click("section.reviews-due a:has-text('More sign-ups from social')")
    page.check("input[name=decision][value=revise]")
    page.fill("#learned", "Sign-ups come from replies, not from posts.")
    page.click("text=Save review")
    expect(page.locator("body")).to_contain_text("Review saved. Now revise the objective below.")
    page.fill("#revise #target_value", "50")
    page.fill("#revise #note", "Replies work better than we thought.")
    page.click("text=Save revision")
    expect(page.locator("body")).to_contain_text("Objective revised.")
    expect(page.locator("ol.revisions")).to_contain_text("What I learned: Sign-ups come from replies, not from posts.")
    expect(page.locator("ol.revisions")).to_contain_text("10 → 50 sign-ups a month")

    page.goto(f"{base_url}/notifications")
    expect(page.locator("body")).to_contain_text("Time to review your objective: More sign-ups from social")
    page.goto(f"{base_url}/learn")
    expect(page.locator("#reviews-due")).to_have_count(0)
    objective = live_db.session.scalar(select(Objective).where(Objective.user_id == learner.id))
    live_db.session.refresh(objective)
    assert objective.target_value == 50.0 and objective.reviewed_at is not None

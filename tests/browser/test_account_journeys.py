"""In Chromium: a person changes their name, password and email address (confirmed from the link
that reaches the new address) and signs out another device; an admin invites people from a CSV
file with bad rows; a course assigned to a team reaches someone who joins it later."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from courseware.auth.services import create_user, get_or_create_team
from courseware.content.services import import_courses
from courseware.models import ManagerScope
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import violations
from tests.conftest import TEST_PASSWORD, run_jobs

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def suffix(tmp_path) -> str:
    return re.sub(r"[^a-z0-9]", "", tmp_path.name.lower())[-10:]


@pytest.fixture
def live_mail(app, smtp_server, live_app, base_url, monkeypatch):
    """The live server sends through the test's SMTP server, with links to itself."""
    monkeypatch.setitem(live_app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(live_app.config, "SMTP_PORT", app.config["SMTP_PORT"])
    monkeypatch.setitem(live_app.config, "BASE_URL", base_url)
    return smtp_server


def deliver(live_app) -> None:
    with live_app.app_context():
        run_jobs(live_app)


def test_a_person_changes_name_password_and_address_and_confirms_it_from_the_new_inbox(
    browser, base_url, live_app, live_db, live_mail, suffix
):
    email = f"acc-{suffix}@example.org"
    create_user(email, "Ada Account", TEST_PASSWORD)
    live_db.session.commit()
    page = browser.new_page()
    log_in(page, base_url, email)
    page.goto(f"{base_url}/account")
    assert violations(page) == []

    page.fill("input[name=display_name]", "Ada Lovelace")
    page.click("button:has-text('Save name')")
    expect(page.locator(".flash")).to_contain_text("Your name is changed.")
    expect(page.locator("main")).to_contain_text("Ada Lovelace")

    page.fill("input[name=current_password]", TEST_PASSWORD)
    page.fill("input[name=password]", NEW_PASSWORD)
    page.fill("input[name=confirm]", NEW_PASSWORD)
    page.click("button:has-text('Change password')")
    expect(page.locator(".flash")).to_contain_text("Your password is changed.")

    new_email = f"new-{suffix}@example.org"
    page.fill("input[name=email]", new_email)
    page.fill("input[name=email_password]", NEW_PASSWORD)
    page.click("button:has-text('Send a confirmation link')")
    expect(page.locator(".flash").first).to_contain_text(f"We sent a link to {new_email}")
    expect(page.locator("main")).to_contain_text(f"You use {email}")
    assert violations(page) == []

    deliver(live_app)
    [message] = [m for m in live_mail.messages if m["To"] == new_email]
    link = re.search(r"http://\S+/account/email/confirm/\S+", message.get_payload(decode=True).decode()).group(0)
    page.goto(link)
    assert violations(page) == []
    page.click(f"button:has-text('Confirm {new_email}')")
    expect(page.locator(".flash")).to_contain_text(f"Your email address is now {new_email}")
    deliver(live_app)
    assert [m["To"] for m in live_mail.messages if "was changed" in m["Subject"]] == [email]

    # Logged out, the new address and the new password work together.
    page.click("header button:has-text('Log out')")
    log_in(page, base_url, new_email, NEW_PASSWORD)
    page.goto(f"{base_url}/account")
    expect(page.locator("main")).to_contain_text(f"You use {new_email}")
    page.close()


def test_signing_out_other_devices_ends_the_session_in_the_other_browser(browser, base_url, live_db, suffix):
    email = f"devices-{suffix}@example.org"
    create_user(email, "Dee Vices", TEST_PASSWORD)
    live_db.session.commit()
    laptop = browser.new_context(viewport={"width": 1280, "height": 900})
    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
    )
    on_laptop, on_phone = laptop.new_page(), phone.new_page()
    log_in(on_phone, base_url, email)
    log_in(on_laptop, base_url, email)

    on_laptop.goto(f"{base_url}/account")
    sessions = on_laptop.locator("#sessions table")
    expect(sessions).to_contain_text("Mobile Safari 17")
    expect(sessions.locator("tr[aria-current=true]")).to_contain_text("This device")
    on_laptop.click("button:has-text('Sign out all other devices')")
    expect(on_laptop.locator(".flash")).to_contain_text("Signed out on 1 other device.")
    expect(on_laptop.locator("#sessions")).to_contain_text("You are signed in on this device only.")

    on_phone.goto(f"{base_url}/account")
    assert "/login" in on_phone.url
    on_laptop.goto(f"{base_url}/learn")
    assert "/login" not in on_laptop.url
    laptop.close()
    phone.close()


def test_an_admin_fixes_a_csv_with_bad_rows_and_invites_everyone(browser, base_url, live_db, suffix, tmp_path):
    admin_email = f"bulk-admin-{suffix}@example.org"
    create_user(admin_email, "Bea Bulk", TEST_PASSWORD, roles=("admin",))
    team = get_or_create_team(f"Bulk team {suffix}")
    learner = create_user(f"bulk-learner-{suffix}@example.org", "Lu Learner", TEST_PASSWORD)
    live_db.session.commit()
    bad = tmp_path / "people.csv"
    bad.write_text(
        "e-mail,name,team,roles\n"
        f"ana-{suffix}@example.org,Ana,{team.name},learner trainer\n"
        "not an address,Bad,,\n"
        f"cy-{suffix}@example.org,Cy,No such team,\n"
    )
    page = browser.new_page()
    log_in(page, base_url, admin_email)
    page.goto(f"{base_url}/admin/people")
    page.click("nav.tabs >> text=Invite from a file")
    page.set_input_files("input[name=file]", str(bad))
    page.click("button:has-text('Check the rows')")

    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("2 of 3 rows need fixing; nobody was invited")
    expect(summary).to_contain_text("Row 3: “not an address” is not a valid e-mail address.")
    expect(summary).to_contain_text("Row 4: There is no team called “No such team”")
    expect(page.locator("button:has-text('Invite')")).to_have_count(0)
    assert violations(page) == []

    fixed = page.input_value("textarea[name=csv_text]")
    fixed = fixed.replace("not an address", f"bo-{suffix}@example.org").replace("No such team", team.name)
    page.fill("textarea[name=csv_text]", fixed)
    page.click("button:has-text('Check the rows')")
    expect(page.locator("main")).to_contain_text("All 3 rows are fine.")
    page.click("button:has-text('Invite 3 people')")

    expect(page.locator("h1")).to_have_text("3 people invited")
    expect(page.locator("table")).to_contain_text(f"ana-{suffix}@example.org")
    assert violations(page) == []
    page.goto(f"{base_url}/admin/people")
    expect(page.locator("main")).to_contain_text(f"cy-{suffix}@example.org")

    # Handing over a reset link, and a question before deactivating someone, with no JavaScript.
    page.goto(f"{base_url}/admin/people/{learner.id}")
    page.click("button:has-text('Make a password reset link')")
    expect(page.locator("#reset-link")).to_have_value(re.compile(r"/password/reset/"))
    assert violations(page) == []
    page.goto(f"{base_url}/admin/people/{learner.id}")
    page.click("button:has-text('Deactivate')")
    expect(page.locator("h1")).to_have_text(f"Deactivate {learner.name}?")
    assert violations(page) == []
    page.click("a:has-text('Cancel')")
    expect(page.locator("main")).to_contain_text("active")
    expect(page.locator("button:has-text('Deactivate')")).to_be_visible()
    page.goto(f"{base_url}/admin/teams/{team.id}")
    assert violations(page) == []
    page.close()


def test_someone_who_joins_a_team_later_is_enrolled_by_the_managers_rule(browser, base_url, live_app, live_db, suffix):
    course = import_courses(live_app.config["LESSONS_PATH"]).courses[0]
    team = get_or_create_team(f"Rule team {suffix}")
    manager = create_user(f"rule-mgr-{suffix}@example.org", "Mo Rule", TEST_PASSWORD, roles=("manager",))
    admin = create_user(f"rule-admin-{suffix}@example.org", "Al Rule", TEST_PASSWORD, roles=("admin",))
    create_user(f"rule-first-{suffix}@example.org", "First Member", TEST_PASSWORD, team=team)
    live_db.session.flush()
    live_db.session.add(ManagerScope(manager_id=manager.id, team_id=team.id))
    live_db.session.commit()
    due = dt.date.today() + dt.timedelta(days=21)

    page = browser.new_page()
    log_in(page, base_url, manager.email)
    page.goto(f"{base_url}/manage/assign")
    page.select_option("select[name=course]", label=course.title)
    page.fill("input[name=due_date]", due.isoformat())
    page.check(f"label:has-text('{team.name}')")
    expect(page.locator("input[name=reach][value=rule]")).to_be_checked()
    page.click("form button:has-text('Assign')")
    expect(page.locator(".flash")).to_contain_text("People who join the team later are enrolled too.")
    page.goto(f"{base_url}/manage/assign")
    expect(page.locator("#rules-heading + p + div table")).to_contain_text(team.name)
    assert violations(page) == []
    page.close()

    page = browser.new_page()
    log_in(page, base_url, admin.email)
    page.goto(f"{base_url}/admin/people/invite")
    joiner = f"rule-later-{suffix}@example.org"
    page.fill("input[name=email]", joiner)
    page.select_option("select[name=team]", label=team.name)
    page.click("main form button[type=submit]")
    link = page.input_value("#invite-link")
    page.close()

    newcomer = browser.new_page()
    newcomer.goto(link)
    newcomer.fill("input[name=name]", "Lee Later")
    newcomer.fill("input[name=password]", TEST_PASSWORD)
    newcomer.fill("input[name=confirm]", TEST_PASSWORD)
    newcomer.click("button:has-text('Create account')")
    newcomer.goto(f"{base_url}/learn")
    expect(newcomer.locator("main")).to_contain_text(course.title)
    newcomer.goto(f"{base_url}/learn/{course.slug}")
    expect(newcomer.locator("main")).to_contain_text(re.compile(rf"Due {due.day} {due:%b}\w* {due.year}"))
    newcomer.close()

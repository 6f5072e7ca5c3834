"""SCORM 1.2 and 2004 packages played in Chromium end to end: a trainer uploads one, a learner
answers, leaves halfway, comes back to where they were (the package sees its suspend data),
finishes, and the lesson and the manager's timeline show it done."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from courseware.auth.services import create_user, get_or_create_team
from courseware.authoring.services import create_course
from courseware.learn.enrollment import enroll
from courseware.models import Course, Lesson, ManagerScope
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import violations
from tests.conftest import TEST_PASSWORD
from tests.packages.scorm import scorm_zip

pytestmark = pytest.mark.browser


@pytest.fixture
def people(live_db, tmp_path):
    suffix = tmp_path.name[-10:]
    team = get_or_create_team(f"Vendor team {suffix}")
    trainer = create_user(f"tr-{suffix}@example.org", f"Tia Trainer {suffix}", TEST_PASSWORD, roles=("trainer",))
    learner = create_user(f"le-{suffix}@example.org", f"Lou Learner {suffix}", TEST_PASSWORD, team=team)
    manager = create_user(f"ma-{suffix}@example.org", f"Max Manager {suffix}", TEST_PASSWORD, roles=("manager",))
    live_db.session.flush()
    live_db.session.add(ManagerScope(manager_id=manager.id, team_id=team.id))
    course = create_course(trainer, title=f"Vendor modules {suffix}", summary="Bought-in e-learning.")
    live_db.session.commit()
    return {"trainer": trainer, "learner": learner, "manager": manager, "course_id": course.id, "suffix": suffix}


def sco(page):
    return page.frame_locator("iframe.package-player").frame_locator("iframe.package-frame")


@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_a_scorm_package_imports_plays_resumes_and_completes(browser, base_url, live_db, people, version):
    trainer, learner, manager = people["trainer"], people["learner"], people["manager"]
    filename = f"listening-{version}.zip"

    author = browser.new_page()
    log_in(author, base_url, trainer.email)
    author.goto(f"{base_url}/author/courses/{people['course_id']}")
    author.click("text=Add a SCORM package")
    author.set_input_files(
        "input[name=package]",
        files=[{"name": filename, "mimeType": "application/zip", "buffer": scorm_zip(version)}],
    )
    author.select_option("select[name=module]", "new")
    author.fill("input[name=new_module]", "Listening (vendor)")
    author.click("button:has-text('Upload and import')")
    expect(author.locator("main")).to_contain_text(f"Imported {filename}: 2 new lessons")
    author.close()

    course = live_db.session.get(Course, people["course_id"])
    course.status = "published"
    enroll(learner, course, assigned_by=manager)
    lesson = live_db.session.scalars(select(Lesson).where(Lesson.course_id == course.id).order_by(Lesson.id)).first()
    lesson_url = f"{base_url}/learn/{course.slug}/{lesson.slug}"
    course_url = f"{base_url}/learn/{course.slug}"
    live_db.session.commit()

    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, base_url, learner.email)
    page.goto(lesson_url)
    package = sco(page)
    expect(package.locator("#state")).to_have_text("Ready")
    expect(package.locator("#learner")).to_have_text(learner.name)
    expect(package.locator("#resumed")).to_have_text("(nothing)")
    package.locator("#answer").fill("listen first")
    package.locator("#answer-button").click()
    expect(package.locator("#state")).to_have_text("Answer saved: listen first")

    # Leave halfway, without finishing: what was committed is kept.
    page.goto(f"{base_url}/learn")
    page.goto(lesson_url)
    package = sco(page)
    expect(package.locator("#state")).to_have_text("Ready")
    expect(package.locator("#resumed")).to_have_text("answer=listen first")
    expect(package.locator("#location")).to_have_text("step-2")
    expect(package.locator("#entry")).to_have_text("resume")
    expect(page.locator("#activity-package-1")).not_to_contain_text("You have completed it")

    package.locator("#finish-button").click()
    expect(package.locator("#state")).to_have_text("Finished")
    expect(page.frame_locator("iframe.package-player").locator("#package-message")).to_contain_text(
        "Your progress in this part is saved."
    )
    page.goto(lesson_url)
    expect(page.locator("#activity-package-1")).to_contain_text("You have completed it and passed (score 90%)")
    expect(sco(page).locator("#state")).to_have_text("Ready")
    assert violations(page) == []
    page.goto(course_url)
    expect(page.locator("main")).to_contain_text("1 of 2")
    assert errors == []
    page.close()

    boss = browser.new_page()
    log_in(boss, base_url, manager.email)
    boss.goto(f"{base_url}/manage/people/{learner.id}")
    timeline = boss.inner_text("main")
    assert "Completed the interactive module in" in timeline and "Why listen first" in timeline
    assert "Passed the interactive module in" in timeline and "score 90%" in timeline
    boss.close()

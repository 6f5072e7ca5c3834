"""A trainer adds an image in the lesson editor and inserts it where the cursor is; the learner
sees it in the lesson. The editor with its images passes axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from courseware.models import Lesson
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import violations
from tests.browser.test_trainer_keyboard import trainer_setup  # noqa: F401 (a fixture used here)
from tests.evidence.images import jpeg_with_gps

pytestmark = pytest.mark.browser


def test_a_trainer_inserts_an_uploaded_image_and_the_learner_sees_it(
    page,
    browser,
    base_url,
    live_db,
    trainer_setup,  # noqa: F811
    tmp_path,
):
    course_slug, learner_email = trainer_setup["course"].slug, trainer_setup["learner"].email
    trainer_email = trainer_setup["trainer"].email
    lesson_id = live_db.session.scalar(select(Lesson.id).where(Lesson.course_id == trainer_setup["course"].id))
    live_db.session.rollback()  # end the read, so that the server can write (SQLite locks the file)
    photo = tmp_path / "Street Stall.jpg"
    photo.write_bytes(jpeg_with_gps())
    log_in(page, base_url, trainer_email)
    page.goto(f"{base_url}/author/lessons/{lesson_id}/edit")

    page.fill("#body", "Before.\n\nAfter.")
    page.evaluate("() => { const t = document.getElementById('body'); t.focus(); t.setSelectionRange(8, 8); }")
    page.set_input_files("#image", str(photo))
    page.click("button[value=add-image]")

    line = "![Describe the image](images/street-stall.jpg)"
    expect(page.locator("#added-line")).to_have_value(line)
    expect(page.locator("#body")).to_have_value(f"Before.\n\n{line}\n\nAfter.")  # where the cursor was
    expect(page.locator("#images-status")).to_have_text("Image added, and its line put in the lesson text.")
    assert violations(page) == []

    # The list (open after an upload) puts the line at the cursor again (here: the end of the text).
    page.evaluate(
        "() => { const t = document.getElementById('body'); t.setSelectionRange(t.value.length, t.value.length); }"
    )
    page.locator(".image-list [data-insert-image]").click()
    expect(page.locator("#body")).to_have_value(f"Before.\n\n{line}\n\nAfter.\n\n{line}\n")

    # A file that is not an image is refused beside the field, and the text stays as it is.
    not_image = tmp_path / "notes.png"
    not_image.write_bytes(b"%PDF-1.4 not an image")
    page.set_input_files("#image", str(not_image))
    page.click("button[value=add-image]")
    expect(page.locator("#image-error")).to_contain_text("is not a PNG, JPEG or WebP image")
    expect(page.locator("#body")).to_have_value(f"Before.\n\n{line}\n\nAfter.\n\n{line}\n")

    page.click("button[value=publish]")
    expect(page.locator(".flash-success").first).to_be_visible()

    learner_page = browser.new_page()
    log_in(learner_page, base_url, learner_email)
    learner_page.goto(f"{base_url}/learn/{course_slug}/an-objective")
    image = learner_page.locator(".lesson-body img").first
    expect(image).to_have_attribute("src", f"/courses/{course_slug}/images/street-stall.jpg")
    learner_page.wait_for_function("() => document.querySelector('.lesson-body img').complete")
    assert learner_page.evaluate("() => document.querySelector('.lesson-body img').naturalWidth") == 64
    learner_page.close()

"""In Chromium, practice work is a conversation: hand in with a screenshot, a trainer comments and
returns it, the learner replies and hands in again, the trainer approves, the learner sees it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from courseware.auth.services import create_user
from courseware.learn.enrollment import enroll
from tests.browser.conftest import log_in, one_module_course
from tests.conftest import TEST_PASSWORD
from tests.evidence.images import jpeg_with_gps, png

pytestmark = pytest.mark.browser

PRACTICE = {
    "type": "practice",
    "prompt": "Hand in a screenshot of your listening log, with names blurred.",
    "rubric": [
        {"name": "Blurred", "good": "No one can be named from it."},
        {"name": "Complete", "good": "A week of entries."},
    ],
    "approval": "required",
}


@pytest.fixture
def practice(live_app, live_db, tmp_path):
    """A course with one practice lesson, its trainer, and a learner enrolled in it."""
    suffix = tmp_path.name[-10:]
    slug = f"conversation-{suffix}".lower().replace("_", "-")
    course = one_module_course(tmp_path, slug, "Listening in practice", [("log", "Your listening log", [PRACTICE])])
    trainer = create_user(f"tess-{suffix}@example.org", "Tess Trainer", TEST_PASSWORD, roles=("trainer",))
    learner = create_user(f"lena-{suffix}@example.org", "Lena Learner", TEST_PASSWORD)
    live_db.session.flush()
    course.owner_id = trainer.id
    enroll(learner, course)
    live_db.session.commit()
    return {"course": slug, "trainer": trainer.email, "learner": learner.email}


def screenshot(tmp_path, name: str, content: bytes):
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def open_newest_notification(page, base_url: str, words: str) -> None:
    page.goto(f"{base_url}/notifications/")
    page.locator("ol.notifications li.unread button", has_text=words).first.click()
    page.wait_for_load_state()


def score_all(page, label: str) -> None:
    for fieldset in page.locator("fieldset.score").all():
        fieldset.get_by_label(label, exact=True).check()


@pytest.mark.parametrize("mail", ["no mail server", "a daily digest"])
def test_practice_work_goes_back_and_forth_until_it_is_approved(
    browser, base_url, live_app, practice, tmp_path, mail, request
):
    lesson_url = f"{base_url}/learn/{practice['course']}/log"
    learner = browser.new_page()
    trainer = browser.new_page()
    inbox = request.getfixturevalue("live_smtp") if mail == "a daily digest" else None

    # 1. The learner hands in the work with a screenshot (a phone photo carrying its GPS position).
    log_in(learner, base_url, practice["learner"])
    if inbox is not None:  # the learner asks for one e-mail a day rather than one each time
        learner.goto(f"{base_url}/notifications/")
        learner.get_by_label("One e-mail a day with what I have not read (daily digest)").check()
        learner.click("section.notification-preference button:has-text('Save')")
        expect(learner.locator(".flashes")).to_be_visible()
    learner.goto(lesson_url)
    learner.fill("textarea[name=text]", "My week of listening, names blurred.")
    learner.set_input_files("input[name=files]", screenshot(tmp_path, "log-week-1.jpg", jpeg_with_gps()))
    learner.click("button:has-text('Hand in')")
    expect(learner.locator("ol.submissions")).to_contain_text("waiting for review")
    expect(learner.locator("ol.submissions img[alt='log-week-1.jpg']")).to_be_visible()

    # 2. The trainer is told, in the app: the Review menu counts it and a notification leads to it.
    log_in(trainer, base_url, practice["trainer"])
    expect(trainer.locator("header a[href$='/review/'] .count")).to_have_text("1 waiting")
    open_newest_notification(trainer, base_url, "Lena Learner handed in")
    expect(trainer.locator("h1")).to_contain_text("Lena Learner: Your listening log")
    thumbnail = trainer.locator(".review-answer img[alt='log-week-1.jpg']")
    expect(thumbnail).to_be_visible()
    trainer.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())

    # The trainer asks a question in the conversation, then returns the work with a comment.
    review_url = trainer.url
    trainer.click("a:has-text('Conversation with Lena Learner')")
    trainer.fill("textarea[name=body]", "Which **day** had the most mentions?")
    trainer.click("section.thread button:has-text('Send')")
    expect(trainer.locator("ol.comments")).to_contain_text("Which day had the most mentions?")
    trainer.goto(review_url)
    score_all(trainer, "Partly")
    trainer.fill("textarea[name=comment]", "One name in row 3 is still readable: blur it and hand in again.")
    trainer.get_by_label("Request changes").check()
    trainer.click("button:has-text('Send review')")
    expect(trainer.locator(".flashes")).to_contain_text("Lena Learner's work is returned with your comments")
    expect(trainer.locator("main")).to_contain_text("Nothing is waiting for you.")

    # 3. The learner is told, sees the reviewer's comment first, replies, and hands in again.
    open_newest_notification(learner, base_url, "")
    learner.goto(lesson_url)
    returned = learner.locator(".callout.returned")
    expect(returned).to_contain_text("Tess Trainer asked for changes")
    expect(returned).to_contain_text("One name in row 3 is still readable")
    returned.locator("a:has-text('conversation')").click()
    expect(learner.locator("ol.comments")).to_contain_text("Which day had the most mentions?")
    learner.fill("textarea[name=body]", "Tuesday, after the newsletter went out.")
    learner.click("section.thread button:has-text('Send')")
    expect(learner.locator("ol.comments")).to_contain_text("Tuesday, after the newsletter went out.")
    learner.goto(lesson_url)
    answer = learner.locator("textarea[name=text]")
    expect(answer).to_have_value("My week of listening, names blurred.")  # starts from the last hand-in
    answer.fill("My week of listening, every name blurred now.")
    learner.set_input_files("input[name=files]", screenshot(tmp_path, "log-week-1-blurred.png", png()))
    learner.click("button:has-text('Hand in again')")
    expect(learner.locator("ol.submissions > li").first).to_contain_text("waiting for review")

    # The trainer hears of the reply and of the new hand-in, and approves it.
    trainer.goto(f"{base_url}/notifications/")
    notices = trainer.locator("ol.notifications li.unread")
    expect(notices.filter(has_text="Lena Learner commented on the")).to_have_count(1)
    expect(notices.filter(has_text="Lena Learner handed in")).to_have_count(1)
    trainer.goto(f"{base_url}/review/")
    trainer.locator("main a", has_text="Lena Learner").first.click()
    expect(trainer.locator(".review-answer")).to_contain_text("every name blurred now")
    expect(trainer.locator("section", has_text="Earlier hand-ins")).to_contain_text("Changes requested")
    score_all(trainer, "Met")
    trainer.fill("textarea[name=comment]", "Clear and complete. Well done.")
    trainer.get_by_label("Approve").check()
    trainer.click("button:has-text('Send review')")
    expect(trainer.locator(".flashes")).to_contain_text("approved")

    # 4. The learner sees the approval: by e-mail in the day's digest (when chosen), in the app and on the lesson.
    if inbox is not None:
        result = live_app.test_cli_runner().invoke(args=["digests", "send"])
        assert result.exit_code == 0, result.output
        digests = [m for m in inbox.messages if m["To"] == practice["learner"]]
        assert len(digests) == 1 and "digest" in digests[0]["Subject"], [m["Subject"] for m in inbox.messages]
        body = digests[0].get_payload(decode=True).decode()
        # What the learner has not read: the comment and the approval, not the return they opened in the app.
        assert "Tess Trainer commented on your practice work" in body and "approved your practice work" in body
        assert "asked for changes" not in body, body
        again = live_app.test_cli_runner().invoke(args=["digests", "send"])
        assert again.exit_code == 0 and len([m for m in inbox.messages if m["To"] == practice["learner"]]) == 1
    learner.goto(f"{base_url}/notifications/")
    expect(learner.locator("ol.notifications li.unread").first).to_contain_text("approved")
    learner.goto(lesson_url)
    newest = learner.locator("ol.submissions > li").first
    expect(newest).to_contain_text("Approved")
    expect(newest).to_contain_text("Clear and complete. Well done.")
    expect(learner.locator("button:has-text('Hand in again')")).to_have_count(0)

    # The screenshot the reviewer received carries no GPS position.
    image = trainer.request.get(base_url + thumbnail_source(learner, "log-week-1.jpg"))
    assert image.ok and b"GPS" not in image.body() and b"PhoneMaker" not in image.body()
    learner.close()
    trainer.close()


def thumbnail_source(page, filename: str) -> str:
    """The full-size file behind a thumbnail, as the page links it."""
    return page.locator(f"a:has(img[alt='{filename}'])").first.get_attribute("href")

"""In Chromium, hostile text in every field of the training conversation — hand-ins, evidence notes,
links and file names, comments, reviews, shared journal entries, mentor notes, even a person's
name — runs no script for anyone who reads it: the learner, the trainer, the mentor, the manager."""

from __future__ import annotations

import pytest

from courseware.auth.services import create_user, get_or_create_team
from courseware.discussions.services import add_post, hide_post
from courseware.evidence.files import CleanFile
from courseware.learn.activities import add_checklist_evidence, find_activity, save_checklist, submit_practice
from courseware.learn.enrollment import enroll
from courseware.learn.journal import add_journal_entry
from courseware.models import ManagerScope, Mentorship
from courseware.review.services import review_submission, verify_checklist
from courseware.threads.policies import thread_item
from courseware.threads.services import add_comment, add_mentor_note
from tests.browser.conftest import injected_markup, log_in, one_module_course
from tests.conftest import TEST_PASSWORD, lesson_of
from tests.evidence.images import png
from tests.security.xss_vectors import all_vectors

pytestmark = pytest.mark.browser

VECTORS = all_vectors()
HOSTILE = "\n\n".join(VECTORS[:150])
HOSTILE_NAME = "Lee <img src=x onerror=alert(1337)>"
HOSTILE_LINK = 'https://example.org/"><script>alert(1337)</script>'
HOSTILE_FILE = '"><img src=x onerror=alert(1337)>.png'

# Pages that show the hostile words themselves (the others show names, counts and links to them).
SHOWS_THE_WORDS = (
    "/threads/",
    "/learn/",
    "/journal",
    "/review/submissions/",
    "/review/checklists/",
    "/mentoring/mentees/",
    "/manage/people/",
)

CHECKLIST = {"type": "checklist", "items": ["Save a search", "Set an alert"], "verified_by": "trainer"}
PRACTICE = {
    "type": "practice",
    "prompt": "Write three objectives.",
    "rubric": [{"name": "Specific", "good": "Names what will change."}],
    "approval": "required",
}


def image(name: str) -> CleanFile:
    return CleanFile(kind="image", content_type="image/png", filename=name, data=png(), width=40, height=30)


@pytest.fixture
def conversation(live_app, live_db, tmp_path):
    suffix = tmp_path.name[-10:]
    slug = f"hostile-talk-{suffix}".lower().replace("_", "-")
    lessons = [("setup", "Setup", [CHECKLIST]), ("write", "Write", [PRACTICE])]
    course = one_module_course(tmp_path, slug, "Conversation", lessons)
    team = get_or_create_team(f"Team {suffix}")
    people = {
        "learner": create_user(f"lee-{suffix}@example.org", HOSTILE_NAME, TEST_PASSWORD, team=team),
        "trainer": create_user(
            f"tia-{suffix}@example.org", "Tia <script>alert(1337)</script>", TEST_PASSWORD, roles=("trainer",)
        ),
        "mentor": create_user(
            f"max-{suffix}@example.org", "Max <svg onload=alert(1337)>", TEST_PASSWORD, roles=("trainer",)
        ),
        "manager": create_user(f"meg-{suffix}@example.org", "Meg Manager", TEST_PASSWORD, roles=("manager",)),
    }
    learner, trainer, mentor, manager = (people[k] for k in ("learner", "trainer", "mentor", "manager"))
    live_db.session.flush()
    course.owner_id = trainer.id
    live_db.session.add(ManagerScope(manager_id=manager.id, team_id=team.id))
    live_db.session.add(Mentorship(mentor_id=mentor.id, learner_id=learner.id))
    enroll(learner, course)

    setup, write = lesson_of(live_db, course, "setup"), lesson_of(live_db, course, "write")
    checklist = find_activity(setup, setup.published_revision.activities[0]["key"])
    practice = find_activity(write, write.published_revision.activities[0]["key"])
    state = add_checklist_evidence(learner, setup, checklist, HOSTILE, [HOSTILE_LINK], [image(HOSTILE_FILE)])
    save_checklist(learner, setup, checklist, [0, 1], form_key=None)
    submission = submit_practice(
        learner, write, practice, HOSTILE, None, form_key=None, links=[HOSTILE_LINK], files=[image(HOSTILE_FILE)]
    )
    entry = add_journal_entry(learner, HOSTILE, share_mentor=True, share_manager=True, form_key=f"j-{suffix}")
    live_db.session.flush()
    threads = {
        "submission": thread_item("submission", submission.id),
        "checklist": thread_item("checklist", state.id),
        "journal": thread_item("journal", entry.id),
    }
    for subject, thread in threads.items():
        authors = (learner, mentor, manager) if subject == "journal" else (learner, trainer, mentor, manager)
        for author in authors:
            add_comment(author, thread, f"{author.name} says:\n\n{HOSTILE}")
    add_mentor_note(mentor, learner, HOSTILE)
    # The lesson's discussion: a post, a reply, and a post hidden with a hostile reason.
    course.discussion = True
    live_db.session.flush()
    post = add_post(learner, course, setup, f"@{trainer.email.split('@')[0]} {HOSTILE}")
    add_post(trainer, course, setup, HOSTILE, parent=post)
    hidden = add_post(learner, course, setup, "Hide me. " + HOSTILE)
    hide_post(hidden, trainer, "Off topic <img src=x onerror=alert(1337)>")
    review_submission(
        trainer, submission, scores={"Specific": "not yet"}, comment=HOSTILE, decision="changes_requested"
    )
    verify_checklist(trainer, state, confirm=False, comment=HOSTILE)
    live_db.session.commit()

    thread_urls = [f"/threads/{subject}/{thread.item.id}" for subject, thread in threads.items()]
    lessons = [f"/learn/{slug}/setup", f"/learn/{slug}/write"]
    return {
        "people": people,
        "pages": {
            "learner": [*lessons, *thread_urls, "/journal", "/notifications/", "/progress"],
            "trainer": [
                f"/discussions/{slug}/setup",
                "/review/",
                f"/review/submissions/{submission.id}",
                f"/review/checklists/{state.id}",
                *thread_urls[:2],
                "/notifications/",
            ],
            "mentor": ["/mentoring/mentees", f"/mentoring/mentees/{learner.id}", *thread_urls, "/notifications/"],
            "manager": ["/manage/", "/manage/people", f"/manage/people/{learner.id}", *thread_urls, "/notifications/"],
        },
    }


@pytest.mark.parametrize("viewer", ["learner", "trainer", "mentor", "manager"])
def test_no_script_runs_for_anyone_reading_the_conversation(browser, base_url, conversation, viewer):
    page = browser.new_page()
    dialogs, errors = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, base_url, conversation["people"][viewer].email)
    for path in conversation["pages"][viewer]:
        response = page.goto(base_url + path)
        assert response.status == 200, (viewer, path, response.status)
        main = page.inner_text("main")
        if path.startswith(SHOWS_THE_WORDS):
            assert "alert(1337)" in main, (viewer, path)  # shown, as text
        for element in page.locator("main a:visible, main img:visible, main button:visible").all()[:150]:
            element.hover(timeout=2000, force=True)
        page.wait_for_timeout(100)
        assert dialogs == [], (viewer, path, dialogs)
        # The site's CSP would stop an injected handler; the page must not even hold one.
        assert injected_markup(page) == [], (viewer, path)
        images = page.locator("main img").evaluate_all("images => images.map(i => i.getAttribute('src'))")
        assert all(src and not src.startswith(("javascript:", "data:text")) for src in images), (viewer, path, images)
    assert not [error for error in errors if "1337" in error or "Content Security Policy" in error], errors
    page.close()

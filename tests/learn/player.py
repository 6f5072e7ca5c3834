"""Lessons' activities and small helpers the learn tests share: counting events, a lesson's address,
the form key a page rendered."""

import re

from sqlalchemy import func, select

from courseware.models import LearningEvent

CHECKLIST = {"key": "checklist-1", "type": "checklist", "items": ["Search for the cause", "Save the search"]}
VERIFIED = {**CHECKLIST, "key": "setup", "verified_by": "trainer"}
PRACTICE = {
    "key": "practice-1",
    "type": "practice",
    "prompt": "Write three objectives.",
    "rubric": [{"name": "Specific", "good": "Names what will change."}],
    "approval": "required",
}
REFLECTION = {"key": "reflection-1", "type": "reflection", "prompt": "What surprised you?"}


def events(db, user, verb=None):
    statement = select(func.count()).select_from(LearningEvent).where(LearningEvent.user_id == user.id)
    if verb:
        statement = statement.where(LearningEvent.verb == verb)
    return db.session.scalar(statement)


def lesson_url(course, slug):
    return f"/learn/{course.slug}/{slug}"


def form_key(html: str, action: str) -> str:
    match = re.search(re.escape(action) + r'".*?name="form_key"[^>]*value="([0-9a-f]+)"', html, re.S)
    assert match, f"no form for {action}"
    return match.group(1)

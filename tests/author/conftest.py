"""Fixtures for authoring, review and mentoring: a trainer with a course, learners with work to review."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from courseware.learn.activities import save_checklist, submit_practice
from courseware.learn.enrollment import enroll
from courseware.models import Course

PRACTICE = {
    "key": "practice-1",
    "type": "practice",
    "prompt": "Write three objectives.",
    "rubric": [
        {"name": "Specific", "good": "Names what will change."},
        {"name": "Measurable", "good": "Says how you will know."},
    ],
    "approval": "required",
}
VERIFIED_CHECKLIST = {
    "key": "checklist-1",
    "type": "checklist",
    "items": ["Save a search", "Set an alert"],
    "verified_by": "trainer",
}


class FormReader(HTMLParser):
    """The controls of the forms on a page, as a browser would send them (buttons left out)."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._textarea: str | None = None
        self._select: str | None = None
        self._first_option: str | None = None
        self._selected = False
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action"), "fields": {}}
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        fields = self._form["fields"]
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields.setdefault(a["name"], []).append(a.get("value", "on"))
            elif kind not in ("submit", "button", "file"):
                fields[a["name"]] = [a.get("value") or ""]
        elif tag == "textarea":
            self._textarea = a.get("name")
            fields[self._textarea] = [""]
        elif tag == "select":
            self._select, self._first_option, self._selected = a.get("name"), None, False
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = a.get("value", "")
            if "selected" in a:
                fields[self._select] = [a.get("value", "")]
                self._selected = True

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea and self._form is not None:
            fields = self._form["fields"]
            # A browser drops the one newline right after <textarea>.
            fields[self._textarea] = [fields[self._textarea][0].removeprefix("\n")]
            self._textarea = None
        elif tag == "select" and self._select:
            if not self._selected and self._first_option is not None:
                self._form["fields"][self._select] = [self._first_option]
            self._select = None

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form["fields"][self._textarea][0] += data


def form_on(response, action: str) -> dict[str, list[str]]:
    """The fields of the form posting to ``action``, as a browser would send them."""
    reader = FormReader(response.get_data(as_text=True))
    for form in reader.forms:
        if form["action"] and form["action"].split("#")[0] == action:
            return dict(form["fields"])
    raise AssertionError(f"no form posting to {action}")


@pytest.fixture
def trainer(make_user):
    return make_user(name="Tess Trainer", roles=("trainer",))


@pytest.fixture
def owned_course(db, make_course, trainer):
    """``owned_course(modules=...)``: a published course owned by the trainer."""

    def factory(**kwargs) -> Course:
        course = make_course(**kwargs)
        course.owner_id = trainer.id
        db.session.commit()
        return course

    return factory


@pytest.fixture
def practice_course(owned_course):
    """A course whose first lesson is a checklist a trainer verifies, and whose second is practice
    work (a learner ticks the checklist as soon as they enroll)."""
    return owned_course(modules=[("basics", [("setup", [VERIFIED_CHECKLIST]), ("write", [PRACTICE])])])


def lesson_of(db, course, slug):
    from sqlalchemy import select

    from courseware.models import Lesson

    return db.session.scalar(select(Lesson).where(Lesson.course_id == course.id, Lesson.slug == slug))


@pytest.fixture
def hand_in(db):
    """``hand_in(learner, course, text=...)``: the learner enrolls and hands in the practice work."""

    def factory(learner, course, text="Twenty replies a month.", link=None, slug="write"):
        enroll(learner, course)
        lesson = lesson_of(db, course, slug)
        submission = submit_practice(learner, lesson, PRACTICE, text, link, form_key=None)
        db.session.commit()
        return submission

    return factory


@pytest.fixture
def tick_all(db):
    def factory(learner, course, slug="setup"):
        enroll(learner, course)
        lesson = lesson_of(db, course, slug)
        state = save_checklist(learner, lesson, VERIFIED_CHECKLIST, [0, 1], form_key=None)
        db.session.commit()
        return state

    return factory

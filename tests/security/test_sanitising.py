"""Trainer-written content can never run script in a learner's browser."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from courseware.content.render import BLOCK_TAGS, INLINE_TAGS, render_inline, render_markdown
from courseware.learn.enrollment import enroll
from tests.security.xss_vectors import all_vectors

VECTORS = all_vectors()
SAFE_SCHEMES = ("http", "https", "mailto")
URL_ATTRIBUTES = {"href", "src"}
ALLOWED_ATTRIBUTES = {"href", "title", "src", "alt", "start", "rel", "class"}


class Inspector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def scheme_of(url: str) -> str | None:
    """The scheme a browser would see in an attribute value (already decoded by the parser)."""
    cleaned = re.sub(r"[\x00-\x20\u2028\u2029]", "", url).lower()
    match = re.match(r"^([a-z][a-z0-9+.-]*):", cleaned)
    return match.group(1) if match else None


def executable_parts(markup: str, allowed_tags: set[str]) -> list[str]:
    """Everything in ``markup`` that a browser could execute or that leaves the allowlist."""
    inspector = Inspector()
    inspector.feed(markup)
    found = []
    for tag, attrs in inspector.tags:
        if tag not in allowed_tags:
            found.append(f"tag <{tag}>")
        for name, value in attrs:
            if name not in ALLOWED_ATTRIBUTES or name.startswith("on"):
                found.append(f"attribute {name} on <{tag}>")
            if name in URL_ATTRIBUTES and value is not None:
                scheme = scheme_of(value)
                if scheme is not None and scheme not in SAFE_SCHEMES:
                    found.append(f"{scheme}: URL in {name}")
    return found


@pytest.mark.parametrize("vector", VECTORS, ids=range(len(VECTORS)))
def test_rendered_lesson_markdown_keeps_nothing_executable(vector):
    assert executable_parts(str(render_markdown(vector)), BLOCK_TAGS | INLINE_TAGS) == []
    assert executable_parts(str(render_inline(vector)), INLINE_TAGS) == []


def test_the_vector_list_is_large_and_the_inspector_can_fail():
    assert len(VECTORS) >= 300
    assert executable_parts('<img src=x onerror="alert(1)">', {"img"}) == ["attribute onerror on <img>"]
    assert executable_parts('<a href=" java&#x09;script:alert(1)">', {"a"}) == ["javascript: URL in href"]
    assert executable_parts("<script>alert(1)</script>", {"p"}) == ["tag <script>"]


def test_safe_markdown_survives_sanitising():
    rendered = str(
        render_markdown(
            "## Plan\n\n- [guide](https://example.org/guide) and <mailto:team@example.org>\n\n"
            "| a | b |\n| :- | -: |\n| 1 | 2 |\n\n![chart](https://example.org/c.png)\n\n> quote"
        )
    )
    assert "<h2>Plan</h2>" in rendered
    assert 'href="https://example.org/guide"' in rendered and 'rel="noopener noreferrer"' in rendered
    assert "mailto:team@example.org" in rendered
    assert '<td class="align-right">2</td>' in rendered
    assert '<img src="https://example.org/c.png" alt="chart">' in rendered
    assert "<blockquote>" in rendered


def hostile_course(make_course):
    prompt = " ".join(VECTORS[:40])
    quiz = {
        "key": "quiz-1",
        "type": "quiz",
        "pass_mark": 1,
        "questions": [
            {
                "prompt": vector,
                "choices": [
                    {"text": vector, "correct": True, "feedback": vector},
                    {"text": "plain", "correct": False, "feedback": vector},
                ],
            }
            for vector in VECTORS[:60]
        ],
    }
    practice = {
        "key": "practice-1",
        "type": "practice",
        "prompt": prompt,
        "rubric": [{"name": VECTORS[0], "good": VECTORS[1]}],
    }
    reflection = {"key": "reflection-1", "type": "reflection", "prompt": prompt}
    course = make_course(modules=[("m", [("hostile", [quiz, practice, reflection])])])
    return course, "\n\n".join(VECTORS)


def test_a_lesson_made_of_vectors_renders_without_anything_executable(client, db, make_user, make_course, login):
    from sqlalchemy import select

    from courseware.models import Lesson, LessonRevision

    course, body = hostile_course(make_course)
    revision = db.session.scalar(select(LessonRevision).join(Lesson, Lesson.published_revision_id == LessonRevision.id))
    revision.body = body
    revision.body_html = None
    db.session.commit()
    learner = make_user()
    enroll(learner, course)
    db.session.commit()
    login(learner)
    page = client.get(f"/learn/{course.slug}/hostile").get_data(as_text=True)
    main = page[page.index('<main id="main"') : page.index("</main>")]
    inspector = Inspector()
    inspector.feed(main)
    problems = []
    for tag, attrs in inspector.tags:
        if tag in {"script", "iframe", "object", "embed", "svg", "math", "style", "base", "meta", "link"}:
            problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "srcdoc", "formaction"}:
                problems.append(f"attribute {name} on <{tag}>")
            if name in URL_ATTRIBUTES | {"action"} and value and scheme_of(value) not in (None, *SAFE_SCHEMES):
                problems.append(f"{scheme_of(value)}: URL in {name} on <{tag}>")
    assert problems == []

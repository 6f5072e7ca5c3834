"""Lesson Markdown to safe HTML: CommonMark plus tables, raw HTML off, then sanitised with nh3.

Markdown-it already escapes raw HTML and refuses ``javascript:`` links; the sanitiser is the
second wall, so that trainer content can never run script in a learner's browser whatever the
parser lets through.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

BLOCK_TAGS = {
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "ul",
    "ol",
    "li",
    "pre",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
}
INLINE_TAGS = {"a", "code", "em", "strong", "br"}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Table cell alignment as classes: the Content-Security-Policy blocks inline styles.
ALIGN_CLASSES = {"align-left", "align-center", "align-right"}


def _alignment_as_class(state) -> None:
    for token in state.tokens:
        if token.type in ("th_open", "td_open"):
            style = token.attrs.pop("style", None)
            if isinstance(style, str) and style.startswith("text-align:"):
                token.attrSet("class", "align-" + style.removeprefix("text-align:"))


# A lesson shows its course's images as ``![Alt text](images/name.png)``.
IMAGE_PREFIX = "images/"
IMAGE_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*\.(png|jpe?g|webp)", re.IGNORECASE)


def image_base(course_slug: str) -> str:
    """The address a course's images are served under (the images blueprint's route), ending in
    ``/``: lesson bodies are rendered with ``images/<name>`` pointing there."""
    return f"/courses/{course_slug}/images/"


def _course_image_name(src: str | None) -> str | None:
    """The image name when ``src`` is ``images/<name>`` (one of the course's images), else None."""
    if not isinstance(src, str) or not src.startswith(IMAGE_PREFIX):
        return None
    name = src.removeprefix(IMAGE_PREFIX)
    return name if IMAGE_NAME_RE.fullmatch(name) else None


def _images(tokens):
    for token in tokens:
        for child in token.children or ():
            if child.type == "image":
                yield child


def _course_images(state) -> None:
    """``images/<name>`` sources made into the address of the course's image, when rendering for
    a course (``env["image_base"]``); any other source is left to the sanitiser."""
    base = state.env.get("image_base") if isinstance(state.env, dict) else None
    if not base:
        return
    for image in _images(state.tokens):
        name = _course_image_name(image.attrGet("src"))
        if name is not None:
            image.attrSet("src", base + quote(name))


_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
_markdown.core.ruler.push("alignment_as_class", _alignment_as_class)
_markdown.core.ruler.push("course_images", _course_images)
# What people write to each other (comments, notes): the same Markdown, their links marked as theirs.
_user_markdown = MarkdownIt("commonmark", {"html": False, "linkify": True}).enable(["table", "linkify"])
_user_markdown.core.ruler.push("alignment_as_class", _alignment_as_class)
USER_LINK_REL = "nofollow ugc noopener"


def _clean(html: str, tags: set[str], link_rel: str = "noopener noreferrer") -> str:
    return nh3.clean(
        html,
        tags=tags,
        clean_content_tags={"script", "style"},
        attributes={tag: names for tag, names in ATTRIBUTES.items() if tag in tags},
        allowed_classes={"th": ALIGN_CLASSES, "td": ALIGN_CLASSES} if "td" in tags else None,
        url_schemes=URL_SCHEMES,
        link_rel=link_rel,
    )


def render_markdown(text: str, image_base: str | None = None) -> Markup:
    """The sanitised HTML of a lesson body (block Markdown: headings, lists, tables, code...).

    With ``image_base`` (the address of a course's images, ending in ``/``), an image written
    ``![Alt](images/name.png)`` is shown from there.
    """
    return Markup(_render_block(text or "", image_base or None))


def image_references(text: str) -> list[str]:
    """The names of the course images (``images/<name>``) a lesson body shows, in order, once each."""
    names: dict[str, None] = {}
    for image in _images(_markdown.parse(text or "")):
        name = _course_image_name(image.attrGet("src"))
        if name is not None:
            names.setdefault(name)
    return list(names)


def render_inline(text: str) -> Markup:
    """The sanitised HTML of a short text such as a prompt, a choice, feedback or a rubric line.

    Only inline Markdown (emphasis, code, links) is rendered; no paragraphs, headings or images.
    """
    return Markup(_render_inline(text or ""))


def render_user_markdown(text: str) -> Markup:
    """The sanitised HTML of Markdown a person wrote for others (a comment, a note), as lesson
    Markdown, with bare web addresses made into links and every link marked as the writer's own."""
    return Markup(_render_user(text or ""))


# A lesson page renders every quiz question, choice and prompt of its activities on each request.
# The HTML is a pure function of the text, so each process keeps the latest few thousand: a memo
# that can never disagree with another process's, and that an edited text simply misses.
@lru_cache(maxsize=1024)
def _render_block(text: str, image_base: str | None = None) -> str:
    env = {"image_base": image_base} if image_base else {}
    return _clean(_markdown.render(text, env), BLOCK_TAGS | INLINE_TAGS)


@lru_cache(maxsize=8192)
def _render_inline(text: str) -> str:
    return _clean(_markdown.renderInline(text), INLINE_TAGS)


@lru_cache(maxsize=2048)
def _render_user(text: str) -> str:
    return _clean(_user_markdown.render(text), BLOCK_TAGS | INLINE_TAGS, link_rel=USER_LINK_REL)

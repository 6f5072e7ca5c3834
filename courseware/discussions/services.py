"""Lesson discussions: posts and replies, mentions, moderation, and their place in the event log.

Posts are Markdown, checked and rendered as thread comments are (``threads.services.clean_body``
and the ``block_md`` filter). A mention is ``@`` followed by the part of a person's e-mail address
before the ``@`` (``@ana.silva`` for ana.silva@example.org), in any case; it notifies that person
when they may read the discussion, and nobody else.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from courseware.core.links import site_path
from courseware.db import utcnow
from courseware.discussions.policies import can_join_discussion, can_see_hidden_text
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.i18n import lazy_gettext as _l
from courseware.models import Course, DiscussionPost, Lesson, User
from courseware.notifications.services import notify
from courseware.progress.rules import COMMENTED
from courseware.progress.services import record_event
from courseware.threads.services import clean_body

log = logging.getLogger(__name__)

MAX_REASON = 500
# At most this many people are notified of one post's mentions.
MAX_MENTIONS = 20
# ``@`` at the start of a word, then an e-mail address's local part; a full stop after it ends a sentence.
MENTION_RE = re.compile(r"(?<![\w.@/])@([A-Za-z0-9](?:[A-Za-z0-9._+-]{0,62}[A-Za-z0-9_+-])?)")
MENTION_HELP = _l(
    "Markdown works: *emphasis*, lists, links. To mention someone, write @ and the part of their "
    "e-mail address before the @ (for ana.silva@example.org, write @ana.silva); they are notified "
    "if they can read this discussion."
)


@dataclass
class ShownPost:
    """A post as one reader sees it: ``state`` is "shown", "removed" or "hidden"; a hidden post's
    text and reason are there only for its author and the moderators (``hidden_text``)."""

    post: DiscussionPost
    state: str
    hidden_text: bool = False
    replies: list[ShownPost] = field(default_factory=list)


def lesson_title(lesson: Lesson) -> str:
    revision = lesson.published_revision
    return revision.title if revision is not None else lesson.slug


def discussion_link(course: Course, lesson: Lesson, post: DiscussionPost | None = None) -> str:
    """The discussion's page (at ``post`` when given), as kept with notifications and events."""
    anchor = f"post-{post.id}" if post is not None else None
    return site_path(
        "discussions.discussion", course_slug=course.slug, lesson_slug=lesson.slug, _anchor=anchor, _external=False
    )


def posts_of(viewer: User, course: Course, lesson: Lesson) -> list[ShownPost]:
    """The lesson's posts, oldest first, each with its replies oldest first, as ``viewer`` sees them."""
    rows = db.session.scalars(
        select(DiscussionPost)
        .where(DiscussionPost.lesson_id == lesson.id)
        .options(selectinload(DiscussionPost.author))
        .order_by(DiscussionPost.created_at, DiscussionPost.id)
    ).all()

    def shown(post: DiscussionPost) -> ShownPost:
        if post.deleted_at is not None:
            return ShownPost(post, "removed")
        if post.hidden_at is not None:
            return ShownPost(post, "hidden", hidden_text=can_see_hidden_text(viewer, post, course))
        return ShownPost(post, "shown")

    top = {post.id: shown(post) for post in rows if post.parent_id is None}
    for post in rows:
        if post.parent_id is not None and post.parent_id in top:
            top[post.parent_id].replies.append(shown(post))
    return list(top.values())


def mentioned_names(body: str) -> list[str]:
    """The names ``@``-mentioned in ``body``, lower-cased, each once, in order of appearance."""
    names: list[str] = []
    for match in MENTION_RE.finditer(body or ""):
        name = match.group(1).lower()
        if name not in names:
            names.append(name)
    return names


def mentioned_people(body: str, course: Course) -> list[User]:
    """The active people ``body`` mentions who may read the course's discussions."""
    names = mentioned_names(body)[:MAX_MENTIONS]
    if not names:
        return []
    email = func.lower(User.email)
    prefixes = [email.like(_escape_like(name) + "@%", escape="\\") for name in names]
    people = db.session.scalars(select(User).where(User.is_active.is_(True), or_(*prefixes)).order_by(User.id)).all()
    people = [person for person in people if person.email.lower().partition("@")[0] in names]
    return [person for person in people if can_join_discussion(person, course)]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _notify_mentions(author: User, course: Course, lesson: Lesson, post: DiscussionPost, body: str, skip: set[int]):
    """Tell each person newly mentioned in ``body`` (those in ``skip`` aside)."""
    told = set()
    link = discussion_link(course, lesson, post)
    for person in mentioned_people(body, course):
        if person.id == author.id or person.id in skip:
            continue
        message = _l(
            "%(name)s mentioned you in the discussion of “%(title)s”.", name=author.name, title=lesson_title(lesson)
        )
        notify(
            person,
            "mention",
            message,
            link,
            email_body=_l("%(message)s\n\n%(text)s\n", message=message, text=body.strip()[:1000]),
        )
        told.add(person.id)
    return told


def add_post(
    author: User, course: Course, lesson: Lesson, body: str, *, parent: DiscussionPost | None = None
) -> DiscussionPost:
    """Post in the lesson's discussion (a reply when ``parent`` is given), tell the people it
    mentions and, for a reply, the author of the post replied to, and log it as ``commented``.

    Refuses (Invalid) an empty or over-long text, and a reply to a reply or to a post that was
    removed or hidden."""
    text = clean_body(body)
    if parent is not None:
        if parent.lesson_id != lesson.id or parent.parent_id is not None:
            raise Invalid(_("Reply to a post, not to a reply."), field="body")
        if parent.deleted_at is not None or parent.hidden_at is not None:
            raise Invalid(_("That post is no longer shown, so it cannot be replied to."), field="body")
    post = DiscussionPost(
        course_id=course.id,
        lesson_id=lesson.id,
        parent_id=parent.id if parent is not None else None,
        author_id=author.id,
        body=text,
        created_at=utcnow(),
    )
    db.session.add(post)
    db.session.flush()
    told = _notify_mentions(author, course, lesson, post, text, set())
    if parent is not None and parent.author_id not in (None, author.id, *told):
        replied_to = db.session.get(User, parent.author_id)
        if replied_to is not None and replied_to.is_active and can_join_discussion(replied_to, course):
            message = _l(
                "%(name)s replied to your post in the discussion of “%(title)s”.",
                name=author.name,
                title=lesson_title(lesson),
            )
            notify(
                replied_to,
                "reply",
                message,
                discussion_link(course, lesson, post),
                email_body=_l("%(message)s\n\n%(text)s\n", message=message, text=text[:1000]),
            )
    record_event(
        author,
        COMMENTED,
        lesson=lesson,
        detail={"where": "discussion", "link": discussion_link(course, lesson, post)},
    )
    log.info("discussion post %s on lesson %s by %s", post.id, lesson.id, author.id)
    return post


def edit_post(post: DiscussionPost, body: str) -> None:
    """Change a post's text (the discussion shows that it was edited); people mentioned for the
    first time are told."""
    text = clean_body(body)
    course, lesson = db.session.get(Course, post.course_id), db.session.get(Lesson, post.lesson_id)
    already = {person.id for person in mentioned_people(post.body, course)}
    post.body = text
    post.edited_at = utcnow()
    db.session.flush()
    _notify_mentions(db.session.get(User, post.author_id), course, lesson, post, text, already)


def delete_post(post: DiscussionPost) -> None:
    """Remove a post's text; the discussion keeps a "removed" marker in its place (and its replies)."""
    post.body = ""
    post.deleted_at = utcnow()
    db.session.flush()
    log.info("discussion post %s removed by its author", post.id)


def hide_post(post: DiscussionPost, moderator: User, reason: str) -> None:
    """Hide a post from the discussion, with the reason its author is shown (and told in a
    notification). Invalid without a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Say why the post is hidden; its author sees the reason."), field="reason")
    if len(reason) > MAX_REASON:
        raise Invalid(_("Keep the reason under %(most)s characters.", most=MAX_REASON), field="reason")
    post.hidden_at = utcnow()
    post.hidden_by_id = moderator.id
    post.hidden_reason = reason
    db.session.flush()
    course, lesson = db.session.get(Course, post.course_id), db.session.get(Lesson, post.lesson_id)
    author = db.session.get(User, post.author_id) if post.author_id is not None else None
    if author is not None and author.id != moderator.id and author.is_active:
        message = _l(
            "A trainer hid your post in the discussion of “%(title)s”: %(reason)s",
            title=lesson_title(lesson),
            reason=reason,
        )
        notify(author, "moderation", message, discussion_link(course, lesson, post))
    log.info("discussion post %s hidden by %s", post.id, moderator.id)


def unhide_post(post: DiscussionPost) -> None:
    """Show a hidden post again."""
    post.hidden_at = None
    post.hidden_by_id = None
    post.hidden_reason = None
    db.session.flush()

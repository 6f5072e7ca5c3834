"""Lesson discussions (``/discussions``): posts and replies under a lesson, their authors' edits,
and trainers' moderation. Everyone who may not take part, and every closed discussion, gets 404."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courseware.auth.policies import role_required
from courseware.discussions import services
from courseware.discussions.forms import HideForm, PostForm, ReplyForm
from courseware.discussions.policies import (
    can_change_post,
    can_join_discussion,
    can_moderate,
    discussion_open,
    is_enrolled,
)
from courseware.drafts.keeping import fill_draft, keeps_drafts
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.learn.enrollment import published_course, published_lesson
from courseware.models import Course, DiscussionPost, Lesson

bp = Blueprint("discussions", __name__)


def _discussion(course_slug: str, lesson_slug: str) -> tuple[Course, Lesson]:
    """The course and lesson of an open discussion ``current_user`` may join; 404 otherwise."""
    course = published_course(course_slug)
    found = published_lesson(course, lesson_slug) if course is not None else None
    lesson = db.session.get(Lesson, found.id) if found is not None else None
    if lesson is None or not discussion_open(course, lesson.published_revision):
        abort(404)
    if not can_join_discussion(current_user, course):
        abort(404)
    return course, lesson


def _post(post_id: int) -> tuple[DiscussionPost, Course, Lesson]:
    """A post in an open discussion ``current_user`` may join; 404 otherwise."""
    post = db.session.get(DiscussionPost, post_id)
    if post is None:
        abort(404)
    course, lesson = db.session.get(Course, post.course_id), db.session.get(Lesson, post.lesson_id)
    if course is None or lesson is None or course.status == "draft" or lesson.archived_at is not None:
        abort(404)
    if not discussion_open(course, lesson.published_revision) or not can_join_discussion(current_user, course):
        abort(404)
    return post, course, lesson


def _back(course: Course, lesson: Lesson, post: DiscussionPost | None = None) -> str:
    """Where to go after a change: the lesson page for its learners, the discussion page for others."""
    anchor = f"post-{post.id}" if post is not None else "discussion"
    if is_enrolled(current_user, course):
        return url_for("learn.lesson", course_slug=course.slug, lesson_slug=lesson.slug, _anchor=anchor)
    return url_for("discussions.discussion", course_slug=course.slug, lesson_slug=lesson.slug, _anchor=anchor)


def _render(course: Course, lesson: Lesson, *, form=None, reply_forms=None, hide_forms=None, status: int = 200):
    return render_template(
        "discussions/discussion.html",
        course=course,
        lesson=lesson,
        title=services.lesson_title(lesson),
        discussion=discussion_context(course, lesson, form=form, reply_forms=reply_forms, hide_forms=hide_forms),
        enrolled=is_enrolled(current_user, course),
    ), status


def discussion_context(course: Course, lesson: Lesson, *, form=None, reply_forms=None, hide_forms=None) -> dict:
    """What the discussion part of a page needs: its posts as ``current_user`` sees them, the
    forms (with what was typed, after a refusal) and whether they moderate."""
    draft_name = POST_DRAFT.format(course_slug=course.slug, lesson_slug=lesson.slug)
    draft = None
    if form is None:
        form = PostForm(formdata=None)
        draft = fill_draft(form, draft_name)
    return {
        "course": course,
        "lesson": lesson,
        "posts": services.posts_of(current_user, course, lesson),
        "form": form,
        "draft_name": draft_name,
        "draft": draft,
        "reply_forms": reply_forms or {},
        "hide_forms": hide_forms or {},
        "moderates": can_moderate(current_user, course),
        "mention_help": services.MENTION_HELP,
    }


# The name a draft of a new post is kept under (see ``courseware.drafts.keeping``).
POST_DRAFT = "discussion/{course_slug}/{lesson_slug}"


def _form_page(view_args: dict) -> str:
    """Where the post form is shown: the lesson itself for its learners, else the discussion page
    (which is also where someone whose session ended comes back to, once signed in)."""
    course_slug, lesson_slug = view_args["course_slug"], view_args["lesson_slug"]
    if current_user.is_authenticated:
        course, lesson = _discussion(course_slug, lesson_slug)
        return _back(course, lesson)
    return url_for("discussions.discussion", course_slug=course_slug, lesson_slug=lesson_slug)


@bp.route("/<course_slug>/<lesson_slug>", methods=["GET", "POST"])
@role_required()
@keeps_drafts(POST_DRAFT, PostForm, "body", page=_form_page)
def discussion(course_slug: str, lesson_slug: str):
    """The lesson's discussion; post in it (Markdown, ``@name`` mentions). 404 for anyone who may
    not take part, and for a lesson without an open discussion."""
    course, lesson = _discussion(course_slug, lesson_slug)
    form = PostForm()
    if form.validate_on_submit():
        try:
            post = services.add_post(current_user, course, lesson, form.body.data)
        except Invalid as exc:
            db.session.rollback()
            form.body.errors = [exc.message]
        else:
            db.session.commit()
            flash(_("Your post is in the discussion."), "success")
            return redirect(_back(course, lesson, post))
    return _render(course, lesson, form=form, status=422 if form.errors else 200)


@bp.route("/posts/<id:post_id>/replies", methods=["POST"])
@role_required()
def reply(post_id: int):
    """Reply to a post (replies have no replies of their own)."""
    parent, course, lesson = _post(post_id)
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            post = services.add_post(current_user, course, lesson, form.body.data, parent=parent)
        except Invalid as exc:
            db.session.rollback()
            form.body.errors = [exc.message]
        else:
            db.session.commit()
            flash(_("Your reply is in the discussion."), "success")
            return redirect(_back(course, lesson, post))
    # The text comes back in the reply box under the post, or in the main box when that post no
    # longer takes replies.
    top = parent if parent.parent_id is None else db.session.get(DiscussionPost, parent.parent_id)
    if top is not None and top.deleted_at is None and top.hidden_at is None:
        return _render(course, lesson, reply_forms={top.id: form}, status=422)
    kept = PostForm(formdata=None, data={"body": form.body.data})
    kept.body.errors = list(form.body.errors)
    return _render(course, lesson, form=kept, status=422)


def _own_post(post_id: int) -> tuple[DiscussionPost, Course, Lesson]:
    post, course, lesson = _post(post_id)
    if not can_change_post(current_user, post):
        abort(404)
    return post, course, lesson


@bp.route("/posts/<id:post_id>/edit", methods=["GET", "POST"])
@role_required()
def edit(post_id: int):
    """Change your own post or reply; anyone else's is not found."""
    post, course, lesson = _own_post(post_id)
    form = PostForm(data={"body": post.body})
    if form.validate_on_submit():
        try:
            services.edit_post(post, form.body.data)
        except Invalid as exc:
            db.session.rollback()
            form.body.errors = [exc.message]
        else:
            db.session.commit()
            flash(_("Your post is changed."), "success")
            return redirect(_back(course, lesson, post))
    return render_template(
        "discussions/edit.html", post=post, course=course, lesson=lesson, form=form
    ), 422 if form.errors else 200


@bp.route("/posts/<id:post_id>/delete", methods=["POST"])
@role_required()
def delete(post_id: int):
    """Remove your own post; the discussion keeps a "removed" marker in its place."""
    post, course, lesson = _own_post(post_id)
    services.delete_post(post)
    db.session.commit()
    flash(_("Your post is removed."), "success")
    return redirect(_back(course, lesson, post))


def _moderated_post(post_id: int) -> tuple[DiscussionPost, Course, Lesson]:
    post, course, lesson = _post(post_id)
    if not can_moderate(current_user, course) or post.deleted_at is not None:
        abort(404)
    return post, course, lesson


@bp.route("/posts/<id:post_id>/hide", methods=["POST"])
@role_required()
def hide(post_id: int):
    """A trainer of the course (or an admin) hides a post, saying why; the author is told."""
    post, course, lesson = _moderated_post(post_id)
    form = HideForm()
    if form.validate_on_submit():
        try:
            services.hide_post(post, current_user, form.reason.data)
        except Invalid as exc:
            db.session.rollback()
            form.reason.errors = [exc.message]
        else:
            db.session.commit()
            flash(_("The post is hidden; its author sees your reason."), "success")
            return redirect(_back(course, lesson, post))
    return _render(course, lesson, hide_forms={post.id: form}, status=422)


@bp.route("/posts/<id:post_id>/show", methods=["POST"])
@role_required()
def unhide(post_id: int):
    """A trainer of the course (or an admin) shows a hidden post again."""
    post, course, lesson = _moderated_post(post_id)
    services.unhide_post(post)
    db.session.commit()
    flash(_("The post is shown again."), "success")
    return redirect(_back(course, lesson, post))

"""Threads (``/threads``): comments between a learner and those who may see a piece of their work."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courseware.auth.policies import role_required
from courseware.drafts.keeping import fill_draft, keeps_drafts
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.models import Comment, Course, Lesson, User
from courseware.threads import services
from courseware.threads.forms import CommentForm
from courseware.threads.policies import can_change_comment, can_join_thread, thread_item

bp = Blueprint("threads", __name__)

SUBJECT = "<any(submission, checklist, journal):subject>"
# The names under which drafts of comments are kept (see ``courseware.drafts.keeping``).
COMMENT_DRAFT = "comment/{subject}/{item_id}"
EDIT_DRAFT = "comment-edit/{comment_id}"


def _thread(subject: str, item_id: int):
    thread = thread_item(subject, item_id)
    if thread is None or not can_join_thread(current_user, thread):
        abort(404)
    return thread


def _thread_url(comment: Comment) -> str:
    return url_for(
        "threads.thread", subject=comment.subject, item_id=comment.subject_id, _anchor=f"comment-{comment.id}"
    )


@bp.route(f"/{SUBJECT}/<id:item_id>", methods=["GET", "POST"])
@role_required()
@keeps_drafts(COMMENT_DRAFT, CommentForm, "body")
def thread(subject: str, item_id: int):
    """The item and its comments, oldest first; post a comment (Markdown). 404 for anyone who
    may not see the item."""
    thread = _thread(subject, item_id)
    form = CommentForm()
    status = 200
    if form.validate_on_submit():
        try:
            comment = services.add_comment(current_user, thread, form.body.data)
        except Invalid as exc:
            db.session.rollback()
            form.body.errors = [exc.message]
        else:
            db.session.commit()
            flash(_("Your comment is posted."), "success")
            return redirect(_thread_url(comment))
    if form.errors:
        status = 422
    draft_name = COMMENT_DRAFT.format(subject=subject, item_id=item_id)
    draft = None if form.is_submitted() else fill_draft(form, draft_name)
    lesson = course = None
    if subject != "journal":
        lesson = db.session.get(Lesson, thread.item.lesson_id)
        course = db.session.get(Course, thread.course_id)
    return render_template(
        "threads/thread.html",
        thread=thread,
        learner=db.session.get(User, thread.learner_id),
        lesson=lesson,
        course=course,
        comments=services.comments_of(thread),
        form=form,
        draft=draft,
        draft_name=draft_name,
    ), status


def _own_comment(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None or not can_change_comment(current_user, comment):
        abort(404)
    return comment


@bp.route("/comments/<id:comment_id>/edit", methods=["GET", "POST"])
@role_required()
@keeps_drafts(EDIT_DRAFT, CommentForm, "body")
def edit(comment_id: int):
    """Change your own comment; anyone else's is not found."""
    comment = _own_comment(comment_id)
    form = CommentForm(data={"body": comment.body})
    if form.validate_on_submit():
        try:
            services.edit_comment(comment, form.body.data)
        except Invalid as exc:
            db.session.rollback()
            form.body.errors = [exc.message]
        else:
            db.session.commit()
            flash(_("Your comment is changed."), "success")
            return redirect(_thread_url(comment))
    draft_name = EDIT_DRAFT.format(comment_id=comment_id)
    draft = None if form.is_submitted() else fill_draft(form, draft_name)
    return render_template(
        "threads/edit.html", comment=comment, form=form, draft=draft, draft_name=draft_name
    ), 422 if form.errors else 200


@bp.route("/comments/<id:comment_id>/delete", methods=["POST"])
@role_required()
def delete(comment_id: int):
    """Remove your own comment; the thread keeps a "removed" marker in its place."""
    comment = _own_comment(comment_id)
    services.delete_comment(comment)
    db.session.commit()
    flash(_("Your comment is removed."), "success")
    return redirect(_thread_url(comment))

"""Course cover images: setting one in the editor, and serving it to the course's cards."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from courseware.auth.policies import role_required
from courseware.authoring.policies import AUTHOR_ROLES, can_edit_course
from courseware.core.security import versioned_asset
from courseware.covers import services
from courseware.covers.forms import CoverForm
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.models import Course

bp = Blueprint("covers", __name__)

# The address carries the cover's version, so a browser may keep the image for good.
FOREVER = "private, max-age=31536000, immutable"


def _editable(course_id: int) -> Course:
    course = db.session.get(Course, course_id)
    if course is None or not can_edit_course(current_user, course):
        abort(404)
    return course


@bp.route("/author/courses/<id:course_id>/cover", methods=["GET", "POST"])
@role_required(*AUTHOR_ROLES)
def edit_cover(course_id: int):
    """Show the course's cover and upload a new one (re-encoded from its pixels alone); a file
    that is not an image or is too large is refused beside the field."""
    course = _editable(course_id)
    form = CoverForm()
    if form.validate_on_submit():
        upload = form.cover.data
        try:
            services.set_cover(course, services.uploaded_cover(upload.filename, upload.read()))
        except Invalid as exc:
            db.session.rollback()
            form.cover.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Cover image saved."), "success")
            return redirect(url_for("covers.edit_cover", course_id=course.id))
    cover = services.cover_of(course)
    return render_template("covers/edit.html", course=course, form=form, cover=cover), 422 if form.errors else 200


@bp.route("/author/courses/<id:course_id>/cover/remove", methods=["POST"])
@role_required(*AUTHOR_ROLES)
def remove_cover(course_id: int):
    """Take the cover image away; the course's card falls back to its placeholder."""
    course = _editable(course_id)
    if services.set_cover(course, None):
        db.session.commit()
        flash(_("Cover image removed."), "success")
    return redirect(url_for("covers.edit_cover", course_id=course.id))


@bp.route("/courses/<course_slug>/cover/<id:version>")
@versioned_asset
@role_required()
def cover(course_slug: str, version: int):
    """A course's cover image for anyone signed in (a draft's for its editors only); 404 for any
    version but the current one."""
    course = db.session.scalar(select(Course).where(Course.slug == course_slug))
    if course is None or (course.status == "draft" and not can_edit_course(current_user, course)):
        abort(404)
    found = services.cover_bytes(course, version)
    if found is None:
        abort(404, _("There is no such image."))
    data, content_type = found
    response = make_response(data)
    response.headers["Content-Type"] = content_type
    response.headers["Cache-Control"] = FOREVER
    return response

"""Serving a course's images to the people who may see its lessons."""

from __future__ import annotations

from flask import Blueprint, abort, make_response, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from courseware.auth.policies import role_required
from courseware.core.security import versioned_asset
from courseware.evidence import storage
from courseware.extensions import db
from courseware.images import services
from courseware.images.policies import may_see_images
from courseware.models import Course

bp = Blueprint("images", __name__)

# The address stays the same when an image is replaced, so the browser keeps it privately and
# asks again each time, getting 304 while the ETag (the stored file's id) is the same.
REVALIDATE = "private, no-cache"


@bp.route("/courses/<course_slug>/images/<name>")
@versioned_asset
@role_required()
def image(course_slug: str, name: str):
    """One of the course's images, for whoever may see its lessons; 404 for anyone else and for
    a name the course has no image under."""
    course = db.session.scalar(select(Course).where(Course.slug == course_slug))
    if course is None or not may_see_images(current_user, course):
        abort(404)
    found = services.image_named(course, name)
    data = storage.get(found.stored_file_id) if found is not None else None
    if data is None:
        abort(404, _("There is no such image."))
    response = make_response(data)
    response.headers["Content-Type"] = found.content_type
    response.headers["Cache-Control"] = REVALIDATE
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.set_etag(f"image-{found.stored_file_id}")
    return response.make_conditional(request)

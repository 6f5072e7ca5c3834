"""Course cover images: kept byte for byte from course files, re-encoded when uploaded in the
editor, and served under an address that carries their version (the stored file's id)."""

from __future__ import annotations

import logging

from flask_babel import gettext as _
from sqlalchemy import select

from courseware.content.format import MAX_COVER_BYTES, CoverSpec, image_type
from courseware.evidence import storage
from courseware.evidence.files import clean_upload
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.models import Course, CourseCover

log = logging.getLogger(__name__)

_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}


def cover_of(course: Course) -> CourseCover | None:
    return db.session.get(CourseCover, course.id)


def cover_spec(course: Course) -> CoverSpec | None:
    """The course's cover as the files hold it (file name and bytes), or None."""
    cover = cover_of(course)
    if cover is None:
        return None
    data = storage.get(cover.stored_file_id)
    return None if data is None else CoverSpec(cover.filename, data, cover.content_type)


def cover_versions(course_ids) -> dict[int, int]:
    """{course id: its cover's version} for the courses among ``course_ids`` that have one."""
    ids = list(course_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(CourseCover.course_id, CourseCover.stored_file_id).where(CourseCover.course_id.in_(ids))
    )
    return dict(rows.all())


def set_cover(course: Course, spec: CoverSpec | None) -> bool:
    """Make ``spec`` the course's cover (None removes it); False when nothing changed. Flushes."""
    cover = cover_of(course)
    if spec is None:
        if cover is None:
            return False
        old = cover.stored_file_id
        db.session.delete(cover)
        db.session.flush()
        storage.delete(old)
        log.info("Course %s: cover removed", course.slug)
        return True
    if cover is not None and cover.filename == spec.filename and storage.get(cover.stored_file_id) == spec.data:
        return False
    old = cover.stored_file_id if cover is not None else None
    stored_id = storage.put(spec.data)
    if cover is None:
        cover = CourseCover(course_id=course.id, stored_file_id=stored_id)
        db.session.add(cover)
    cover.stored_file_id = stored_id
    cover.filename, cover.content_type = spec.filename, spec.content_type
    db.session.flush()
    if old is not None:
        storage.delete(old)
    log.info("Course %s: cover set to %s", course.slug, spec.filename)
    return True


def uploaded_cover(filename: str | None, data: bytes | None) -> CoverSpec:
    """An image uploaded in the editor, re-encoded from its pixels alone, as ``cover.<type>``;
    Invalid when it is too large or not a PNG, JPEG or WebP image."""
    shown = (filename or _("the file"))[:120]
    if data is None or len(data) > MAX_COVER_BYTES:
        raise Invalid(
            _(
                "“%(name)s” is larger than %(size)d MB; send a smaller image.",
                name=shown,
                size=MAX_COVER_BYTES // (1024 * 1024),
            ),
            "cover",
        )
    try:
        clean = clean_upload(filename, data)
    except Invalid:
        clean = None
    if clean is None or clean.kind != "image" or image_type(clean.data) is None:
        raise Invalid(_("“%(name)s” is not a PNG, JPEG or WebP image, so it cannot be the cover.", name=shown), "cover")
    return CoverSpec(f"cover.{_EXTENSIONS[clean.content_type]}", clean.data, clean.content_type)


def cover_bytes(course: Course, version: int) -> tuple[bytes, str] | None:
    """The cover's bytes and type when ``version`` is its current one, else None."""
    cover = cover_of(course)
    if cover is None or cover.stored_file_id != version:
        return None
    data = storage.get(version)
    return None if data is None else (data, cover.content_type)

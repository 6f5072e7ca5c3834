"""A course's images: kept byte for byte from course files, re-encoded when uploaded in the
editor, served under ``/courses/<slug>/images/<name>`` with their version (the stored file's id)
as the ETag."""

from __future__ import annotations

import logging
import re

from flask_babel import gettext as _
from sqlalchemy import select

from courseware.content.format import MAX_IMAGE_BYTES, MAX_IMAGES, ImageSpec, image_type
from courseware.evidence import storage
from courseware.evidence.files import clean_upload, sniff
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.models import Course, CourseImage

log = logging.getLogger(__name__)

_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}


def markdown_line(image: CourseImage | ImageSpec) -> str:
    """The Markdown that shows the image in a lesson, with alt text to replace."""
    return "![{}](images/{})".format(_("Describe the image"), image.name)


def images_of(course: Course) -> list[CourseImage]:
    return list(
        db.session.scalars(select(CourseImage).where(CourseImage.course_id == course.id).order_by(CourseImage.name))
    )


def image_specs(course: Course) -> list[ImageSpec]:
    """The course's images as the files hold them, by name."""
    specs = []
    for image in images_of(course):
        data = storage.get(image.stored_file_id)
        if data is not None:
            specs.append(ImageSpec(image.name, data, image.content_type))
    return specs


def _store(course: Course, spec: ImageSpec, image: CourseImage | None) -> CourseImage:
    old = image.stored_file_id if image is not None else None
    stored_id = storage.put(spec.data)
    if image is None:
        image = CourseImage(course_id=course.id, name=spec.name, stored_file_id=stored_id)
        db.session.add(image)
    image.stored_file_id, image.content_type = stored_id, spec.content_type
    db.session.flush()
    if old is not None:
        storage.delete(old)
    return image


def set_images(course: Course, specs: list[ImageSpec]) -> int:
    """Make ``specs`` the course's images (as the images/ folder of its files); how many were
    added, replaced or removed. Flushes."""
    current = {image.name: image for image in images_of(course)}
    changed = 0
    for spec in specs:
        image = current.pop(spec.name, None)
        if image is not None and storage.get(image.stored_file_id) == spec.data:
            continue
        _store(course, spec, image)
        changed += 1
    for image in current.values():
        old = image.stored_file_id
        db.session.delete(image)
        db.session.flush()
        storage.delete(old)
        changed += 1
    if changed:
        log.info("Course %s: %s image(s) changed", course.slug, changed)
    return changed


def _free_name(course: Course, stem: str, extension: str) -> str:
    taken = {image.name for image in images_of(course)}
    name = f"{stem}.{extension}"
    number = 2
    while name in taken:
        name = f"{stem}-{number}.{extension}"
        number += 1
    return name


def add_uploaded_image(course: Course, filename: str | None, data: bytes | None) -> CourseImage:
    """An image uploaded in the editor, re-encoded from its pixels alone, added to the course
    under a plain name made from the file's (never replacing another image); Invalid when it is
    too large, not a PNG, JPEG or WebP image, or the course has as many images as it may."""
    shown = (filename or _("the file"))[:120]
    too_large = _(
        "“%(name)s” is larger than %(mb)d MB; send a smaller image.", name=shown, mb=MAX_IMAGE_BYTES // (1024 * 1024)
    )
    not_image = _("“%(name)s” is not a PNG, JPEG or WebP image.", name=shown)
    if data is None or len(data) > MAX_IMAGE_BYTES:
        raise Invalid(too_large, "image")
    if sniff(data[:16]) not in ("PNG", "JPEG", "WEBP"):
        raise Invalid(not_image, "image")
    try:
        clean = clean_upload(filename, data)
    except Invalid as exc:  # damaged, or too many pixels to open safely
        raise Invalid(exc.message, "image") from None
    if image_type(clean.data) is None:
        raise Invalid(not_image, "image")
    if len(clean.data) > MAX_IMAGE_BYTES:
        raise Invalid(too_large, "image")
    if len(images_of(course)) >= MAX_IMAGES:
        raise Invalid(_("The course already has %(most)d images, as many as it may.", most=MAX_IMAGES), "image")
    stem = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0].lower()
    stem = re.sub(r"[^a-z0-9]+", "-", stem).strip("-")[:60] or "image"
    name = _free_name(course, stem, _EXTENSIONS[clean.content_type])
    image = _store(course, ImageSpec(name, clean.data, clean.content_type), None)
    log.info("Course %s: image %s uploaded", course.slug, name)
    return image


def image_named(course: Course, name: str) -> CourseImage | None:
    return db.session.scalar(select(CourseImage).where(CourseImage.course_id == course.id, CourseImage.name == name))

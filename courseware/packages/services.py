"""SCORM packages as lessons: keeping a package's files, making one lesson per SCO, and saving
what a SCO commits as the learner's runtime state and progress.

Services flush and never commit; the view or CLI command that calls them commits once, so that a
refused package leaves nothing behind.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import mimetypes
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from courseware.content.format import ACTIVITY_FIELDS, package_name_problem
from courseware.db import utcnow
from courseware.evidence import storage
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.models import Course, Lesson, LessonRevision, Module, Package, PackageFile, ScormState, User
from courseware.packages.archive import OpenedPackage, open_package
from courseware.packages.manifests import InvalidPackage, PackageManifest, Problem
from courseware.progress import rules
from courseware.progress.services import record_event

log = logging.getLogger(__name__)

PACKAGE = "package"
# Types the browser must be told for a package to work; the rest come from ``mimetypes``.
CONTENT_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
    ".vtt": "text/vtt",
    ".xml": "application/xml",
    ".xsd": "application/xml",
}
MAX_SUSPEND_DATA = 64_000  # SCORM 2004's limit (1.2 allows 4,096)
MAX_LOCATION = 1000


def content_type(path: str) -> str:
    suffix = "." + path.rsplit(".", 1)[-1].lower() if "." in path else ""
    found = CONTENT_TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"
    if found.startswith("text/") or found in ("application/xml", "application/json", "image/svg+xml"):
        found += "; charset=utf-8"
    return found


def read_package(data: bytes, filename: str) -> OpenedPackage:
    """Open an uploaded SCORM zip; :class:`InvalidPackage` or ``UnsafeZip`` say what is wrong."""
    problem = package_name_problem(filename)
    if problem is not None:
        raise InvalidPackage([Problem(filename or "the upload", "", problem)])
    return open_package(data, filename)


def manifest_json(manifest: PackageManifest) -> dict:
    return dataclasses.asdict(manifest)


def package_of(course_id: int, filename: str) -> Package | None:
    return db.session.scalar(select(Package).where(Package.course_id == course_id, Package.filename == filename))


def store_package(course: Course, filename: str, data: bytes, opened: OpenedPackage) -> tuple[Package, bool]:
    """Keep the package ``filename`` of ``course``: its upload, manifest and files. A new version
    of a known package replaces its files. Returns the package and whether anything changed."""
    sha = hashlib.sha256(data).hexdigest()
    package = package_of(course.id, filename)
    if package is not None and package.sha256 == sha:
        return package, False
    manifest = opened.manifest
    upload_id = storage.put(data)
    stored = {path: storage.put(contents) for path, contents in opened.files.items()}
    if package is None:
        package = Package(course_id=course.id, filename=filename, created_at=utcnow(), stored_file_id=upload_id)
        db.session.add(package)
    else:
        old = [package.stored_file_id, *(file.stored_file_id for file in package.files)]
        package.files.clear()
        package.stored_file_id = upload_id
        db.session.flush()
        for stored_id in old:
            storage.delete(stored_id)
    package.format, package.identifier = manifest.format, manifest.identifier[:500]
    package.title, package.sha256 = manifest.title[:500], sha
    package.manifest, package.updated_at = manifest_json(manifest), utcnow()
    for path, contents in opened.files.items():
        package.files.append(
            PackageFile(path=path, stored_file_id=stored[path], content_type=content_type(path), size=len(contents))
        )
    db.session.flush()
    log.info("Package %s of course %s stored (%s, %s files)", filename, course.slug, manifest.format, len(opened.files))
    return package, True


def check_units(filename: str, opened: OpenedPackage, units: list[tuple[str, str]]) -> list[Problem]:
    """Problems with ``units`` (where, unit identifier) that the package does not have."""
    known = {unit.identifier for unit in opened.manifest.units}
    return [
        Problem(
            where,
            "activity 'package'",
            _(
                "the package %(file)s has no item '%(unit)s' (it has: %(known)s)",
                file=filename,
                unit=unit,
                known=", ".join(sorted(known)),
            ),
        )
        for where, unit in units
        if unit not in known
    ]


# --- uploading in the editor ---------------------------------------------------------------------


@dataclass
class PackageImport:
    package: Package
    created: list[Lesson] = field(default_factory=list)
    revised: list[Lesson] = field(default_factory=list)
    unchanged: bool = False

    def summary(self) -> str:
        if self.unchanged:
            return _("%(file)s is the same as the one already imported; nothing changed.", file=self.package.filename)
        parts = []
        if self.created:
            parts.append(ngettext("%(num)d new lesson", "%(num)d new lessons", len(self.created)))
        if self.revised:
            parts.append(ngettext("%(num)d lesson revised", "%(num)d lessons revised", len(self.revised)))
        if not parts:
            return _("Imported %(file)s: no lessons.", file=self.package.filename)
        return _("Imported %(file)s: %(lessons)s.", file=self.package.filename, lessons=", ".join(parts))


def lessons_playing(course_id: int, filename: str) -> dict[str, Lesson]:
    """The course's lessons whose newest revision plays a unit of the package ``filename``, by unit."""
    found: dict[str, Lesson] = {}
    lessons = db.session.scalars(select(Lesson).where(Lesson.course_id == course_id)).all()
    for lesson in lessons:
        revision = db.session.scalar(
            select(LessonRevision)
            .where(LessonRevision.lesson_id == lesson.id)
            .order_by(LessonRevision.number.desc())
            .limit(1)
        )
        for activity in revision.activities if revision is not None else []:
            if activity["type"] == PACKAGE and activity["file"] == filename:
                found.setdefault(activity["unit"], lesson)
    return found


def package_activity(filename: str, unit: str) -> dict:
    activity = {"key": "package-1", "type": PACKAGE, "file": filename, "unit": unit}
    assert tuple(activity)[2:] == ACTIVITY_FIELDS[PACKAGE]
    return activity


def import_package(
    course: Course,
    data: bytes,
    filename: str,
    author: User,
    *,
    module: Module | None = None,
    new_module_title: str | None = None,
) -> PackageImport:
    """Import an uploaded SCORM zip into ``course``: one published lesson per SCO, added to
    ``module`` (or a new module called ``new_module_title``). A new version of a package the course
    has (the same file name) makes a new revision of each lesson playing one of its units, matched
    by the unit's identifier; new units become new lessons.

    Raises :class:`InvalidPackage` or ``UnsafeZip`` (naming the file and element), or
    :class:`Invalid`, before anything is written.
    """
    from courseware.authoring import services as authoring
    from courseware.content.services import create_revision

    opened = read_package(data, filename)
    if module is None and not (new_module_title or "").strip():
        raise Invalid(_("Choose a module for the package's lessons, or name a new one."), field="module")
    existing = lessons_playing(course.id, filename)
    package, changed = store_package(course, filename, data, opened)
    result = PackageImport(package)
    if not changed:
        result.unchanged = True
        return result
    if module is None:
        module = authoring.add_module(course, title=new_module_title.strip())
    for unit in opened.manifest.units:
        title = unit.title[:200] or unit.identifier[:200]
        activities = [package_activity(filename, unit.identifier)]
        lesson = existing.get(unit.identifier)
        if lesson is None:
            lesson = _new_lesson(module, title, authoring)
            result.created.append(lesson)
        else:
            result.revised.append(lesson)
        create_revision(
            lesson,
            title=title,
            minutes=15,
            body=unit.description or "",
            activities=activities,
            author=author,
            source="package",
        )
    db.session.flush()
    log.info("Package %s imported into course %s by user %s: %s", filename, course.slug, author.id, result.summary())
    return result


def _new_lesson(module: Module, title: str, authoring) -> Lesson:
    """A new lesson at the end of ``module``, its slug made from ``title``."""
    taken = set(db.session.scalars(select(Lesson.slug).where(Lesson.course_id == module.course_id)))
    position = db.session.scalar(select(func.max(Lesson.position)).where(Lesson.module_id == module.id))
    lesson = Lesson(
        course_id=module.course_id,
        module_id=module.id,
        slug=authoring.unique_slug(authoring.slugify(title, "lesson"), taken),
        position=(position or 0) + 1,
    )
    db.session.add(lesson)
    db.session.flush()
    return lesson


# --- playing --------------------------------------------------------------------------------------


def find_package_activity(lesson) -> dict | None:
    revision = lesson.published_revision
    for activity in revision.activities if revision is not None else []:
        if activity["type"] == PACKAGE:
            return activity
    return None


def package_for(course_id: int, activity: dict) -> tuple[Package, dict] | None:
    """The package and unit a lesson's package activity plays, or None when it is missing."""
    package = package_of(course_id, activity["file"])
    unit = package.unit(activity["unit"]) if package is not None else None
    return (package, unit) if unit is not None else None


def package_file(package: Package, path: str) -> tuple[bytes, str] | None:
    found = db.session.get(PackageFile, (package.id, path))
    if found is None:
        return None
    data = storage.get(found.stored_file_id)
    return (data, found.content_type) if data is not None else None


def runtime_state(user: User, lesson_id: int) -> ScormState | None:
    return db.session.scalar(select(ScormState).where(ScormState.user_id == user.id, ScormState.lesson_id == lesson_id))


@dataclass(frozen=True)
class Commit:
    """What Courseware reads of the CMI data a SCO committed (flattened: ``cmi.core.lesson_status``)."""

    location: str
    suspend_data: str
    completion_status: str | None
    success_status: str | None
    score: float | None


def _number(value) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def read_commit(format: str, cmi: dict) -> Commit:
    """The statuses, score, location and suspend data in ``cmi``, as SCORM 1.2 or 2004 name them.

    SCORM 1.2 has one status: ``passed`` and ``failed`` say success (and, for passed, completion);
    a score is the raw score over its range. SCORM 2004 says completion and success apart, with a
    scaled score.
    """

    def text(key: str) -> str:
        value = cmi.get(key)
        return value if isinstance(value, str) else ""

    if format == "scorm12":
        status = text("cmi.core.lesson_status")
        raw, low, high = (_number(cmi.get(f"cmi.core.score.{part}")) for part in ("raw", "min", "max"))
        score = None
        if raw is not None:
            low = low if low is not None else 0.0
            high = high if high is not None else 100.0
            score = (raw - low) / (high - low) if high > low else None
        return Commit(
            location=text("cmi.core.lesson_location"),
            suspend_data=text("cmi.suspend_data"),
            completion_status="completed" if status in ("completed", "passed") else (status or None),
            success_status=status if status in ("passed", "failed") else None,
            score=score,
        )
    return Commit(
        location=text("cmi.location"),
        suspend_data=text("cmi.suspend_data"),
        completion_status=text("cmi.completion_status") or None,
        success_status=text("cmi.success_status") if text("cmi.success_status") in ("passed", "failed") else None,
        score=_number(cmi.get("cmi.score.scaled")),
    )


def save_commit(user: User, lesson, course_id: int, package: Package, activity: dict, cmi: dict) -> ScormState:
    """Save what the learner's SCO committed as their runtime state in ``lesson``, and record
    what changed for their progress: ``completed`` when the SCO says it is complete (SCORM 1.2:
    completed or passed), ``passed`` or ``failed`` with the score when it says so.

    Refuses (:class:`Invalid`) CMI data that is not a flat mapping of text, or too long, and
    (NotAllowed) a learner not enrolled or a lesson not open to them yet.
    """
    from courseware.learn.activities import begin_lesson_step

    if not isinstance(cmi, dict) or not all(isinstance(k, str) for k in cmi):
        raise Invalid(_("The commit must be the CMI data as a JSON object."))
    cmi = {key: value for key, value in cmi.items() if isinstance(value, str | int | float | bool) or value is None}
    commit = read_commit(package.format, cmi)
    if len(commit.suspend_data) > MAX_SUSPEND_DATA or len(commit.location) > MAX_LOCATION:
        raise Invalid(_("The suspend data or location is longer than SCORM allows."))
    begin_lesson_step(user, lesson)
    state = runtime_state(user, lesson.id)
    if state is None:
        state = ScormState(user_id=user.id, lesson_id=lesson.id)
        db.session.add(state)
    was_complete = state.completion_status == "completed"
    was_success, was_score = state.success_status, state.score
    state.cmi, state.suspend_data, state.lesson_location = cmi, commit.suspend_data, commit.location
    state.completion_status, state.success_status = commit.completion_status, commit.success_status
    state.score, state.updated_at = commit.score, utcnow()
    db.session.flush()
    score = round(commit.score, 4) if commit.score is not None else None
    key, detail = activity["key"], {"package": package.filename}
    if commit.success_status and (commit.success_status != was_success or score != was_score):
        verb = rules.PASSED if commit.success_status == "passed" else rules.FAILED
        record_event(
            user,
            verb,
            lesson=lesson,
            course_id=course_id,
            activity_key=key,
            score=score,
            success=verb == rules.PASSED,
            detail=detail,
        )
    if commit.completion_status == "completed" and not was_complete:
        record_event(
            user, rules.COMPLETED, lesson=lesson, course_id=course_id, activity_key=key, score=score, detail=detail
        )
    return state

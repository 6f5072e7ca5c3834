"""Courses in the database from lesson files and back: import, export, revisions, outline.

Services flush and never commit; the CLI command or view that calls them commits once.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from courseware.content import translations
from courseware.content.format import (
    COURSE_FILE,
    IMAGES_FOLDER,
    CourseSpec,
    InvalidLessonFile,
    LessonSpec,
    ModuleSpec,
    Problem,
    dump_course_yaml,
    dump_lesson,
    dump_translation,
    find_courses,
    lesson_file_name,
    parse_lesson_text,
    translation_file_name,
)
from courseware.content.render import image_base, render_markdown
from courseware.covers import services as covers
from courseware.db import dialect_insert, utcnow
from courseware.exceptions import Invalid
from courseware.extensions import db
from courseware.images import services as images
from courseware.models import Course, Lesson, LessonRevision, Module, User

log = logging.getLogger(__name__)


@dataclass
class ImportResult:
    """What an import did: the courses it touched and what happened to their lessons."""

    courses: list[Course] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    archived: int = 0

    def counts(self) -> str:
        return ngettext(
            "%(num)d new lesson, %(updated)d changed, %(unchanged)d unchanged, %(archived)d archived",
            "%(num)d new lessons, %(updated)d changed, %(unchanged)d unchanged, %(archived)d archived",
            self.created,
            updated=self.updated,
            unchanged=self.unchanged,
            archived=self.archived,
        )

    def summary(self) -> str:
        return ngettext(
            "Imported %(num)d course: %(counts)s.",
            "Imported %(num)d courses: %(counts)s.",
            len(self.courses),
            counts=self.counts(),
        )


@dataclass
class OutlineModule:
    """A module and its lessons in order, each lesson with its published revision loaded."""

    module: Module
    lessons: list[Lesson]


def content_hash(lesson: LessonSpec) -> str:
    """The SHA-256 of the lesson's canonical file: equal hashes mean equal content."""
    return hashlib.sha256(dump_lesson(lesson).encode("utf-8")).hexdigest()


def lock_lesson(lesson: Lesson) -> None:
    """Hold the lesson's row until the transaction ends, so that its next revision number and the
    check against the newest revision are decided by one writer at a time."""
    db.session.execute(select(Lesson.id).where(Lesson.id == lesson.id).with_for_update())


def _course_slug(lesson: Lesson) -> str:
    return db.session.scalar(select(Course.slug).where(Course.id == lesson.course_id))


def create_revision(
    lesson: Lesson,
    *,
    title: str,
    minutes: int,
    body: str,
    activities: list[dict[str, Any]],
    author: User | None,
    source: str,
    publish: bool = True,
    discussion: bool | None = None,
) -> LessonRevision:
    """Add the next revision of ``lesson`` and, unless ``publish`` is false, publish it.

    The content is checked by writing it in the file format and reading it back, so a revision
    always holds exactly what a lesson file can (activities normalised, each with its key);
    anything else raises :class:`~courseware.content.format.InvalidLessonFile` (or
    :class:`Invalid` when the activities are not even shaped like the format's).
    """
    if lesson.id is None:
        db.session.flush()
    label = f"lesson {lesson.slug}"
    try:
        text = dump_lesson(
            LessonSpec(
                slug=lesson.slug,
                title=title,
                minutes=minutes,
                body=body,
                activities=list(activities),
                discussion=discussion,
            )
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise Invalid(
            _("%(label)s: the activities are not in the lesson format (%(error)s)", label=label, error=repr(error))
        ) from error
    spec = parse_lesson_text(text, slug=lesson.slug, source_path=label)
    lock_lesson(lesson)
    number = db.session.scalar(select(func.max(LessonRevision.number)).where(LessonRevision.lesson_id == lesson.id))
    revision = LessonRevision(
        lesson_id=lesson.id,
        number=(number or 0) + 1,
        title=spec.title,
        minutes=spec.minutes,
        body=spec.body,
        activities=spec.activities,
        discussion=spec.discussion,
        content_hash=content_hash(spec),
        # Rendered now, so that it is committed with the revision and GET requests only read it.
        body_html=str(render_markdown(spec.body, image_base(_course_slug(lesson)))),
        author_id=author.id if author is not None else None,
        source=source,
    )
    db.session.add(revision)
    db.session.flush()
    if publish:
        lesson.published_revision = revision
        db.session.flush()
    log.info("Lesson %s: revision %s (%s)%s", lesson.slug, revision.number, source, " published" if publish else "")
    return revision


def import_courses(
    path: str | Path, *, author: User | None = None, echo: Callable[[str], None] | None = None
) -> ImportResult:
    """Create or update every course found at ``path`` (a course folder or a folder of them).

    Every file is read and checked first; any problem raises :class:`InvalidLessonFile`
    (listing all of them) before the database is touched. Then courses, modules and lessons are
    matched by slug: unchanged lessons get no new revision, lessons and modules gone from the
    files are archived (never deleted), and lessons that come back are restored.
    """
    return import_specs(find_courses(path), author=author, echo=echo)


def import_specs(
    specs: list[CourseSpec], *, author: User | None = None, echo: Callable[[str], None] | None = None
) -> ImportResult:
    """Create or update the courses ``specs`` describes, already read and checked, as :func:`import_courses`."""
    result = ImportResult()
    opened = open_packages(specs)
    for spec in specs:
        course, counts = _import_course(spec, author, opened)
        result.courses.append(course)
        for name, count in counts.items():
            setattr(result, name, getattr(result, name) + count)
        line = f"Imported {spec.slug}: {ImportResult(**counts).counts()}"
        log.info(line)
        if echo is not None:
            echo(line)
    return result


def open_packages(specs: list[CourseSpec]) -> dict[tuple[str, str], Any]:
    """Every package the courses' lessons play, opened and checked, by (course slug, file name):
    the zip must be a SCORM package this site opens, and hold each unit a lesson names. Every
    problem is raised together in one :class:`InvalidLessonFile` before anything is written."""
    from courseware.packages.archive import UnsafeZip
    from courseware.packages.manifests import InvalidPackage
    from courseware.packages.services import check_units, read_package

    opened: dict[tuple[str, str], Any] = {}
    problems: list[Problem] = []
    for spec in specs:
        folders: dict[str, str] = {}
        for module in spec.modules:
            for name, data in module.packages.items():
                where = f"{spec.slug}/{module.slug}/{name}"
                if name in folders:
                    problems.append(
                        Problem(where, None, f"another package named {name} is in {folders[name]}/: rename one of them")
                    )
                    continue
                folders[name] = f"{spec.slug}/{module.slug}"
                try:
                    package = read_package(data, name)
                except InvalidPackage as exc:
                    problems.extend(Problem(where, None, str(problem)) for problem in exc.problems)
                    continue
                except UnsafeZip as exc:
                    problems.append(Problem(where, None, exc.message))
                    continue
                opened[(spec.slug, name)] = package
                units = [
                    (lesson.source_path or lesson.slug, activity["unit"])
                    for lesson in module.lessons
                    for activity in lesson.activities
                    if activity["type"] == "package" and activity["file"] == name
                ]
                problems.extend(
                    Problem(problem.file, None, f"{problem.element}: {problem.message}")
                    for problem in check_units(name, package, units)
                )
    if problems:
        raise InvalidLessonFile(problems)
    return opened


def _import_course(spec: CourseSpec, author: User | None, opened: dict) -> tuple[Course, dict[str, int]]:
    from courseware.packages.services import store_package

    counts = {"created": 0, "updated": 0, "unchanged": 0, "archived": 0}
    now = utcnow()
    course = _locked_course(spec, author)
    course.title, course.summary, course.status = spec.title, spec.summary, "published"
    course.discussion = spec.discussion
    course.language = spec.language
    translations.set_course_translations(course, spec.translations)
    db.session.flush()
    covers.set_cover(course, spec.cover)
    images.set_images(course, spec.images)

    modules = {
        module.slug: module for module in db.session.scalars(select(Module).where(Module.course_id == course.id))
    }
    lessons = {
        lesson.slug: lesson
        for lesson in db.session.scalars(
            select(Lesson).where(Lesson.course_id == course.id).options(selectinload(Lesson.published_revision))
        )
    }
    for module_position, module_spec in enumerate(spec.modules, start=1):
        module = modules.get(module_spec.slug)
        if module is None:
            module = modules[module_spec.slug] = Module(course_id=course.id, slug=module_spec.slug)
            db.session.add(module)
        module.title, module.position, module.optional = module_spec.title, module_position, module_spec.optional
        module.archived_at = None
    db.session.flush()
    listed_modules = {module.slug for module in spec.modules}
    for module in modules.values():
        if module.slug not in listed_modules and module.archived_at is None:
            module.archived_at = now

    new_packages = set()
    for module_spec in spec.modules:
        for name, data in module_spec.packages.items():
            if store_package(course, name, data, opened[(spec.slug, name)])[1]:
                new_packages.add(name)
    for module_spec in spec.modules:
        module = modules[module_spec.slug]
        for position, lesson_spec in enumerate(module_spec.lessons, start=1):
            lesson = lessons.get(lesson_spec.slug)
            # A new version of the package a lesson plays is a new revision of the lesson.
            new_package = any(activity.get("file") in new_packages for activity in lesson_spec.activities)
            if lesson is None:
                lesson = Lesson(course_id=course.id, module_id=module.id, slug=lesson_spec.slug, position=position)
                db.session.add(lesson)
                _publish_if_changed(lesson, lesson_spec, author)
                translations.import_translations(lesson, lesson_spec, author)
                counts["created"] += 1
                continue
            changed = lesson.module_id != module.id or lesson.position != position or lesson.archived_at is not None
            lesson.module_id, lesson.position, lesson.archived_at = module.id, position, None
            changed = _publish_if_changed(lesson, lesson_spec, author, force=new_package) or changed
            translations.import_translations(lesson, lesson_spec, author)
            counts["updated" if changed else "unchanged"] += 1
    listed_lessons = {lesson.slug for lesson in spec.lessons}
    for lesson in lessons.values():
        if lesson.slug not in listed_lessons and lesson.archived_at is None:
            lesson.archived_at = now
            counts["archived"] += 1
    db.session.flush()
    return course, counts


def _locked_course(spec: CourseSpec, author: User | None) -> Course:
    """The course with ``spec``'s slug, created if there is none, its row held until the
    transaction ends: two imports of one course (even a new one) take turns, the second seeing
    what the first wrote."""
    insert = dialect_insert(db.session)(Course).values(
        slug=spec.slug,
        title=spec.title,
        summary=spec.summary,
        status="published",
        owner_id=author.id if author is not None else None,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    db.session.execute(insert.on_conflict_do_nothing(index_elements=[Course.slug]))
    return db.session.scalars(
        select(Course).where(Course.slug == spec.slug).with_for_update().execution_options(populate_existing=True)
    ).one()


def _publish_if_changed(lesson: Lesson, spec: LessonSpec, author: User | None, *, force: bool = False) -> bool:
    published = lesson.published_revision
    if not force and published is not None and published.content_hash == content_hash(spec):
        return False
    create_revision(
        lesson,
        title=spec.title,
        minutes=spec.minutes,
        body=spec.body,
        activities=spec.activities,
        author=author,
        source="file",
        discussion=spec.discussion,
    )
    return True


def course_outline(course: Course) -> list[OutlineModule]:
    """The course's modules in order, each with its lessons in order (archived ones left out).

    Lessons without a published revision are left out too. Two queries, whatever the size.
    """
    modules = db.session.scalars(
        select(Module)
        .where(Module.course_id == course.id, Module.archived_at.is_(None))
        .order_by(Module.position, Module.id)
    ).all()
    outline = {module.id: OutlineModule(module, []) for module in modules}
    lessons = db.session.scalars(
        select(Lesson)
        .where(
            Lesson.course_id == course.id,
            Lesson.archived_at.is_(None),
            Lesson.published_revision_id.is_not(None),
            Lesson.module_id.in_(outline),
        )
        .options(joinedload(Lesson.published_revision))
        .order_by(Lesson.position, Lesson.id)
    ).all()
    for lesson in lessons:
        outline[lesson.module_id].lessons.append(lesson)
    return list(outline.values())


def course_spec(course: Course) -> CourseSpec:
    """The course as the files describe it: its live modules and lessons, published revisions."""
    modules = []
    for entry in course_outline(course):
        lessons = []
        for lesson in entry.lessons:
            revision = lesson.published_revision
            lessons.append(
                LessonSpec(
                    slug=lesson.slug,
                    title=revision.title,
                    minutes=revision.minutes,
                    body=revision.body,
                    activities=revision.activities,
                    discussion=revision.discussion,
                    translations={
                        language: translations.translation_spec(lesson, translation)
                        for language, translation in translations.lesson_translations(lesson).items()
                    },
                )
            )
        module = ModuleSpec(entry.module.slug, entry.module.title, entry.module.optional, lessons)
        module.packages = _package_uploads(course, lessons)
        modules.append(module)
    return CourseSpec(
        slug=course.slug,
        title=course.title,
        summary=course.summary,
        modules=modules,
        discussion=course.discussion,
        cover=covers.cover_spec(course),
        images=images.image_specs(course),
        language=translations.course_language(course),
        translations=translations.course_translations(course),
    )


def _package_uploads(course: Course, lessons: list[LessonSpec]) -> dict[str, bytes]:
    """The uploads, byte for byte, of the packages ``lessons`` play."""
    from courseware.evidence import storage
    from courseware.packages.services import package_of

    uploads: dict[str, bytes] = {}
    for lesson in lessons:
        for activity in lesson.activities:
            if activity["type"] == "package" and activity["file"] not in uploads:
                package = package_of(course.id, activity["file"])
                data = storage.get(package.stored_file_id) if package is not None else None
                if data is not None:
                    uploads[activity["file"]] = data
    return uploads


def _write(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def export_course(course: Course, dest_dir: str | Path, *, replace: bool = False) -> Path:
    """Write the course as files into ``dest_dir/<slug>/`` in canonical form; return that folder.

    Refuses (:class:`Invalid`) to write into a non-empty folder unless ``replace`` is true, in
    which case the folder is emptied first.
    """
    folder = Path(dest_dir) / course.slug
    if folder.exists() and any(folder.iterdir()):
        if not replace:
            raise Invalid(
                _("%(folder)s already exists and is not empty; export elsewhere or replace it", folder=folder)
            )
        shutil.rmtree(folder)
    spec = course_spec(course)
    folder.mkdir(parents=True, exist_ok=True)
    _write(folder / COURSE_FILE, dump_course_yaml(spec))
    if spec.cover is not None:
        (folder / spec.cover.filename).write_bytes(spec.cover.data)
    if spec.images:
        (folder / IMAGES_FOLDER).mkdir()
        for image in spec.images:
            (folder / IMAGES_FOLDER / image.name).write_bytes(image.data)
    for module in spec.modules:
        module_folder = folder / module.slug
        module_folder.mkdir()
        for position, lesson in enumerate(module.lessons, start=1):
            _write(module_folder / lesson_file_name(position, lesson.slug), dump_lesson(lesson))
            for language, translation in lesson.translations.items():
                _write(
                    module_folder / translation_file_name(position, lesson.slug, language),
                    dump_translation(lesson, translation),
                )
        for name, data in module.packages.items():
            (module_folder / name).write_bytes(data)
    log.info("Exported course %s to %s", course.slug, folder)
    return folder


def export_courses(dest: str | Path, *, replace: bool = False) -> list[Path]:
    """Export every course that is not archived into ``dest``; return the course folders."""
    courses = db.session.scalars(select(Course).where(Course.status != "archived").order_by(Course.slug)).all()
    return [export_course(course, dest, replace=replace) for course in courses]

"""Courses as zip files in the ``lessons/`` format: download one, upload some.

A zip is read defensively: it must be a real zip, small enough, with a bounded number of
entries, no absolute or ``..`` paths, no links, no encryption, names any file system takes
(no control characters, no name over 255 bytes, not too deep), and no entry that inflates
beyond its limit (sizes are counted while reading, not taken from the headers). Only then
is it unpacked into a temporary folder and imported exactly as ``flask lessons import``
would, with the same checks and messages.

The temporary folder is named after the process that made it, so that what a process killed
mid-import leaves behind is recognised and removed by the next import on the same machine.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import stat
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.utils import secure_filename

from courseware.content.format import COURSE_FILE, ImportBudget, InvalidLessonFile, find_courses
from courseware.content.services import ImportResult, export_course, import_specs
from courseware.exceptions import Invalid, NotAllowed
from courseware.extensions import db
from courseware.i18n import lazy_gettext as _l
from courseware.models import Course, User

log = logging.getLogger(__name__)

MAX_ENTRIES = 1000
MAX_ENTRY_BYTES = 2 * 1024 * 1024
MAX_TOTAL_BYTES = 20 * 1024 * 1024
MAX_NAME_BYTES = 255  # one folder or file name, as most file systems allow
MAX_PATH_BYTES = 1024
MAX_DEPTH = 16
_CHUNK = 64 * 1024
_WORK_PREFIXES = ("courseware-import-", "courseware-export-", "courseware-package-")


class UnsafeZip(Invalid):
    """The upload is not a zip this site will open; the message says why."""


@dataclass(frozen=True)
class ZipLimits:
    """What one zip may hold, and the words that say what it should be."""

    entries: int
    entry_bytes: int
    total_bytes: int
    depth: int = MAX_DEPTH
    what: str = _l("a course needs only <course>/<module>/<lesson>.md")
    not_zip: str = _l("Upload a .zip made from a course folder (as Download gives).")


def course_limits() -> ZipLimits:
    return ZipLimits(MAX_ENTRIES, MAX_ENTRY_BYTES, MAX_TOTAL_BYTES, MAX_DEPTH)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, and someone else's
        return True
    except (OverflowError, OSError):
        return False
    return True


def remove_leftover_folders() -> None:
    """Remove the temporary folders of imports and exports whose process no longer runs.

    Only folders of this account named ``courseware-(import|export)-<pid>-...`` are touched.
    """
    base = Path(tempfile.gettempdir())
    for prefix in _WORK_PREFIXES:
        for path in base.glob(f"{prefix}*-*"):
            pid = path.name.removeprefix(prefix).split("-", 1)[0]
            if not (pid.isascii() and pid.isdigit()) or int(pid) <= 0 or _process_alive(int(pid)):
                continue
            try:
                if path.is_symlink() or not path.is_dir() or path.stat().st_uid != os.getuid():
                    continue
            except OSError:
                continue
            shutil.rmtree(path, ignore_errors=True)
            log.info("removed %s, left by process %s", path, pid)


def work_folder(prefix: str) -> tempfile.TemporaryDirectory:
    """A temporary folder named after this process, removed on leaving the ``with`` block."""
    remove_leftover_folders()
    return tempfile.TemporaryDirectory(prefix=f"{prefix}{os.getpid()}-")


def course_zip(course: Course) -> tuple[str, bytes]:
    """The course's published lessons as a zip of ``<slug>/course.yaml`` and its module folders."""
    with work_folder("courseware-export-") as tmp:
        folder = export_course(course, tmp)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.rglob("*")):
                name = path.relative_to(tmp).as_posix()
                if path.is_dir():
                    archive.writestr(zipfile.ZipInfo(name + "/"), b"")
                else:
                    archive.write(path, name)
    return f"{course.slug}.zip", buffer.getvalue()


def _check_name(info: zipfile.ZipInfo, limits: ZipLimits) -> PurePosixPath:
    """The entry's path, or :class:`UnsafeZip` when it could land outside the folder it is unpacked in."""
    name = info.filename
    shown = name if len(name) <= 80 else name[:77] + "..."
    if any(unicodedata.category(char) == "Cc" for char in name):
        raise UnsafeZip(
            _("The zip holds a file name with a control character (%(name)s); nothing was imported.", name=repr(shown))
        )
    posix = name.replace("\\", "/")
    if posix.startswith("/") or (len(posix) > 1 and posix[1] == ":"):
        raise UnsafeZip(
            _(
                "The zip holds an absolute path, %(name)s; nothing was imported. "
                "Zip the course folder itself, so that every path starts with the course's folder name.",
                name=shown,
            )
        )
    path = PurePosixPath(posix)
    if ".." in path.parts:
        raise UnsafeZip(
            _("The zip holds a path that climbs out of its folder, %(name)s; nothing was imported.", name=shown)
        )
    for part in path.parts:
        if len(part.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
            part_shown = part if len(part) <= 40 else part[:37] + "..."
            raise UnsafeZip(
                _(
                    "The zip holds a folder or file name longer than %(bytes)d bytes (%(name)s); "
                    "shorten it and upload the zip again. Nothing was imported.",
                    bytes=MAX_NAME_BYTES,
                    name=part_shown,
                )
            )
    if len(path.parts) > limits.depth or len(posix.encode("utf-8", "surrogatepass")) > MAX_PATH_BYTES:
        raise UnsafeZip(
            _(
                "The zip holds a path more than %(depth)d folders deep or longer than %(bytes)d bytes "
                "(%(name)s); %(what)s. Nothing was imported.",
                depth=limits.depth,
                bytes=MAX_PATH_BYTES,
                name=shown,
                what=str(limits.what),
            )
        )
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise UnsafeZip(
            _("The zip holds a symbolic link, %(name)s; links are not allowed, so nothing was imported.", name=shown)
        )
    if info.flag_bits & 0x1:
        raise UnsafeZip(_("The zip is password-protected (%(name)s); upload it without a password.", name=shown))
    return path


def unpack_zip(data: bytes | io.BufferedIOBase, dest: Path, limits: ZipLimits | None = None) -> None:
    """Unpack a zip into ``dest`` after checking every entry; raises :class:`UnsafeZip`. The
    limits are a course zip's unless others are given."""
    limits = limits or course_limits()
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    if not zipfile.is_zipfile(stream):
        raise UnsafeZip(_("This file is not a zip file. %(hint)s", hint=str(limits.not_zip)))
    stream.seek(0)
    try:
        archive = zipfile.ZipFile(stream)
    except UnicodeDecodeError:
        raise UnsafeZip(
            _(
                "The zip holds a file name that is marked as UTF-8 but is not; nothing was imported. "
                "Make the zip again with a tool that writes UTF-8 names."
            )
        ) from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise UnsafeZip(_("This zip file is damaged and cannot be read (%(error)s).", error=error)) from None
    with archive:
        entries = archive.infolist()
        if len(entries) > limits.entries:
            raise UnsafeZip(
                _(
                    "The zip holds %(count)d entries; at most %(most)d are accepted.",
                    count=len(entries),
                    most=limits.entries,
                )
            )
        checked = [(info, _check_name(info, limits)) for info in entries]
        total = 0
        root = dest.resolve()
        for info, path in checked:
            if not path.parts:
                continue
            target = (root / Path(*path.parts)).resolve()
            if root not in target.parents and target != root:
                raise UnsafeZip(
                    _("The zip holds a path outside its folder, %(name)s; nothing was imported.", name=info.filename)
                )
            written = 0
            try:
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as source, target.open("wb") as out:
                    while chunk := source.read(_CHUNK):
                        written += len(chunk)
                        total += len(chunk)
                        if written > limits.entry_bytes:
                            raise UnsafeZip(
                                _(
                                    "%(name)s is larger than %(mb)d MB once unpacked; nothing was imported.",
                                    name=info.filename,
                                    mb=limits.entry_bytes // (1024 * 1024),
                                )
                            )
                        if total > limits.total_bytes:
                            raise UnsafeZip(
                                _(
                                    "The zip unpacks to more than %(mb)d MB; nothing was imported.",
                                    mb=limits.total_bytes // (1024 * 1024),
                                )
                            )
                        out.write(chunk)
            except (FileExistsError, NotADirectoryError, IsADirectoryError):
                raise UnsafeZip(
                    _(
                        "The zip holds %(name)s both as a file and as a folder; nothing was imported.",
                        name=info.filename,
                    )
                ) from None
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, ValueError) as error:
                raise UnsafeZip(
                    _("%(name)s cannot be read from the zip (%(error)s).", name=info.filename, error=error)
                ) from None


@dataclass
class UploadResult:
    result: ImportResult
    new_courses: list[Course] = field(default_factory=list)


def import_zip(data: bytes, filename: str, user: User, may_edit) -> UploadResult:
    """Import every course in an uploaded zip, all or nothing, as the ``lessons import`` command does.

    Problems in the files raise :class:`InvalidLessonFile` (each names the file and line, the
    file shown inside the zip's name); an unsafe zip raises :class:`UnsafeZip`; a course that
    exists and that ``user`` may not edit (``may_edit(user, course)``) raises :class:`NotAllowed`.
    New courses belong to ``user`` and start as drafts; existing ones keep their status.
    """
    name = secure_filename(filename or "") or "upload.zip"
    if len(name) > 100:  # shown in every message, and a folder name on disk
        name = name[:80] + "-" + name[-19:]
    with work_folder("courseware-import-") as tmp:
        root = Path(tmp) / name
        root.mkdir()
        unpack_zip(data, root)
        if (root / COURSE_FILE).is_file():
            raise UnsafeZip(
                _(
                    "%(file)s is at the top of the zip. Zip the course folder itself "
                    "(so that the zip holds <course-slug>/%(file)s), as Download does.",
                    file=COURSE_FILE,
                )
            )
        # Folders some zip tools add (__MACOSX, .git) are skipped, as in a lessons folder.
        specs = find_courses(root, budget=ImportBudget())  # raises InvalidLessonFile, naming file and line
        existing = {
            course.slug: course
            for course in db.session.scalars(select(Course).where(Course.slug.in_([spec.slug for spec in specs])))
        }
        for spec in specs:
            course = existing.get(spec.slug)
            if course is not None and not may_edit(user, course):
                raise NotAllowed(
                    _(
                        "The course '%(slug)s' exists and you are not one of its editors; nothing was imported.",
                        slug=spec.slug,
                    )
                )
        statuses = {slug: course.status for slug, course in existing.items()}
        result = import_specs(specs, author=user)
    upload = UploadResult(result)
    for course in result.courses:
        if course.slug in statuses:
            course.status = statuses[course.slug]
        else:
            course.status = "draft"
            course.owner_id = user.id
            upload.new_courses.append(course)
    db.session.flush()
    log.info("user %s imported %s from a zip", user.id, ", ".join(c.slug for c in result.courses))
    return upload


__all__ = [
    "InvalidLessonFile",
    "UnsafeZip",
    "ZipLimits",
    "work_folder",
    "course_zip",
    "import_zip",
    "remove_leftover_folders",
    "unpack_zip",
]

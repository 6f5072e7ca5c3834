"""Opening an uploaded package: a zip holding ``cmi5.xml`` or ``imsmanifest.xml`` at its top, or
a ``cmi5.xml`` on its own (whose AUs are then all on other sites).

A zip gets a course zip's checks (no paths out of it, no links, sizes counted while reading),
with limits of its own: packages are bigger than lesson files. Settings:
``PACKAGE_MAX_BYTES`` (the whole package unpacked), ``PACKAGE_MAX_FILE_BYTES`` (one file) and
``PACKAGE_MAX_FILES``.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from courseware.authoring.archive import UnsafeZip, ZipLimits, unpack_zip, work_folder
from courseware.i18n import lazy_gettext as _l
from courseware.packages.manifests import CMI5_FILE, InvalidPackage, PackageManifest, Problem, read_cmi5, read_manifest


@dataclass(frozen=True)
class OpenedPackage:
    manifest: PackageManifest
    files: dict[str, bytes]  # path in the package -> contents; empty for a cmi5.xml on its own


def package_limits() -> ZipLimits:
    config = current_app.config
    return ZipLimits(
        entries=config["PACKAGE_MAX_FILES"],
        entry_bytes=config["PACKAGE_MAX_FILE_BYTES"],
        total_bytes=config["PACKAGE_MAX_BYTES"],
        depth=32,
        what=_l("a package's files sit at most 32 folders deep"),
        not_zip=_l(
            "Upload a SCORM or cmi5 package: a .zip with imsmanifest.xml or cmi5.xml at its top, or a cmi5.xml."
        ),
    )


def _looks_like_xml(data: bytes) -> bool:
    head = data[:200].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<")


def open_package(data: bytes, filename: str) -> OpenedPackage:
    """Read an uploaded package; :class:`UnsafeZip` or :class:`InvalidPackage` say what is wrong."""
    stream = io.BytesIO(data)
    if not zipfile.is_zipfile(stream):
        if _looks_like_xml(data):
            return OpenedPackage(read_cmi5(data, in_zip=False), {})
        raise InvalidPackage(
            [
                Problem(
                    filename or _("the upload"),
                    "",
                    _(
                        "it is neither a zip nor a cmi5.xml. Upload a SCORM or cmi5 package: a .zip with "
                        "imsmanifest.xml or cmi5.xml at its top, or a cmi5.xml"
                    ),
                )
            ]
        )
    with work_folder("courseware-package-") as tmp:
        root = Path(tmp)
        unpack_zip(data, root, package_limits())
        files = {
            path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()
        }
    if CMI5_FILE not in files and not any(name in files for name in ("imsmanifest.xml",)):
        folders = {name.split("/", 1)[0] for name in files if "/" in name}
        if len(folders) == 1:
            raise InvalidPackage(
                [
                    Problem(
                        filename or _("the zip"),
                        "",
                        _(
                            "its manifest is inside the folder %(folder)s/: zip the package's contents, "
                            "so that imsmanifest.xml or cmi5.xml is at the top of the zip",
                            folder=folders.pop(),
                        ),
                    )
                ]
            )
    return OpenedPackage(read_manifest(files), files)


__all__ = ["InvalidPackage", "OpenedPackage", "UnsafeZip", "open_package"]

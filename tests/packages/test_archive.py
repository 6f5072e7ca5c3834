"""Opening an uploaded package: the zip's checks and the package's own limits, before anything is kept."""

from __future__ import annotations

import zipfile

import pytest

from courseware.authoring.archive import UnsafeZip
from courseware.packages.archive import open_package
from courseware.packages.manifests import InvalidPackage
from tests.authoring.test_zip import make_zip
from tests.packages.manifests import CMI5, SCORM_12

SCORM_FILES = {"imsmanifest.xml": SCORM_12, "intro/index.html": "<p>Intro</p>", "tools.html": "<p>Tools</p>"}


def zipped(files: dict[str, str | bytes], *, symlink: str | None = None) -> bytes:
    return make_zip(files, symlink=symlink, compression=zipfile.ZIP_DEFLATED)


@pytest.fixture(scope="session")
def two_gigabyte_package(tmp_path_factory) -> bytes:
    """A valid SCORM package of a few megabytes whose video unpacks to 2 GB (of zeros)."""
    path = tmp_path_factory.mktemp("bomb") / "package.zip"
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, content in SCORM_FILES.items():
            archive.writestr(name, content)
        with archive.open("intro/video.mp4", "w", force_zip64=True) as video:
            for _ in range(2048):
                video.write(chunk)
    return path.read_bytes()


def test_a_scorm_zip_opens_with_its_files(app):
    opened = open_package(zipped(SCORM_FILES), "listening.zip")
    assert opened.manifest.format == "scorm12"
    assert sorted(opened.files) == ["imsmanifest.xml", "intro/index.html", "tools.html"]
    assert opened.files["tools.html"] == b"<p>Tools</p>"


def test_a_cmi5_xml_on_its_own_opens_without_files(app):
    text = CMI5.replace("<url>au1/index.html?start=1</url>", "<url>https://content.example.org/au1/</url>")
    opened = open_package(text.encode(), "cmi5.xml")
    assert opened.manifest.format == "cmi5" and opened.files == {}


def test_a_package_of_2_gb_once_unpacked_is_refused_while_it_is_read(app, two_gigabyte_package):
    assert len(two_gigabyte_package) < 20 * 1024 * 1024
    with pytest.raises(UnsafeZip) as error:
        open_package(two_gigabyte_package, "bomb.zip")
    assert "intro/video.mp4 is larger than 256 MB once unpacked; nothing was imported." in str(error.value)


@pytest.mark.parametrize(
    "files, symlink, message",
    [
        ({"../../evil.html": "x", **SCORM_FILES}, None, "climbs out of its folder"),
        ({"/etc/cron.d/evil": "x", **SCORM_FILES}, None, "absolute path"),
        (SCORM_FILES, "intro/link.html", "symbolic link"),
    ],
    ids=["zip-slip", "absolute", "symlink"],
)
def test_unsafe_zips_are_refused(app, files, symlink, message):
    with pytest.raises(UnsafeZip) as error:
        open_package(zipped(files, symlink=symlink), "package.zip")
    assert message in str(error.value)


def test_a_zip_without_a_manifest_at_its_top_says_where_it_is(app):
    nested = {f"listening/{name}": content for name, content in SCORM_FILES.items()}
    with pytest.raises(InvalidPackage) as error:
        open_package(zipped(nested), "listening.zip")
    assert "its manifest is inside the folder listening/" in str(error.value)
    with pytest.raises(InvalidPackage) as error:
        open_package(zipped({"index.html": "<p>hi</p>"}), "plain.zip")
    assert "it has no cmi5.xml (cmi5) or imsmanifest.xml (SCORM) at its top level" in str(error.value)


@pytest.mark.parametrize(
    "data, name", [(b"# Not a package\n", "invalid-package.md"), (b"PK\x03\x04 not really", "not-a-zip.zip")]
)
def test_a_file_that_is_neither_a_zip_nor_a_cmi5_xml_is_refused(app, data, name):
    with pytest.raises(InvalidPackage) as error:
        open_package(data, name)
    assert f"{name}: it is neither a zip nor a cmi5.xml" in str(error.value)

"""Package manifests: SCORM 1.2, SCORM 2004 and cmi5 read into lessons-to-be; every problem named
with its file and element, and hostile XML refused before it can expand or read a file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from courseware.packages.manifests import InvalidPackage, read_cmi5, read_manifest, read_scorm
from tests.packages.manifests import BILLION_LAUGHS, CMI5, EXTERNAL_ENTITY, SCORM_12, SCORM_2004

LTS = Path(os.environ.get("CMI5_LTS", Path(__file__).resolve().parents[3] / "shared" / "cmi5-lts"))


def problems(error) -> str:
    return str(error.value)


def test_a_scorm_12_manifest_gives_one_unit_a_sco_with_its_mastery_score_and_parameters():
    manifest = read_scorm(SCORM_12.encode(), ["imsmanifest.xml", "intro/index.html", "tools.html"])
    assert (manifest.format, manifest.title) == ("scorm12", "Listening before you post")
    first, second = manifest.units
    assert (first.identifier, first.title, first.launch, first.mastery_score) == (
        "intro",
        "Why listen first",
        "intro/index.html",
        0.8,
    )
    assert second.launch == "tools.html?part=2" and second.mastery_score is None


def test_a_scorm_2004_manifest_takes_its_mastery_from_the_primary_objective():
    manifest = read_scorm(SCORM_2004.encode(), ["imsmanifest.xml", "profile/start.html"])
    assert manifest.format == "scorm2004"
    (unit,) = manifest.units
    assert (unit.launch, unit.mastery_score, unit.sco) == ("profile/start.html", 0.7, True)


@pytest.mark.parametrize(
    "href, message",
    [
        ("../../../etc/passwd", "points outside the package"),
        ("/etc/passwd", "points outside the package"),
        ("intro/../../secret.html", "points outside the package"),
        ("https://evil.example/x.html", "points outside the package"),
        ("missing.html", "names missing.html, which is not in the package"),
    ],
)
def test_a_manifest_naming_files_outside_the_package_is_refused_naming_the_resource(href, message):
    text = SCORM_12.replace('href="tools.html">', f'href="{href}">')
    with pytest.raises(InvalidPackage) as error:
        read_scorm(text.encode(), ["imsmanifest.xml", "intro/index.html", "tools.html"])
    assert 'imsmanifest.xml, <resource identifier="res-tools">: its href' in problems(error)
    assert message in problems(error)
    assert "Nothing was imported" in problems(error)


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["entity-expansion", "external-entity"])
def test_entity_expansion_and_external_entities_are_refused_before_parsing(xml):
    with pytest.raises(InvalidPackage) as error:
        read_manifest({"imsmanifest.xml": xml.encode()})
    assert "imsmanifest.xml: it declares a DTD or entities" in problems(error)
    assert "root:" not in problems(error)  # nothing of /etc/passwd


def test_xml_that_is_not_well_formed_is_named_with_its_line():
    with pytest.raises(InvalidPackage) as error:
        read_manifest({"cmi5.xml": b"<courseStructure>\n  <course>\n</courseStructure>"})
    assert "cmi5.xml, line 3, column" in problems(error) and "not well-formed" in problems(error)


def test_a_cmi5_course_gives_its_aus_with_their_blocks_and_launch_rules():
    manifest = read_cmi5(CMI5.encode(), in_zip=True, files=["cmi5.xml", "au1/index.html"])
    assert (manifest.format, manifest.identifier, manifest.title) == (
        "cmi5",
        "https://example.org/courses/measuring",
        "Measuring results",
    )
    first, second = manifest.units
    assert first.move_on == "CompletedAndPassed" and first.mastery_score == 0.75
    assert first.launch == "au1/index.html?start=1" and first.launch_parameters == '{"mode": "short"}'
    assert first.blocks == ("https://example.org/courses/measuring/block",)
    assert second.launch_method == "OwnWindow" and second.move_on == "NotApplicable" and second.blocks == ()


def test_a_cmi5_xml_alone_may_not_name_relative_files():
    with pytest.raises(InvalidPackage) as error:
        read_cmi5(CMI5.encode(), in_zip=False)
    assert "its <url> 'au1/index.html?start=1' is relative" in problems(error)


def test_cmi5_elements_out_of_the_schemas_order_are_named():
    text = CMI5.replace("<url>https://content.example.org/report/index.html</url>", "").replace(
        'launchMethod="OwnWindow">', 'launchMethod="OwnWindow"><url>https://content.example.org/r.html</url>'
    )
    with pytest.raises(InvalidPackage) as error:
        read_cmi5(text.encode(), in_zip=True, files=["cmi5.xml", "au1/index.html"])
    assert (
        '<au id="https://example.org/courses/measuring/au/2">: <title> is required here, and <url> was found'
        in problems(error)
    )


# The cmi5 LMS test suite's own package library: each valid one is read, each invalid one refused.
VALID = ["101-one-thousand-aus.xml"]
INVALID = [
    "201-1-iris-course-id.xml",
    "201-2-iris-block-id.xml",
    "201-3-iris-au-id.xml",
    "201-4-iris-objective-id.xml",
    "202-1-relative-url-no-zip.xml",
    "202-2-relative-url-no-zip.xml",
    "202-3-relative-url-no-zip.xml",
    "202-4-relative-url-no-zip.xml",
    "202-5-relative-url-no-zip.xml",
    "204-query-string-conflict-endpoint.xml",
    "205-1-duplicated-block.xml",
    "205-2-duplicated-objective.xml",
    "205-3-duplicated-au.xml",
    "206-1-invalid-au-url.xml",
    "207-1-invalid-courseStructure.xml",
]


@pytest.mark.skipif(not (LTS / "pkg" / "src").is_dir(), reason=f"the cmi5 LMS test suite is not at {LTS}")
@pytest.mark.parametrize("name", VALID + INVALID)
def test_the_cmi5_test_suites_course_structures(name):
    data = (LTS / "pkg" / "src" / name).read_bytes()
    if name in VALID:
        assert len(read_cmi5(data, in_zip=False).units) == 1001
    else:
        with pytest.raises(InvalidPackage):
            read_cmi5(data, in_zip=False)

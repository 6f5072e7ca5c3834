"""Small cmi5 courses written by the tests: a cmi5.xml (with the AUs' pages in a zip), one or
more AUs in a block, each with its moveOn, masteryScore and launchMethod."""

from __future__ import annotations

import io
import zipfile

NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
BASE = "https://example.com/cmi5/test"


def au_xml(name: str, move_on: str = "Completed", mastery: float | None = None, method: str = "AnyWindow", url=None):
    mastery_attribute = f' masteryScore="{mastery}"' if mastery is not None else ""
    return f"""    <au id="{BASE}/au/{name}" moveOn="{move_on}"{mastery_attribute} launchMethod="{method}">
      <title><langstring lang="en">AU {name}</langstring></title>
      <description><langstring lang="en">The AU {name}.</langstring></description>
      <url>{url or f"{name}/index.html?page=1"}</url>
      <launchParameters>parameters of {name}</launchParameters>
    </au>"""


def cmi5_xml(aus: list[str], course: str = "course") -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<courseStructure xmlns="{NS}">
  <course id="{BASE}/course/{course}">
    <title><langstring lang="en">Course {course}</langstring></title>
    <description><langstring lang="en">A cmi5 course for tests.</langstring></description>
  </course>
  <block id="{BASE}/block/{course}">
    <title><langstring lang="en">Block {course}</langstring></title>
    <description><langstring lang="en">Its only block.</langstring></description>
{chr(10).join(aus)}
  </block>
</courseStructure>
"""


def cmi5_zip(aus: dict[str, dict] | None = None, course: str = "course") -> bytes:
    """A zip of a cmi5.xml and one page per AU; ``aus``: name -> au_xml's options."""
    aus = aus if aus is not None else {"one": {}}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("cmi5.xml", cmi5_xml([au_xml(name, **options) for name, options in aus.items()], course))
        for name in aus:
            archive.writestr(f"{name}/index.html", f"<!doctype html><title>AU {name}</title><p>AU {name}</p>")
    return buffer.getvalue()

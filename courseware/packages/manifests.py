"""Reading a package's manifest: ``cmi5.xml`` (cmi5) or ``imsmanifest.xml`` (SCORM 1.2 and 2004).

Each is parsed with defusedxml, which refuses a DTD and any entity, so that no manifest can
expand itself or read a file of the server. What is read becomes a :class:`PackageManifest`:
the package's identity and title, and its units (a SCORM SCO or a cmi5 AU), each of which becomes
one lesson. Every problem found is collected and raised together as :class:`InvalidPackage`,
each naming the file and the element.

cmi5's rules are those of its specification, section 13 (the course structure) and 14 (the
package); the comments give the requirement numbers the cmi5 LMS test suite checks.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath
from urllib.parse import parse_qsl, unquote, urlsplit

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from flask_babel import gettext as _

from courseware.exceptions import Invalid

CMI5_FILE = "cmi5.xml"
SCORM_FILE = "imsmanifest.xml"
CMI5_NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
MOVE_ON = ("NotApplicable", "Passed", "Completed", "CompletedAndPassed", "CompletedOrPassed")
LAUNCH_METHODS = ("AnyWindow", "OwnWindow")
# Query parameters the LMS adds to every launch URL: an AU's URL may not hold them (8.1.0.0-6).
LAUNCH_PARAMETERS = ("endpoint", "fetch", "actor", "registration", "activityId")
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
_URI = re.compile(r"^[^\s<>\"{}|\\^`]+$")


@dataclass(frozen=True)
class Problem:
    file: str
    element: str
    message: str

    def __str__(self) -> str:
        if self.element:
            return _("%(file)s, %(element)s: %(message)s", file=self.file, element=self.element, message=self.message)
        return _("%(file)s: %(message)s", file=self.file, message=self.message)


class InvalidPackage(Invalid):
    """The package cannot be imported; ``problems`` says each reason, naming the file and element."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "; ".join(str(p) for p in problems[:10])
        if len(problems) > 10:
            message = _(
                "This package cannot be imported: %(problems)s (and %(more)d more). Nothing was imported.",
                problems=shown,
                more=len(problems) - 10,
            )
        else:
            message = _("This package cannot be imported: %(problems)s. Nothing was imported.", problems=shown)
        super().__init__(message)


@dataclass(frozen=True)
class Unit:
    """One launchable part of a package, which becomes one lesson: a SCORM SCO (or asset) or a cmi5 AU."""

    identifier: str  # the AU's id (an IRI), or the SCORM item's identifier
    title: str
    launch: str  # a path in the package (with its query), or for cmi5 possibly an absolute URL
    description: str = ""
    mastery_score: float | None = None  # scaled, 0 to 1
    # SCORM: whether the unit talks to the runtime (a SCO) or is a plain page (an asset)
    sco: bool = True
    launch_data: str | None = None
    # cmi5
    move_on: str = "NotApplicable"
    launch_method: str = "AnyWindow"
    launch_parameters: str | None = None
    entitlement_key: str | None = None
    activity_type: str | None = None
    blocks: tuple[str, ...] = ()  # the ids of the blocks around it, outermost first


@dataclass(frozen=True)
class Block:
    identifier: str
    title: str
    description: str = ""
    parents: tuple[str, ...] = ()


@dataclass(frozen=True)
class PackageManifest:
    format: str  # "cmi5", "scorm12" or "scorm2004"
    identifier: str
    title: str
    description: str = ""
    units: tuple[Unit, ...] = ()
    blocks: tuple[Block, ...] = ()
    objectives: tuple[str, ...] = ()


def _parse(data: bytes, file: str) -> ET.Element:
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise InvalidPackage(
            [
                Problem(
                    file, "", _("it declares a DTD or entities, which packages may not (they can expand without end)")
                )
            ]
        ) from None
    except ET.ParseError as error:
        line, column = error.position
        raise InvalidPackage(
            [
                Problem(
                    file,
                    _("line %(line)d, column %(column)d", line=line, column=column + 1),
                    _("it is not well-formed XML (%(error)s)", error=error.msg),
                )
            ]
        ) from None


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _ns(tag) -> str:
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _text(element: ET.Element | None) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


# --- cmi5 ---------------------------------------------------------------------------------------


class _Cmi5Reader:
    def __init__(self, *, in_zip: bool, files: Collection[str]):
        self.in_zip = in_zip
        self.files = set(files)
        self.problems: list[Problem] = []
        self.ids: dict[str, set[str]] = {"block": set(), "au": set(), "objective": set()}
        self.units: list[Unit] = []
        self.blocks: list[Block] = []

    def problem(self, element: str, message: str) -> None:
        self.problems.append(Problem(CMI5_FILE, element, message))

    def children(self, element: ET.Element, where: str) -> list[ET.Element]:
        """The element's children in the course structure's namespace; others are extensions (allowed)."""
        found = []
        for child in element:
            if not isinstance(child.tag, str):
                continue  # comments and processing instructions
            if _ns(child.tag) == CMI5_NS:
                found.append(child)
            elif _ns(child.tag) == "":
                self.problem(
                    where, _("%(element)s is not in the cmi5 course structure's namespace", element=f"<{child.tag}>")
                )
        return found

    def sequence(self, element: ET.Element, where: str, expected: list[tuple[str, bool]], rest: tuple[str, ...] = ()):
        """Check the children follow ``expected`` (name, required) in order, then any of ``rest``
        (13.2.0.0-1: the course structure must be valid against its schema)."""
        children = self.children(element, where)
        found: dict[str, ET.Element] = {}
        index = 0
        for name, required in expected:
            if index < len(children) and _local(children[index].tag) == name:
                found[name] = children[index]
                index += 1
            elif required:
                if index < len(children):
                    message = _(
                        "%(element)s is required here, and %(found)s was found instead (see the cmi5 schema)",
                        element=f"<{name}>",
                        found=f"<{_local(children[index].tag)}>",
                    )
                else:
                    message = _(
                        "%(element)s is required here, and nothing was found instead (see the cmi5 schema)",
                        element=f"<{name}>",
                    )
                self.problem(where, message)
                return found, []
        tail = children[index:]
        for child in tail:
            if _local(child.tag) not in rest:
                self.problem(
                    where, _("%(element)s is not allowed here (see the cmi5 schema)", element=f"<{_local(child.tag)}>")
                )
                return found, []
        return found, tail

    def text_of(self, element: ET.Element | None, where: str, what: str) -> str:
        if element is None:
            return ""
        strings = [child for child in self.children(element, where) if _local(child.tag) == "langstring"]
        if not strings:
            self.problem(where, _("%(element)s needs at least one <langstring>", element=f"<{what}>"))
            return ""
        preferred = next((s for s in strings if (s.get("lang") or "").lower().startswith("en")), strings[0])
        return _text(preferred)

    def identifier(self, element: ET.Element, kind: str, where: str) -> str:
        value = (element.get("id") or "").strip()
        if not value:
            self.problem(where, _("it has no id"))
        elif not _IRI.match(value):
            self.problem(
                where,
                _("its id %(id)s is not an IRI (3.0.0.0-1: ids must be full IRIs, such as https://…)", id=repr(value)),
            )
        elif kind in self.ids:
            if value in self.ids[kind]:
                self.problem(
                    where,
                    _(
                        "its id %(id)s is used by another %(kind)s (13.1: ids must be unique)",
                        id=repr(value),
                        kind=kind,
                    ),
                )
            self.ids[kind].add(value)
        return value

    def read(self, root: ET.Element) -> PackageManifest | None:
        if _local(root.tag) != "courseStructure" or _ns(root.tag) != CMI5_NS:
            self.problem(
                f"<{_local(root.tag)}>",
                _("the root element must be <courseStructure> in %(namespace)s", namespace=CMI5_NS),
            )
            return None
        found, items = self.sequence(
            root, "<courseStructure>", [("course", True), ("objectives", False)], ("au", "block")
        )
        course = found.get("course")
        if course is None:
            return None
        if not items:
            self.problem("<courseStructure>", _("it holds no <au> or <block>: a course needs at least one AU"))
        course_id = self.identifier(course, "course", "<course>")
        parts, _rest = self.sequence(
            course, "<course>", [("title", True), ("description", True), ("customExtensions", False)]
        )
        title = self.text_of(parts.get("title"), "<course>", "title")
        description = self.text_of(parts.get("description"), "<course>", "description")
        objectives = found.get("objectives")
        if objectives is not None:
            for objective in self.children(objectives, "<objectives>"):
                where = f'<objective id="{objective.get("id", "")}">'
                if _local(objective.tag) != "objective":
                    self.problem(
                        "<objectives>", _("%(element)s is not allowed here", element=f"<{_local(objective.tag)}>")
                    )
                    continue
                self.identifier(objective, "objective", where)
                self.sequence(objective, where, [("title", True), ("description", True)])
        self.members(items, ())
        if self.problems:
            return None
        return PackageManifest(
            format="cmi5",
            identifier=course_id,
            title=title,
            description=description,
            units=tuple(self.units),
            blocks=tuple(self.blocks),
            objectives=tuple(sorted(self.ids["objective"])),
        )

    def members(self, items: list[ET.Element], parents: tuple[str, ...]) -> None:
        for item in items:
            if _local(item.tag) == "au":
                self.au(item, parents)
            else:
                self.block(item, parents)

    def block(self, element: ET.Element, parents: tuple[str, ...]) -> None:
        where = f'<block id="{element.get("id", "")}">'
        block_id = self.identifier(element, "block", where)
        found, items = self.sequence(
            element, where, [("title", True), ("description", True), ("objectives", False)], ("au", "block")
        )
        if not items and not self.problems:
            self.problem(where, _("a block needs at least one <au> or <block>"))
        self.objective_refs(found.get("objectives"), where)
        self.blocks.append(
            Block(
                identifier=block_id,
                title=self.text_of(found.get("title"), where, "title"),
                description=self.text_of(found.get("description"), where, "description"),
                parents=parents,
            )
        )
        self.members(items, (*parents, block_id))

    def objective_refs(self, element: ET.Element | None, where: str) -> None:
        if element is None:
            return
        for ref in self.children(element, where):
            if _local(ref.tag) != "objective" or not (ref.get("idref") or "").strip():
                self.problem(where, _('<objectives> here holds only <objective idref="…"/>'))

    def au(self, element: ET.Element, parents: tuple[str, ...]) -> None:
        where = f'<au id="{element.get("id", "")}">'
        au_id = self.identifier(element, "au", where)
        found, _rest = self.sequence(
            element,
            where,
            [
                ("title", True),
                ("description", True),
                ("objectives", False),
                ("url", True),
                ("launchParameters", False),
                ("entitlementKey", False),
            ],
        )
        self.objective_refs(found.get("objectives"), where)
        move_on = element.get("moveOn", "NotApplicable")
        if move_on not in MOVE_ON:
            self.problem(
                where, _("moveOn %(value)s is not one of %(allowed)s", value=repr(move_on), allowed=", ".join(MOVE_ON))
            )
        launch_method = element.get("launchMethod", "AnyWindow")
        if launch_method not in LAUNCH_METHODS:
            self.problem(where, _("launchMethod %(value)s is not AnyWindow or OwnWindow", value=repr(launch_method)))
        mastery = None
        if element.get("masteryScore") is not None:
            try:
                mastery = Decimal(element.get("masteryScore"))
            except InvalidOperation:
                mastery = None
            if mastery is None or not (0 <= mastery <= 1):
                self.problem(
                    where,
                    _("masteryScore %(value)s is not a decimal from 0 to 1", value=repr(element.get("masteryScore"))),
                )
                mastery = None
        activity_type = element.get("activityType")
        if activity_type is not None and not _IRI.match(activity_type):
            self.problem(where, _("activityType %(value)s is not an IRI", value=repr(activity_type)))
        url = _text(found.get("url"))
        if "url" in found:
            self.check_url(url, where)
        launch_parameters = found.get("launchParameters")
        entitlement_key = found.get("entitlementKey")
        self.units.append(
            Unit(
                identifier=au_id,
                title=self.text_of(found.get("title"), where, "title"),
                description=self.text_of(found.get("description"), where, "description"),
                launch=url,
                mastery_score=float(mastery) if mastery is not None else None,
                move_on=move_on,
                launch_method=launch_method,
                launch_parameters=_text(launch_parameters) if launch_parameters is not None else None,
                entitlement_key=_text(entitlement_key) if entitlement_key is not None else None,
                activity_type=activity_type,
                blocks=parents,
            )
        )

    def check_url(self, url: str, where: str) -> None:
        if not url or not _URI.match(url):
            self.problem(where, _("its <url> %(url)s is not a valid URL (13.1.4.0-2)", url=repr(url)))
            return
        parts = urlsplit(url)
        clashing = sorted({name for name, _ in parse_qsl(parts.query, keep_blank_values=True)} & set(LAUNCH_PARAMETERS))
        if clashing:
            self.problem(
                where,
                _(
                    "its <url> already has %(names)s in its query, which the LMS adds at launch (8.1.0.0-6)",
                    names=", ".join(clashing),
                ),
            )
        if parts.scheme:
            if parts.scheme not in ("http", "https") or not parts.netloc:
                self.problem(
                    where, _("its <url> %(url)s is neither a relative path nor an http(s) address", url=repr(url))
                )
            return
        if not self.in_zip:
            self.problem(
                where,
                _(
                    "its <url> %(url)s is relative, and a cmi5.xml on its own has no files: "
                    "import it in a zip with its files, or give full addresses (14.2.0.0-1)",
                    url=repr(url),
                ),
            )
            return
        path = package_path(unquote(parts.path))
        if path is None:
            self.problem(where, _("its <url> %(url)s points outside the package", url=repr(url)))
        elif path not in self.files:
            self.problem(where, _("its <url> names %(path)s, which is not in the package (14.1.0.0-4)", path=path))


def read_cmi5(data: bytes, *, in_zip: bool, files: Collection[str] = ()) -> PackageManifest:
    """Read a ``cmi5.xml``; ``files`` are the package's file paths when it came in a zip."""
    reader = _Cmi5Reader(in_zip=in_zip, files=files)
    manifest = reader.read(_parse(data, CMI5_FILE))
    if manifest is None or reader.problems:
        raise InvalidPackage(reader.problems or [Problem(CMI5_FILE, "", _("it is not a cmi5 course structure"))])
    return manifest


# --- SCORM --------------------------------------------------------------------------------------

ADLCP_12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
ADLCP_2004 = "http://www.adlnet.org/xsd/adlcp_v1p3"
IMSSS = "http://www.imsglobal.org/xsd/imsss"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


def package_path(href: str) -> str | None:
    """``href`` as a path inside the package, or None when it would leave it (absolute, ``..``, a drive)."""
    href = href.replace("\\", "/")
    if not href or href.startswith("/") or re.match(r"^[A-Za-z]:", href):
        return None
    parts: list[str] = []
    for part in PurePosixPath(href).parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts) or None


@dataclass
class _ScormReader:
    files: set[str]
    problems: list[Problem] = field(default_factory=list)

    def problem(self, element: str, message: str) -> None:
        self.problems.append(Problem(SCORM_FILE, element, message))

    def child(self, element: ET.Element, name: str) -> ET.Element | None:
        return next((c for c in element if _local(c.tag) == name), None)

    def all(self, element: ET.Element, name: str) -> list[ET.Element]:
        return [c for c in element if _local(c.tag) == name]

    def version(self, root: ET.Element) -> str:
        metadata = self.child(root, "metadata")
        schema_version = _text(self.child(metadata, "schemaversion")) if metadata is not None else ""
        namespaces = {_ns(el.tag) for el in root.iter() if isinstance(el.tag, str)}
        attributes = {name.rsplit("}", 1)[0].lstrip("{") for el in root.iter() for name in el.attrib if "}" in name}
        if schema_version.startswith("2004") or schema_version == "CAM 1.3" or ADLCP_2004 in namespaces | attributes:
            return "scorm2004"
        return "scorm12"

    def read(self, root: ET.Element) -> PackageManifest | None:
        if _local(root.tag) != "manifest":
            self.problem(f"<{_local(root.tag)}>", _("the root element must be <manifest>"))
            return None
        kind = self.version(root)
        adlcp = ADLCP_2004 if kind == "scorm2004" else ADLCP_12
        resources_element = self.child(root, "resources")
        organizations = self.child(root, "organizations")
        if resources_element is None or organizations is None:
            self.problem("<manifest>", _("it needs <organizations> and <resources>"))
            return None
        base = (root.get(XML_BASE) or "") + (resources_element.get(XML_BASE) or "")
        resources = {}
        for resource in self.all(resources_element, "resource"):
            identifier = resource.get("identifier", "")
            where = f'<resource identifier="{identifier}">'
            href = resource.get("href")
            scorm_type = resource.get(f"{{{adlcp}}}scormtype" if kind == "scorm12" else f"{{{adlcp}}}scormType", "")
            if href is not None:
                launch = base + (resource.get(XML_BASE) or "") + href
                path = package_path(unquote(urlsplit(launch).path))
                if urlsplit(launch).scheme or path is None:
                    self.problem(where, _("its href %(href)s points outside the package", href=repr(href)))
                elif path not in self.files:
                    self.problem(where, _("its href names %(path)s, which is not in the package", path=path))
                resources[identifier] = (launch, scorm_type.lower() == "sco")
            for file in self.all(resource, "file"):
                name = file.get("href", "")
                path = package_path(unquote(base + (resource.get(XML_BASE) or "") + name))
                if path is None or urlsplit(name).scheme:
                    self.problem(where, _('its <file href="%(name)s"> points outside the package', name=name))
                elif path not in self.files:
                    self.problem(where, _('its <file href="%(name)s"> is not in the package', name=name))
        default = organizations.get("default")
        choices = self.all(organizations, "organization")
        organization = next((o for o in choices if o.get("identifier") == default), choices[0] if choices else None)
        if organization is None:
            self.problem("<organizations>", _("it holds no <organization>"))
            return None
        units: list[Unit] = []
        self.items(organization, resources, adlcp, kind, units)
        if not units:
            self.problem(
                f'<organization identifier="{organization.get("identifier", "")}">',
                _("it launches nothing: no item names a resource with an href"),
            )
        title = _text(self.child(organization, "title")) or root.get("identifier", "")
        if self.problems:
            return None
        return PackageManifest(format=kind, identifier=root.get("identifier", ""), title=title, units=tuple(units))

    def items(self, parent: ET.Element, resources: dict, adlcp: str, kind: str, units: list[Unit]) -> None:
        for item in self.all(parent, "item"):
            identifier = item.get("identifier", "")
            where = f'<item identifier="{identifier}">'
            ref = item.get("identifierref")
            if ref is not None:
                if ref not in resources:
                    self.problem(
                        where,
                        _("it names the resource %(ref)s, which is not in <resources> or has no href", ref=repr(ref)),
                    )
                    continue
                launch, sco = resources[ref]
                parameters = item.get("parameters") or ""
                if parameters:
                    launch += parameters if parameters[0] in "?#" else ("&" if "?" in launch else "?") + parameters
                units.append(
                    Unit(
                        identifier=identifier,
                        title=_text(self.child(item, "title")) or identifier,
                        launch=launch,
                        sco=sco,
                        mastery_score=self.mastery(item, adlcp, kind, where),
                        launch_data=_text(
                            self.child_ns(item, adlcp, "datafromlms" if kind == "scorm12" else "dataFromLMS")
                        )
                        or None,
                    )
                )
            self.items(item, resources, adlcp, kind, units)

    def child_ns(self, element: ET.Element, namespace: str, name: str) -> ET.Element | None:
        return element.find(f"{{{namespace}}}{name}")

    def mastery(self, item: ET.Element, adlcp: str, kind: str, where: str) -> float | None:
        if kind == "scorm12":
            text = _text(self.child_ns(item, adlcp, "masteryscore"))
            if not text:
                return None
            try:
                score = Decimal(text)
            except InvalidOperation:
                score = Decimal(-1)
            if not (0 <= score <= 100):
                self.problem(where, _("its masteryscore %(value)s is not a number from 0 to 100", value=repr(text)))
                return None
            return float(score / 100)
        primary = item.find(f"{{{IMSSS}}}sequencing/{{{IMSSS}}}objectives/{{{IMSSS}}}primaryObjective")
        if primary is None or primary.get("satisfiedByMeasure", "false") != "true":
            return None
        text = _text(primary.find(f"{{{IMSSS}}}minNormalizedMeasure")) or "1.0"
        try:
            measure = Decimal(text)
        except InvalidOperation:
            measure = Decimal(-2)
        if not (-1 <= measure <= 1):
            self.problem(where, _("its minNormalizedMeasure %(value)s is not a number from -1 to 1", value=repr(text)))
            return None
        return float(measure)


def read_scorm(data: bytes, files: Collection[str]) -> PackageManifest:
    """Read an ``imsmanifest.xml`` (SCORM 1.2, or 2004 3rd or 4th edition) against the package's files."""
    reader = _ScormReader(set(files))
    manifest = reader.read(_parse(data, SCORM_FILE))
    if manifest is None or reader.problems:
        raise InvalidPackage(reader.problems or [Problem(SCORM_FILE, "", _("it is not a SCORM manifest"))])
    return manifest


def read_manifest(files: dict[str, bytes]) -> PackageManifest:
    """The manifest of an unpacked package (paths to contents): its ``cmi5.xml`` or ``imsmanifest.xml``
    at the top (14.1.0.0-2)."""
    if CMI5_FILE in files:
        return read_cmi5(files[CMI5_FILE], in_zip=True, files=files.keys())
    if SCORM_FILE in files:
        return read_scorm(files[SCORM_FILE], files.keys())
    raise InvalidPackage(
        [
            Problem(
                _("the zip"),
                "",
                _(
                    "it has no %(cmi5)s (cmi5) or %(scorm)s (SCORM) at its top level",
                    cmi5=CMI5_FILE,
                    scorm=SCORM_FILE,
                ),
            )
        ]
    )

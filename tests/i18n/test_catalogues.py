"""The Spanish and French catalogues hold every marked string, translated, none fuzzy, with the
same placeholders as the English; and the template they are made from is up to date."""

from __future__ import annotations

import os
import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tests.i18n.marking import ROOT

TRANSLATIONS = ROOT / "courseware" / "translations"
LOCALES = ["es", "fr"]
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
}
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]|\{(\w*)\}")


def catalogue(locale):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=locale)


def _searched(path: str) -> bool:
    """Folders read for marked strings: all but hidden ones, caches and npm's (``_macros`` too,
    which Babel's own filter would skip)."""
    name = os.path.basename(path)
    return not name.startswith(".") and name not in ("__pycache__", "node_modules")


def marked_in_source() -> set[str]:
    found = set()
    method_map = [("courseware/**.py", "python"), ("templates/**.html", "jinja2")]
    # As babel.cfg: templates use the ``do`` statement, which the extractor must know to read them.
    options_map = {"templates/**.html": {"extensions": "jinja2.ext.do"}}
    for _, _, message, _, _ in extract_from_dir(
        str(ROOT), method_map, keywords=KEYWORDS, options_map=options_map, directory_filter=_searched
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def placeholders(text: str) -> set[str]:
    return {m.group(0) for m in _PLACEHOLDER.finditer(text)}


def test_the_catalogue_template_holds_every_marked_string():
    with open(TRANSLATIONS / "messages.pot", "rb") as handle:
        template = {
            message.id if isinstance(message.id, str) else message.id[0] for message in read_po(handle) if message.id
        }
    missing = marked_in_source() - template
    assert not missing, f"run `make translations`: {len(missing)} new strings, such as {sorted(missing)[:5]}"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_string_is_translated_and_none_is_fuzzy(locale):
    problems = []
    for message in catalogue(locale):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {ids[0]!r}")
        elif not all(strings):
            problems.append(f"untranslated: {ids[0]!r}")
        elif any(placeholders(s) - placeholders(" ".join(ids)) for s in strings) or not placeholders(
            ids[0]
        ) <= placeholders(" ".join(strings)):
            problems.append(f"placeholders differ: {ids[0]!r} → {strings[0]!r}")
    assert not problems, f"{len(problems)} in {locale}:\n" + "\n".join(problems[:40])


@pytest.mark.parametrize("locale", LOCALES)
def test_the_catalogue_follows_the_template(locale):
    with open(TRANSLATIONS / "messages.pot", "rb") as handle:
        template = {m.id for m in read_po(handle) if m.id}
    ours = {m.id for m in catalogue(locale) if m.id}
    assert template <= ours, f"run `make translations`: {len(template - ours)} strings missing in {locale}"

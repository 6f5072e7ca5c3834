"""Finding text a person reads that is not marked for translation.

Templates: the text between tags and the readable attributes (alt, title, placeholder,
aria-label, aria-description), once every ``{{ … }}`` is read as a number and every
``{% … %}`` as nothing, and ``{% trans %}…{% endtrans %}`` blocks are taken out; string literals
inside ``{{ … }}`` and ``{% … %}`` that read as words (a space and a letter), are not the first argument of ``_``,
``gettext`` or ``ngettext``, and are not a list of the site's CSS classes.

Python: the first argument of ``flash``, ``Invalid``, ``ValidationError`` and of a WTForms
field, and ``message=``, ``description=``, ``label=`` and ``title=`` keywords, when they are a
string literal or an f-string rather than a call to ``_``, ``_l``, ``gettext``, ``ngettext``,
``lazy_gettext`` or ``lazy_ngettext``.
"""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
PACKAGE = ROOT / "courseware"

# Words that are the same in every language: product, standard and format names.
PROPER_NOUNS = {
    "Courseware",
    "xAPI",
    "SCORM",
    "cmi5",
    "LRS",
    "SCIM",
    "OpenID",
    "OIDC",
    "CSV",
    "JSON",
    "YAML",
    "PNG",
    "JPEG",
    "WebP",
    "PDF",
    "ZIP",
    "URL",
    "IRI",
    "ID",
    "OK",
    "Markdown",
    "GitHub",
    "HTTP",
    "HTTPS",
    "API",
}
READABLE_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "aria-description", "aria-roledescription"}
MARKERS = {"_", "_l", "gettext", "ngettext", "lazy_gettext", "lazy_ngettext", "pgettext", "npgettext"}

_TRANS_BLOCK = re.compile(r"{%-?\s*trans\b.*?{%-?\s*endtrans\s*-?%}", re.S)
_COMMENT = re.compile(r"{#.*?#}", re.S)
_EXPRESSION = re.compile(r"{{.*?}}", re.S)
_STATEMENT = re.compile(r"{%.*?%}", re.S)
_LETTER = re.compile(r"[^\W\d_]", re.U)
_WORDS = re.compile(r"[^\W\d_][\w’'-]*", re.U)
_LITERAL = re.compile(r"""(?<![\w.])(_|gettext|ngettext|pgettext)?\(?\s*(["'])((?:\\.|(?!\2).)*)\2""", re.S)


def _css_classes() -> set[str]:
    css = "".join(path.read_text(encoding="utf-8") for path in (ROOT / "static" / "css").glob("*.css"))
    return set(re.findall(r"\.([a-z][a-z0-9-]*)", css))


CSS_CLASSES = _css_classes()


def _is_class_list(text: str) -> bool:
    """A literal naming CSS classes (``"button small"``), not words for people."""
    words = text.split()
    return bool(words) and all(word in CSS_CLASSES for word in words)


def _blank(match: re.Match, fill: str = "") -> str:
    return fill + "\n" * match.group(0).count("\n")


def readable(text: str) -> bool:
    """Whether ``text`` holds a word a person would need translated."""
    words = [w for w in _WORDS.findall(text) if w not in PROPER_NOUNS]
    return bool(words)


class _TextFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in READABLE_ATTRIBUTES and value and readable(value):
                self.found.append((self.getpos()[0], f'{name}="{value}"'))

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and readable(data):
            self.found.append((self.getpos()[0], data.strip()))


def _literals_in_code(source: str) -> list[tuple[int, str]]:
    """Word-like string literals inside ``{{ }}`` and ``{% %}`` that are not marked."""
    found = []
    for pattern in (_EXPRESSION, _STATEMENT):
        for block in pattern.finditer(source):
            code = block.group(0)
            if re.match(r"{%-?\s*(extends|include|import|from|block|endblock|macro|call)\b", code):
                continue
            for literal in _LITERAL.finditer(code):
                marker, text = literal.group(1), literal.group(3)
                if marker or " " not in text.strip() or not readable(text) or _is_class_list(text):
                    continue
                if "{{" in text or "%" in text and "%(" not in text:
                    continue
                line = source.count("\n", 0, block.start() + literal.start()) + 1
                found.append((line, text))
    return found


def unmarked_in_template(path: Path) -> list[tuple[int, str]]:
    source = path.read_text(encoding="utf-8")
    found = _literals_in_code(_TRANS_BLOCK.sub(_blank, _COMMENT.sub(_blank, source)))
    text = _COMMENT.sub(_blank, source)
    text = _TRANS_BLOCK.sub(_blank, text)
    text = _EXPRESSION.sub(lambda m: _blank(m, "0"), text)
    text = _STATEMENT.sub(_blank, text)
    finder = _TextFinder()
    finder.feed(text)
    finder.close()
    return sorted(found + finder.found)


_FIELD = re.compile(r"^[A-Z]\w*Field$")
_MESSAGE_CALLS = {"flash", "Invalid", "ValidationError"}
_MESSAGE_KEYWORDS = {"message", "description", "label", "title"}


def _is_text(node: ast.AST) -> bool:
    if isinstance(node, ast.JoinedStr):
        return True
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and readable(node.value)


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def unmarked_in_python(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        if name in MARKERS:
            continue
        if (name in _MESSAGE_CALLS or _FIELD.match(name)) and node.args and _is_text(node.args[0]):
            found.append((node.lineno, ast.unparse(node.args[0])[:80]))
        for keyword in node.keywords:
            if keyword.arg in _MESSAGE_KEYWORDS and _is_text(keyword.value):
                found.append((keyword.value.lineno, f"{keyword.arg}={ast.unparse(keyword.value)[:80]}"))
    return found


def templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def python_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)

"""A browser-like test client and small readers for the HTML pages it gets back.

Why a client of our own: the ``_transaction`` fixture keeps one application context pushed
for the whole test, and Flask's test client reuses a pushed context for every request. Then
``g`` outlives the request, so Flask-Login's cached ``g._login_user`` and Flask-WTF's
``g.csrf_token`` / ``g.csrf_valid`` leak from one request (and one client) to the next: a
client with no cookie is served as whoever logged in last, and a POST without a token passes
after any valid one. ``IsolatedClient`` runs every request in a fresh application context, as
a real server does, while still sharing the test's rolled-back database connection.
"""

from __future__ import annotations

import contextvars
import html
from html.parser import HTMLParser
from urllib.parse import urlsplit

from flask.globals import _cv_app
from flask.testing import FlaskClient


class IsolatedClient(FlaskClient):
    def open(self, *args, **kwargs):
        # Like a real server, finish (close) each response once it is read, running its on-close work.
        kwargs.setdefault("buffered", True)

        def request_in_own_context():
            _cv_app.set(None)
            return FlaskClient.open(self, *args, **kwargs)

        return contextvars.copy_context().run(request_in_own_context)


def new_client(app) -> IsolatedClient:
    """A separate browser: its own cookies, its own request contexts."""
    return IsolatedClient(app, app.response_class, use_cookies=True)


def path_of(location: str | None) -> str:
    return urlsplit(location or "").path


def redirects_to_login(response) -> bool:
    return response.status_code == 302 and path_of(response.location) == "/login"


def is_logged_in(client) -> bool:
    """True when the home page serves the client rather than sending it to the login page."""
    return not redirects_to_login(client.get("/"))


def statements_of(app, client, path: str, *, data: dict | None = None, status: int = 200) -> list[str]:
    """The SQL that ``GET path`` (or a POST of ``data``) sends to the database; the answer must
    have ``status``."""
    from sqlalchemy import event

    engine = app.extensions["courseware.db"]["engine"]
    seen = []

    def record(_connection, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(path) if data is None else client.post(path, data=data)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == status, path
    return seen


def session_cookie(client, app):
    return client.get_cookie(app.config["SESSION_COOKIE_NAME"], domain=app.config["SERVER_NAME"])


def restore_session_cookie(client, app, value: str) -> None:
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], value, domain=app.config["SERVER_NAME"])


class Page(HTMLParser):
    """The parts of a page a test looks at: form controls, error and flash messages, text."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.inputs: list[dict[str, str | None]] = []
        self.options: list[tuple[str | None, dict[str, str | None]]] = []
        self.errors: list[str] = []
        self.links: list[str] = []
        self.flashes: list[str] = []
        self.inline_scripts = 0
        self.inline_styles = 0
        self._select: str | None = None
        self._capture: list[str] | None = None
        self._capture_tag: str | None = None
        self._buffer: list[str] = []
        self._script_has_src = False
        self._in_script = False
        self._script_text: list[str] = []
        self.feed(markup)
        self.text = html.unescape(markup)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if "style" in attributes:
            self.inline_styles += 1
        if tag == "style":
            self.inline_styles += 1
        if tag == "script":
            self._in_script = True
            self._script_has_src = "src" in attributes
            self._script_text = []
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if tag in ("input", "textarea"):
            self.inputs.append(attributes)
        elif tag == "select":
            self._select = attributes.get("name")
        elif tag == "option":
            self.options.append((self._select, attributes))
        if self._capture is None and ("error" in classes or "flash" in classes):
            self._capture = self.errors if "error" in classes else self.flashes
            self._capture_tag = tag
            self._buffer = []

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "script":
            if not self._script_has_src or "".join(self._script_text).strip():
                self.inline_scripts += 1
            self._in_script = False
        if self._capture is not None and tag == self._capture_tag:
            self._capture.append(" ".join("".join(self._buffer).split()))
            self._capture = None

    def handle_data(self, data):
        if self._in_script:
            self._script_text.append(data)
        if self._capture is not None:
            self._buffer.append(data)

    def value(self, name: str) -> str | None:
        """The value a text-like control named ``name`` shows (None when it has none)."""
        for attributes in self.inputs:
            if attributes.get("name") == name and attributes.get("type") not in ("checkbox", "radio"):
                return attributes.get("value")
        raise AssertionError(f"no control named {name!r} on the page")

    def control(self, name: str) -> dict[str, str | None]:
        for attributes in self.inputs:
            if attributes.get("name") == name:
                return attributes
        raise AssertionError(f"no control named {name!r} on the page")

    def by_id(self, element_id: str) -> dict[str, str | None]:
        for attributes in self.inputs:
            if attributes.get("id") == element_id:
                return attributes
        raise AssertionError(f"no control with id {element_id!r} on the page")

    def checked(self, name: str) -> set[str]:
        return {a["value"] or "" for a in self.inputs if a.get("name") == name and "checked" in a and a.get("value")}

    def selected(self, name: str) -> set[str]:
        return {a.get("value") or "" for select, a in self.options if select == name and "selected" in a}


def page(response) -> Page:
    return Page(response.get_data(as_text=True))


class FormReader(HTMLParser):
    """The controls of the forms on a page, as a browser would send them (buttons left out)."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._textarea: str | None = None
        self._select: str | None = None
        self._first_option: str | None = None
        self._selected = False
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action"), "fields": {}}
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        fields = self._form["fields"]
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields.setdefault(a["name"], []).append(a.get("value", "on"))
            elif kind not in ("submit", "button", "file"):
                fields[a["name"]] = [a.get("value") or ""]
        elif tag == "textarea":
            self._textarea = a.get("name")
            fields[self._textarea] = [""]
        elif tag == "select":
            self._select, self._first_option, self._selected = a.get("name"), None, False
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = a.get("value", "")
            if "selected" in a:
                fields[self._select] = [a.get("value", "")]
                self._selected = True

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea and self._form is not None:
            fields = self._form["fields"]
            # A browser drops the one newline right after <textarea>.
            fields[self._textarea] = [fields[self._textarea][0].removeprefix("\n")]
            self._textarea = None
        elif tag == "select" and self._select:
            if not self._selected and self._first_option is not None:
                self._form["fields"][self._select] = [self._first_option]
            self._select = None

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form["fields"][self._textarea][0] += data


def form_on(response, action: str) -> dict[str, list[str]]:
    """The fields of the form posting to ``action``, as a browser would send them."""
    reader = FormReader(response.get_data(as_text=True))
    for form in reader.forms:
        if form["action"] and form["action"].split("#")[0] == action:
            return dict(form["fields"])
    raise AssertionError(f"no form posting to {action}")

"""Reading uploaded evidence from a request without ever holding more than the limits allow.

The site's ``MAX_CONTENT_LENGTH`` stays small for every other form. A view that takes evidence
(marked with :func:`accepts_evidence`) accepts a body of up to ``EVIDENCE_MAX_FILES`` ×
``EVIDENCE_MAX_BYTES`` plus room for the text fields, refused with 413 from its
``Content-Length`` before anything is read. Within it, each file is streamed into a container
that stops keeping bytes once the file passes ``EVIDENCE_MAX_BYTES``: the rest of the body is
still read, so that the note and links typed beside a file that is too large are kept and the
person is told which file to make smaller.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass

from flask import Request, current_app, request

# Room for the text fields (note, links, answer) beside the files.
TEXT_MARGIN = 1024 * 1024


def accepts_evidence(view):
    """Mark a view as taking uploaded evidence (put it directly under ``@bp.route``)."""
    view.accepts_evidence = True
    return view


def accepts_upload_up_to(setting: str):
    """Mark a view as taking one large upload of at most the setting ``setting`` in bytes (a
    SCORM package), plus room for the text fields; put it directly under ``@bp.route``."""

    def mark(view):
        view.upload_limit_setting = setting
        return view

    return mark


def request_limit(config) -> int:
    """The largest body an evidence form may send: every file at its largest, and the text."""
    return int(config["EVIDENCE_MAX_FILES"]) * int(config["EVIDENCE_MAX_BYTES"]) + TEXT_MARGIN


class CappedFile:
    """A spooled temporary file that keeps at most ``limit`` bytes; past it, ``too_large`` is
    set and what was kept is dropped."""

    def __init__(self, limit: int):
        self.limit = limit
        self.received = 0
        self.too_large = False
        # Closed with the request, as werkzeug closes the files it parsed.
        self._file = tempfile.SpooledTemporaryFile(max_size=512 * 1024)  # noqa: SIM115

    def write(self, data: bytes) -> int:
        self.received += len(data)
        if self.too_large:
            return len(data)
        if self.received > self.limit:
            self.too_large = True
            self._file.seek(0)
            self._file.truncate()
            return len(data)
        return self._file.write(data)

    def __getattr__(self, name):
        return getattr(self._file, name)


class UploadRequest(Request):
    """The site's request: larger bodies and capped files for views that take evidence only."""

    def _takes_evidence(self) -> bool:
        if self.url_rule is None or not current_app:
            return False
        view = current_app.view_functions.get(self.url_rule.endpoint)
        return bool(getattr(view, "accepts_evidence", False))

    def _upload_limit_setting(self) -> str | None:
        if self.url_rule is None or not current_app:
            return None
        view = current_app.view_functions.get(self.url_rule.endpoint)
        return getattr(view, "upload_limit_setting", None)

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is None and self._takes_evidence():
            return request_limit(current_app.config)
        if self._max_content_length is None and (setting := self._upload_limit_setting()):
            return int(current_app.config[setting]) + TEXT_MARGIN
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        if self._takes_evidence():
            return CappedFile(int(current_app.config["EVIDENCE_MAX_BYTES"]))
        return super()._get_file_stream(total_content_length, content_type, filename, content_length)


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes | None  # None when the file was larger than the limit (nothing of it was kept)


def uploads(field: str = "files") -> list[Upload]:
    """The files sent in ``field`` (empty file inputs left out), in the order sent."""
    found = []
    for storage in request.files.getlist(field):
        if not storage or not storage.filename:
            continue
        stream = storage.stream
        if getattr(stream, "too_large", False):
            found.append(Upload(storage.filename, None))
            continue
        stream.seek(0)
        found.append(Upload(storage.filename, stream.read()))
    return found

"""Reading a multipart/mixed statements request: the JSON part first, then attachments by hash."""

from __future__ import annotations

import hashlib
import re


class MultipartError(ValueError):
    pass


HASHES = {56: hashlib.sha224, 64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}


def _boundary(content_type: str) -> bytes:
    match = re.search(r'boundary\s*=\s*"?([^";]+)"?', content_type, re.IGNORECASE)
    if not match:
        raise MultipartError("multipart/mixed needs a boundary")
    return match.group(1).strip().encode()


def _headers(block: bytes) -> dict[str, str]:
    found = {}
    for line in block.split(b"\r\n"):
        if not line.strip():
            continue
        name, sep, value = line.decode("latin-1").partition(":")
        if not sep:
            raise MultipartError("a part header could not be read")
        found[name.strip().lower()] = value.strip()
    return found


def split_multipart(content_type: str, data: bytes) -> tuple[bytes, dict[str, tuple[str, bytes]]]:
    """The first part's bytes (the statements), and every other part as hash -> (type, content).
    Refuses a part without a hash, a hash that does not match its content, and a non-JSON first part."""
    boundary = b"--" + _boundary(content_type)
    chunks = data.split(boundary)
    if len(chunks) < 3:
        raise MultipartError("the multipart body has no parts")
    parts = []
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        if chunk.startswith(b"\r\n"):
            chunk = chunk[2:]
        head, sep, body = chunk.partition(b"\r\n\r\n")
        if not sep:
            if chunk.startswith(b"\r\n"):
                head, body = b"", chunk[2:]
            else:
                raise MultipartError("a part has no blank line after its headers")
        if body.endswith(b"\r\n"):
            body = body[:-2]
        parts.append((_headers(head), body))
    if not parts:
        raise MultipartError("the multipart body has no parts")
    first_headers, first = parts[0]
    if first_headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise MultipartError("the first part must be the statements, as application/json")
    attachments: dict[str, tuple[str, bytes]] = {}
    for headers, body in parts[1:]:
        sha2 = headers.get("x-experience-api-hash", "").lower()
        if not sha2:
            raise MultipartError("every attachment part needs an X-Experience-API-Hash header")
        encoding = headers.get("content-transfer-encoding")
        if encoding is not None and encoding.lower() != "binary":
            raise MultipartError("attachment parts are sent with Content-Transfer-Encoding: binary")
        algorithm = HASHES.get(len(sha2))
        if algorithm is None or algorithm(body).hexdigest() != sha2:
            raise MultipartError("an attachment's content does not match its X-Experience-API-Hash")
        attachments[sha2] = (headers.get("content-type", "application/octet-stream"), body)
    return first, attachments

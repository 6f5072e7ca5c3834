"""Judging an uploaded file by its content, never by its name, and cleaning it.

Accepted: PNG, JPEG and WebP images, and PDF documents. An image is opened and verified by
Pillow, refused when its pixel count makes it a decompression bomb, and re-encoded, so that
what it carried besides pixels (EXIF with a phone's GPS position, comments, text chunks) never
reaches anyone; it gets a thumbnail. A PDF is recognised by its ``%PDF-`` header and kept as
sent, to be served only as a download.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from dataclasses import dataclass

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from courseware.exceptions import Invalid
from courseware.i18n import lazy_gettext as _l

# Beyond this many pixels an image is refused as a decompression bomb (about 50 megapixels:
# more than any phone camera, far less than a bomb's billions).
MAX_PIXELS = 50_000_000
THUMBNAIL_SIZE = (320, 320)
ACCEPTED = _l("PNG, JPEG or WebP images and PDF documents")

_IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


@dataclass(frozen=True)
class CleanFile:
    """An accepted file, ready to store: its bytes as they will be served."""

    kind: str  # "image" or "pdf"
    content_type: str
    filename: str
    data: bytes
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None


def sniff(head: bytes) -> str | None:
    """The accepted format the first bytes announce ("PNG", "JPEG", "WEBP", "PDF"), or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head.startswith(b"%PDF-"):
        return "PDF"
    return None


def display_name(filename: str | None, fmt: str) -> str:
    """A safe name to show and to offer on download: letters, digits, dots, dashes and spaces,
    with the extension of what the file really is."""
    stem = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    stem = unicodedata.normalize("NFKC", stem)
    stem = re.sub(r"[^\w .-]+", "_", stem, flags=re.UNICODE).strip(" ._")[:80] or "evidence"
    extension = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "PDF": "pdf"}[fmt]
    return f"{stem}.{extension}"


def clean_upload(filename: str | None, data: bytes) -> CleanFile:
    """The upload ``data`` judged by its content and cleaned; Invalid, naming the file, when it
    is not an accepted type, is damaged, or is an image too large to open safely."""
    shown = (filename or _("the file"))[:120]
    fmt = sniff(data[:16])
    if fmt is None:
        raise Invalid(
            _("“%(name)s” is not a file this site accepts: send %(accepted)s.", name=shown, accepted=ACCEPTED),
            field="files",
        )
    if fmt == "PDF":
        return CleanFile("pdf", "application/pdf", display_name(filename, fmt), data)
    return _clean_image(shown, display_name(filename, fmt), fmt, data)


def _clean_image(shown: str, name: str, fmt: str, data: bytes) -> CleanFile:
    damaged = Invalid(
        _("“%(name)s” could not be read as an image; it may be damaged. Send it again.", name=shown), field="files"
    )
    bomb = Invalid(
        _(
            "“%(name)s” has too many pixels to open safely (at most %(most)d megapixels). "
            "Send a smaller image, such as a screenshot of the part that matters.",
            name=shown,
            most=MAX_PIXELS // 1_000_000,
        ),
        field="files",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise bomb
                probe.verify()
            with Image.open(io.BytesIO(data), formats=[fmt]) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
    except Invalid:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise bomb from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise damaged from None
    return CleanFile(
        "image",
        _IMAGE_TYPES[fmt],
        name,
        _encode(image, fmt),
        width=image.width,
        height=image.height,
        thumbnail=_thumbnail(image),
    )


def _pixels_only(image: Image.Image, fmt: str) -> Image.Image:
    """The image's pixels alone, in a mode ``fmt`` can save, with no metadata attached."""
    if fmt == "JPEG":
        mode = "RGB" if image.mode not in ("L", "RGB") else image.mode
    elif image.mode in ("1", "L", "LA", "RGB", "RGBA", "P"):
        mode = image.mode
    else:
        mode = "RGBA"
    if image.mode == "P" and mode != "P":
        image = image.convert("RGBA")
    plain = image.convert(mode) if image.mode != mode else image.copy()
    plain.info = {}
    return plain


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    plain = _pixels_only(image, fmt)
    options = {"quality": 90} if fmt in ("JPEG", "WEBP") else {"optimize": True}
    plain.save(out, format=fmt, **options)
    return out.getvalue()


def _thumbnail(image: Image.Image) -> bytes:
    small = _pixels_only(image, "PNG")
    small.thumbnail(THUMBNAIL_SIZE)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    return out.getvalue()

"""Real files for upload tests, made with Pillow (or by hand where Pillow would refuse to)."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

GPS_IFD = 0x8825


def jpeg_with_gps() -> bytes:
    """A phone-like photo: a JPEG whose EXIF holds a GPS position and a camera make."""
    image = Image.new("RGB", (64, 48), (200, 80, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[GPS_IFD] = {1: "N", 2: (51.0, 30.0, 26.0), 3: "W", 4: (0.0, 7.0, 39.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png(size=(40, 30), color=(0, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(side: int = 20_000) -> bytes:
    """A valid one-bit PNG of ``side`` × ``side`` pixels (400 million by default) that weighs a
    few tens of kilobytes: all zeros, compressed."""
    row = b"\x00" * (1 + (side + 7) // 8)  # filter byte, then the packed pixels
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


HOSTILE_SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)">'
    b"<script>fetch('/account')</script></svg>"
)

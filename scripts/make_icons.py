#!/usr/bin/env python3
"""Draw the web app's icons (web/static/icons/lowdose-<size>.png): the site's accent colour with
a white capsule across the middle, inside the safe zone of a maskable icon (the central 80%).
Plain Python (zlib), no image library; run it again only to change the drawing."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

ACCENT = (0x1F, 0x6F, 0x8B)  # --accent in web/static/css/lowdose.css
WHITE = (0xFF, 0xFF, 0xFF)
LIGHT = (0xB9, 0xDC, 0xE8)
OUT = Path(__file__).resolve().parent.parent / "web" / "static" / "icons"


def _pixel(x: float, y: float) -> tuple[int, int, int]:
    """The colour at (x, y) in a unit square: a capsule (two half-discs and a bar), tilted 45°,
    its left half white and its right half light blue."""
    u, v = (x - 0.5 + y - 0.5) / 2**0.5, (y - 0.5 - (x - 0.5)) / 2**0.5
    half_length, radius = 0.2, 0.12
    nearest = max(-half_length, min(half_length, u))
    if (u - nearest) ** 2 + v**2 <= radius**2:
        return WHITE if u < 0 else LIGHT
    return ACCENT


def _png(size: int) -> bytes:
    rows = bytearray()
    for j in range(size):
        rows.append(0)  # no filter
        for i in range(size):
            rows.extend(_pixel((i + 0.5) / size, (j + 0.5) / size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        (OUT / f"lowdose-{size}.png").write_bytes(_png(size))


if __name__ == "__main__":
    main()

"""Building blocks shared by the export generators: seeded dirt, streaming CSV sinks and the
small text tricks real exports need (ASCII mailbox names, cp1252 cells, spreadsheet headers)."""

from __future__ import annotations

import base64
import csv
import random
import struct
import unicodedata
import zlib
from collections.abc import Sequence
from math import gcd
from pathlib import Path

Row = list[str]


def ascii_slug(name: str) -> str:
    """'O’Brien' → 'obrien', 'Zoë' → 'zoe': email local parts stay ASCII like real mailboxes."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def tiny_png() -> str:
    """A real 1×1 PNG as base64, for inline `data:` images (built so its CRCs are right)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x1f\x4e\x79")
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    return base64.b64encode(png).decode()


def cp1252_cell(text: str) -> str:
    """Text whose UTF-8 encoding (with surrogateescape) is its cp1252 bytes: a cell pasted from a
    Windows app into an otherwise UTF-8 file."""
    return text.encode("cp1252").decode("utf-8", "surrogateescape")


def title_header(column: str) -> str:
    """'client_id' → 'Client ID', the spreadsheet-style header some exports use."""
    return " ".join("ID" if word == "id" else word.capitalize() for word in column.split("_"))


def coprime_step(modulus: int) -> int:
    """A multiplier that permutes 0..modulus-1, so matters spread over clients without a table."""
    return next(p for p in (7919, 104729, 1299709, 15485863) if gcd(p, modulus) == 1)


class Dirt:
    """Which rows of one object carry which dirty case.

    Each case hits about `rate` of the rows by chance (one draw decides whether and which), and two
    rows per case are forced up front so that even a small export exercises every case.
    """

    def __init__(self, rng: random.Random, rows: int, cases: Sequence[str], rate: float, first: int = 0):
        self._cases = tuple(cases)
        self._threshold = min(1.0, rate * len(self._cases))
        self._random = rng.random
        self._forced: dict[int, str] = {}
        slots = range(first, rows)
        if rate > 0 and len(slots) >= 2 * len(self._cases):
            picked = rng.sample(slots, 2 * len(self._cases))
            self._forced = {row: self._cases[n // 2] for n, row in enumerate(picked)}

    def case(self, row: int) -> str | None:
        draw = self._random()
        forced = self._forced.get(row)
        if forced is not None:
            return forced
        if draw < self._threshold:
            return self._cases[int(draw / self._threshold * len(self._cases))]
        return None


class Sink:
    """One CSV being written row by row; it only counts rows, it never keeps them."""

    def __init__(self, path: Path, header: Sequence[str], *, encoding: str = "utf-8",
                 delimiter: str = ",", errors: str = "strict"):
        self._file = open(path, "w", encoding=encoding, errors=errors, newline="")
        self._writer = csv.writer(self._file, delimiter=delimiter)
        self._writer.writerow(header)
        self.rows = 0

    def write(self, row: Row) -> None:
        self._writer.writerow(row)
        self.rows += 1

    def close(self) -> None:
        self._file.close()

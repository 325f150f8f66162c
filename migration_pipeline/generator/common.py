"""Building blocks shared by the export generators: the seeded small draws, seeded dirt,
streaming CSV sinks, the output folder and the small text tricks real exports need (ASCII mailbox
names, cp1252 cells, spreadsheet headers, placeholder documents)."""

from __future__ import annotations

import base64
import csv
import random
import struct
import unicodedata
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from math import gcd
from pathlib import Path
from typing import TypeVar

Row = list[str]
T = TypeVar("T")
# A file's header and the Sink keyword arguments (encoding, delimiter, errors) giving its layout.
Layout = tuple[Sequence[str], Mapping[str, str]]

# The first bytes of each document format, so a placeholder passes a file-type sniff.
FILE_MAGIC = {"pdf": b"%PDF-1.4\n", "jpg": b"\xff\xd8\xff\xe0", "png": b"\x89PNG\r\n\x1a\n",
              "txt": b"", "docx": b"PK\x03\x04", "msg": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"}


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


def placeholder_file(record_id: str, file_name: str, ext: str, size: int) -> bytes:
    """Placeholder bytes of exactly `size`: the format's magic number, then a readable note."""
    head = FILE_MAGIC[ext] + f"Placeholder for {record_id} {file_name}\n".encode()
    return (head + b"." * size)[:size]


@dataclass(frozen=True)
class Document:
    """A document listed in an export, stored as `files/<id>_<file name>`."""

    record_id: str
    file_name: str
    ext: str
    mime: str
    size: int

    @property
    def path(self) -> str:
        return f"files/{self.record_id}_{self.file_name}"

    def placeholder(self) -> bytes:
        return placeholder_file(self.record_id, self.file_name, self.ext, self.size)


@dataclass(frozen=True)
class MailboxStyle:
    """How people of one place name their mailboxes: 'first.last' half the time, 'flast' a quarter,
    and a quarter 'first' + `separator` + 'last' + one of `numbers` ('jo.smith42')."""

    personal_domains: Sequence[str]
    separator: str
    numbers: range

    def address(self, draw: int, first_slug: str, last_slug: str, domain: str | None) -> str:
        """`draw` is 16 random bits: the low ones pick a personal domain when `domain` is None, the
        high byte the shape."""
        domain = domain or self.personal_domains[draw % len(self.personal_domains)]
        style = draw >> 8
        if style < 128:
            return f"{first_slug}.{last_slug}@{domain}"
        if style < 192:
            number = self.numbers[style % len(self.numbers)]
            return f"{first_slug}{self.separator}{last_slug}{number}@{domain}"
        return f"{first_slug[0]}{last_slug}@{domain}"


def unique_address(first_slug: str, last_slug: str, domain: str, taken: set[str]) -> str:
    """'first.last@domain' for a member of staff, numbered when a colleague already has it; the
    address joins `taken`."""
    email = f"{first_slug}.{last_slug}@{domain}"
    while email in taken:
        email = f"{first_slug}.{last_slug}{len(taken)}@{domain}"
    taken.add(email)
    return email


def share_of(records: int, fraction: float) -> int:
    """Rows for an object that gets `fraction` of the requested records; at least one."""
    return max(1, round(records * fraction))


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


class SeededDraws:
    """The small draws every generator makes from its one `random.Random(seed)`.

    A seed reproduces an export byte for byte only while the draws happen in the same order, so
    each helper makes exactly the draws it shows, no more and no fewer.
    """

    def __init__(self, seed: int, days: Sequence[str], times: Sequence[str],
                 latest_creation: int | None = None):
        """`days` are the export's ISO days and `times` the clock times ('T09:05:00') stamps are
        drawn from; records are created no later than day `latest_creation` (default: the last)."""
        self.rng = random.Random(seed)
        self.r = self.rng.random
        self.bits = self.rng.getrandbits
        self.days = days
        self.times = times
        self.last_day = len(days) - 1
        self.latest_creation = self.last_day if latest_creation is None else latest_creation

    def pick(self, options: Sequence[T]) -> T:
        return options[int(self.r() * len(options))]

    def between(self, low: int, high: int) -> int:
        return low + int(self.r() * (high - low + 1))

    def stamp(self, day: int) -> str:
        return self.days[day] + self.pick(self.times)

    def created_and_changed(self, low: int = 0, high: int | None = None) -> tuple[str, str]:
        """A creation time between days `low` and `high` (default: the latest creation day) and a
        last-change time not before it (often the same moment)."""
        day = self.between(low, self.latest_creation if high is None else high)
        created = self.stamp(day)
        later = min(self.last_day, day + int(self.r() ** 3 * 500))
        return created, (created if later == day else self.stamp(later))

    def retyped_email(self, email: str) -> str:
        """The same address typed again by someone else: other case, stray spaces."""
        variant = self.between(0, 2)
        if variant == 0:
            return f"  {email.title()} "
        if variant == 1:
            return email.upper()
        return f"{email[0].upper()}{email[1:]} "

    def documents(self, count: int, id_prefix: str, kinds: Sequence[tuple[str, str, str]], low: int,
                  high: int, dirty_rate: float) -> Iterator[tuple[Document, bool]]:
        """`count` documents ('<id_prefix>-000001' …) of `kinds` (slug, extension, MIME type), `low`
        to `high` bytes each, drawn one at a time as the caller goes; with each, whether its file is
        missing from `files/` (the 'missing_file' dirty case)."""
        dirt = Dirt(self.rng, count, ("missing_file",), dirty_rate)
        for n in range(count):
            missing = dirt.case(n) is not None
            slug, ext, mime = self.pick(kinds)
            size = self.between(low, high)
            yield Document(f"{id_prefix}-{n + 1:06d}", f"{slug}.{ext}", ext, mime, size), missing

    def copy_of_recent(self, recent: deque[tuple[str, str, str]]) -> tuple[str, str, str]:
        """(first, last, email) of a person entered again: an earlier one from `recent`, with the
        email retyped. The person leaves `recent`, so each duplicate copies a different one."""
        original = self.pick(recent)
        recent.remove(original)
        first, last, email = original
        return first, last, self.retyped_email(email)


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

    def write_all(self, rows: Iterable[Sequence[str]]) -> None:
        for row in rows:
            self.write(list(row))

    def close(self) -> None:
        self._file.close()


Sinks = dict[str, Sink]  # the open files of one export, by file name


def export_folder(out_dir: str | Path, records: int, dirty_rate: float, *, with_files: bool) -> Path:
    """Check the arguments every generator's `generate_export` takes and create `out_dir`, with
    `files/` for the documents when `with_files`.

    `records` is about how many loadable rows the export gets. `dirty_rate` is the share of the
    relevant rows that carry each dirty case; above 0, every case also appears at least twice once
    `records` >= 300. A `dirty_rate` of 0 gives a clean export.
    """
    if records < 1:
        raise ValueError("records must be at least 1")
    if not 0 <= dirty_rate <= 1:
        raise ValueError("dirty_rate must be between 0 and 1")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if with_files:
        (out / "files").mkdir(exist_ok=True)
    return out


def write_files(out: Path, layouts: Mapping[str, Layout],
                writers: Iterable[Callable[[Sinks], None]]) -> dict[str, int]:
    """Open one Sink per file in `out`, run `writers` on them in order (the order of the RNG's
    draws) and close them all, whatever happens. Returns the data rows written per file, in file
    name order."""
    with ExitStack() as stack:
        sinks: Sinks = {}
        for name, (header, layout) in sorted(layouts.items()):
            sinks[name] = Sink(out / name, header, **layout)
            stack.callback(sinks[name].close)
        for write in writers:
            write(sinks)
        return {name: sink.rows for name, sink in sinks.items()}

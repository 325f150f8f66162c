"""Reading a vendor's CSV export — a folder or a ZIP — as tolerant, chunked frames.

Real exports are messy, so the reader accepts: UTF-8 with or without BOM, cp1252 (and stray
cp1252 bytes inside a UTF-8 file), `,` `;` tab or `|` delimiters, quoted newlines, headers in any
case and spacing, empty files and missing files. Rows with more fields than the header are not
dropped silently: each becomes a `MalformedLine` the caller quarantines.
"""

from __future__ import annotations

import codecs
import io
import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

import charset_normalizer
import pandas as pd

_SAMPLE_BYTES = 64 * 1024
DEFAULT_CHUNK_ROWS = 25_000  # bounds memory: a chunk of long HTML bodies is the largest thing held
_DELIMITERS = (",", ";", "\t", "|")
_CP1252_FALLBACK = "migration_pipeline.cp1252_fallback"


def _decode_stray_bytes_as_cp1252(error: UnicodeDecodeError) -> tuple[str, int]:
    # A UTF-8 export with a few cells pasted from a Windows app: keep the text, don't fail.
    chunk = error.object[error.start : error.end]
    return bytes(chunk).decode("cp1252", errors="replace"), error.end


codecs.register_error(_CP1252_FALLBACK, _decode_stray_bytes_as_cp1252)


class ExportError(ValueError):
    """The export cannot be read as declared (not a folder or ZIP, a required column missing)."""


def normalize_header(name: str) -> str:
    """' Client Name ' / 'client-name' / 'CLIENT_NAME' → 'client_name'."""
    return re.sub(r"[^0-9a-z]+", "_", name.replace("\ufeff", "").strip().lower()).strip("_")


@dataclass(frozen=True)
class CsvDialect:
    encoding: str
    delimiter: str


@dataclass(frozen=True)
class MalformedLine:
    line: int
    message: str


@dataclass
class Chunk:
    """A slice of one export file: columns normalised, every value text, blanks as NA."""

    frame: pd.DataFrame  # indexed by 0-based data-row number across the whole file
    malformed: list[MalformedLine] = field(default_factory=list)


def sniff_dialect(sample: bytes) -> CsvDialect:
    if sample.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            decoder.decode(sample, final=False)
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = _single_byte_encoding(sample)
    header_line = sample.decode(encoding.replace("-sig", ""), errors="replace").lstrip("\ufeff").split("\n", 1)[0]
    delimiter = max(_DELIMITERS, key=header_line.count)
    return CsvDialect(encoding=encoding, delimiter=delimiter)


def _single_byte_encoding(sample: bytes) -> str:
    # Western exports that are not UTF-8 are nearly always Windows-1252; guess only if not.
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        best = charset_normalizer.from_bytes(sample).best()
        return best.encoding if best else "latin-1"


class ExportArchive:
    """A Perfect Portal-style export: one CSV per object plus a `files/` folder, as a folder or ZIP."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if self.path.is_dir():
            self._zip = None
            names = [p.relative_to(self.path).as_posix() for p in self.path.rglob("*") if p.is_file()]
        elif zipfile.is_zipfile(self.path):
            self._zip = zipfile.ZipFile(self.path)
            names = [n for n in self._zip.namelist() if not n.endswith("/")]
        else:
            raise ExportError(f"{self.path}: the export must be a folder or a ZIP file")
        self._root = _common_root(names)
        self._names = {self._relative(n).lower(): n for n in names}

    def _relative(self, name: str) -> str:
        return name[len(self._root) :] if self._root and name.startswith(self._root) else name

    def find(self, relative: str) -> str | None:
        """The stored name of a file, matched without regard to case or a single wrapping folder."""
        return self._names.get(relative.strip("/").lower())

    def exists(self, relative: str) -> bool:
        return self.find(relative) is not None

    def size(self, relative: str) -> int:
        stored = self._require(relative)
        if self._zip is not None:
            return self._zip.getinfo(stored).file_size
        return (self.path / stored).stat().st_size

    def open(self, relative: str) -> IO[bytes]:
        stored = self._require(relative)
        if self._zip is not None:
            return self._zip.open(stored)
        return open(self.path / stored, "rb")

    def _require(self, relative: str) -> str:
        stored = self.find(relative)
        if stored is None:
            raise FileNotFoundError(f"{relative} is not in the export {self.path}")
        return stored

    def read_chunks(self, relative: str, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[Chunk]:
        """Stream one CSV in chunks; a missing or empty file yields nothing."""
        if not self.exists(relative):
            return
        with self.open(relative) as handle:
            sample = handle.read(_SAMPLE_BYTES)
        if not sample.strip():
            return
        dialect = sniff_dialect(sample)
        with self.open(relative) as handle:
            yield from _read_csv_chunks(handle, dialect, chunk_rows)

    def header(self, relative: str) -> list[str]:
        if not self.exists(relative):
            return []
        with self.open(relative) as handle:
            sample = handle.read(_SAMPLE_BYTES)
        if not sample.strip():
            return []
        dialect = sniff_dialect(sample)
        text = sample.decode(dialect.encoding, errors=_CP1252_FALLBACK)
        first = pd.read_csv(io.StringIO(text), sep=dialect.delimiter, nrows=0, dtype=str)
        return [normalize_header(c) for c in first.columns]


def _common_root(names: list[str]) -> str:
    """A ZIP often wraps everything in one folder ('export-2024/clients.csv'): look through it."""
    parts = [PurePosixPath(n).parts for n in names]
    tops = {p[0] for p in parts}
    wrapped = len(tops) == 1 and all(len(p) > 1 for p in parts)
    if wrapped and any(len(p) == 2 and p[1].lower().endswith(".csv") for p in parts):
        return f"{tops.pop()}/"
    return ""


_BAD_LINE = re.compile(r"Skipping line (\d+): (.*)")


def _read_csv_chunks(handle: IO[bytes], dialect: CsvDialect, chunk_rows: int) -> Iterator[Chunk]:
    try:
        reader = pd.read_csv(
            handle,
            sep=dialect.delimiter,
            encoding=dialect.encoding,
            encoding_errors=_CP1252_FALLBACK,
            dtype=str,
            keep_default_na=False,  # 'NA' or 'null' typed in a CRM is text, not missing
            na_values=[""],
            chunksize=chunk_rows,
            on_bad_lines="warn",
            skip_blank_lines=True,
        )
    except pd.errors.EmptyDataError:
        return
    with reader:
        while True:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", pd.errors.ParserWarning)
                try:
                    frame = next(reader)
                except StopIteration:
                    break
                except pd.errors.EmptyDataError:
                    return
            frame.columns = [normalize_header(str(c)) for c in frame.columns]
            malformed = _malformed_lines(caught)
            yield Chunk(frame=frame, malformed=malformed)


def _malformed_lines(caught: list[warnings.WarningMessage]) -> list[MalformedLine]:
    found = []
    for warning in caught:
        for line in str(warning.message).splitlines():
            match = _BAD_LINE.search(line)
            if match:
                found.append(MalformedLine(int(match.group(1)), match.group(2).strip()))
    return found

"""Fixtures and checks that the tests of every export generator share: same seed ⇒ same bytes,
the returned counts are true, keys are unique and well formed, timestamps are in order, duplicates
are retyped copies, no documents when asked for none, and memory that does not grow with the
export's size.

Each generator's `generate_export(out_dir, records, seed=…, dirty_rate=…, with_files=…)` is passed
in, so one module serves all of them.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

Rows = dict[str, list[dict[str, str]]]  # file name → its rows
Export = tuple[Path, dict[str, int]]  # the export's folder and the counts generate_export returned
GenerateExport = Callable[..., dict[str, int]]
ReadRows = Callable[[Path, str], list[dict[str, str]]]  # (export folder, file name) → its rows


def at_least_two(found: list) -> None:
    assert len(found) >= 2, found


def read_csv(path: Path, encoding: str = "utf-8", delimiter: str = ",",
             errors: str = "strict") -> list[dict[str, str]]:
    """Rows of one CSV as the reader would see them: headers folded to snake_case ('Client ID' →
    'client_id'), every row as long as the header."""
    with open(path, encoding=encoding, errors=errors, newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        header = [re.sub(r"[^0-9a-z]+", "_", column.lower()).strip("_") for column in next(reader)]
        return [dict(zip(header, row, strict=True)) for row in reader]


def read_export(out: Path, csv_files: Iterable[str], read_rows: ReadRows) -> Rows:
    return {name: read_rows(out, name) for name in csv_files}


def export_fixtures(generate_export: GenerateExport, csv_files: Iterable[str],
                    read_rows: ReadRows) -> tuple[Any, Any]:
    """The module-scoped fixtures `export` (one 500-record export with the default seed and dirt)
    and `rows` (all its files, read), for a test module to bind: `export, rows = export_fixtures(…)`."""

    @pytest.fixture(scope="module", name="export")
    def export(tmp_path_factory: pytest.TempPathFactory) -> Export:
        out = tmp_path_factory.mktemp(generate_export.__module__.rsplit(".", 1)[-1])
        return out, generate_export(out, records=500)

    @pytest.fixture(scope="module", name="rows")
    def rows(export: Export) -> Rows:
        return read_export(export[0], csv_files, read_rows)

    return export, rows


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under `root` (relative path → bytes)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def assert_same_seed_gives_identical_bytes(generate_export: GenerateExport, tmp_path: Path) -> dict[str, bytes]:
    """Two runs with one seed write the same bytes, another seed writes others. Returns the files
    of the first run."""
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate_export(first, records=300, seed=11)
    generate_export(second, records=300, seed=11)
    generate_export(other, records=300, seed=12)
    files = snapshot(first)
    assert files == snapshot(second)
    assert files != snapshot(other)
    return files


def assert_counts_match_the_files(counts: dict[str, int], rows: Rows, csv_files: set[str]) -> None:
    assert set(counts) == csv_files
    assert {name: len(found) for name, found in rows.items()} == counts


def assert_keys_are_unique_and_well_formed(rows: Rows, keys: Mapping[str, tuple[str, str]]) -> None:
    """`keys`: file name → (key column, regular expression every key matches)."""
    for name, (column, pattern) in keys.items():
        values = [row[column] for row in rows[name]]
        assert len(set(values)) == len(values), name
        assert all(re.fullmatch(pattern, value) for value in values), name


def assert_never_changed_before_created(rows: Rows, created: Mapping[str, str], changed: str,
                                        stamp: re.Pattern[str]) -> None:
    """`created`: file name → its creation column; both it and the `changed` column are `stamp`s
    (ISO text, so comparing the text compares the times)."""
    for name, created_column in created.items():
        for row in rows[name]:
            assert stamp.fullmatch(row[created_column]) and stamp.fullmatch(row[changed]), row
            assert row[changed] >= row[created_column], row


def retyped_duplicates(people: list[dict[str, str]]) -> list[str]:
    """Emails typed again in other case or with stray spaces, where the tidy address is in the file too."""
    tidy = Counter(row["email"] for row in people)
    retyped = [row["email"] for row in people if row["email"] != row["email"].strip().lower()]
    return [email for email in retyped if tidy[email.strip().lower()]]


def assert_no_files_folder_without_files(generate_export: GenerateExport, tmp_path: Path) -> None:
    generate_export(tmp_path, records=300, with_files=False)
    assert not (tmp_path / "files").exists()


_MEASURE = """
import importlib, json, resource, sys
generate_export = importlib.import_module(sys.argv[1]).generate_export
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
counts = generate_export(sys.argv[2], records=int(sys.argv[3]), with_files=False)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"growth_kb": after - before, "rows": sum(counts.values())}))
"""


def assert_memory_does_not_grow(generator_module: str, tmp_path: Path) -> None:
    """Peak RSS of a fresh interpreter, before and after the generator in `generator_module` writes
    200k records (files skipped: they only cost disk time, not memory)."""
    result = subprocess.run([sys.executable, "-c", _MEASURE, generator_module, str(tmp_path), "200000"],
                            capture_output=True, text=True, check=True, timeout=120)
    measured = json.loads(result.stdout)
    assert measured["rows"] > 200_000
    assert measured["growth_kb"] < 150 * 1024, measured

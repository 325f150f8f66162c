"""Perturbed exports: the same data under other headers, to test that a proposer reads the data and
not just the names it was tuned on.

A copy renames every CSV header in one of a few styles real exports show (synonyms, abbreviations,
a per-file prefix, CamelCase without separators, or a mix) and shuffles the columns; each file is
renamed on its own, as a real export would be, so a key and the column pointing at it may end up
named differently. Cell values are written back byte for byte: the file is parsed as Latin-1 (one
character per byte), so a cp1252 file, stray cp1252 bytes in a UTF-8 one and a BOM all survive.
Everything that is not a top-level CSV (the `files/` folder) is copied as is. The same seed and
style give the same copy.
"""

from __future__ import annotations

import codecs
import csv
import io
import random
import re
import shutil
from pathlib import Path

from migration_pipeline.sources.export import normalize_header, sniff_dialect

STYLES = ("renamed", "abbreviated", "prefixed", "glued", "mixed")
_MIXED = ("renamed", "abbreviated", "prefixed", "glued")

# "renamed": what another vendor calls the column; whole names first, then word by word.
_SYNONYMS = {
    "email": "E-mail Address",
    "first_name": "Given Name",
    "last_name": "Family Name",
    "full_name": "Contact Name",
    "display_name": "Known As",
    "phone": "Telephone",
    "mobile": "Cell Phone",
    "city": "Town",
    "amount": "Value",
    "postcode": "Postal Code",
    "postal_code": "ZIP",
    "zip": "Post Code",
    "website": "Web Address",
    "domain": "Web Domain",
    "job_title": "Position",
    "organisation": "Company Name",
    "description": "Details",
    "created_at": "Date Created",
    "modified_at": "Last Modified",
    "updated_at": "Last Updated",
    "address_line1": "Street",
    "address_line2": "Street Line 2",
    "country": "Country/Region",
    "state": "State/Province",
    "county": "Region",
    "currency": "Currency Code",
    "date_of_birth": "Birth Date",
    "subject": "Topic",
    "body": "Content",
    "price": "Cost",
    "role": "Function",
}
_WORD_SYNONYMS = {
    "email": "E-mail",
    "phone": "Telephone",
    "amount": "Value",
    "description": "Details",
    "organisation": "Company",
    "client": "Customer",
    "matter": "Case",
    "owner": "Responsible",
    "created": "Creation",
    "at": "Time",
    "on": "Date",
}
# "abbreviated": the short forms people type into spreadsheet headers.
_ABBREVIATIONS = {"first_name": "fname", "last_name": "lname", "full_name": "fullname", "date_of_birth": "dob"}
_WORD_ABBREVIATIONS = {
    "department": "dept",
    "amount": "amt",
    "address": "addr",
    "phone": "tel",
    "description": "desc",
    "quantity": "qty",
    "number": "no",
    "organisation": "org",
    "account": "acct",
    "contact": "cont",
    "opportunity": "opp",
    "client": "cli",
    "company": "co",
    "created": "crtd",
    "modified": "mod",
    "updated": "upd",
    "status": "stat",
    "invoice": "inv",
    "package": "pkg",
    "session": "sess",
    "document": "doc",
    "message": "msg",
    "reference": "ref",
    "policy": "pol",
    "jurisdiction": "jur",
    "attachment": "att",
    "customer": "cust",
    "mobile": "mob",
    "country": "ctry",
    "percent": "pct",
    "minutes": "mins",
    "insurance": "ins",
    "registration": "reg",
    "language": "lang",
    "email": "eml",
    "type": "typ",
    "date": "dt",
}


def perturb_export(src: Path, out: Path, seed: int, style: str) -> dict[str, dict[str, str]]:
    """Write a renamed, column-shuffled copy of the export folder `src` to `out`.

    Returns, per CSV file name, each column (as the reader folds the original header) → the new
    header as written."""
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; one of {', '.join(STYLES)}")
    src, out = Path(src), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    renames: dict[str, dict[str, str]] = {}
    for path in sorted(src.iterdir()):
        target = out / path.name
        if path.is_dir():
            shutil.copytree(path, target, dirs_exist_ok=True)
        elif path.suffix.lower() == ".csv":
            renames[path.name] = _perturb_csv(path, target, random.Random(f"{seed}:{style}:{path.name}"), style)
        else:
            shutil.copy2(path, target)
    return renames


def _perturb_csv(path: Path, target: Path, rng: random.Random, style: str) -> dict[str, str]:
    raw = path.read_bytes()
    if not raw.strip():
        shutil.copy2(path, target)
        return {}
    dialect = sniff_dialect(raw[: 64 * 1024])
    bom = codecs.BOM_UTF8 if raw.startswith(codecs.BOM_UTF8) else b""
    text = raw[len(bom) :].decode("latin-1")
    first_line = text.split("\n", 1)[0]
    terminator = "\r\n" if first_line.endswith("\r") else "\n"
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=dialect.delimiter))
    encoding = dialect.encoding.replace("-sig", "")
    columns = [normalize_header(cell.encode("latin-1").decode(encoding, errors="replace")) for cell in rows[0]]
    headers = _new_headers(columns, path.stem, rng, style)
    order = list(range(len(columns)))
    rng.shuffle(order)
    if len(order) > 1 and order == sorted(order):
        order = order[1:] + order[:1]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=dialect.delimiter, lineterminator=terminator)
    writer.writerow([headers[i] for i in order])
    for row in rows[1:]:
        # A row longer than the header (a malformed line) keeps its extra cells at the end.
        writer.writerow([row[i] if i < len(row) else "" for i in order] + row[len(columns) :] if row else [])
    target.write_bytes(bom + buffer.getvalue().encode("latin-1"))
    return dict(zip(columns, headers))


def _new_headers(columns: list[str], stem: str, rng: random.Random, style: str) -> list[str]:
    """One new header per column, unique once folded: a rename that would fold onto a name already
    taken in the file falls back to the original name in Title Case."""
    prefix = _prefix(stem, rng)
    taken: set[str] = set()
    headers = []
    for column in columns:
        chosen = rng.choice(_MIXED) if style == "mixed" else style
        for candidate in (_rename(column, chosen, prefix), _title(column), f"{_title(column)} Col"):
            if normalize_header(candidate) not in taken:
                break
        taken.add(normalize_header(candidate))
        headers.append(candidate)
    return headers


def _rename(column: str, style: str, prefix: str) -> str:
    words = column.split("_")
    if style == "renamed":
        return _SYNONYMS.get(column) or " ".join(_WORD_SYNONYMS.get(w, w.capitalize()) for w in words)
    if style == "abbreviated":
        return _ABBREVIATIONS.get(column) or "_".join(_WORD_ABBREVIATIONS.get(w, w) for w in words)
    if style == "prefixed":
        return f"{prefix}_{column}"
    return "".join(w.capitalize() for w in words)  # glued: ClientId, FirstName


def _prefix(stem: str, rng: random.Random) -> str:
    """A short form of the file's name, as some systems put before every column: cl_, acct_."""
    skeleton = stem[0] + re.sub(r"[aeiou_]", "", stem[1:])
    return rng.choice([stem[:2], stem[:3], skeleton[:4]]).strip("_")


def _title(column: str) -> str:
    return " ".join(w.capitalize() for w in column.split("_"))

"""Replaying a recorded exchange against the double and comparing the answers.

A recording names ids from the recording run; the double makes its own. `IdMap` learns the
correspondence (from standard metadata up front, then from every successful response) and
rewrites later requests and error messages. `compare` checks what a client relies on: status,
error codes and texts, and for successes the shape — keys, recursively, and value kinds.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# Relations to objects the double does not store come back empty where the recording had rows.
UNMODELLED_LISTS = frozenset({"timelineActivities", "favorites", "messageParticipants", "calendarEventParticipants"})
# Raw server texts whose generated parts (constraint hashes, schema names) differ per database.
_RAW_PARTS = [(re.compile(r"FK_[0-9a-f]+"), "FK_<hash>"), (re.compile(r"IDX_UNIQUE_[0-9a-f]+"), "IDX_UNIQUE_<hash>"),
              (re.compile(r"workspace_[a-z0-9]+"), "workspace_<schema>")]
_CURSOR_PARAM = re.compile(r"(starting_after|ending_before)=([^&]+)")
_NOT_WRITABLE = {"position", "createdBy", "updatedBy", "searchVector", "updatedAt", "deletedAt"}


def load(folder: Path, name: str) -> dict[str, Any]:
    return json.loads((folder / f"{name}.json").read_text())


@dataclass
class IdMap:
    ids: dict[str, str] = field(default_factory=dict)
    file_token: str = ""
    replacements: dict[str, str] = field(default_factory=dict)  # texts the replay set-up changes on purpose

    def text(self, value: str) -> str:
        value = UUID.sub(lambda m: self.ids.get(m.group(0), m.group(0)), value)
        for old, new in self.replacements.items():
            value = value.replace(old, new)
        token = self.file_token or "no-token"
        return value.replace("<TAMPERED_FILE_TOKEN>", token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB")
                             ).replace("<FILE_TOKEN>", token)

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if isinstance(value, dict):
            return {key: self.value(item) for key, item in value.items()}
        return value

    def path(self, path: str) -> str:
        """Rewrite ids in a path, including those inside base64 cursors."""
        def cursor(match: re.Match[str]) -> str:
            decoded = json.loads(base64.b64decode(unquote(match.group(2)) + "=="))
            encoded = base64.b64encode(json.dumps(self.value(decoded), separators=(",", ":")).encode()).decode()
            return f"{match.group(1)}={quote(encoded)}"
        return self.text(_CURSOR_PARAM.sub(cursor, path))

    def learn(self, recorded: Any, mine: Any, positional: bool) -> None:
        """Pair the recorded response with the double's and remember id correspondences."""
        if isinstance(recorded, str) and isinstance(mine, str):
            if recorded == "<FILE_TOKEN>" or "<FILE_TOKEN>" in recorded:
                self._learn_token(recorded, mine)
            theirs, ours = UUID.findall(recorded), UUID.findall(mine)
            if len(theirs) == len(ours):
                for a, b in zip(theirs, ours):
                    self.ids.setdefault(a, b)
        elif isinstance(recorded, dict) and isinstance(mine, dict):
            for key in recorded.keys() & mine.keys():
                self.learn(recorded[key], mine[key], positional)
        elif isinstance(recorded, list) and isinstance(mine, list):
            for a, b in pair_items(recorded, mine, self, positional):
                self.learn(a, b, positional)

    def _learn_token(self, recorded: str, mine: str) -> None:
        if recorded == "<FILE_TOKEN>":
            self.file_token = mine
            return
        pattern = re.escape(recorded).replace(re.escape("<FILE_TOKEN>"), "([^/?&]+)")
        pattern = UUID.sub(lambda m: "[0-9a-fA-F-]{36}", pattern.replace("\\-", "-"))
        found = re.fullmatch(pattern, mine)
        if found:
            self.file_token = found.group(1)


def pair_items(recorded: list[Any], mine: list[Any], ids: IdMap, positional: bool) -> list[tuple[Any, Any]]:
    """Pair list elements: by (translated) id, by a naming key, else by position for writes."""
    recorded = [item for item in recorded if not _placeholder(item)]
    dicts = [item for item in recorded if isinstance(item, dict)]
    if dicts and all(isinstance(m, dict) for m in mine):
        for key in ("id", "nameSingular", "name", "value", "userEmail"):
            theirs = [ids.ids.get(d.get(key), d.get(key)) if key == "id" else d.get(key) for d in dicts]
            ours = {m[key]: m for m in mine if isinstance(m.get(key), str)}
            if all(isinstance(t, str) for t in theirs) and len(set(theirs)) == len(theirs) == len(dicts) \
                    and len(ours) == len(mine):
                # A record the replay knows by id is never paired with another one that shares its name.
                pairs = [(d, ours[t]) for d, t in zip(dicts, theirs) if t in ours
                         and (key == "id" or d.get("id") not in ids.ids or ids.ids[d["id"]] == ours[t].get("id"))]
                if pairs:
                    return pairs
    return list(zip(recorded, mine)) if positional and len(recorded) == len(mine) else []


def _placeholder(item: Any) -> bool:
    return isinstance(item, str) and item.startswith("...")


def _seeded(item: Any) -> bool:
    """A row the recording workspace came with; the double's API cannot reproduce its createdBy."""
    return isinstance(item, dict) and (item.get("createdBy") or {}).get("source") == "SYSTEM"


def seed_records(recordings: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The seed rows the recordings show, as create payloads (ids kept) per plural."""
    seeds: dict[str, dict[str, dict[str, Any]]] = {}
    for recording in recordings:
        request, body = recording["request"], recording["response"]["body"]
        path = urlsplit(request["path"]).path
        if request["method"] != "GET" or not path.startswith("/rest/") or not isinstance(body, dict):
            continue
        data = body.get("data")
        for value in data.values() if isinstance(data, dict) else []:
            for row in value if isinstance(value, list) else [value]:
                if _seeded(row):
                    payload = {k: v for k, v in row.items() if k not in _NOT_WRITABLE and v is not None}
                    seeds.setdefault(path.split("/")[2], {})[row["id"]] = payload
    return {plural: list(rows.values()) for plural, rows in seeds.items()}


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", list: "list", dict: "object"}.get(type(value), type(value).__name__)


def normalise(message: str, ids: IdMap | None = None) -> str:
    for pattern, replacement in _RAW_PARTS:
        message = pattern.sub(replacement, ids.text(message) if ids else message)
    return message


def compare(recorded: Any, mine: Any, ids: IdMap, path: str = "$", lenient: bool = False,
            counts: bool = True) -> list[str]:
    """Differences of shape: key sets (recursively) and value kinds.

    List elements are paired by id or name and compared strictly, except the recording
    workspace's seed rows; without any pair the first elements are compared leniently. Lenient
    means null matches any kind, since seed rows differ in content from API-made ones.
    """
    if isinstance(recorded, dict):
        if not isinstance(mine, dict):
            return [f"{path}: recorded an object, the double answered {_kind(mine)}"]
        theirs, ours = set(recorded) - {"_trimmed"}, set(mine)
        problems = [f"{path}: keys differ, missing {sorted(theirs - ours)}, extra {sorted(ours - theirs)}"] \
            if theirs != ours else []
        for key in sorted(theirs & ours):
            problems += compare(recorded[key], mine[key], ids, f"{path}.{key}", lenient, counts)
        return problems
    if isinstance(recorded, list):
        if not isinstance(mine, list):
            return [f"{path}: recorded a list, the double answered {_kind(mine)}"]
        items = [item for item in recorded if not _placeholder(item)]
        if (not items and recorded) or path.rsplit(".", 1)[-1] in UNMODELLED_LISTS:
            return []  # trimmed by the recorder, or rows of objects the double does not store
        if bool(items) != bool(mine):
            return [f"{path}: recorded {len(items)} item(s), the double answered {len(mine)}"]
        if not items:
            return []
        pairs = pair_items(items, mine, ids, positional=False)
        if pairs:
            problems = [p for a, b in pairs for p in compare(a, b, ids, f"{path}[]", lenient or _seeded(a), counts)]
            if counts and len(pairs) == len(items) == len(recorded) and len(mine) != len(items):
                problems.append(f"{path}: recorded {len(items)} item(s), the double answered {len(mine)}")
            return problems
        return compare(items[0], mine[0], ids, f"{path}[]", True, counts)
    if lenient and (recorded is None or mine is None):
        return []
    if _kind(recorded) != _kind(mine):
        return [f"{path}: recorded {_kind(recorded)}, the double answered {_kind(mine)}"]
    return []


def metadata_ids(recordings: list[dict[str, Any]], objects: list[dict[str, Any]], member_ids: dict[str, str]) -> IdMap:
    """Map the recording's standard object, field, option and member ids onto the double's."""
    ids = IdMap()
    mine = {o["nameSingular"]: o for o in objects}
    fields = {(o["nameSingular"], f["name"]): f for o in objects for f in o["fields"]}
    unique_names = {}
    for (_, name), f in fields.items():
        unique_names[name] = None if name in unique_names else f

    def field_pair(recorded: dict[str, Any], ours: dict[str, Any] | None) -> None:
        if ours is None or recorded.get("isCustom"):
            return
        ids.ids.setdefault(recorded["id"], ours["id"])
        for option in recorded.get("options") or []:
            match = next((o for o in ours.get("options") or [] if o["value"] == option.get("value")), None)
            if match and option.get("id"):
                ids.ids.setdefault(option["id"], match["id"])

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            singular = node.get("nameSingular")
            if isinstance(singular, str) and singular in mine and not node.get("isCustom"):
                ids.ids.setdefault(node["id"], mine[singular]["id"])
                for f in node.get("fields") or []:
                    field_pair(f, fields.get((singular, f.get("name"))))
            elif {"type", "name", "isCustom", "id"} <= node.keys() and "fields" not in node:
                field_pair(node, unique_names.get(node["name"]))
            if isinstance(node.get("userEmail"), str) and node["userEmail"].lower() in member_ids:
                ids.ids.setdefault(node["id"], member_ids[node["userEmail"].lower()])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for recording in recordings:
        walk(recording["response"]["body"])
    return ids

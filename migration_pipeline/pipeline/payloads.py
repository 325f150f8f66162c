"""Destination payloads: pure functions from a mapped frame to the records a destination gets.

A record's id is derived from its source key, and its hash from its content, so that the same
source row always becomes the same record and an unchanged row is recognised without asking the
destination.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from typing import Any

import pandas as pd

from migration_pipeline.mapping import transforms
from migration_pipeline.mapping.spec import FieldRule

_ID_NAMESPACE = uuid.UUID("0b5c8d0e-5f63-4d8e-9a51-4f1e3c2b7a90")


def destination_id(migration: str, load: str, key: str) -> str:
    """The same source record always gets the same destination id, across runs and retries."""
    return str(uuid.uuid5(_ID_NAMESPACE, f"{migration}/{load}/{key}"))


def payload_hash(payload: dict[str, Any]) -> str:
    """The content's fingerprint; the id is left out (a matched record keeps the existing id)."""
    content = {key: value for key, value in payload.items() if key != "id"}
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") and not isinstance(value, (list, dict, str)) else value


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for path, value in flat.items():
        if value is None or (isinstance(value, float) and pd.isna(value)):
            continue
        target = nested
        *parents, leaf = path.split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = _plain(value)
    return nested


def build_payloads(frame: pd.DataFrame, fields: Sequence[str], deferred: dict[str, FieldRule]) -> list[dict[str, Any]]:
    """Destination-shaped records (composite sub-fields nested), with deferred transforms applied now."""
    columns = [f for f in fields if f in frame.columns]
    values = frame[columns].copy()
    for name, rule in deferred.items():
        if name in values:
            values[name] = transforms.apply(rule.transform, values[name], rule.args).values
    values = values.astype("object").where(values.notna(), None)
    return [_nest(record) for record in values.to_dict("records")]

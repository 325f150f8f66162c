"""pandera contracts, built from the mapping spec: one per raw source object, one per load.

The raw contract guards what the export must give us (keys, required columns); the destination
contract guards what the destination will accept (required fields, pick-list values, shapes).
Failures come back as `Problem`s naming the row's field and what is wrong, never as a crash.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pandera.pandas as pa

from migration_pipeline.mapping.engine import KEY, Problem
from migration_pipeline.mapping.spec import Load, MappingSpec, SourceObject

_ISO_DATETIME = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z"
_ISO_DATE = r"\d{4}-\d{2}-\d{2}"
_EMAIL = r"[^@\s]+@[^@\s]+\.[^@\s]+"
_SHAPES = {"datetime": _ISO_DATETIME, "date": _ISO_DATE, "email": _EMAIL}


def raw_schema(name: str, source_object: SourceObject) -> pa.DataFrameSchema:
    """Every row needs its key; required columns are checked for presence, their values by the loads."""
    return pa.DataFrameSchema({source_object.key: pa.Column(nullable=False, required=False)}, name=f"raw {name}.{source_object.key}")


def destination_schema(spec: MappingSpec, load: Load) -> pa.DataFrameSchema:
    columns: dict[str, pa.Column] = {KEY: pa.Column(nullable=False)}
    for field_name, rule in load.fields.items():
        if rule.relation:
            continue
        checks = []
        if rule.transform == "value_map":
            value_map = spec.value_maps[rule.args["map"]]
            allowed = sorted({*value_map.values.values(), *([value_map.default] if value_map.default else [])})
            checks.append(pa.Check.isin(allowed))
        if rule.transform in _SHAPES:
            checks.append(pa.Check.str_matches(_SHAPES[rule.transform]))
        columns[field_name] = pa.Column(nullable=not rule.required, required=False, checks=checks)
    return pa.DataFrameSchema(columns, name=f"{spec.migration}/{spec.content_hash[:12]}/{load.name}")


_SCHEMAS: dict[tuple[str, str, str], pa.DataFrameSchema] = {}
_RAW: dict[str, pa.DataFrameSchema] = {}


def _destination_schema_for(spec: MappingSpec, load_name: str) -> pa.DataFrameSchema:
    cache_key = (spec.migration, spec.content_hash, load_name)
    if cache_key not in _SCHEMAS:
        _SCHEMAS[cache_key] = destination_schema(spec, spec.load(load_name))
    return _SCHEMAS[cache_key]


def check_raw(name: str, source_object: SourceObject, file_name: str, frame: pd.DataFrame) -> list[Problem]:
    missing = [c for c in (source_object.key, *source_object.required_columns) if c not in frame.columns]
    if missing:
        reason = f"column {missing[0]!r} is missing from {file_name}: fix the export or the mapping's source.objects"
        return [Problem(index, missing[0], reason) for index in frame.index]
    schema_name = f"raw {name}.{source_object.key}"
    if schema_name not in _RAW:
        _RAW[schema_name] = raw_schema(name, source_object)
    return _validate(_RAW[schema_name], frame)


def check_destination(spec: MappingSpec, load_name: str, frame: pd.DataFrame) -> list[Problem]:
    """Exploded pieces of a load share its schema: their extra link fields are relations."""
    return _validate(_destination_schema_for(spec, load_name), frame)


def _validate(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> list[Problem]:
    try:
        _for_columns(schema, tuple(frame.columns)).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        return [_problem(case) for case in errors.failure_cases.to_dict("records") if _row_level(case)]
    return []


_TRIMMED: dict[tuple[str, tuple[str, ...]], pa.DataFrameSchema] = {}


def _for_columns(schema: pa.DataFrameSchema, columns: tuple[str, ...]) -> pa.DataFrameSchema:
    """The schema restricted to the columns this frame has (absent optional fields are fine)."""
    cache_key = (schema.name or "", columns)
    if cache_key not in _TRIMMED:
        present = {name: column for name, column in schema.columns.items() if name in columns}
        _TRIMMED[cache_key] = pa.DataFrameSchema(present, name=schema.name)
    return _TRIMMED[cache_key]


def _row_level(case: dict[str, Any]) -> bool:
    return case.get("index") is not None and not pd.isna(case.get("index"))


def _problem(case: dict[str, Any]) -> Problem:
    column, check, value = case["column"], str(case["check"]), case["failure_case"]
    if check == "not_nullable":
        reason = f"{column} is empty but required"
    elif check.startswith("isin"):
        reason = f"{column} value {value!r} is not an allowed option"
    elif check.startswith("str_matches"):
        reason = f"{column} value {value!r} does not have the expected shape"
    else:
        reason = f"{column} value {value!r} fails the check {check}"
    return Problem(case["index"], str(column), f"contract: {reason}")

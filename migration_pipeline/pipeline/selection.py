"""Which export rows a run reads: all of them, a sample's chosen keys, or a delta's window.

A full run reads every row. A sample run reads the keys chosen for each source object. A delta
run reads the rows modified inside its window and every row not loaded yet; a row already loaded
and modified outside the window is skipped as unchanged without being mapped, so that the run
still accounts for the whole export.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from migration_pipeline.mapping import transforms
from migration_pipeline.mapping.engine import source_key
from migration_pipeline.mapping.spec import MappingSpec
from migration_pipeline.sources.export import DEFAULT_CHUNK_ROWS, ExportArchive

Window = tuple[dt.datetime, dt.datetime]  # [start, end), timezone-aware


@dataclass(frozen=True)
class Selection:
    mode: str = "full"  # full | sample | delta
    keys: Mapping[str, frozenset[str]] | None = None  # source object → the sampled key values
    window: Window | None = None

    def rows(self, spec: MappingSpec, source: str, frame: pd.DataFrame) -> pd.DataFrame:
        """The chunk's rows this run reads (a sample keeps its chosen keys only)."""
        if self.keys is None:
            return frame
        key_column = spec.source.objects[source].key
        if key_column not in frame.columns:
            return frame.iloc[0:0]
        chosen = self.keys.get(source, frozenset())
        return frame[source_key(frame, [key_column]).isin(chosen)]

    def describe(self) -> str:
        if self.window:
            return f"{self.window[0].isoformat()} – {self.window[1].isoformat()}"
        return self.mode


def modified_times(spec: MappingSpec, source: str, frame: pd.DataFrame) -> pd.Series | None:
    """The rows' source modified-at as UTC timestamps (NaT where blank or unreadable)."""
    column = spec.source.objects[source].modified_at
    if column is None or column not in frame.columns:
        return None
    args = {"timezone": spec.destination.timezone, "dayfirst": spec.source.dayfirst}
    return pd.to_datetime(transforms.apply("datetime", frame[column], args).values, utc=True, errors="coerce")


def outside_window(times: pd.Series, window: Window) -> pd.Series:
    """Rows known to have been modified outside the window (an unreadable time counts as inside)."""
    start, end = pd.Timestamp(window[0]).tz_convert("UTC"), pd.Timestamp(window[1]).tz_convert("UTC")
    return times.notna() & ((times < start) | (times >= end))


def changed_days(spec: MappingSpec, archive: ExportArchive, since: dt.datetime, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> list[str]:
    """The days (YYYY-MM-DD in the firm's timezone) holding a source change newer than `since`."""
    days: set[str] = set()
    after = pd.Timestamp(since).tz_convert("UTC")
    for source in dict.fromkeys(load.source for load in spec.loads):
        for chunk in archive.read_chunks(spec.source.objects[source].file, chunk_rows):
            times = modified_times(spec, source, chunk.frame)
            if times is not None:
                newer = times[times > after]
                days.update(newer.dt.tz_convert(spec.destination.timezone).dt.strftime("%Y-%m-%d"))
    return sorted(days)

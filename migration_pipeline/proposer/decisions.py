"""What the proposer decides, shared by the matcher (which makes the decisions), the writer (which
turns them into a mapping YAML) and the evaluation (which scores them against the gold mappings)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Kind = Literal["field", "custom", "relation", "owner", "skip"]
Band = Literal["auto", "review", "low"]


@dataclass(frozen=True)
class Candidate:
    """One destination field a column could go to, with its calibrated probability and why."""

    target_object: str
    target_path: str
    probability: float
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class ColumnProposal:
    """The decision for one source column: where it goes, how sure, and the runners-up."""

    source_object: str
    column: str
    kind: Kind
    target_object: str | None  # the destination object (Twenty plural, Odoo model)
    target_path: str | None  # the destination field path (dotted for composite sub-fields); None for skip
    confidence: float  # calibrated probability that this decision is right
    margin: float  # confidence minus the runner-up's probability
    band: Band
    reasons: tuple[str, ...] = ()
    candidates: tuple[Candidate, ...] = ()  # top 3, best first
    new_field_type: str | None = None  # kind "custom": the destination type to create (Twenty TEXT/NUMBER/…)
    relation_to: str | None = None  # kind "relation": the source object the column points at
    semantic_type: str | None = None  # from the profile, for the writer's transform choice
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ObjectProposal:
    """Which destination object(s) a source object's rows become, best first."""

    source_object: str
    file: str
    key: str | None
    targets: tuple[str, ...]
    confidence: float
    reference_only: bool = False


@dataclass(frozen=True)
class ValueProposal:
    """One source pick-list value → a destination option (or a new one, keeping the raw value)."""

    source_object: str
    column: str
    value: str
    option: str
    confidence: float
    new_option: bool = False
    reasons: tuple[str, ...] = ()


BANDS = {"auto": 0.9, "review": 0.5}  # confidence at or above: auto (pre-accepted), review; below: low


def band_for(confidence: float, margin: float, min_auto_margin: float = 0.2) -> Band:
    """Auto only when sure and clearly ahead of the runner-up; low proposes a custom field instead."""
    if confidence >= BANDS["auto"] and margin >= min_auto_margin:
        return "auto"
    return "review" if confidence >= BANDS["review"] else "low"

"""Confirming a proposed mapping: a person accepts the whole file or single decisions.

The proposer writes each decision with `proposal: {confidence, band, reasons, confirmed: false}`;
loading refuses the mapping while any is unconfirmed. Confirming flips `confirmed` in the file
itself (comments and layout kept, so the file stays the reviewed document), marks the mapping
confirmed once nothing is pending, and remembers each confirmed column for the next proposal.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML

from migration_pipeline.mapping.spec import SpecError, load_spec
from migration_pipeline.proposer.memory import DecisionMemory, Remembered


@dataclass
class Confirmation:
    confirmed: list[str] = field(default_factory=list)  # "<load>.<field>"
    pending: list[str] = field(default_factory=list)
    mapping_confirmed: bool = False


def confirm_mapping(path: str | Path, by: str, decisions: Sequence[str] | None = None,
                    memory: DecisionMemory | None = None) -> Confirmation:
    """Confirm `decisions` ("<load>.<field>"), or every pending one when None; unknown names are refused."""
    if not by.strip():
        raise ValueError("say who confirms (--by NAME): the audit keeps it")
    path = Path(path)
    yaml = YAML()
    yaml.preserve_quotes = True
    document = yaml.load(path.read_text(encoding="utf-8"))
    proposed = {f"{load['name']}.{name}": rule for load in document["loads"] for name, rule in load["fields"].items()
                if isinstance(rule, dict) and isinstance(rule.get("proposal"), dict)}
    unknown = sorted(set(decisions or ()) - set(proposed))
    if unknown:
        raise SpecError(f"{path}: no proposed decision named {', '.join(unknown)}; the names are <load>.<field>: "
                        + ", ".join(sorted(proposed)[:20]))
    result = Confirmation()
    for name, rule in proposed.items():
        if rule["proposal"].get("confirmed"):
            continue
        if decisions is None or name in decisions:
            rule["proposal"]["confirmed"] = True
            rule["proposal"]["confirmed_by"] = by
            result.confirmed.append(name)
        else:
            result.pending.append(name)
    result.mapping_confirmed = not result.pending
    document["confirmed"] = result.mapping_confirmed
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    _remember(path, result.confirmed, by, memory or DecisionMemory())
    return result


def _remember(path: Path, confirmed: list[str], by: str, memory: DecisionMemory) -> None:
    spec = load_spec(path)  # also proves the confirmed file still loads
    for name in confirmed:
        load_name, field_name = name.split(".", 1)
        load = spec.load(load_name)
        rule = load.fields[field_name]
        for column in rule.columns:
            memory.remember(spec.source.system, load.source, column, Remembered(load.target, field_name, by))
    memory.save()

"""Writing the proposer's decisions as a mapping YAML, in the shipped mappings' format.

The file is the document a person reviews: the same layout as mappings/*.yaml (source objects,
destination defaults, owners, value maps, loads in dependency order), with every field rule carrying
how the proposer arrived at it (`proposal: {confidence, band, reasons, candidates, confirmed}`).
Auto-band rules are pre-confirmed; the others wait for `migration-pipeline confirm`, and the engine
refuses the mapping until they are. The file is loaded back before it is returned, so a proposal
that does not parse is the writer's bug, found here and not at run time.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import phonenumbers
from phonenumbers import timezone as phone_timezones
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from migration_pipeline.mapping.spec import MappingSpec, load_spec
from migration_pipeline.proposer.catalog import CatalogField, DestinationCatalog, saved_catalog
from migration_pipeline.proposer.decisions import ColumnProposal, ObjectProposal, ValueProposal
from migration_pipeline.proposer.profile import ExportProfile, FileProfile, singular
from migration_pipeline.proposer.values import select_target

IDENTITY_PATH = "id"  # a key column's decision: the record's identity, kept by the ledger, not a field
FILE_PATH = "file"  # an attachment's file to upload: the load's `file` rule

# Loads run companies → people → deals → activities; relations refine this order.
_RANK = {"companies": 0, "people": 1, "opportunities": 2, "tasks": 3, "notes": 3, "attachments": 4,
         "taskTargets": 5, "noteTargets": 5,
         "res.partner": 0, "crm.stage": 0, "crm.lead": 2, "mail.message": 3, "ir.attachment": 4}
_CUSTOM_RANK = 2.5  # a custom object (products, invoices) after the core records, before activities
_MODIFIED = frozenset({"modified", "updated", "changed", "edited", "modification", "update", "last"})
_USERS = frozenset({"user", "staff", "employee", "member", "agent", "owner", "coach", "lawyer", "attorney",
                    "consultant", "rep", "advisor", "adviser"})

# Transforms by destination kind (selects, money and rich text depend on the system).
_BY_KIND = {"email": "email", "phone": "phone", "url": "url", "date": "date", "datetime": "datetime",
            "number": "number", "boolean": "boolean", "multi_select": "multi_select"}
# The type a custom field is created with, per system, from the value's semantic type.
_NEW_TYPE = {
    "twenty": {"email": "EMAILS", "phone": "PHONES", "url": "LINKS", "date": "DATE", "datetime": "DATE_TIME",
               "money": "CURRENCY", "percent": "NUMBER", "number": "NUMBER", "integer": "NUMBER",
               "boolean": "BOOLEAN", "multi_value": "MULTI_SELECT", "html": "RICH_TEXT_V2"},
    "odoo": {"date": "date", "datetime": "datetime", "money": "monetary", "percent": "float", "number": "float",
             "integer": "integer", "boolean": "boolean", "html": "html"},
}
_DEFAULT_TYPE = {"twenty": "TEXT", "odoo": "char"}
# A custom field's creation type → (the sub-field its value goes to, the transform).
_NEW_TYPE_RULE = {
    "CURRENCY": ("amountMicros", "money_micros"), "EMAILS": ("primaryEmail", "email"),
    "PHONES": ("primaryPhoneNumber", "phone"), "LINKS": ("primaryLinkUrl", "url"), "RICH_TEXT_V2": ("markdown", "html_to_markdown"),
    "DATE": (None, "date"), "DATE_TIME": (None, "datetime"), "NUMBER": (None, "number"), "NUMERIC": (None, "number"),
    "BOOLEAN": (None, "boolean"), "SELECT": (None, "upper_snake"), "MULTI_SELECT": (None, "multi_select"),
    "date": (None, "date"), "datetime": (None, "datetime"), "float": (None, "number"), "integer": (None, "number"),
    "monetary": (None, "number"), "boolean": (None, "boolean"),
}


@dataclass
class _Load:
    name: str
    source: str
    target: str
    rank: float
    order: int
    fields: dict[str, CommentedMap] = field(default_factory=dict)
    new_fields: dict[str, dict[str, str]] = field(default_factory=dict)
    file_rule: dict[str, Any] | None = None
    dedupe_on: str | None = None
    updates: str | None = None
    when: dict[str, Any] | None = None

    def relations(self) -> set[str]:
        return {rule["relation"] for rule in self.fields.values() if "relation" in rule}


def write_mapping(path: str | Path, migration: str, source_system: str, destination_system: str,
                  sample_export: str | None, profile: ExportProfile, objects: list[ObjectProposal],
                  columns: list[ColumnProposal], values: list[ValueProposal],
                  catalog: DestinationCatalog | None = None) -> MappingSpec:
    """Write the proposal as a mapping file at `path` and return it as the engine loads it."""
    path = Path(path)
    writer = _Writer(destination_system, source_system, profile, objects, columns, values,
                     catalog or saved_catalog(destination_system))  # type: ignore[arg-type]
    document = writer.document(migration, sample_export)
    document.yaml_set_start_comment(_header(migration, source_system, destination_system, sample_export or profile.path,
                                            writer.pending, writer.notes))
    yaml = YAML()
    yaml.width = 4096  # flow mappings stay on one line; long lists are written as block lists instead
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.add_representer(type(None), lambda dumper, _: dumper.represent_scalar("tag:yaml.org,2002:null", "null"))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(document, handle)
    return load_spec(path)


def _header(migration: str, source: str, destination: str, export: str, pending: list[str], notes: list[str]) -> str:
    lines = [
        f"{source} → {destination}: proposed by the mapping proposer on {dt.date.today().isoformat()} from {export}.",
        "Field names on the left are the destination's (dotted for composite sub-fields); `from` is the export column.",
        "Each field rule says how it was proposed (proposal: confidence, band, reasons, candidates). Rules in the",
        "auto band are pre-confirmed; the others must be confirmed before anything loads:",
        f"  migration-pipeline confirm --migration {migration} --by NAME [--decision <load>.<field> ...]",
    ]
    if pending:
        lines.append(f"{len(pending)} decision(s) to review: " + ", ".join(pending[:8]) + (" …" if len(pending) > 8 else ""))
    lines += notes
    return "\n".join(lines)


def _flow(data: dict[str, Any]) -> CommentedMap:
    mapping = CommentedMap(data)
    mapping.fa.set_flow_style()
    return mapping


def _flow_list(items: Iterable[Any]) -> CommentedSeq:
    sequence = CommentedSeq(list(items))
    sequence.fa.set_flow_style()
    return sequence


def _short_list(items: Sequence[Any]) -> CommentedSeq:
    """On one line when it reads as one (`[a, b]`), else one item a line."""
    sequence = CommentedSeq(items)
    if sum(len(str(dict(item) if isinstance(item, dict) else item)) + 2 for item in items) <= 100:
        sequence.fa.set_flow_style()
    return sequence


def camel_case(text: str) -> str:
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    words = re.split(r"[^0-9A-Za-z]+", words)
    parts = [w.lower() for w in words if w]
    if not parts:
        return "field"
    name = parts[0] + "".join(w.capitalize() for w in parts[1:])
    return name if name[0].isalpha() else f"field{name[0].upper()}{name[1:]}"


def snake_case(text: str) -> str:
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    return "_".join(w.lower() for w in re.split(r"[^0-9A-Za-z]+", words) if w) or "field"


def _label(column: str) -> str:
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", column).replace("_", " ").split()
    return " ".join(words).capitalize() if words else column


class _Writer:
    def __init__(self, system: str, source_system: str, profile: ExportProfile, objects: list[ObjectProposal],
                 columns: list[ColumnProposal], values: list[ValueProposal], catalog: DestinationCatalog):
        self.system, self.source_system, self.profile, self.catalog = system, source_system, profile, catalog
        self.objects = {o.source_object: o for o in objects}
        self.columns = columns
        self.values: dict[tuple[str, str], list[ValueProposal]] = {}
        for value in values:
            self.values.setdefault((value.source_object, value.column), []).append(value)
        self.source_objects: dict[str, CommentedMap] = {}
        self.lookups: dict[str, CommentedMap] = {}
        self.value_maps: dict[str, CommentedMap] = {}
        self.map_names: dict[tuple[str, str], str] = {}
        self.pending: list[str] = []
        self.notes: list[str] = []
        self.owners = self._owners()

    # --- top level ---------------------------------------------------------------------------------

    def document(self, migration: str, sample_export: str | None) -> CommentedMap:
        for obj in list(self.objects.values()):
            self._source_object(obj.source_object, obj.file, obj.key)
        if self.owners is not None:
            self._source_object(self.owners[0])
        loads = self._loads()
        document = CommentedMap()
        document["migration"] = migration
        document["confirmed"] = not self.pending
        source = CommentedMap(system=self.source_system)
        if self.profile.dayfirst:
            source["dayfirst"] = True
            source.yaml_add_eol_comment("dates like 03/04/2021 are day-first in this export", "dayfirst")
        if sample_export:
            source["sample_export"] = sample_export
        source["objects"] = CommentedMap((name, _flow(body)) for name, body in self.source_objects.items())
        reference = {o.source_object: "proposed as reference only: no destination object fits it; review"
                     for o in self.objects.values() if o.reference_only}
        if reference:
            source["reference_only"] = CommentedMap(reference)
        document["source"] = source
        document["destination"] = self._destination()
        if self.owners is not None:
            document["owners"] = CommentedMap(source=self.owners[0], email_column=self.owners[1],
                                              fallback_member_email=None)
            document["owners"].yaml_add_eol_comment("set to a member's email to give unmatched owners' records to them",
                                                    "fallback_member_email")
        if self.value_maps:
            document["value_maps"] = CommentedMap(self.value_maps)
        if self.lookups:
            document["lookups"] = CommentedMap(self.lookups)
        document["loads"] = CommentedSeq([self._load_document(load) for load in loads])
        return document

    def _destination(self) -> CommentedMap:
        destination = CommentedMap(system=self.system)
        currency = self._currency()
        if currency:
            destination["default_currency"] = currency
        has_phones = any(c.semantic_type == "phone" for f in self.profile.files for c in f.columns)
        if has_phones:
            destination["default_phone_region"] = self.profile.phone_region
        timezone = self._timezone()
        if timezone:
            destination["timezone"] = timezone
        else:
            destination["timezone"] = "UTC"
            destination.yaml_add_eol_comment("not known from the export: set the firm's timezone", "timezone")
        return destination

    def _currency(self) -> str | None:
        found: Counter = Counter()
        for file in self.profile.files:
            for column in file.columns:
                if "currency" in column.tokens:
                    found.update({v.upper(): n for v, n in column.top_values if re.fullmatch(r"[A-Za-z]{3}", v)})
        return found.most_common(1)[0][0] if found else None

    def _timezone(self) -> str | None:
        """The zone of the export's landline numbers (mobile numbers span a whole country)."""
        found: Counter = Counter()
        for file in self.profile.files:
            for column in file.columns:
                if column.semantic_type != "phone":
                    continue
                for value, count in column.top_values:
                    try:
                        number = phonenumbers.parse(value, self.profile.phone_region)
                    except phonenumbers.NumberParseException:
                        continue
                    zones = phone_timezones.time_zones_for_number(number)
                    if len(zones) == 1 and zones[0] != phone_timezones.UNKNOWN_TIMEZONE:
                        found[zones[0]] += count
        return found.most_common(1)[0][0] if found else None

    def _file(self, source_object: str) -> FileProfile | None:
        try:
            return self.profile.file(source_object)
        except KeyError:
            return None

    def _source_object(self, name: str, file_name: str | None = None, key: str | None = None) -> None:
        if name in self.source_objects:
            return
        file = self._file(name)
        key = key or (file.candidate_keys[0] if file and file.candidate_keys else None) or (
            file.alternate_keys[0] if file and file.alternate_keys else None)
        body: dict[str, Any] = {"file": file_name or (file.name if file else f"{name}.csv")}
        if key is None:
            self.notes.append(f"{name}: no unique key column found; it is listed as reference only")
            body["key"] = file.columns[0].name if file and file.columns else "id"
            self.objects[name] = ObjectProposal(name, body["file"], None, (), 0.0, reference_only=True)
        else:
            body["key"] = key
        modified = self._modified_at(file) if file else None
        if modified:
            body["modified_at"] = modified
        body["required_columns"] = _flow_list([body["key"]])
        self.source_objects[name] = body

    @staticmethod
    def _modified_at(file: FileProfile) -> str | None:
        for column in file.columns:
            if column.semantic_type in ("date", "datetime") and set(column.tokens) & _MODIFIED:
                return column.name
        return None

    def _owners(self) -> tuple[str, str] | None:
        """The users table (object, email column): the matcher's owner decision without a target, or
        a users-like file with an email column."""
        for proposal in self.columns:
            if proposal.kind == "owner" and not proposal.target_path:
                return proposal.source_object, proposal.column
        for file in self.profile.files:
            words = {singular(word) for word in re.split(r"[^a-z]+", file.object_name) if word}
            email = next((c.name for c in file.columns if c.semantic_type == "email"), None)
            if words & _USERS and email:
                return file.object_name, email
        return None

    # --- loads -------------------------------------------------------------------------------------

    def _loads(self) -> list[_Load]:
        loads: list[_Load] = []
        wanted: dict[str, list[str]] = {}  # source object → its destination objects, the proposal's first
        for obj in self.objects.values():
            if not obj.reference_only:
                wanted[obj.source_object] = list(dict.fromkeys(
                    [*obj.targets, *(c.target_object for c in self.columns if c.source_object == obj.source_object
                                     and c.kind != "skip" and c.target_object)]))
        feeds = Counter(target for targets in wanted.values() for target in targets)
        order = 0
        for source, targets in wanted.items():
            for target in targets:
                obj = self.objects[source]
                unique = feeds[target] == 1 and "." not in target
                name = target if unique else obj.source_object
                if any(load.name == name for load in loads):
                    name = f"{obj.source_object}_{re.sub(r'[^0-9A-Za-z]+', '_', target)}"
                rank = _RANK.get(target, _CUSTOM_RANK)
                loads.append(_Load(name, obj.source_object, target, rank, order))
                order += 1
        primary = {}  # source object → its first load: what a relation to that object links to
        for load in sorted(loads, key=lambda item: (item.rank, item.order)):
            primary.setdefault(load.source, load)
        for load in loads:
            mine = [p for p in self.columns if p.source_object == load.source and p.target_object == load.target
                    and p.kind not in ("skip", "custom")]
            best = {}  # target path → the surest decision for it; the others become custom fields
            for proposal in sorted(mine, key=lambda p: -p.confidence):
                best.setdefault(proposal.target_path, proposal)
            for proposal in self.columns:
                if proposal.source_object == load.source and proposal.target_object == load.target:
                    taken = proposal in mine and best[proposal.target_path] is not proposal
                    self._rule(load, proposal, primary, loads, taken)
        for load in loads:
            load.dedupe_on = _person_email(load)
        referenced = {name for load in loads for name in load.relations()}
        ordered = _in_dependency_order([load for load in loads if load.fields or load.file_rule or load.name in referenced])
        self.pending = [f"{load.name}.{name}" for load in ordered for name, rule in load.fields.items()
                        if not rule["proposal"]["confirmed"]]
        return ordered

    def _rule(self, load: _Load, proposal: ColumnProposal, primary: dict[str, _Load], loads: list[_Load],
              taken: bool) -> None:
        """One field rule; `taken`: a surer decision fills the proposed field, so this column gets its own."""
        if proposal.kind == "skip" or proposal.target_path == IDENTITY_PATH:
            return
        if proposal.target_path == FILE_PATH:
            load.file_rule = {"from": proposal.column, "required": True}
            return
        catalog_field = self.catalog.field(load.target, proposal.target_path or "")
        rule: dict[str, Any] = {"from": proposal.column}
        name = proposal.target_path or ""
        if taken:
            self.notes.append(f"{load.source}.{proposal.column}: proposed for {load.target}.{name}, which a surer "
                              "decision fills; kept as a custom field")
            name = self._custom(load, proposal, rule, _DEFAULT_TYPE.get(self.system, "TEXT"))
            catalog_field = None
        elif proposal.kind == "custom" or (proposal.kind == "field" and catalog_field is None):
            name = self._custom(load, proposal, rule)
        elif proposal.kind == "relation":
            related = self._related_load(proposal, catalog_field, primary, loads)
            if related is None:
                self.notes.append(f"{load.source}.{proposal.column}: points at records that are not loaded; "
                                  "kept as a custom text field")
                name = self._custom(load, proposal, rule, _DEFAULT_TYPE.get(self.system, "TEXT"))
            else:
                rule.update(relation=related, on_missing="null")
                if catalog_field is None:  # a link the destination lacks: the migration creates it
                    name = self._new_relation(load, proposal, related, loads)
        elif proposal.kind == "owner":
            if self.owners is None:
                self.notes.append(f"{load.source}.{proposal.column}: an owner column, but the export has no users "
                                  "table to match owners by email; not mapped")
                return
            self._owner(load, proposal, catalog_field, rule)
        else:
            self._transform(load, proposal, catalog_field, rule)
        if catalog_field is not None and catalog_field.required and "relation" not in rule:
            rule["required"] = True
        rule["proposal"] = self._proposal(load, proposal)
        load.fields[name] = CommentedMap(rule)

    def _proposal(self, load: _Load, proposal: ColumnProposal) -> CommentedMap:
        candidates = []
        for candidate in proposal.candidates[:3]:
            entry = {"field": candidate.target_path, "probability": round(candidate.probability, 3)}
            if candidate.target_object != load.target:
                entry["object"] = candidate.target_object
            candidates.append(_flow(entry))
        return CommentedMap(confidence=round(proposal.confidence, 3), band=proposal.band,
                            reasons=_short_list(proposal.reasons), candidates=_short_list(candidates),
                            confirmed=proposal.band == "auto")

    def _related_load(self, proposal: ColumnProposal, catalog_field: CatalogField | None,
                      primary: dict[str, _Load], loads: list[_Load]) -> str | None:
        if proposal.relation_to and proposal.relation_to in primary:
            return primary[proposal.relation_to].name
        file = self._file(proposal.source_object)
        for key in self.profile.foreign_keys:
            if file and key.file == file.name and key.column == proposal.column:
                target = self._file(key.target_file)
                if target and target.object_name in primary:
                    return primary[target.object_name].name
        if catalog_field is not None and catalog_field.relation:
            return next((load.name for load in sorted(loads, key=lambda item: (item.rank, item.order))
                         if load.target == catalog_field.relation), None)
        return None

    def _new_relation(self, load: _Load, proposal: ColumnProposal, related: str, loads: list[_Load]) -> str:
        target = next(item.target for item in loads if item.name == related)
        base = (proposal.target_path or proposal.column).removesuffix("Id").removesuffix("_id")
        if self.system == "odoo":
            name = base if base.startswith("x_") else f"x_{snake_case(base)}_id"
            load.new_fields[name] = {"type": "many2one", "label": _label(base), "relation": target}
            return name
        name = camel_case(base)
        load.new_fields[name] = {"type": "RELATION", "label": _label(base), "relation": target}
        return f"{name}Id"

    def _owner(self, load: _Load, proposal: ColumnProposal, catalog_field: CatalogField | None,
               rule: dict[str, Any]) -> None:
        assert self.owners is not None
        rule["owner"] = True
        if catalog_field is None or catalog_field.kind != "relation":
            rule["owner_record"] = "email"  # a text field: the member's email
        elif catalog_field.relation == "res.partner":
            rule["owner_record"] = "contact"
        column = self._column_profile(proposal.source_object, proposal.column)
        if column is not None and column.semantic_type != "email":
            lookup = self._lookup_through_key(proposal.source_object, proposal.column, self.owners[0], self.owners[1])
            if lookup:
                rule["lookup"] = lookup

    def _lookup_through_key(self, source_object: str, column: str, target_object: str, value: str) -> str | None:
        """A lookup reading `target_object.value` for the record this column's key names."""
        file = self._file(source_object)
        for key in self.profile.foreign_keys:
            target = self._file(key.target_file)
            if file and target and key.file == file.name and key.column == column and target.object_name == target_object:
                name = f"{singular(target_object)}_{value}"
                self._source_object(target_object, target.name)
                self.lookups.setdefault(name, _flow({"source": target_object, "key": _flow_list([key.target_column]),
                                                     "value": value, "aggregate": "first"}))
                return name
        return None

    def _column_profile(self, source_object: str, column: str):
        file = self._file(source_object)
        try:
            return file.column(column) if file else None
        except KeyError:
            return None

    def _transform(self, load: _Load, proposal: ColumnProposal, catalog_field: CatalogField | None,
                   rule: dict[str, Any]) -> None:
        column = self._column_profile(proposal.source_object, proposal.column)
        semantic = proposal.semantic_type or (column.semantic_type if column else "text")
        kind = catalog_field.kind if catalog_field else "text"
        select = select_target(self.catalog, load.target, proposal.target_path)
        if select is not None:
            if self._value_map(load, proposal, rule):
                return
            if select.multi:
                transform = "multi_select"
            else:
                transform = "upper_snake" if self.system == "twenty" else "text"
        elif kind == "money":
            transform = "money_micros" if catalog_field and catalog_field.dest_type == "CURRENCY" else "number"
        elif kind == "rich_text":
            transform = "html_to_markdown" if self.system == "twenty" else "text"
        elif kind in _BY_KIND:
            transform = _BY_KIND[kind]
        elif semantic == "email":
            transform = "lower"  # an email kept in a text field
        else:
            transform = "text"
        if transform != "text":
            rule["transform"] = transform
        if transform == "multi_select" and column is not None and column.multi_separator not in (None, ";"):
            rule["args"] = _flow({"separator": column.multi_separator})

    def _value_map(self, load: _Load, proposal: ColumnProposal, rule: dict[str, Any]) -> bool:
        """Translate through a value map: the column's own values, or (a stage list) the label its key names."""
        key = (proposal.source_object, proposal.column)
        lookup = None
        if key not in self.values:
            file = self._file(proposal.source_object)
            link = next((fk for fk in self.profile.foreign_keys
                         if file and fk.file == file.name and fk.column == proposal.column), None)
            target = self._file(link.target_file) if link else None
            found = next((k for k in self.values if target and k[0] == target.object_name), None)
            if found is None:
                return False
            lookup = self._lookup_through_key(proposal.source_object, proposal.column, found[0], found[1])
            key = found
        if key not in self.map_names:
            name = f"{singular(proposal.source_object)}_{proposal.column}"
            while name in self.value_maps:
                name += "_2"
            self.map_names[key] = name
            self.value_maps[name] = self._value_map_document(self.values[key])
        if lookup:
            rule["lookup"] = lookup
        rule["transform"] = "value_map"
        rule["args"] = _flow({"map": self.map_names[key]})
        return True

    @staticmethod
    def _value_map_document(proposals: Sequence[ValueProposal]) -> CommentedMap:
        body = CommentedMap()
        if any(p.new_option for p in proposals):
            body["create_options"] = True
            body.yaml_add_eol_comment("values with no matching option are added to the destination's list",
                                      "create_options")
        mapped = CommentedMap((p.value, p.option) for p in proposals)
        column = 6 + max(len(f"{p.value}: {p.option}") for p in proposals) + 2  # comments aligned after the longest
        for value_proposal in proposals:
            reason = value_proposal.reasons[0] if value_proposal.reasons else ""
            if value_proposal.new_option:
                mapped.yaml_add_eol_comment(f"new option: {reason}".rstrip(": "), value_proposal.value, column)
            elif value_proposal.confidence < 0.95 and reason:  # an exact match needs no explaining
                mapped.yaml_add_eol_comment(reason, value_proposal.value, column)
        body["values"] = mapped
        return body

    def _custom(self, load: _Load, proposal: ColumnProposal, rule: dict[str, Any], forced_type: str | None = None) -> str:
        """A field the migration creates: named after the column in the destination's convention."""
        column = self._column_profile(proposal.source_object, proposal.column)
        semantic = proposal.semantic_type or (column.semantic_type if column else "text")
        type_ = forced_type or proposal.new_field_type or _NEW_TYPE.get(self.system, {}).get(
            semantic, _DEFAULT_TYPE.get(self.system, "TEXT"))
        base = proposal.target_path if proposal.kind == "custom" and proposal.target_path else proposal.column
        base = base.split(".")[0]
        existing = {f.path.split(".")[0] for f in self.catalog.objects.get(load.target, ())}
        existing |= {p.removesuffix("Id") for p in existing}
        if self.system == "odoo":
            name = base if base.startswith("x_") else f"x_{snake_case(base)}"
        else:
            name = camel_case(base)
            if name in existing:
                name = camel_case(f"{self.source_system} {base}")
        while name in load.new_fields and load.new_fields[name]["type"] != type_:
            name += "2"
        load.new_fields[name] = {"type": type_, "label": _label(proposal.column)}
        sub, transform = _NEW_TYPE_RULE.get(type_, (None, "text"))
        if transform == "text" and semantic == "email":
            transform = "lower"
        if transform != "text":
            rule["transform"] = transform
        if transform == "multi_select" and column is not None and column.multi_separator not in (None, ";"):
            rule["args"] = _flow({"separator": column.multi_separator})
        return f"{name}.{sub}" if sub else name

    def _load_document(self, load: _Load) -> CommentedMap:
        body = CommentedMap(name=load.name, source=load.source, target=load.target)
        if load.updates:
            body["updates"] = load.updates
        if load.when:
            body["when"] = _flow(load.when)
        if load.dedupe_on:
            body["dedupe_on"] = load.dedupe_on
        if load.file_rule:
            body["file"] = _flow(load.file_rule)
        body["fields"] = CommentedMap(load.fields)
        if load.new_fields:
            body["new_fields"] = CommentedMap((name, _flow(spec)) for name, spec in load.new_fields.items())
        return body


def _person_email(load: _Load) -> str | None:
    """People are one record per email address (the same person exported twice merges); companies
    are not (a firm's shared info@ address). Odoo's partners are people where they belong to a company."""
    if load.target == "people" and "emails.primaryEmail" in load.fields:
        return "emails.primaryEmail"
    if load.target == "res.partner" and "email" in load.fields and "parent_id" in load.fields:
        return "email"
    return None


def _in_dependency_order(loads: list[_Load]) -> list[_Load]:
    """Companies before people before deals before activities, and every load after the loads its
    relations point at. A relation that cannot come first (to the load itself, or in a cycle) moves to
    a follow-up load that updates the records once every one exists."""
    placed: list[_Load] = []
    names = {load.name for load in loads}
    waiting = sorted(loads, key=lambda item: (item.rank, item.order))
    follow_ups: list[_Load] = []
    while waiting:
        done = {load.name for load in placed}
        ready = next((load for load in waiting if (load.relations() - {load.name}) & names <= done), None)
        load = ready or waiting[0]
        deferred = {name: rule for name, rule in load.fields.items()
                    if rule.get("relation") and rule["relation"] not in done}
        if deferred:
            for name in deferred:
                del load.fields[name]
            created = {new: load.new_fields.pop(new) for name in deferred
                       for new in {name.split(".")[0], name.removesuffix("Id")} if new in load.new_fields}
            follow_up = _Load(f"{load.name}_links", load.source, load.target, load.rank, load.order,
                              fields=deferred, new_fields=created, updates=load.name)
            if len(deferred) == 1:
                column = next(iter(deferred.values()))["from"]
                follow_up.when = {"column": column, "present": True}
            follow_ups.append(follow_up)
        waiting.remove(load)
        placed.append(load)
    return placed + follow_ups

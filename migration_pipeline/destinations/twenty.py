"""Twenty CRM destination: REST for records, the metadata API for schema, GraphQL only for uploads.

Quirks handled here (recorded from v1.5 and v2.4 servers, see the contracts):
- Client-supplied `id`s are kept, so ids derived from source keys make creates idempotent.
  Re-sending an id that exists answers "Record already exists" (v1.5) or "A duplicate entry was
  detected" (v2.x): the record is ours from an interrupted run, so it is updated instead.
- Unique fields (company `domainName.primaryLinkUrl`, person `emails.primaryEmail`) reject a
  second record; we then match the existing one, keep its before-image and update it. v2.x names
  neither field nor value in that error, and counts soft-deleted rows too (then nothing to match).
- `POST /rest/batch/<plural>` is all-or-nothing (cap: none on v1.5, 200 on v2.x); a refused
  batch is retried record by record so only the bad record is quarantined. A returned list's
  length is never trusted: we know our ids.
- A relation id pointing nowhere is a 500; the HTTP policy types it as a data error.
- Rate limits: paced by the shared policy (v2.x: 100 REST calls / 60 s, no Retry-After).
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Sequence
from typing import Any

from pydantic import PrivateAttr

from migration_pipeline.destinations.base import (
    Destination,
    FileOpener,
    Member,
    NewFieldRequest,
    NewObjectRequest,
    Operation,
    SchemaResult,
    WriteContext,
    WriteOutcome,
)
from migration_pipeline.destinations.http import DataError, HttpClient, HttpPolicy
from migration_pipeline.destinations.twenty_schema import WorkspaceSchema, option_payload

_UNIQUE_FIELDS = {"companies": ("domainName", "primaryLinkUrl"), "people": ("emails", "primaryEmail")}
_ALREADY_OURS = ("record already exists", "a duplicate entry was detected")
_PAGE = 60
_TIMELINE_TARGETS = ("opportunities", "notes", "tasks")  # recorded on v1.5: their timeline rows outlive them


class TwentyDestination(Destination):
    """A Twenty workspace. `api_key` should be wired with `dg.EnvVar("TWENTY_API_KEY")`."""

    base_url: str
    api_key: str
    requests_per_minute: float = 100.0
    batch_size: int = 60
    timeout_seconds: float = 30.0
    max_attempts: int = 6

    _http: HttpClient | None = PrivateAttr(default=None)
    _metadata: WorkspaceSchema | None = PrivateAttr(default=None)

    def describe(self) -> str:
        return f"Twenty at {self.base_url}"

    @property
    def http(self) -> HttpClient:
        if self._http is None:
            policy = HttpPolicy(requests_per_minute=self.requests_per_minute, timeout_seconds=self.timeout_seconds,
                                max_attempts=self.max_attempts)
            self._http = HttpClient(self.base_url, {"Authorization": f"Bearer {self.api_key}"}, policy)
        return self._http

    def workspace(self, refresh: bool = False) -> WorkspaceSchema:
        if self._metadata is None or refresh:
            # No query string (v2.x refuses one); metadata calls do not count against the REST limit.
            body = self.http.request("GET", "/rest/metadata/objects", paced=False)
            self._metadata = WorkspaceSchema(body["data"]["objects"])
        return self._metadata

    # --- members and schema -------------------------------------------------------------------

    def list_members(self) -> list[Member]:
        return [Member(id=m["id"], email=(m.get("userEmail") or "").strip(), name=_full_name(m.get("name")))
                for m in self._all("workspaceMembers")]

    def _all(self, plural: str, filter_text: str | None = None) -> list[dict[str, Any]]:
        """Every record, paged in the default order (ordering by createdAt repeats rows)."""
        records: list[dict[str, Any]] = []
        params: dict[str, Any] = {"limit": _PAGE}
        if filter_text:
            params["filter"] = filter_text
        while True:
            body = self.http.request("GET", f"/rest/{plural}", params=params)
            records += body["data"][plural]
            page = body.get("pageInfo") or {}
            if not page.get("hasNextPage") or not page.get("endCursor"):
                return records
            params["starting_after"] = page["endCursor"]

    def ensure_fields(self, migration: str, requests: Sequence[NewFieldRequest], *, apply: bool) -> SchemaResult:
        result = SchemaResult()
        schema = self.workspace(refresh=True)
        for request in requests:
            info = schema.object(request.target)
            existing = info.fields.get(request.name)
            if existing is None and request.create:
                result.created.append(request)
                if apply:
                    target = schema.object(request.relation).id if request.relation else None
                    self.http.request("POST", "/rest/metadata/fields", json=_field_body(info.id, request, target), paced=False)
            elif existing is not None and existing.get("type") in ("SELECT", "MULTI_SELECT") and request.options:
                have = {o["value"] for o in existing.get("options") or []}
                new = tuple(v for v in request.options if v not in have)
                if new:
                    result.created.append(NewFieldRequest(request.target, request.name, existing["type"], request.label, new, False))
                    if apply:
                        options = option_payload(request.options, existing.get("options"))
                        self.http.request("PATCH", f"/rest/metadata/fields/{existing['id']}", json={"options": options}, paced=False)
                else:
                    result.existing.append(request)
            else:
                result.existing.append(request)
        if apply:
            self.workspace(refresh=True)
        return result

    def missing_fields(self, fields_by_target: dict[str, Sequence[str]]) -> list[str]:
        schema = self.workspace(refresh=True)
        return [f"{target}.{name}" for target, names in fields_by_target.items() for name in schema.missing_fields(target, names)]

    # --- records ------------------------------------------------------------------------------

    def write(self, context: WriteContext, operation: Operation, records: Sequence[dict[str, Any]]) -> list[WriteOutcome]:
        adapted = [self.as_sent(context.target, record) for record in records]
        if operation == "update":
            return [self._update(context.target, record) for record in adapted]
        try:
            self.http.request("POST", f"/rest/batch/{context.target}", json=adapted)
        except DataError:
            return self._create_refused_batch(context.target, adapted)
        return [WriteOutcome(id=record["id"]) for record in adapted]

    def _create_refused_batch(self, plural: str, records: list[dict[str, Any]]) -> list[WriteOutcome]:
        """An all-or-nothing batch was refused: records already there under our ids (an interrupted
        run) are updated, the rest retried as a batch, and only then one by one."""
        present = {record["id"] for record in self._read(plural, [r["id"] for r in records])}
        outcomes = {r["id"]: self._update(plural, r) for r in records if r["id"] in present}
        rest = [r for r in records if r["id"] not in present]
        if rest and outcomes:
            try:
                self.http.request("POST", f"/rest/batch/{plural}", json=rest)
                outcomes.update({r["id"]: WriteOutcome(id=r["id"]) for r in rest})
                rest = []
            except DataError:
                pass
        outcomes.update({r["id"]: self._create_one(plural, r) for r in rest})
        return [outcomes[r["id"]] for r in records]

    def _create_one(self, plural: str, record: dict[str, Any]) -> WriteOutcome:
        try:
            self.http.request("POST", f"/rest/{plural}", json=record)
            return WriteOutcome(id=record["id"])
        except DataError as error:
            if any(marker in str(error).lower() for marker in _ALREADY_OURS) and self._get(plural, record["id"]):
                return self._update(plural, record)  # ours, from an interrupted run
            duplicate = "duplicate" in str(error).lower()
            existing = self._match_unique(plural, record) if duplicate else None
            if existing is None:
                hint = ("; no live record holds the value, so a soft-deleted one does: restore or destroy it in Twenty"
                        if duplicate else "")
                return WriteOutcome(id=record["id"], ok=False, error=f"{error}{hint}", kind="data")
        changes = {k: v for k, v in record.items() if k not in ("id", "createdAt")}
        try:
            self.http.request("PATCH", f"/rest/{plural}/{existing['id']}", json=changes)
        except DataError as error:
            return WriteOutcome(id=record["id"], ok=False, error=str(error), kind="data")
        return WriteOutcome(id=existing["id"], matched=True, before=existing)

    def _update(self, plural: str, record: dict[str, Any]) -> WriteOutcome:
        # createdAt is set once, at creation: an update must not move a record the firm already had.
        changes = {k: v for k, v in record.items() if k not in ("id", "createdAt")}
        try:
            self.http.request("PATCH", f"/rest/{plural}/{record['id']}", json=changes)
        except DataError as error:
            return WriteOutcome(id=record["id"], ok=False, error=str(error), kind="data")
        return WriteOutcome(id=record["id"])

    def _get(self, plural: str, record_id: str) -> dict[str, Any] | None:
        found = self._all(plural, f"id[eq]:{json.dumps(record_id)}")
        return found[0] if found else None

    def _match_unique(self, plural: str, record: dict[str, Any]) -> dict[str, Any] | None:
        """The live record already holding this record's unique value, if any."""
        unique = _UNIQUE_FIELDS.get(plural)
        value = (record.get(unique[0]) or {}).get(unique[1]) if unique else None
        if not value:
            return None
        found = self._all(plural, f"{unique[0]}.{unique[1]}[eq]:{json.dumps(value)}")
        return found[0] if found else None

    def read(self, context: WriteContext, ids: Sequence[str]) -> list[dict[str, Any]]:
        return self._read(context.target, ids)

    def _read(self, plural: str, ids: Sequence[str]) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        for start in range(0, len(ids), _PAGE):
            part = ",".join(json.dumps(i) for i in ids[start : start + _PAGE])
            records += self._all(plural, f"id[in]:[{part}]")
        return records

    def field_name(self, target: str, logical: str) -> str:
        return self.workspace().field_name(target, logical)

    def as_sent(self, target: str, record: dict[str, Any]) -> dict[str, Any]:
        return self.workspace().adapt(target, record)

    def delete(self, context: WriteContext, ids: Sequence[str]) -> list[WriteOutcome]:
        outcomes = []
        for record_id in ids:
            try:
                self.http.request("DELETE", f"/rest/{context.target}/{record_id}")
            except DataError as error:
                if self._get(context.target, record_id) is not None:
                    outcomes.append(WriteOutcome(id=record_id, ok=False, error=str(error), kind="data"))
                    continue
            outcomes.append(WriteOutcome(id=record_id))  # deleted now, or already gone
        return outcomes

    def ensure_objects(self, migration: str, requests: Sequence[NewObjectRequest], *, apply: bool) -> list[NewObjectRequest]:
        known = self.workspace(refresh=True).objects
        created = [request for request in requests if request.plural not in known]
        for request in created if apply else []:
            self.http.request("POST", "/rest/metadata/objects", paced=False, json={
                "nameSingular": request.singular, "namePlural": request.plural, "labelSingular": request.label,
                "labelPlural": request.label_plural, "icon": request.icon})
        if apply and created:
            self.workspace(refresh=True)
        return created

    def remove_object(self, plural: str) -> list[str]:
        info = self.workspace(refresh=True).objects.get(plural)
        if info is not None:
            self.http.request("DELETE", f"/rest/metadata/objects/{info.id}", paced=False)
            self.workspace(refresh=True)
        return []

    def remove_field(self, change: NewFieldRequest) -> list[str]:
        info = self.workspace(refresh=True).objects.get(change.target)
        existing = info.fields.get(change.name) if info else None
        if existing is None:
            return []  # already gone (a resumed rollback), or gone with its object
        path = f"/rest/metadata/fields/{existing['id']}"
        if change.create:
            # An active field cannot be deleted: deactivate it first.
            self.http.request("PATCH", path, json={"isActive": False}, paced=False)
            self.http.request("DELETE", path, paced=False)
            return [f"{change.target}.{change.name}: the view fields Twenty added for it stay in the object's views "
                    "(no API call removes them); hide or delete them in Settings → Data model if they show"]
        added = set(change.options)
        kept = [option for option in existing.get("options") or [] if option["value"] not in added]
        self.http.request("PATCH", path, json={"options": kept}, paced=False)
        return []

    def traces_of_deleted(self, deleted: dict[str, int]) -> list[str]:
        return [f"up to {count} timeline activit{'y' if count == 1 else 'ies'} of deleted {target} stay in Twenty with "
                "empty links (Twenty writes them itself; they show on no record's timeline)"
                for target, count in deleted.items() if target in _TIMELINE_TARGETS and count]

    # --- files --------------------------------------------------------------------------------

    def upload_file(self, context: WriteContext, name: str, size: int, opener: FileOpener) -> str:
        schema = self.workspace()
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        with opener() as handle:
            content = handle.read()
        files = {"0": (name.rsplit("/", 1)[-1], content, content_type)}
        if schema.files_field_id:
            operations = {"query": "mutation($file: Upload!, $fieldMetadataId: String!){ uploadFilesFieldFile(file:$file, fieldMetadataId:$fieldMetadataId){ id path } }",
                          "variables": {"file": None, "fieldMetadataId": schema.files_field_id}}
            body = self._upload("/metadata", operations, files)
            return body["data"]["uploadFilesFieldFile"]["id"]
        operations = {"query": "mutation uploadFile($file: Upload!, $fileFolder: FileFolder) { uploadFile(file: $file, fileFolder: $fileFolder) { path token } }",
                      "variables": {"file": None, "fileFolder": "Attachment"}}
        body = self._upload("/graphql", operations, files)
        return body["data"]["uploadFile"]["path"]

    def _upload(self, path: str, operations: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        data = {"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})}
        body = self.http.request("POST", path, data=data, files=files, headers={"Apollo-Require-Preflight": "true"})
        if body.get("errors"):
            raise DataError(f"upload refused: {body['errors'][0].get('message')}")
        return body


def _full_name(name: Any) -> str:
    if isinstance(name, dict):
        return f"{name.get('firstName', '')} {name.get('lastName', '')}".strip()
    return str(name or "")


def _field_body(object_id: str, request: NewFieldRequest, target_object_id: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"objectMetadataId": object_id, "type": request.type, "name": request.name, "label": request.label}
    if request.type == "RELATION" and target_object_id:
        # Many records of this object point at one record of the target (a session → its package).
        body["relationCreationPayload"] = {"targetObjectMetadataId": target_object_id, "type": "MANY_TO_ONE",
                                           "targetFieldLabel": f"{request.target[:1].upper()}{request.target[1:]}",
                                           "targetFieldIcon": "IconLink"}
    if request.type in ("SELECT", "MULTI_SELECT"):
        body["options"] = option_payload(request.options or ("OTHER",))
    return body

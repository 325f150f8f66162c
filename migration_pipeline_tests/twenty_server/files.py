"""Uploaded files: the bytes, the signed tokens that guard downloads, and multipart parsing.

v1.5 stores uploads under `attachment/<uuid>.<ext>` and serves `GET /files/<folder>/<token>/<file>`;
v2.4 stores them as FILES-field files (`files-field/<field>/<id>.<ext>`) served from
`GET /file/files-field/<id>?token=`. Tokens are workspace-wide, like Twenty's file JWTs.
"""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from .errors import TwentyError


@dataclass
class StoredFile:
    id: str
    name: str
    content_type: str
    data: bytes
    path: str
    created_at: str


def extension_of(name: str) -> str:
    """`.txt` for `notes.txt`; "" without a dot."""
    return "." + name.rsplit(".", 1)[1] if "." in name else ""


class FileStore:
    def __init__(self) -> None:
        self.by_key: dict[str, StoredFile] = {}  # v1.5: the path; v2.4: the file id
        self.tokens: set[str] = set()

    def new_token(self) -> str:
        token = "ft." + secrets.token_urlsafe(24)
        self.tokens.add(token)
        return token

    def token(self) -> str:
        """A valid token for links the server signs on the fly (records, GraphQL fullPath)."""
        return next(iter(self.tokens), None) or self.new_token()

    def add_attachment(self, name: str, content_type: str, data: bytes, created_at: str) -> StoredFile:
        file_id = str(uuid.uuid4())
        stored = StoredFile(file_id, name, content_type, data, f"attachment/{file_id}{extension_of(name)}", created_at)
        self.by_key[stored.path] = stored
        return stored

    def add_files_field(self, name: str, content_type: str, data: bytes, field_id: str, created_at: str) -> StoredFile:
        file_id = str(uuid.uuid4())
        path = f"files-field/{field_id}/{file_id}{extension_of(name)}"
        stored = StoredFile(file_id, name, content_type, data, path, created_at)
        self.by_key[file_id] = stored
        return stored

    def download_v15(self, rest: str) -> StoredFile:
        """`/files/<folder>/<token>/<filename>`: the token is a path segment, never a query parameter."""
        parts = rest.split("/")
        filename, token, folder = parts[-1], (parts[-2] if len(parts) > 1 else ""), "/".join(parts[:-2])
        if folder != "attachment":
            raise TwentyError(400, "Bad Request", f"Folder {folder} is not allowed", singular=True)
        if token not in self.tokens:
            raise TwentyError(403, "Forbidden", "Forbidden resource", singular=True)
        stored = self.by_key.get(f"{folder}/{filename}")
        if stored is None:
            raise TwentyError(404, "Not Found", "File not found", singular=True)
        return stored

    def download_v24(self, file_id: str, token: str | None) -> StoredFile:
        if token not in self.tokens:
            raise TwentyError(403, "Forbidden", "Forbidden resource", singular=True)
        stored = self.by_key.get(file_id)
        if stored is None:
            raise TwentyError(404, "Not Found", "File not found", singular=True)
        return stored


@dataclass
class Upload:
    """One file of a GraphQL multipart request (graphql-multipart-request-spec)."""

    filename: str
    content_type: str
    data: bytes


def parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    """The `operations` JSON of a multipart request, each mapped variable replaced by its Upload."""
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    parts: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        parts[name] = Upload(filename, part.get_content_type(), payload) if filename else payload.decode()
    operations = json.loads(parts.get("operations") or "{}")
    for key, targets in json.loads(parts.get("map") or "{}").items():
        for target in targets:
            if isinstance(parts.get(key), Upload) and target.startswith("variables."):
                operations.setdefault("variables", {})[target.split(".", 1)[1]] = parts[key]
    return operations

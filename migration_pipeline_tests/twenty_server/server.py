"""The HTTP side: a ThreadingHTTPServer on 127.0.0.1, authentication, limits and dispatch.

Order per request, as on Twenty: injected failures (a flaky proxy in front), authentication,
then the v2.4 record-API token bucket (metadata and GraphQL are not counted), then the handler
under the workspace lock. Nothing is logged; `request_log()` records every exchange instead.
"""

from __future__ import annotations

import http
import json
import threading
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

from migration_pipeline_tests.local_server import LocalServer, ReplyHandler

from . import metadata, rest
from .config import TwentyConfig
from .errors import TwentyError, bad_request
from .files import parse_multipart
from .graphql import execute
from .limits import FailureInjector, FieldLimiter, TokenBucket
from .records import render
from .state import Workspace

Reply = tuple[int, dict[str, str], bytes]
_JSON = "application/json; charset=utf-8"


class TwentyServer(LocalServer):
    thread_name = "twenty-double"

    def __init__(self, config: TwentyConfig | None = None):
        super().__init__()
        self.config = config or TwentyConfig()
        self.workspace = Workspace(self.config.version, list(self.config.members))
        limit = self.config.rest_limit()
        self._bucket = TokenBucket(*limit, clock=self.config.clock) if limit else None
        self._graphql_limiter = FieldLimiter(*self.config.graphql_rate_limit, clock=self.config.clock)
        self._failures = FailureInjector()
        self._log: list[tuple[str, str, int, float]] = []
        self._log_lock = threading.Lock()

    # ---- lifecycle -----------------------------------------------------------------------
    def _started(self) -> None:
        self.workspace.base_url = self.url

    # ---- inspection helpers for tests ----------------------------------------------------
    def records(self, plural: str, include_deleted: bool = False) -> list[dict[str, Any]]:
        """The stored records of an object, rendered as REST returns them, in creation order."""
        with self.workspace.lock:
            obj = self.workspace.object_by_plural(plural)
            if obj is None:
                raise KeyError(f"the workspace has no object {plural!r}")
            return [render(self.workspace, obj, row) for row in self.workspace.rows_of(obj, include_deleted)]

    def request_log(self) -> list[tuple[str, str, int, float]]:
        """(method, path with query, status, time.monotonic()) of every request so far."""
        with self._log_lock:
            return list(self._log)

    def member_id(self, email: str) -> str:
        with self.workspace.lock:
            return self.workspace.member_id(email)

    def invite_member(self, email: str) -> None:
        """What an admin does in Twenty's settings: the person becomes a workspace member."""
        with self.workspace.lock:
            self.workspace.add_member(email)

    def file_bytes(self, key: str) -> bytes:
        """Bytes of an upload: key is the v1.5 path (`attachment/<uuid>.txt`) or the v2.4 file id."""
        with self.workspace.lock:
            return self.workspace.files.by_key[key].data

    def fail_next(self, status: int, times: int = 1, body: dict[str, Any] | None = None,
                  retry_after: str | None = None) -> None:
        """Answer the next `times` record/batch requests with `status` (and Retry-After, if given)."""
        self._failures.add(status, times, body, retry_after, http.HTTPStatus(status).phrase)

    # ---- request handling ----------------------------------------------------------------
    def respond(self, method: str, target: str, headers: Any, raw: bytes) -> Reply:
        parts = urlsplit(target)
        path = parts.path
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        try:
            reply = self._route(method, path, parts.query, query, headers, raw)
        except TwentyError as exc:
            content_type = "application/json" if exc.status in (401, 403) and not exc.singular else _JSON
            reply = exc.status, {"Content-Type": content_type, **exc.headers}, json.dumps(exc.body()).encode()
        except Exception as exc:  # a bug in the double: answer it instead of dropping the connection
            body = {"statusCode": 500, "error": "TestDoubleError", "messages": [repr(exc)]}
            reply = 500, {"Content-Type": _JSON}, json.dumps(body).encode()
        with self._log_lock:
            self._log.append((method, target, reply[0], time.monotonic()))
        return reply

    def _route(self, method: str, path: str, raw_query: str, query: dict[str, str], headers: Any, raw: bytes) -> Reply:
        ws = self.workspace
        if path.startswith("/files/") and ws.version == "v1.5":
            stored = ws.files.download_v15(path[len("/files/"):])
            return 200, {"Content-Type": stored.content_type}, stored.data
        if path.startswith("/file/files-field/") and ws.version == "v2.4":
            stored = ws.files.download_v24(path.rsplit("/", 1)[1], query.get("token"))
            return 200, {"Content-Type": stored.content_type}, stored.data
        is_record_api = path.startswith("/rest/") and not path.startswith("/rest/metadata")
        failure = self._failures.take() if is_record_api else None
        if failure is not None:
            return failure.status, {"Content-Type": _JSON, **failure.headers}, json.dumps(failure.body).encode()
        if path in ("/graphql", "/metadata") and method == "POST":
            return self._graphql(path, headers, raw)
        self._authenticate(headers)
        if path.startswith("/rest/metadata"):
            with ws.lock:
                status, body = metadata.handle(ws, method, path, raw_query, _json_body(raw))
            return status, {"Content-Type": _JSON}, json.dumps(body).encode()
        if path.startswith("/rest/"):
            if self._bucket is not None and not self._bucket.try_take():
                raise TwentyError(429, "HttpException", self._bucket.message)
            with ws.lock:
                status, body = rest.handle(ws, self.config.batch_cap(), method, path, query, _json_body(raw))
            return status, {"Content-Type": _JSON}, json.dumps(body).encode()
        raise TwentyError(404, "Not Found", f"Cannot {method} {path}", singular=True)

    def _authenticate(self, headers: Any) -> None:
        header = headers.get("Authorization")
        if not header:
            raise TwentyError(403, "FORBIDDEN_EXCEPTION", "Missing authentication token")
        token = header[len("Bearer "):] if header.startswith("Bearer ") else header
        if token != self.config.api_key:
            raise TwentyError(401, "UNAUTHENTICATED", "Token invalid." if token.count(".") == 2 else "No payload")

    def _graphql(self, path: str, headers: Any, raw: bytes) -> Reply:
        try:
            self._authenticate(headers)
        except TwentyError as exc:
            body: dict[str, Any] = {"errors": [{"message": exc.message, "extensions": {"code": "UNAUTHENTICATED"}}]}
            return 200, {"Content-Type": _JSON}, json.dumps(body).encode()
        content_type = headers.get("Content-Type") or ""
        if content_type.startswith("multipart/form-data"):
            request = parse_multipart(content_type, raw)
        else:
            request = _json_body(raw)
        if not isinstance(request, dict):
            raise bad_request("GraphQL requests are a JSON object")
        with self.workspace.lock:
            body = execute(self.workspace, path, request, self._graphql_limiter.allow)
        return 200, {"Content-Type": _JSON}, json.dumps(body).encode()


def _json_body(raw: bytes) -> Any:
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise bad_request(f"Invalid JSON body: {exc}") from None


class _Handler(ReplyHandler):
    default_headers = {"X-Powered-By": "Express", "Access-Control-Allow-Origin": "*"}


TwentyServer.handler = _Handler

"""The lifecycle both destination doubles share: a ThreadingHTTPServer on 127.0.0.1, on a free
port, served from a daemon thread; usable as a context manager."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class QuietHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # clients open many connections at once; the default backlog is 5
    owner: Any

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client drops its connection."""


class ReplyHandler(BaseHTTPRequestHandler):
    """Hands every request to the server object: `owner.respond(method, path, headers, body)`
    returns `(status, headers, body)`. Subclasses add the headers their server always sends."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: avoid the 40 ms delayed-ACK stall
    default_headers: dict[str, str] = {}

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's signature
        """Silence the default stderr access log."""

    def _dispatch(self) -> None:
        owner = self.server.owner  # type: ignore[attr-defined]
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, headers, payload = owner.respond(self.command, self.path, self.headers, raw)
        self.send_response(status)
        for name, value in {**self.default_headers, **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch


class LocalServer:
    """Subclasses name their request handler and may react once the URL is known."""

    handler: type[BaseHTTPRequestHandler] = ReplyHandler
    thread_name = "destination-double"

    def __init__(self) -> None:
        self._httpd: QuietHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    def _started(self) -> None:
        """Called with `self.url` set, before the first request is served."""

    def start(self) -> Any:
        httpd = QuietHTTPServer(("127.0.0.1", 0), self.handler)
        httpd.owner = self
        self._httpd = httpd
        self.url = f"http://127.0.0.1:{httpd.server_address[1]}"
        self._started()
        self._thread = threading.Thread(target=httpd.serve_forever, name=self.thread_name, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

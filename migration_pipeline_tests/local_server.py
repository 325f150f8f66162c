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


class LocalServer:
    """Subclasses name their request handler and may react once the URL is known."""

    handler: type[BaseHTTPRequestHandler]
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

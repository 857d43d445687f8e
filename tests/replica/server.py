"""A real HTTP server on 127.0.0.1 serving a rendered ``Replica`` (one thread per client)."""

from __future__ import annotations

import collections
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.replica.faults import Fault
from tests.replica.site import Page, Replica


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        with self.server.lock:
            self.server.hits[self.path] += 1
        if self.server.delay:
            time.sleep(self.server.delay)
        page = self.server.lookup(self.path)
        if page is None:
            page = Page(404, "text/html; charset=utf-8", b"<html><body><h1>Page introuvable</h1></body></html>")
        fault = self.server.faults.get(urlsplit(self.path).path)
        if fault is not None:
            with self.server.lock:
                self.server.fault_hits[self.path] += 1
                hit = self.server.fault_hits[self.path]
            if fault.applies(hit):
                fault.respond(self, page.body, page.content_type)
                return
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body)))
        self.end_headers()
        self.wfile.write(page.body)

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    pages: dict[str, Page]
    hits: collections.Counter
    delay: float = 0.0
    faults: dict[str, Fault]
    fault_hits: collections.Counter
    lock: threading.Lock

    def handle_error(self, request, client_address) -> None:
        # a client that hangs up (a killed crawler) is not the server's problem
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def lookup(self, raw_path: str) -> Page | None:
        parts = urlsplit(raw_path)
        key = parts.path.rstrip("/") or "/"
        if parts.query and f"{key}?{parts.query}" in self.pages:
            return self.pages[f"{key}?{parts.query}"]
        return self.pages.get(key)  # unknown query strings are ignored, as on most servers


class ReplicaServer:
    """``with ReplicaServer(Replica()) as server: server.base_url``"""

    def __init__(self, replica: Replica | None = None, port: int = 0, delay: float = 0.0,
                 faults: dict[str, Fault] | None = None) -> None:
        self.replica = replica or Replica()
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.hits = collections.Counter()
        self._server.faults = dict(faults or {})  # path → fault (see tests/replica/faults.py)
        self._server.fault_hits = collections.Counter()
        self._server.lock = threading.Lock()
        self._server.delay = delay  # seconds per response: a network-bound crawl
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.refresh()
        self._thread = threading.Thread(target=self._server.serve_forever, name="replica", daemon=True)

    @property
    def hits(self) -> collections.Counter:
        """Requests served, by raw path."""
        return self._server.hits

    def refresh(self) -> None:
        """Re-render after ``replica`` was changed."""
        self._server.pages = self.replica.pages(self.base_url)

    def start(self) -> ReplicaServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> ReplicaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

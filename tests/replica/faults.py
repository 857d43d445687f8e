"""Faults the replica server can inject, per path: what the live web does to a crawler.

Each fault answers the first ``times`` requests of its path (``None``: every request) and
then lets the real page through, so a test tells transient faults (recovered by retries)
from persistent ones (recorded as failures).
"""

from __future__ import annotations

import socket
import struct
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler


@dataclass
class Fault:
    kind: str = "fault"
    times: int | None = None  # how many requests it spoils; None: all of them

    def applies(self, hit: int) -> bool:
        return self.times is None or hit <= self.times

    def respond(self, handler: BaseHTTPRequestHandler, body: bytes, content_type: str) -> None:
        raise NotImplementedError


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes = b"", content_type: str = "text/html",
         headers: dict[str, str] | None = None, length: int | None = None) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body) if length is None else length))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


@dataclass
class Status(Fault):
    """An error status (500, 503, 404…), optionally with Retry-After."""

    status: int = 503
    retry_after: str | None = None

    def respond(self, handler, body, content_type):
        headers = {"Retry-After": self.retry_after} if self.retry_after else {}
        send(handler, self.status, b"<html><body>Erreur</body></html>", headers=headers)


@dataclass
class Slow(Fault):
    """Answers only after ``seconds`` (longer than the crawler's DOWNLOAD_TIMEOUT)."""

    seconds: float = 3.0

    def respond(self, handler, body, content_type):
        time.sleep(self.seconds)
        send(handler, 200, body, content_type)


@dataclass
class ResetMidBody(Fault):
    """Sends the headers and half the body, then resets the connection."""

    def respond(self, handler, body, content_type):
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body[: len(body) // 2])
        handler.wfile.flush()
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.connection.close()
        handler.close_connection = True


@dataclass
class Truncated(Fault):
    """Announces more bytes than it sends, then closes."""

    def respond(self, handler, body, content_type):
        send(handler, 200, body[: len(body) // 2], content_type, length=len(body))
        handler.wfile.flush()
        handler.close_connection = True


@dataclass
class Redirect(Fault):
    """302 to ``location`` (another host, or a loop back to the page itself)."""

    location: str = "/"

    def respond(self, handler, body, content_type):
        send(handler, 302, b"", headers={"Location": self.location})


@dataclass
class Replace(Fault):
    """Serves other bytes at the page's URL (a PDF, an image, a huge page, a challenge page)."""

    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"

    def respond(self, handler, body, content_type):
        send(handler, 200, self.body, self.content_type)

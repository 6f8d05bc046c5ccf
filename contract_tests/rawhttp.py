"""Requests written byte by byte, for what an HTTP client library will not send.

httpx writes well-formed requests only: it will not send a malformed chunk size, a request line of an
exact length, or stop half-way through a body. ``exchange`` writes the given bytes to the server and
parses its answer with the standard library's HTTP/1.1 response parser.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

TIMEOUT = 10.0  # seconds for the whole exchange; every request here is small


@dataclass(frozen=True)
class RawResponse:
    """An answer to a raw request: ``status`` (int), ``headers`` (lower-cased names), ``body`` (bytes)."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def json(self) -> Any:
        return json.loads(self.body)


def address(base_url: str) -> tuple[str, int]:
    parts = urlsplit(base_url)
    return parts.hostname or "127.0.0.1", parts.port or 80


def authority(base_url: str) -> str:
    """The ``Host`` header value for ``base_url`` (``127.0.0.1:8000``)."""
    return urlsplit(base_url).netloc


def exchange(base_url: str, request: bytes, *, half_close: bool = False, method: str = "GET") -> RawResponse | None:
    """Send ``request`` as is; return the parsed answer, or None when the server closed without one.

    ``half_close`` shuts the client's sending side after the bytes (a body cut short, RFC 9112 §8).
    ``method`` is the request's method, which the parser needs to know whether a body follows (HEAD).
    """
    with socket.create_connection(address(base_url), timeout=TIMEOUT) as sock:
        sock.sendall(request)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        response = http.client.HTTPResponse(sock, method=method)
        try:
            response.begin()
        except (http.client.RemoteDisconnected, ConnectionResetError, http.client.BadStatusLine):
            return None
        body = b""
        with contextlib.suppress(http.client.IncompleteRead, ConnectionResetError):
            body = response.read()
        return RawResponse(response.status, {k.lower(): v for k, v in response.getheaders()}, body)


def request_bytes(
    base_url: str,
    method: str,
    target: str,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
) -> bytes:
    """An HTTP/1.1 request: ``Host`` from ``base_url`` unless given, ``Connection: close``, the body as is."""
    fields = {"Host": authority(base_url), "Connection": "close", **(headers or {})}
    head = f"{method} {target} HTTP/1.1\r\n" + "".join(f"{name}: {value}\r\n" for name, value in fields.items())
    return head.encode("latin-1") + b"\r\n" + body


def chunked(*chunks: bytes) -> bytes:
    """``chunks`` framed as RFC 9112 §7.1 chunks, then the last chunk."""
    return b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks) + b"0\r\n\r\n"

"""ASGI middleware that refuses a request before routing: a request line too long (414), a ``Host`` not served (400).

Both answer as problem+json, like every error the application writes; main.py adds them outside the routers.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from items_fastapi.config import MAX_REQUEST_LINE
from items_fastapi.problems import problem


# region: validation
def request_line_length(scope: Scope) -> int:
    """The length in bytes of the request line ``method SP request-target SP HTTP-version`` (RFC 9112 §3),
    without its CRLF, rebuilt from the ASGI scope (``raw_path``, ``query_string``)."""
    query = scope["query_string"]
    target = len(scope.get("raw_path") or scope["path"].encode()) + (len(query) + 1 if query else 0)
    return len(scope["method"]) + 1 + target + len(" HTTP/") + len(scope["http_version"])


class RequestLineLimit:
    """414 URI Too Long for a request line over ``MAX_REQUEST_LINE`` bytes (RFC 9110 §15.5.15).

    uvicorn has no limit of its own on the request line. Its httptools parser (impl.toml) hands the
    application any request-target up to 65,535 bytes (``httptools.parse_url`` keeps offsets in 16 bits) and
    answers a longer one 400 itself; h11 answers 400 for a request head over 16 KiB that arrives in pieces.
    gunicorn's ``--limit-request-line 8190`` is the other implementations' 414.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # uvicorn default: no request-line limit (httptools: 400 past a 65,535-byte target); contract: 414.
        if scope["type"] == "http" and request_line_length(scope) > MAX_REQUEST_LINE:
            detail = f"The request line is longer than {MAX_REQUEST_LINE} bytes."
            await problem(414, detail)(scope, receive, send)
            return
        await self.app(scope, receive, send)


class AllowedHosts(TrustedHostMiddleware):
    """Starlette's ``TrustedHostMiddleware`` for ``Settings.allowed_hosts``: exact names on any port, else 400.

    Starlette answers a ``Host`` it refuses with the plain text "Invalid host header"; here that answer is a
    problem. Raises ``ValueError`` for a wildcard (``*.example.com`` would match every name ending in it).
    """

    def __init__(self, app: ASGIApp, allowed_hosts: Sequence[str]) -> None:
        if any("*" in host for host in allowed_hosts):
            raise ValueError("allowed_hosts takes exact host names, no wildcard")
        # Starlette default: www_redirect=True redirects example.com to www.example.com when only the latter is
        # allowed; contract: a name not listed is a 400.
        super().__init__(self._admitted, allowed_hosts=allowed_hosts, www_redirect=False)
        self.allowed_app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().__call__(scope, receive, _Refusal(scope, receive, send))

    async def _admitted(self, scope: Scope, receive: Receive, send: _Refusal) -> None:
        await self.allowed_app(scope, receive, send.downstream)  # a host served: the app answers, untouched


class _Refusal:
    """The ``send`` that ``TrustedHostMiddleware`` answers a refused ``Host`` through: a problem goes out instead."""

    def __init__(self, scope: Scope, receive: Receive, downstream: Send) -> None:
        self.scope, self.receive, self.downstream = scope, receive, downstream

    async def __call__(self, message: Message) -> None:
        # Starlette default: 400 "Invalid host header" in plain text; contract: problem+json.
        if message["type"] == "http.response.start":
            await problem(400, "This server does not serve the host named in Host.")(
                self.scope, self.receive, self.downstream
            )


# endregion

"""The request body, read the contract's way: 401, then 415, 413 and 400, all before FastAPI validates (422).

FastAPI's documented knob for how a body is read is a custom ``APIRoute`` class with its own
``Request`` ("Custom Request and APIRoute class"); the items and users routers use ``JSONBodyRoute``.
``BodyRequest`` alone reads the form of ``POST /token`` (login.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from items_fastapi.api import deps
from items_fastapi.config import MAX_BODY_SIZE
from items_fastapi.schemas import integer_literal


# region: validation
def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads default: a repeated member name keeps its last value; RFC 7493 §2.3 (so the contract): 400.
    # Names are compared as decoded, so "t\u0069tle" repeats "title"; "Title" is another name.
    members = dict(pairs)
    if len(members) < len(pairs):
        raise ValueError("a member name is repeated")
    return members


def content_codings(request: Request) -> list[str]:
    """The codings of ``Content-Encoding`` (RFC 9110 §8.4), every header line, lowercased; ``identity`` left out."""
    values = request.headers.getlist("content-encoding")
    codings = [coding.strip().lower() for value in values for coding in value.split(",")]
    return [coding for coding in codings if coding not in {"", "identity"}]


def media_type(request: Request) -> str:
    """The media type of ``Content-Type``, lowercased, without its parameters (a charset, say); "" without one."""
    return request.headers.get("content-type", "").partition(";")[0].strip().lower()


class BodyRequest(Request):
    """A request whose body is read at most ``MAX_BODY_SIZE`` bytes deep, and never content-coded."""

    async def body(self) -> bytes:
        # Starlette default: no limit. FastAPI's max_body_size answers 413 in plain text, in place of any
        # answer (a 415 too) to a request that announces a larger body; contract: problem+json, 415 first.
        if not hasattr(self, "_body"):
            # Starlette default: Content-Encoding ignored (gzip bytes read as they are); RFC 9110 §15.5.16: 415.
            if content_codings(self):
                raise HTTPException(415, "The body must not be content-coded: Content-Encoding identity only.")
            announced = self.headers.get("content-length", "")
            if announced.isdigit() and int(announced) > MAX_BODY_SIZE:
                raise HTTPException(413, "The body is larger than 1 MiB.")
            chunks, size = [], 0
            try:
                async for chunk in self.stream():  # a chunked body announces nothing: count what arrives
                    size += len(chunk)
                    if size > MAX_BODY_SIZE:
                        raise HTTPException(413, "The body is larger than 1 MiB.")
                    chunks.append(chunk)
            except ClientDisconnect:
                # Starlette default: ClientDisconnect escapes, a 500 (the server cannot send it: the client is gone).
                raise HTTPException(400, "The connection closed before the body was complete.") from None
            self._body = b"".join(chunks)
        return self._body


class JSONBodyRequest(BodyRequest):
    """A request whose body is read as ``BodyRequest`` reads it, then parsed as strict JSON."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            # FastAPI default: a body of another media type (or none) is validated as bytes, a 422; contract: 415.
            # (FastAPI also reads application/*+json as JSON.) A charset parameter is ignored: JSON is UTF-8.
            if media_type(self) != "application/json":
                raise HTTPException(415, "The body's Content-Type must be application/json.")
            body = await self.body()  # 415 for a content coding, then 413
            try:
                # json.loads default: NaN, Infinity and -Infinity are numbers; RFC 8259 (so the contract): 400.
                document = json.loads(
                    body.decode("utf-8"),  # the charset parameter, whatever it says, is not read: RFC 8259 §8.1
                    parse_constant=_refuse_constant,
                    # json.loads default: int(), which refuses 4,301 digits (ValueError, a 400); contract: any length.
                    parse_int=integer_literal,
                    object_pairs_hook=_unique_members,
                )
                # Valid JSON, but "\ud800" alone is no Unicode text, and no database would store it.
                json.dumps(document, ensure_ascii=False).encode("utf-8")
            except (ValueError, RecursionError):  # nesting deeper than the stack: RecursionError, not ValueError
                # FastAPI default: malformed JSON is a 422 (json_invalid), an empty body a missing one; contract: 400.
                raise HTTPException(400, "The body is not JSON (RFC 8259, UTF-8).") from None
            # FastAPI default: [] or "x" is a 422 (model_attributes_type); contract: 400.
            if not isinstance(document, dict):
                raise HTTPException(400, "The body must be a JSON object.")
            self._json = document
        return self._json


class JSONBodyRoute(APIRoute):
    """A path operation that takes a body checks its credentials (401), then reads the body through
    ``JSONBodyRequest`` (415, 413, 400), before FastAPI solves its dependencies and validates the body (422)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()
        if self.body_field is None:
            return handle
        # endregion
        # region: auth
        reads_token = deps.depends_on(self.dependant, deps.get_optional_user)
        needs_user = deps.depends_on(self.dependant, deps.get_current_user)

        async def handle_json_body(request: Request) -> Response:
            request = JSONBodyRequest(request.scope, request.receive)
            # FastAPI default: the body is read (415, 413, 400 here) before any dependency runs, so CurrentUser's
            # 401 came after them; contract: 401 first, and no body of an anonymous client is read.
            user_id = await deps.check_credentials(request, required=needs_user) if reads_token else None
            try:
                await request.json()  # 415, 413 or 400 here; FastAPI then validates the parsed object (422)
            except HTTPException:
                if user_id is not None:
                    # A well-signed token whose user is gone is a 401 too, before the body's error; looked up
                    # only here, as the dependency looks it up again for a body that is fine.
                    await deps.check_user_exists(request, user_id)
                raise
            return await handle(request)

        # endregion
        # region: validation
        return handle_json_body


# endregion

"""The request body, read the contract's way: 415, then 413, then 400, all before FastAPI validates (422).

FastAPI's documented knob for how a body is read is a custom ``APIRoute`` class with its own
``Request`` ("Custom Request and APIRoute class"); the items router uses ``JSONBodyRoute``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from items_fastapi.config import MAX_BODY_SIZE


# region: validation
def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


class JSONBodyRequest(Request):
    """A request whose body is read at most ``MAX_BODY_SIZE`` bytes deep and parsed as strict JSON."""

    async def body(self) -> bytes:
        # Starlette default: no limit. FastAPI's max_body_size answers 413 in plain text, in place of any
        # answer (a 415 too) to a request that announces a larger body; contract: problem+json, 415 first.
        if not hasattr(self, "_body"):
            announced = self.headers.get("content-length", "")
            if announced.isdigit() and int(announced) > MAX_BODY_SIZE:
                raise HTTPException(413, "The body is larger than 1 MiB.")
            chunks, size = [], 0
            async for chunk in self.stream():  # a chunked body announces nothing: count what arrives
                size += len(chunk)
                if size > MAX_BODY_SIZE:
                    raise HTTPException(413, "The body is larger than 1 MiB.")
                chunks.append(chunk)
            self._body = b"".join(chunks)
        return self._body

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            # FastAPI default: a body of another media type (or none) is validated as bytes, a 422; contract: 415.
            # (FastAPI also reads application/*+json as JSON.)
            media_type = self.headers.get("content-type", "").partition(";")[0].strip().lower()
            if media_type != "application/json":
                raise HTTPException(415, "The body's Content-Type must be application/json.")
            body = await self.body()
            try:
                # json.loads default: NaN, Infinity and -Infinity are numbers; RFC 8259 (so the contract): 400.
                document = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
                # Valid JSON, but "\ud800" alone is no Unicode text, and no database would store it.
                json.dumps(document, ensure_ascii=False).encode("utf-8")
            except (ValueError, RecursionError):
                # FastAPI default: malformed JSON is a 422 (json_invalid), an empty body a missing one; contract: 400.
                raise HTTPException(400, "The body is not JSON (RFC 8259, UTF-8).") from None
            # FastAPI default: [] or "x" is a 422 (model_attributes_type); contract: 400.
            if not isinstance(document, dict):
                raise HTTPException(400, "The body must be a JSON object.")
            self._json = document
        return self._json


class JSONBodyRoute(APIRoute):
    """A path operation that takes a body reads it through ``JSONBodyRequest`` before anything else."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()
        if self.body_field is None:
            return handle

        async def handle_json_body(request: Request) -> Response:
            request = JSONBodyRequest(request.scope, request.receive)
            await request.json()  # 415, 413 or 400 here; FastAPI then validates the parsed object (422)
            return await handle(request)

        return handle_json_body


# endregion

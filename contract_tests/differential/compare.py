"""What "behave identically" means (DESIGN.md), as code: a response reduced to what must agree.

Two responses agree when their status, media type, ``Location`` and ``Allow`` headers and parsed
JSON bodies agree (for a 414, which the HTTP server may write itself, the status alone), except the
values of ``created_at``/``updated_at`` (their format is still checked), ``detail``, and each error's
``message``; error lists compare as sets of ``(field, code)``.

Ids are compared by name, not by number: ``#1`` is the item the first successful create of this
sequence made, on whichever server, so servers whose databases saw different histories still compare.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from contract_tests.support import TIMESTAMP

STAMPS = frozenset({"created_at", "updated_at"})
# Statuses an HTTP server may answer itself, in its own words, before the application sees the request.
SERVER_WRITTEN = frozenset({414})
ITEM_PATH = re.compile(r"^/items/([0-9]+)$")


@dataclass
class Names:
    """One server's ids, by the names the sequence gave them (``#1``, ``#2``...)."""

    ids: list[int] = field(default_factory=list)

    def name(self, value: int) -> str | int:
        return f"#{self.ids.index(value) + 1}" if value in self.ids else value


def media_type(response: httpx.Response) -> str | None:
    header = response.headers.get("content-type")
    return None if header is None else header.split(";")[0].strip().lower()


def _body(value: Any, names: Names, key: str | None = None) -> Any:
    if isinstance(value, Mapping):
        out = {}
        for name, member in value.items():
            if name == "detail":
                continue
            if name == "errors" and isinstance(member, list):
                pairs = {(error.get("field"), error.get("code")) for error in member if isinstance(error, Mapping)}
                out[name] = sorted(pairs, key=repr)
            elif name in STAMPS and isinstance(member, str):
                out[name] = "<timestamp>" if TIMESTAMP.match(member) else f"<malformed timestamp {member!r}>"
            else:
                out[name] = _body(member, names, name)
        return out
    if isinstance(value, list):
        return [_body(member, names) for member in value]
    if key == "id" and isinstance(value, int) and not isinstance(value, bool):
        return names.name(value)
    return value


def normalise(response: httpx.Response, names: Names) -> dict[str, Any]:
    """The parts of ``response`` that must agree between implementations."""
    location = response.headers.get("location")
    if location is not None and (match := ITEM_PATH.match(location)):
        location = f"/items/{names.name(int(match[1]))}"
    allow = response.headers.get("allow")
    if allow is not None:
        allow = sorted({method.strip().upper() for method in allow.split(",") if method.strip()})
    if response.status_code in SERVER_WRITTEN:
        # DESIGN.md: where the HTTP server answers before the application (gunicorn's 414), its own body is
        # accepted; the status must still agree.
        return {"status": response.status_code, "content-type": None, "location": None, "allow": None, "body": None}
    if not response.content:
        body: Any = None
    else:
        try:
            body = _body(response.json(), names)
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = f"<not JSON: {response.content[:80]!r}>"
    return {
        "status": response.status_code,
        "content-type": media_type(response),
        "location": location,
        "allow": allow,
        "body": body,
    }


def side_by_side(labels: list[str], responses: list[httpx.Response], normalised: list[dict[str, Any]]) -> str:
    """The answers of every server, raw and as compared, one block each."""
    blocks = []
    for label, response, reduced in zip(labels, responses, normalised, strict=True):
        text = response.text if len(response.text) <= 600 else response.text[:600] + "..."
        headers = {
            name: response.headers[name] for name in ("content-type", "location", "allow") if name in response.headers
        }
        blocks.append(
            f"  --- {label}: {response.status_code} {headers}\n      raw:      {text}\n"
            f"      compared: {json.dumps(reduced, ensure_ascii=False, default=str)}"
        )
    return "\n".join(blocks)

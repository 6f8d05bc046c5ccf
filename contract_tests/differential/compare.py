"""What "behave identically" means (DESIGN.md), as code: a response reduced to what must agree.

Two responses agree when their status, media type, ``Location`` and ``Allow`` headers and parsed
JSON bodies agree (for a 414, which the HTTP server may write itself, the status alone), except
``detail`` and each error's ``message``; error lists compare as sets of ``(field, code)``.

Ids are compared by name, not by number: ``#1`` is the item the first successful create of this
sequence made, on whichever server, so servers whose databases saw different histories still compare.

Timestamps are compared by their relations, not their values (two servers never read the same clock):
each ``created_at``/``updated_at`` becomes ``<instant N>``, its rank among the distinct instants this
sequence has shown so far on that server (0 the earliest). Two servers agree when every timestamp is
equal to, before or after the others on both: ``updated_at`` equal to ``created_at`` at creation,
moved by a change and by nothing else, ``created_at`` kept. A server whose clock gives two requests
one instant (a tie the other has not) differs too: the order ``sort=created_at`` lists would as well.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from contract_tests.support import instant

STAMPS = frozenset({"created_at", "updated_at"})
# Statuses an HTTP server may answer itself, in its own words, before the application sees the request.
SERVER_WRITTEN = frozenset({414})
ITEM_PATH = re.compile(r"^/items/([0-9]+)$")


@dataclass
class Names:
    """One server's ids, by the names the sequence gave them (``#1``, ``#2``...), and the instants it showed."""

    ids: list[int] = field(default_factory=list)
    instants: set[Any] = field(default_factory=set)  # every well-formed timestamp of the sequence, parsed

    def name(self, value: int) -> str | int:
        return f"#{self.ids.index(value) + 1}" if value in self.ids else value

    def rank(self, stamp: str) -> str:
        """``<instant N>``: N distinct instants this sequence has shown are earlier than ``stamp``."""
        at = _instant(stamp)
        if at is None:
            return f"<malformed timestamp {stamp!r}>"
        return f"<instant {sum(1 for seen in self.instants if seen < at)}>"


def _instant(stamp: str) -> Any:
    """``stamp`` parsed (``support.instant``), or None when it is not RFC 3339 UTC with ``Z``."""
    try:
        return instant(stamp)
    except ValueError:
        return None


def _stamps(value: Any) -> list[Any]:
    """Every well-formed ``created_at``/``updated_at`` of a parsed body, at any depth, parsed."""
    if isinstance(value, Mapping):
        found = [_instant(member) for name, member in value.items() if name in STAMPS and isinstance(member, str)]
        return [at for at in found if at is not None] + [at for member in value.values() for at in _stamps(member)]
    if isinstance(value, list):
        return [at for member in value for at in _stamps(member)]
    return []


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
                out[name] = names.rank(member)
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
            parsed = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = f"<not JSON: {response.content[:80]!r}>"
        else:
            names.instants.update(_stamps(parsed))  # this answer's own instants count too
            body = _body(parsed, names)
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

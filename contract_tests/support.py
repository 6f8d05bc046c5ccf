"""What every contract test checks the same way: problem details, items, Allow headers."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx

from contract_tests.clauses import expect

ERROR_CODES = frozenset(
    {
        "required",
        "unknown_field",
        "wrong_type",
        "null",
        "too_short",
        "too_long",
        "too_small",
        "too_large",
        "invalid_value",
        "invalid_choice",
    }
)
# RFC 9110 reason phrases, pinned by DESIGN.md because Python and Werkzeug versions disagree.
TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    414: "URI Too Long",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
# What Allow names (DESIGN.md): the spec's methods, and HEAD wherever GET is (RFC 9110 §9.3.2).
COLLECTION_METHODS = {"GET", "HEAD", "POST"}
ITEM_METHODS = {"DELETE", "GET", "HEAD", "PATCH", "PUT"}
ONE_MIB = 1024 * 1024


def media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def problem(response: httpx.Response, status: int, about: str | None = None) -> dict[str, Any]:
    """Assert ``response`` is an RFC 9457 problem with ``status``; return its body (``about``: see ``expect``)."""
    expect(response, status, about=about)
    where = f"{response.request.method} {response.request.url.path} answered {status}"
    assert media_type(response) == "application/problem+json", (
        f"{where} as {response.headers.get('content-type')!r}; the spec requires application/problem+json (RFC 9457)"
    )
    body = response.json()
    assert body.get("type") == "about:blank", f"{where}: type must be 'about:blank': {body}"
    assert body.get("title") == TITLES[status], f"{where}: title must be {TITLES[status]!r} (RFC 9110): {body}"
    assert body.get("status") == status, f"{where}: status member must be {status}: {body}"
    assert isinstance(body.get("detail"), str), body
    if status == 422:
        assert isinstance(body.get("errors"), list) and body["errors"], body
        for error in body["errors"]:
            assert isinstance(error.get("field"), str), error
            assert error.get("code") in ERROR_CODES, error
            assert isinstance(error.get("message"), str), error
    else:
        assert "errors" not in body, body
    return body


def error_pairs(response: httpx.Response) -> set[tuple[str, str]]:
    """The 422's errors as a set of ``(field, code)``, the way DESIGN.md compares them."""
    return {(error["field"], error["code"]) for error in problem(response, 422)["errors"]}


def allowed(response: httpx.Response) -> set[str]:
    header = response.headers.get("allow")
    assert header is not None, f"no Allow header on {response.status_code}"
    return {method.strip().upper() for method in header.split(",") if method.strip()}


def assert_item(body: dict[str, Any], **expected: Any) -> None:
    """Assert ``body`` is a well-formed Item, with ``expected`` field values."""
    assert set(body) == {"id", "title", "description", "price", "quantity", "owner", "created_at", "updated_at"}, body
    assert body["owner"] is None or isinstance(body["owner"], str), body
    assert isinstance(body["id"], int) and not isinstance(body["id"], bool) and body["id"] >= 1
    assert isinstance(body["quantity"], int) and not isinstance(body["quantity"], bool)
    assert isinstance(body["price"], (int, float)) and not isinstance(body["price"], bool)
    for stamp in ("created_at", "updated_at"):
        assert TIMESTAMP.match(body[stamp]), f"{stamp}={body[stamp]!r} is not RFC 3339 UTC with Z"
    for key, value in expected.items():
        assert body[key] == value, f"{key}: expected {value!r}, got {body[key]!r}"


def instant(stamp: str) -> tuple[datetime, Decimal]:
    """A ``TIMESTAMP`` as a value that orders exactly like the instants it names: whole seconds, then the fraction.

    Any number of fractional digits is kept (``datetime.fromisoformat`` cuts nanoseconds to microseconds, which
    would make two distinct instants equal). Raises ``ValueError`` for text that is not a ``TIMESTAMP``.
    """
    if not TIMESTAMP.match(stamp):
        raise ValueError(f"{stamp!r} is not RFC 3339 UTC with Z")
    seconds, _, fraction = stamp.removesuffix("Z").partition(".")
    return datetime.fromisoformat(seconds + "+00:00"), Decimal("0." + (fraction or "0"))


def create(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    return expect(client.post("/items", json=fields), 201).json()

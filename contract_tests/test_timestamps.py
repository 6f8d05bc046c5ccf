"""Timestamps by their meaning, not their format: the spec's ``Item.created_at`` and ``Item.updated_at``.

``created_at`` is set once; ``updated_at`` equals it at creation and moves strictly later on a request that
changes a stored value, never on one that changes none (an empty PATCH, values equal to the stored ones, a PUT
of the item's own fields) nor on one that fails. Every comparison is between the server's own values, parsed
exactly (``support.instant``), never with the client's clock: two requests may well fall in the same tick of it.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from contract_tests import accounts, clauses
from contract_tests.support import create, expect, instant, problem

STORED = {"description": "d", "price": 5, "quantity": 9}  # and the title: the test's prefix


def _fill(body: dict[str, Any], prefix: str) -> dict[str, Any]:
    """``body`` with ``"{p}"`` in its strings replaced by the test's title prefix."""
    return {key: value.replace("{p}", prefix) if isinstance(value, str) else value for key, value in body.items()}


def _id(method: str, body: dict[str, Any] | bytes | None) -> str:
    """``PATCH title=T-new,price=6.5``: a test id (``T``: the title prefix)."""
    text = ",".join(f"{key}={value}" for key, value in body.items()) if isinstance(body, dict) else body.decode()
    return f"{method} " + (text.replace("{p}", "T") or "{}")


def _clause(words: str) -> str:
    return f"the spec requires {clauses.saying(words)}"


def assert_created_once(before: dict[str, Any], after: dict[str, Any], what: str) -> None:
    """``created_at`` of ``after`` is the instant of ``before``'s."""
    assert instant(after["created_at"]) == instant(before["created_at"]), (
        f"{what}: created_at went from {before['created_at']} to {after['created_at']}; "
        + _clause("When the item was created")
    )


def assert_moved(before: dict[str, Any], after: dict[str, Any], what: str) -> None:
    """``after`` is ``before`` changed: ``created_at`` kept, ``updated_at`` strictly later."""
    assert_created_once(before, after, what)
    assert instant(after["updated_at"]) > instant(before["updated_at"]), (
        f"{what} changed a value, yet updated_at went from {before['updated_at']} to {after['updated_at']}; "
        + _clause("value moves it strictly later")
    )


def assert_unchanged(before: dict[str, Any], after: dict[str, Any], what: str, words: str) -> None:
    """``after`` is ``before``: every field, both timestamps the same instants."""
    assert {**after, "created_at": None, "updated_at": None} == {**before, "created_at": None, "updated_at": None}, (
        f"{what}: the item changed from {before} to {after}"
    )
    assert_created_once(before, after, what)
    assert instant(after["updated_at"]) == instant(before["updated_at"]), (
        f"{what}: updated_at went from {before['updated_at']} to {after['updated_at']}; " + _clause(words)
    )


def send(http: httpx.Client, method: str, item: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    return expect(http.request(method, f"/items/{item['id']}", json=body), 200).json()


@pytest.fixture(scope="module")
def stranger(anonymous) -> accounts.Account:
    """A user who owns none of the items these tests create."""
    return accounts.sign_up(anonymous, "stranger")


@pytest.mark.parametrize("fields", [{"price": 1}, STORED], ids=["defaults", "every-field"])
def test_updated_at_is_created_at_at_creation(client, prefix, fields):
    created = create(client, title=prefix, **fields)
    assert instant(created["updated_at"]) == instant(created["created_at"]), (
        f"POST /items answered created_at {created['created_at']}, updated_at {created['updated_at']}; "
        + _clause("`created_at` exactly")
    )
    assert expect(client.get(f"/items/{created['id']}"), 200).json() == created


# Each changes one stored value at least (a PUT's left-out optional fields go back to their defaults).
CHANGES = [
    ("PATCH", {"title": "{p}-new"}),
    ("PATCH", {"description": "new"}),
    ("PATCH", {"description": None}),
    ("PATCH", {"price": 6.5}),
    ("PATCH", {"quantity": 10}),
    ("PATCH", {"title": "{p}", "description": "d", "price": 5, "quantity": 0}),  # one change among equal values
    ("PUT", {"title": "{p}-new", **STORED}),
    ("PUT", {"title": "{p}", **STORED, "description": "new"}),
    ("PUT", {"title": "{p}", **STORED, "price": 6.5}),
    ("PUT", {"title": "{p}", **STORED, "quantity": 10}),
    ("PUT", {"title": "{p}", "price": 5, "quantity": 9}),  # description back to null
    ("PUT", {"title": "{p}", "price": 5, "description": "d"}),  # quantity back to 0
]


@pytest.mark.parametrize(("method", "body"), CHANGES, ids=[_id(method, body) for method, body in CHANGES])
def test_a_change_moves_updated_at_strictly_later_and_keeps_created_at(client, prefix, method, body):
    created = create(client, title=prefix, **STORED)
    body = _fill(body, prefix)
    after = send(client, method, created, body)
    expected = (
        {"title": prefix, **STORED, **body} if method == "PATCH" else {"description": None, "quantity": 0, **body}
    )
    assert {key: after[key] for key in expected} == expected, f"{method} {body} answered {after}"
    assert_moved(created, after, f"{method} /items/{created['id']} {body}")
    assert expect(client.get(f"/items/{created['id']}"), 200).json() == after


# Each leaves every stored value as it is: the same values, the same numbers written otherwise, a PUT whose
# left-out optional fields are at their defaults already.
SAME = [
    (STORED, "PATCH", {}),
    (STORED, "PATCH", {"title": "{p}"}),
    (STORED, "PATCH", {"description": "d"}),
    (STORED, "PATCH", {"price": 5}),
    (STORED, "PATCH", {"price": 5.0}),
    (STORED, "PATCH", {"quantity": 9}),
    (STORED, "PATCH", {"quantity": 9.0}),
    (STORED, "PATCH", {"title": "{p}", **STORED}),
    ({"price": 2.5}, "PATCH", {"description": None, "quantity": 0}),
    (STORED, "PUT", {"title": "{p}", **STORED}),
    (STORED, "PUT", {"title": "{p}", "description": "d", "price": 5.0, "quantity": 9.0}),
    ({"price": 2.5}, "PUT", {"title": "{p}", "price": 2.5}),
    ({"price": 2.5}, "PUT", {"title": "{p}", "price": 2.5, "description": None, "quantity": 0}),
]


@pytest.mark.parametrize(
    ("stored", "method", "body"),
    SAME,
    ids=[f"{_id(method, body)} over {_id('', stored).strip()}" for stored, method, body in SAME],
)
def test_an_update_that_changes_no_value_leaves_updated_at(client, prefix, stored, method, body):
    created = create(client, title=prefix, **stored)
    body = _fill(body, prefix)
    what = f"{method} /items/{created['id']} {body}, every value as stored"
    assert_unchanged(created, send(client, method, created, body), what, "none leaves it as it was")
    assert_unchanged(
        created, expect(client.get(f"/items/{created['id']}"), 200).json(), what, "none leaves it as it was"
    )


def test_updated_at_moves_with_each_change_and_stays_between_them(client, prefix):
    """Compared with the item as it now is, not as it was created: the last change sets the instant that stays."""
    item = create(client, title=prefix, **STORED)
    steps = [
        ("PATCH", {"quantity": 1}, True),
        ("PATCH", {"quantity": 1}, False),
        ("PUT", {"title": prefix, **STORED, "quantity": 1}, False),
        ("PATCH", {"quantity": 9}, True),  # back to the value it was created with: still a change
        ("PUT", {"title": prefix, **STORED}, False),
        ("PATCH", {}, False),
        ("PUT", {"title": prefix, "price": 5}, True),
        ("PATCH", {"price": 5.0, "description": None}, False),
    ]
    for number, (method, body, changes) in enumerate(steps, 1):
        after = send(client, method, item, body)
        what = f"step {number}, {method} /items/{item['id']} {body}"
        if changes:
            assert_moved(item, after, what)
        else:
            assert_unchanged(item, after, what, "none leaves it as it was")
        item = after


# Each fails, with a change in its body where it has one: neither timestamp, nor any value, may move.
REFUSED = [
    ("PATCH", {"title": "{p}-new", "price": -1}, "owner", 422),
    ("PUT", {"title": "{p}-new", "price": -1}, "owner", 422),
    ("PUT", {"title": "{p}-new"}, "owner", 422),
    ("PATCH", {"title": "{p}-new", "quantity": None}, "owner", 422),
    ("PATCH", {"title": "{p}-new", "id": 1}, "owner", 422),
    ("PATCH", b'{"title": "{p}-new", ', "owner", 400),
    ("PATCH", b'{"title": "{p}-new"}', "owner as text/plain", 415),
    ("PATCH", {"title": "{p}-new"}, "anonymous", 401),
    ("PUT", {"title": "{p}-new", "price": 1}, "anonymous", 401),
    ("PATCH", {"title": "{p}-new"}, "stranger", 403),
    ("PUT", {"title": "{p}-new", "price": 1}, "stranger", 403),
    ("DELETE", None, "stranger", 403),
]


@pytest.mark.parametrize(
    ("method", "body", "who", "status"),
    REFUSED,
    ids=[f"{status} {method if body is None else _id(method, body)} as {who}" for method, body, who, status in REFUSED],
)
def test_a_refused_request_changes_neither_timestamp(client, anonymous, stranger, prefix, method, body, who, status):
    created = create(client, title=prefix, **STORED)
    path = f"/items/{created['id']}"
    http = client if who.startswith("owner") else anonymous
    headers = dict(stranger.headers) if who == "stranger" else {}
    content = None
    if body is not None:
        raw = body if isinstance(body, bytes) else json.dumps(_fill(body, prefix)).encode()
        content = raw.replace(b"{p}", prefix.encode())
        headers["content-type"] = "text/plain" if who.endswith("text/plain") else "application/json"
    response = http.request(method, path, content=content, headers=headers)
    problem(response, status)
    after = expect(client.get(path), 200).json()
    assert_unchanged(created, after, f"{method} {path} refused with {status}", "A request that fails")

"""422: well-formed JSON that breaks the schema, reported as (field, code) pairs from the closed list."""

from __future__ import annotations

import pytest

from contract_tests.support import create, error_pairs

VALID = {"title": "valid", "price": 1}

CREATE_CASES = [
    pytest.param({}, {("title", "required"), ("price", "required")}, id="empty-object"),
    pytest.param({"price": 1}, {("title", "required")}, id="title-missing"),
    pytest.param({**VALID, "title": ""}, {("title", "too_short")}, id="title-empty"),
    pytest.param({**VALID, "title": "x" * 201}, {("title", "too_long")}, id="title-201-chars"),
    pytest.param({**VALID, "title": 12345}, {("title", "wrong_type")}, id="title-number"),
    pytest.param({**VALID, "title": None}, {("title", "null")}, id="title-null"),
    pytest.param({**VALID, "title": "a\x00b"}, {("title", "invalid_value")}, id="title-NUL"),
    # One error per field, the first rule broken (the spec's Problem.errors): Pydantic stops there itself.
    pytest.param({**VALID, "title": "x" * 200 + "\x00"}, {("title", "too_long")}, id="title-201-chars-with-NUL"),
    pytest.param({**VALID, "price": "12.5"}, {("price", "wrong_type")}, id="price-string"),
    pytest.param({**VALID, "price": True}, {("price", "wrong_type")}, id="price-true"),
    pytest.param({**VALID, "price": False}, {("price", "wrong_type")}, id="price-false"),
    pytest.param({**VALID, "price": None}, {("price", "null")}, id="price-null"),
    pytest.param({**VALID, "price": 0}, {("price", "too_small")}, id="price-zero"),
    pytest.param({**VALID, "price": -1}, {("price", "too_small")}, id="price-negative"),
    pytest.param({**VALID, "price": 1000000.01}, {("price", "too_large")}, id="price-over-max"),
    pytest.param({**VALID, "quantity": 3.5}, {("quantity", "wrong_type")}, id="quantity-fraction"),
    pytest.param({**VALID, "quantity": "3"}, {("quantity", "wrong_type")}, id="quantity-string"),
    pytest.param({**VALID, "quantity": True}, {("quantity", "wrong_type")}, id="quantity-true"),
    pytest.param({**VALID, "quantity": None}, {("quantity", "null")}, id="quantity-null"),
    pytest.param({**VALID, "quantity": -1}, {("quantity", "too_small")}, id="quantity-negative"),
    pytest.param({**VALID, "quantity": 1000001}, {("quantity", "too_large")}, id="quantity-over-max"),
    pytest.param({**VALID, "description": 5}, {("description", "wrong_type")}, id="description-number"),
    pytest.param({**VALID, "description": "d" * 2001}, {("description", "too_long")}, id="description-2001-chars"),
    pytest.param({**VALID, "description": "a\x00"}, {("description", "invalid_value")}, id="description-NUL"),
    pytest.param({**VALID, "description": "\x00" * 2001}, {("description", "too_long")}, id="description-2001-NULs"),
    pytest.param({**VALID, "colour": "red"}, {("colour", "unknown_field")}, id="unknown-field"),
    pytest.param({**VALID, "id": 5}, {("id", "unknown_field")}, id="read-only-id"),
    pytest.param(
        {**VALID, "created_at": "2026-01-01T00:00:00Z"}, {("created_at", "unknown_field")}, id="read-only-created_at"
    ),
]


@pytest.mark.parametrize(("body", "pairs"), CREATE_CASES)
def test_create_refuses_with_field_and_code(client, body, pairs):
    assert error_pairs(client.post("/items", json=body)) == pairs


@pytest.mark.parametrize(("body", "pairs"), CREATE_CASES)
def test_replace_refuses_like_create(client, prefix, body, pairs):
    item = create(client, title=prefix, price=1)
    assert error_pairs(client.put(f"/items/{item['id']}", json=body)) == pairs


@pytest.mark.parametrize(
    ("body", "pair"),
    [
        ({"title": None}, ("title", "null")),
        ({"price": None}, ("price", "null")),
        ({"quantity": None}, ("quantity", "null")),
        ({"title": ""}, ("title", "too_short")),
        ({"price": "1"}, ("price", "wrong_type")),
        ({"quantity": 1.5}, ("quantity", "wrong_type")),
        ({"colour": "red"}, ("colour", "unknown_field")),
        ({"id": 1}, ("id", "unknown_field")),
        ({"updated_at": "2026-01-01T00:00:00Z"}, ("updated_at", "unknown_field")),
    ],
)
def test_patch_refuses_with_field_and_code(client, prefix, body, pair):
    item = create(client, title=prefix, price=1)
    assert error_pairs(client.patch(f"/items/{item['id']}", json=body)) == {pair}
    assert client.get(f"/items/{item['id']}").json() == item, "a refused PATCH changed the item"


@pytest.mark.parametrize("raw", [b'{"title": "x", "price": 1e400}', b'{"title": "x", "price": -1e400}'])
def test_out_of_range_number_literal_is_422_not_infinity(client, raw):
    response = client.post("/items", content=raw, headers={"content-type": "application/json"})
    code = "too_large" if b"-" not in raw else "too_small"
    assert error_pairs(response) == {("price", code)}


def test_refused_create_writes_nothing(client, prefix):
    for body in ({"title": prefix, "price": -1}, {"title": prefix, "price": 1, "id": 3}):
        error_pairs(client.post("/items", json=body))
    assert client.get("/items", params={"q": prefix}).json()["total"] == 0

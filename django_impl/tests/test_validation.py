"""422: well-formed JSON that breaks the schema, as (field, code) pairs from the contract's closed list."""

from __future__ import annotations

import pytest

from tests.problem import error_pairs

VALID = {"title": "valid", "price": 1}

CASES = [
    ({}, {("title", "required"), ("price", "required")}),
    ({**VALID, "title": ""}, {("title", "too_short")}),
    ({**VALID, "title": "x" * 201}, {("title", "too_long")}),
    ({**VALID, "title": 12345}, {("title", "wrong_type")}),
    ({**VALID, "title": None}, {("title", "null")}),
    ({**VALID, "title": "a\x00b"}, {("title", "invalid_value")}),
    ({**VALID, "price": "12.5"}, {("price", "wrong_type")}),
    ({**VALID, "price": True}, {("price", "wrong_type")}),
    ({**VALID, "price": False}, {("price", "wrong_type")}),
    ({**VALID, "price": None}, {("price", "null")}),
    ({**VALID, "price": 0}, {("price", "too_small")}),
    ({**VALID, "price": 1000000.0001}, {("price", "too_large")}),
    ({**VALID, "price": 10**400}, {("price", "too_large")}),
    ({**VALID, "quantity": 3.5}, {("quantity", "wrong_type")}),
    ({**VALID, "quantity": "3"}, {("quantity", "wrong_type")}),
    ({**VALID, "quantity": True}, {("quantity", "wrong_type")}),
    ({**VALID, "quantity": None}, {("quantity", "null")}),
    ({**VALID, "quantity": -1}, {("quantity", "too_small")}),
    ({**VALID, "quantity": 1000001}, {("quantity", "too_large")}),
    ({**VALID, "description": 5}, {("description", "wrong_type")}),
    ({**VALID, "description": "d" * 2001}, {("description", "too_long")}),
    ({**VALID, "description": "a\x00"}, {("description", "invalid_value")}),
    ({**VALID, "colour": "red"}, {("colour", "unknown_field")}),
    ({**VALID, "id": 5}, {("id", "unknown_field")}),
    (
        {"price": -1, "created_at": "2026-01-01T00:00:00Z"},
        {("title", "required"), ("price", "too_small"), ("created_at", "unknown_field")},
    ),
]


@pytest.mark.parametrize(("body", "pairs"), CASES)
def test_create_and_replace_refuse_with_field_and_code(client, create, body, pairs):
    assert error_pairs(client.send("POST", "/items", body)) == pairs
    item = create(**VALID)
    assert error_pairs(client.send("PUT", f"/items/{item['id']}", body)) == pairs


@pytest.mark.parametrize(
    ("body", "pair"),
    [
        ({"title": None}, ("title", "null")),
        ({"quantity": None}, ("quantity", "null")),
        ({"price": "1"}, ("price", "wrong_type")),
        ({"updated_at": "2026-01-01T00:00:00Z"}, ("updated_at", "unknown_field")),
    ],
)
def test_patch_refuses_and_changes_nothing(client, create, body, pair):
    item = create(**VALID)
    assert error_pairs(client.send("PATCH", f"/items/{item['id']}", body)) == {pair}
    assert client.get(f"/items/{item['id']}").json() == item


@pytest.mark.parametrize(
    ("raw", "code"),
    [(b'{"title": "x", "price": 1e400}', "too_large"), (b'{"title": "x", "price": -1e400}', "too_small")],
)
def test_number_literal_beyond_a_float_is_out_of_range(client, raw, code):
    assert error_pairs(client.send("POST", "/items", raw=raw)) == {("price", code)}


def test_refused_create_writes_nothing(client):
    error_pairs(client.send("POST", "/items", {"title": "pen", "price": 1, "id": 3}))
    assert client.get("/items").json()["total"] == 0


def test_put_validates_before_looking_the_item_up(client):
    assert error_pairs(client.send("PUT", "/items/999", {"price": -1})) == {
        ("title", "required"),
        ("price", "too_small"),
    }
    assert error_pairs(client.send("PATCH", "/items/999", {"price": "1"})) == {("price", "wrong_type")}

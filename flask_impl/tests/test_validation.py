"""422: the schemas' strict types, and each marshmallow message read back as a contract code."""

from __future__ import annotations

import pytest

from tests.problem import error_pairs

VALID = {"title": "pen", "price": 1}
JSON = {"Content-Type": "application/json"}

CASES = [
    ({}, {("title", "required"), ("price", "required")}),
    ({**VALID, "title": ""}, {("title", "too_short")}),
    ({**VALID, "title": "x" * 201}, {("title", "too_long")}),
    ({**VALID, "title": 12345}, {("title", "wrong_type")}),
    ({**VALID, "title": None}, {("title", "null")}),
    ({**VALID, "title": "a\x00b"}, {("title", "invalid_value")}),
    ({**VALID, "title": "\x00" * 201}, {("title", "too_long")}),  # one error per field: the first rule broken
    ({**VALID, "price": "12.5"}, {("price", "wrong_type")}),
    ({**VALID, "price": True}, {("price", "wrong_type")}),
    ({**VALID, "price": False}, {("price", "wrong_type")}),
    ({**VALID, "price": None}, {("price", "null")}),
    ({**VALID, "price": 0}, {("price", "too_small")}),
    ({**VALID, "price": -1}, {("price", "too_small")}),
    ({**VALID, "price": 1_000_000.01}, {("price", "too_large")}),
    ({**VALID, "price": 10**400}, {("price", "too_large")}),
    ({**VALID, "quantity": 3.5}, {("quantity", "wrong_type")}),
    ({**VALID, "quantity": "3"}, {("quantity", "wrong_type")}),
    ({**VALID, "quantity": True}, {("quantity", "wrong_type")}),
    ({**VALID, "quantity": None}, {("quantity", "null")}),
    ({**VALID, "quantity": -1}, {("quantity", "too_small")}),
    ({**VALID, "quantity": 1_000_001}, {("quantity", "too_large")}),
    ({**VALID, "quantity": 1e300}, {("quantity", "too_large")}),
    ({**VALID, "description": 5}, {("description", "wrong_type")}),
    ({**VALID, "description": "d" * 2001}, {("description", "too_long")}),
    ({**VALID, "description": "a\x00"}, {("description", "invalid_value")}),
    ({**VALID, "colour": "red"}, {("colour", "unknown_field")}),
    ({**VALID, "id": 5}, {("id", "unknown_field")}),
    ({**VALID, "created_at": "2026-01-01T00:00:00Z"}, {("created_at", "unknown_field")}),
]


@pytest.mark.parametrize(("body", "pairs"), CASES)
def test_create_and_replace_refuse_with_field_and_code(client, create, body, pairs):
    assert error_pairs(client.post("/items", json=body)) == pairs
    item = create(**VALID)
    assert error_pairs(client.put(f"/items/{item['id']}", json=body)) == pairs


@pytest.mark.parametrize(
    ("body", "pair"),
    [
        ({"title": None}, ("title", "null")),
        ({"price": None}, ("price", "null")),
        ({"quantity": None}, ("quantity", "null")),
        ({"price": "1"}, ("price", "wrong_type")),
        ({"quantity": 1.5}, ("quantity", "wrong_type")),
        ({"updated_at": "2026-01-01T00:00:00Z"}, ("updated_at", "unknown_field")),
    ],
)
def test_patch_refuses_and_changes_nothing(client, create, body, pair):
    item = create(**VALID)
    assert error_pairs(client.patch(f"/items/{item['id']}", json=body)) == {pair}
    assert client.get(f"/items/{item['id']}").get_json() == item


@pytest.mark.parametrize(("raw", "code"), [(b"1e400", "too_large"), (b"-1e400", "too_small")])
def test_number_literal_beyond_float_is_out_of_range_not_infinity(client, raw, code):
    response = client.post("/items", data=b'{"title": "pen", "price": ' + raw + b"}", headers=JSON)
    assert error_pairs(response) == {("price", code)}


def test_invalid_body_wins_over_unknown_item(client):
    assert error_pairs(client.put("/items/999", json={"price": -1})) == {("title", "required"), ("price", "too_small")}
    assert error_pairs(client.patch("/items/999", json={"price": "1"})) == {("price", "wrong_type")}


def test_refused_create_writes_nothing(client):
    error_pairs(client.post("/items", json={**VALID, "id": 3}))
    assert client.get("/items").get_json()["total"] == 0

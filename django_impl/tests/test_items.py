"""Create, read, replace, update, delete: the operations table of the contract."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from items import models
from tests.problem import assert_problem

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


def parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


# region: tests
def test_create_answers_201_with_location_and_equal_timestamps(client):
    response = client.send("POST", "/items", {"title": "pen", "price": 12.5})
    assert response.status_code == 201
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert response["Location"] == f"/items/{body['id']}"
    assert {key: body[key] for key in ("title", "description", "price", "quantity")} == {
        "title": "pen",
        "description": None,
        "price": 12.5,
        "quantity": 0,
    }
    assert TIMESTAMP.match(body["created_at"]) and body["created_at"] == body["updated_at"]
    assert "Allow" not in response


# endregion


def test_get_returns_what_create_returned(client, create):
    created = create(title="pen", price=1.25, description="blue", quantity=2)
    response = client.get(f"/items/{created['id']}")
    assert response.status_code == 200
    assert response.json() == created
    assert client.get(f"/items/0{created['id']}").json() == created  # leading zeros: the same item


def test_integral_float_is_an_integer_and_code_points_count(client, create):
    body = create(title="\U0001f600" * 200, price=1000000, quantity=3.0, description="d" * 2000)
    assert body["quantity"] == 3 and isinstance(body["quantity"], int)
    assert body["title"] == "\U0001f600" * 200


def test_put_replaces_and_resets_optional_fields(client, create):
    created = create(title="pen", price=5, description="old", quantity=9)
    response = client.send("PUT", f"/items/{created['id']}", {"title": "ink", "price": 6.5})
    assert response.status_code == 200
    body = response.json()
    assert (body["title"], body["price"], body["description"], body["quantity"]) == ("ink", 6.5, None, 0)
    assert body["created_at"] == created["created_at"] and body["updated_at"] > created["updated_at"]
    assert client.get(f"/items/{created['id']}").json() == body


def test_patch_changes_only_the_fields_given_and_null_clears_description(client, create):
    created = create(title="pen", price=5, description="keep", quantity=9)
    body = client.send("PATCH", f"/items/{created['id']}", {"quantity": 1}).json()
    assert (body["title"], body["description"], body["quantity"]) == ("pen", "keep", 1)
    body = client.send("PATCH", f"/items/{created['id']}", {"description": None}).json()
    assert body["description"] is None


def test_empty_patch_changes_nothing_not_even_updated_at(client, create):
    created = create(title="pen", price=5)
    response = client.send("PATCH", f"/items/{created['id']}", {})
    assert response.status_code == 200
    assert response.json() == created


def test_a_put_or_patch_of_the_values_stored_leaves_updated_at(client, create):
    created = create(title="pen", price=5, description="blue", quantity=9)
    same = {"title": "pen", "price": 5.0, "description": "blue", "quantity": 9}
    assert client.send("PUT", f"/items/{created['id']}", same).json() == created
    assert client.send("PATCH", f"/items/{created['id']}", {"price": 5, "quantity": 9.0}).json() == created
    assert client.get(f"/items/{created['id']}").json() == created


def test_a_change_moves_updated_at_strictly_later_even_when_the_clock_stands_still(client, create, monkeypatch):
    still = datetime.now(UTC)
    monkeypatch.setattr(models, "timezone", SimpleNamespace(now=lambda: still))
    created = create(title="pen", price=5)
    body = client.send("PATCH", f"/items/{created['id']}", {"quantity": 1}).json()
    assert parse(body["updated_at"]) - parse(created["updated_at"]) == timedelta(microseconds=1)
    assert body["created_at"] == created["created_at"]


def test_delete_answers_an_empty_204_then_the_item_is_gone(client, create):
    created = create(title="pen", price=5)
    response = client.delete(f"/items/{created['id']}")
    assert response.status_code == 204
    assert response.content == b"" and "Content-Type" not in response
    for method, body in [("GET", None), ("PUT", {"title": "x", "price": 1}), ("PATCH", {}), ("DELETE", None)]:
        assert_problem(client.send(method, f"/items/{created['id']}", body), 404)


def test_ids_of_deleted_items_are_never_handed_out_again(client, create):
    newest = create(title="a", price=1)["id"]
    client.delete(f"/items/{newest}")
    assert create(title="b", price=1)["id"] > newest

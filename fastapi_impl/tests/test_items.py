"""Create, read, replace, update, delete."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from items_fastapi import models
from tests.support import assert_problem

STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"


def parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


# region: tests
def test_create_answers_201_with_the_item_and_a_relative_location(client):
    response = client.post("/items", json={"title": "pen", "price": 1.5})
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    assert response.headers["location"] == "/items/1"
    body = response.json()
    assert body == {
        "id": 1,
        "title": "pen",
        "description": None,
        "price": 1.5,
        "quantity": 0,
        "owner": "owner",
        "created_at": body["created_at"],
        "updated_at": body["created_at"],
    }
    datetime.strptime(body["created_at"], STAMP)  # UTC with "Z", not "+00:00"


# endregion


def test_integral_float_is_the_integer(create):
    item = create(title="pen", price=2, quantity=3.0)
    assert item["quantity"] == 3 and isinstance(item["quantity"], int)


def test_bounds_are_inclusive_and_lengths_count_code_points(create):
    item = create(title="\U0001f600" * 200, price=1_000_000, quantity=1_000_000, description="d" * 2000)
    assert (item["title"], item["price"], item["quantity"]) == ("\U0001f600" * 200, 1_000_000, 1_000_000)


def test_get_reads_back_what_create_wrote_with_utc_timestamps(client, create):
    item = create(title="pen", price=1.25, description="blue", quantity=2)
    response = client.get(f"/items/{item['id']}")
    assert response.status_code == 200
    assert response.json() == item


def test_put_replaces_and_resets_optional_fields(client, create):
    item = create(title="pen", price=5, description="old", quantity=9)
    response = client.put(f"/items/{item['id']}", json={"title": "ink", "price": 6.5})
    assert response.status_code == 200
    body = response.json()
    assert (body["title"], body["price"], body["description"], body["quantity"]) == ("ink", 6.5, None, 0)
    assert body["created_at"] == item["created_at"]
    assert body["updated_at"] > item["updated_at"]
    assert client.get(f"/items/{item['id']}").json() == body


def test_patch_changes_only_the_fields_given_and_null_clears_description(client, create):
    item = create(title="pen", price=5, description="blue", quantity=9)
    body = client.patch(f"/items/{item['id']}", json={"quantity": 1, "description": None}).json()
    assert (body["title"], body["price"], body["description"], body["quantity"]) == ("pen", 5, None, 1)
    assert body["updated_at"] > item["updated_at"]


def test_empty_patch_changes_nothing_not_even_updated_at(client, create):
    item = create(title="pen", price=5)
    response = client.patch(f"/items/{item['id']}", json={})
    assert response.status_code == 200
    assert response.json() == item


def test_a_put_or_patch_of_the_values_stored_leaves_updated_at(client, create):
    item = create(title="pen", price=5, description="blue", quantity=9)
    same = {"title": "pen", "price": 5.0, "description": "blue", "quantity": 9}
    assert client.put(f"/items/{item['id']}", json=same).json() == item
    assert client.patch(f"/items/{item['id']}", json={"price": 5, "quantity": 9.0}).json() == item
    assert client.get(f"/items/{item['id']}").json() == item


def test_a_change_moves_updated_at_strictly_later_even_when_the_clock_stands_still(client, create, monkeypatch):
    still = datetime.now(UTC)
    monkeypatch.setattr(models, "utc_now", lambda: still)
    item = create(title="pen", price=5)
    body = client.patch(f"/items/{item['id']}", json={"quantity": 1}).json()
    assert parse(body["updated_at"]) - parse(item["updated_at"]) == timedelta(microseconds=1)
    assert body["created_at"] == item["created_at"]


def test_delete_answers_an_empty_204_without_content_type_then_the_item_is_gone(client, create):
    item = create(title="pen", price=5)
    response = client.delete(f"/items/{item['id']}")
    assert response.status_code == 204
    assert response.content == b""
    assert "content-type" not in response.headers
    assert_problem(client.get(f"/items/{item['id']}"), 404)
    assert_problem(client.delete(f"/items/{item['id']}"), 404)


def test_ids_of_deleted_items_are_never_handed_out_again(create, client):
    create(title="pen", price=1)
    newest = create(title="ink", price=1)["id"]
    client.delete(f"/items/{newest}")
    assert create(title="cap", price=1)["id"] == newest + 1


def test_unknown_item_is_404_for_every_operation(client):
    assert_problem(client.get("/items/7"), 404)
    assert_problem(client.put("/items/7", json={"title": "pen", "price": 1}), 404)
    assert_problem(client.patch("/items/7", json={"price": 2}), 404)
    assert_problem(client.delete("/items/7"), 404)

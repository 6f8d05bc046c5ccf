"""Create, read, replace, update and delete: the rows of DESIGN.md's operations table."""

from __future__ import annotations

from contract_tests.support import assert_item, create, expect, instant, media_type, problem


def test_create_returns_201_the_item_and_its_location(client, prefix):
    response = client.post("/items", json={"title": prefix, "price": 12.5})
    expect(response, 201)
    assert media_type(response) == "application/json"
    body = response.json()
    assert_item(body, title=prefix, price=12.5, description=None, quantity=0)
    assert response.headers.get("location") == f"/items/{body['id']}"
    assert body["created_at"] == body["updated_at"]


def test_create_keeps_every_field_given(client, prefix):
    body = create(client, title=prefix, price=3, description="a thing", quantity=7)
    assert_item(body, title=prefix, price=3, description="a thing", quantity=7)


def test_get_returns_what_create_returned(client, prefix):
    created = create(client, title=prefix, price=1.25, description="d", quantity=2)
    response = client.get(f"/items/{created['id']}")
    expect(response, 200)
    assert media_type(response) == "application/json"
    assert response.json() == created


def test_integral_float_is_accepted_as_integer(client, prefix):
    body = create(client, title=prefix, price=1, quantity=3.0)
    assert body["quantity"] == 3 and isinstance(body["quantity"], int)


def test_boundaries_are_inclusive_where_the_spec_says(client):
    body = create(client, title="x" * 200, price=1000000, quantity=1000000, description="d" * 2000)
    assert_item(body, price=1000000, quantity=1000000)


def test_title_length_counts_code_points(client):
    body = create(client, title="\U0001f600" * 200, price=1)
    assert body["title"] == "\U0001f600" * 200


def test_put_replaces_and_resets_optional_fields(client, prefix):
    created = create(client, title=prefix, price=5, description="old", quantity=9)
    response = client.put(f"/items/{created['id']}", json={"title": prefix + "-new", "price": 6.5})
    expect(response, 200)
    body = response.json()
    assert_item(body, id=created["id"], title=prefix + "-new", price=6.5, description=None, quantity=0)
    assert body["created_at"] == created["created_at"]
    assert instant(body["updated_at"]) > instant(created["updated_at"])  # more in test_timestamps.py
    assert client.get(f"/items/{created['id']}").json() == body


def test_patch_changes_only_the_fields_given(client, prefix):
    created = create(client, title=prefix, price=5, description="keep", quantity=9)
    response = client.patch(f"/items/{created['id']}", json={"quantity": 1})
    expect(response, 200)
    body = response.json()
    assert_item(body, id=created["id"], title=prefix, price=5, description="keep", quantity=1)
    assert body["created_at"] == created["created_at"]
    assert instant(body["updated_at"]) > instant(created["updated_at"])  # more in test_timestamps.py


def test_patch_null_clears_description(client, prefix):
    created = create(client, title=prefix, price=5, description="gone soon")
    body = client.patch(f"/items/{created['id']}", json={"description": None}).json()
    assert_item(body, description=None, title=prefix, price=5)


def test_empty_patch_changes_nothing_not_even_updated_at(client, prefix):
    created = create(client, title=prefix, price=5)
    response = client.patch(f"/items/{created['id']}", json={})
    expect(response, 200)
    assert response.json() == created


def test_delete_answers_204_with_no_body_then_the_item_is_gone(client, prefix):
    created = create(client, title=prefix, price=5)
    response = client.delete(f"/items/{created['id']}")
    expect(response, 204)
    assert response.content == b""
    problem(client.get(f"/items/{created['id']}"), 404)
    problem(client.delete(f"/items/{created['id']}"), 404)


def test_unknown_item_is_404_for_every_item_operation(client, prefix):
    gone = create(client, title=prefix, price=5)["id"]
    client.delete(f"/items/{gone}")
    valid = {"title": prefix, "price": 1}
    problem(client.get(f"/items/{gone}"), 404)
    problem(client.put(f"/items/{gone}", json=valid), 404)
    problem(client.patch(f"/items/{gone}", json={"price": 2}), 404)
    problem(client.delete(f"/items/{gone}"), 404)


def test_ids_of_deleted_items_are_never_handed_out_again(client, prefix):
    # SQLite reuses the highest id after a delete unless the table says AUTOINCREMENT; the contract says never.
    create(client, title=prefix, price=1)
    newest = create(client, title=prefix, price=1)["id"]
    client.delete(f"/items/{newest}")
    assert create(client, title=prefix, price=1)["id"] > newest

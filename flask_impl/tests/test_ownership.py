"""Ownership (flaskr's check_author, as get_item's check_owner) and the order of 401, 422, 404, 403."""

from __future__ import annotations

import pytest

from tests.problem import assert_problem, error_pairs

PEN = {"title": "pen", "price": 1.5}


@pytest.fixture
def other(app, make_user):
    """A client that sends another user's token."""
    account = make_user("other")
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = account.headers["Authorization"]
    return client


def test_only_the_owner_may_change_or_delete_an_item(client, other, create):
    item = create(**PEN)
    for response in (
        other.put(f"/items/{item['id']}", json={"title": "ink", "price": 2}),
        other.patch(f"/items/{item['id']}", json={"price": 2}),
        other.delete(f"/items/{item['id']}"),
    ):
        assert_problem(response, 403)
        assert "WWW-Authenticate" not in response.headers
    assert client.get(f"/items/{item['id']}").get_json() == item
    assert other.get(f"/items/{item['id']}").get_json() == item  # reads are for everyone
    assert client.delete(f"/items/{item['id']}").status_code == 204


def test_put_by_the_owner_keeps_the_owner(client, create):
    item = create(**PEN)
    replaced = client.put(f"/items/{item['id']}", json={"title": "ink", "price": 2}).get_json()
    assert replaced["owner"] == "owner"


@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_owner_in_a_body_is_an_unknown_field(client, create, method):
    item = create(**PEN)
    path = "/items" if method == "post" else f"/items/{item['id']}"
    response = getattr(client, method)(path, json={**PEN, "owner": "someone"})
    assert error_pairs(response) == {("owner", "unknown_field")}


def test_anonymous_writes_are_401_before_their_body_is_read(anonymous, create):
    item = create(**PEN)
    path = f"/items/{item['id']}"
    for response in (
        anonymous.post("/items", json={"title": ""}),
        anonymous.post("/items", data="{", content_type="application/json"),
        anonymous.post("/items", data="x", content_type="text/plain"),
        anonymous.post("/items", data=b"x" * (2**20 + 1), content_type="application/json"),
        anonymous.put("/items/999", json={"title": 7}),
        anonymous.patch(path, json={"price": -1}),
        anonymous.delete("/items/999"),
    ):
        assert_problem(response, 401)
    assert_problem(anonymous.put("/items/abc", json={}), 404)  # the route is unknown first
    assert_problem(anonymous.post(path, json=PEN), 405)


def test_for_another_user_422_then_404_then_403(other, create):
    item = create(**PEN)
    assert error_pairs(other.put(f"/items/{item['id']}", json={"title": ""})) == {
        ("title", "too_short"),
        ("price", "required"),
    }
    assert error_pairs(other.patch(f"/items/{item['id']}", json={"quantity": -1})) == {("quantity", "too_small")}
    assert_problem(other.put("/items/999", json=PEN), 404)
    assert_problem(other.delete("/items/999"), 404)
    assert_problem(other.put(f"/items/{item['id']}", json=PEN), 403)


def test_list_by_owner_is_an_exact_match(app, client, other, create, make_user):
    mine = create(**PEN)
    theirs = other.post("/items", json=PEN).get_json()
    assert theirs["owner"] == "other"
    make_user("Owner")

    def ids(query: str) -> list[int]:
        return [item["id"] for item in client.get(f"/items?{query}").get_json()["items"]]

    assert ids("owner=owner") == [mine["id"]]
    assert ids("owner=other") == [theirs["id"]]
    assert ids("owner=Owner") == ids("owner=nobody") == ids("owner=own") == []
    assert client.get("/items?owner=other").get_json()["total"] == 1
    assert ids("") == [mine["id"], theirs["id"]]
    assert error_pairs(client.get("/items?owner=" + "a" * 151)) == {("owner", "too_long")}
    assert error_pairs(client.get("/items?owner=a%00b")) == {("owner", "invalid_value")}

"""400, 404, 405, 413, 415, OPTIONS and the precedence between them, as DESIGN.md orders them."""

from __future__ import annotations

import pytest

from contract_tests.support import (
    COLLECTION_METHODS,
    ITEM_METHODS,
    ONE_MIB,
    allowed,
    create,
    error_pairs,
    expect,
    problem,
)

JSON = {"content-type": "application/json"}
NOT_JSON_BODIES = [
    pytest.param(b"{bad", id="malformed"),
    pytest.param(b"", id="empty"),
    pytest.param(b'{"title": "x", "price": NaN}', id="NaN"),
    pytest.param(b'{"title": "x", "price": Infinity}', id="Infinity"),
    pytest.param(b'{"title": "x", "price": -Infinity}', id="minus-Infinity"),
    pytest.param(b'{"title": "\xff\xfe", "price": 1}', id="invalid-utf8"),
    pytest.param(b'{"title": "\\ud800", "price": 1}', id="lone-surrogate"),
    pytest.param(b"[]", id="array"),
    pytest.param(b'"x"', id="string"),
    pytest.param(b"1", id="number"),
    pytest.param(b"null", id="null"),
]
BAD_ITEM_PATHS = [
    "/items/abc",
    "/items/0",
    "/items/-1",
    "/items/1.5",
    "/items/99999999999999999999",
    "/items/9223372036854775808",
    "/items/+1",
    "/items/%D9%A1",  # ١, ARABIC-INDIC DIGIT ONE
]


@pytest.fixture
def item(client, prefix):
    return create(client, title=prefix, price=1)


def body_requests(item_id):
    return [("POST", "/items"), ("PUT", f"/items/{item_id}"), ("PATCH", f"/items/{item_id}")]


@pytest.mark.parametrize("raw", NOT_JSON_BODIES)
def test_body_that_is_not_a_json_object_is_400(client, item, raw):
    for method, path in body_requests(item["id"]):
        problem(client.request(method, path, content=raw, headers=JSON), 400)


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"content-type": "text/plain"}, id="text-plain"),
        pytest.param({"content-type": "application/x-www-form-urlencoded"}, id="form"),
        pytest.param({"content-type": "application/merge-patch+json"}, id="merge-patch"),
        pytest.param({}, id="missing"),
    ],
)
def test_body_without_json_content_type_is_415(client, item, headers):
    for method, path in body_requests(item["id"]):
        problem(client.request(method, path, content=b'{"title": "x", "price": 1}', headers=headers), 415)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_empty_body_without_content_type_is_415(client, item, method):
    path = "/items" if method == "POST" else f"/items/{item['id']}"
    problem(client.request(method, path, content=b""), 415)
    assert client.get(f"/items/{item['id']}").json() == item


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "Application/JSON"])
def test_json_content_type_parameters_and_case_are_accepted(client, prefix, content_type):
    response = client.post(
        "/items", content=f'{{"title": "{prefix}", "price": 1}}', headers={"content-type": content_type}
    )
    expect(response, 201)


def padded(size: int) -> bytes:
    """A JSON object of exactly ``size`` bytes whose title is far too long."""
    head, tail = b'{"price": 1, "title": "', b'"}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


def test_body_over_one_mib_is_413(client, item):
    for method, path in body_requests(item["id"]):
        problem(client.request(method, path, content=padded(ONE_MIB + 1), headers=JSON), 413)


def test_body_of_exactly_one_mib_is_read(client):
    assert error_pairs(client.post("/items", content=padded(ONE_MIB), headers=JSON)) == {("title", "too_long")}


@pytest.mark.parametrize("path", BAD_ITEM_PATHS)
def test_bad_item_id_is_404_for_every_method(client, path):
    problem(client.get(path), 404)
    problem(client.put(path, json={"title": "x", "price": 1}), 404)
    problem(client.patch(path, json={}), 404)
    problem(client.delete(path), 404)


def test_item_id_may_have_leading_zeros(client, item):
    response = client.get(f"/items/0{item['id']}")
    expect(response, 200)
    assert response.json()["id"] == item["id"]


@pytest.mark.parametrize("path", ["/items/", "/items/1/", "/nope", "/items/1/extra", "/item"])
def test_unknown_route_is_404_not_a_redirect(client, path):
    problem(client.get(path), 404)
    problem(client.post(path, json={"title": "x", "price": 1}), 404)


@pytest.mark.parametrize(
    ("method", "path", "methods"),
    [
        ("PUT", "/items", COLLECTION_METHODS),
        ("PATCH", "/items", COLLECTION_METHODS),
        ("DELETE", "/items", COLLECTION_METHODS),
        ("POST", "/items/{id}", ITEM_METHODS),
        ("POST", "/items/999999999", ITEM_METHODS),
    ],
)
def test_method_not_allowed_is_405_with_allow(client, item, method, path, methods):
    response = client.request(method, path.format(id=item["id"]), json={"title": "x", "price": 1})
    problem(response, 405)
    assert allowed(response) == methods


@pytest.mark.parametrize(("path", "methods"), [("/items", COLLECTION_METHODS), ("/items/{id}", ITEM_METHODS)])
def test_options_is_204_with_allow(client, item, path, methods):
    response = client.options(path.format(id=item["id"]))
    expect(response, 204)
    assert response.content == b""
    assert allowed(response) == methods


# Precedence: 404 route > 405 > 415 > 413 > 400 > 422 > 404 unknown item.
def test_bad_item_id_wins_over_everything(client):
    problem(client.put("/items/abc", content=b"{bad", headers={"content-type": "text/plain"}), 404)


def test_415_wins_over_413(client):
    problem(client.post("/items", content=padded(ONE_MIB + 1), headers={"content-type": "text/plain"}), 415)


def test_413_wins_over_400(client):
    problem(client.post("/items", content=b"{" * (ONE_MIB + 1), headers=JSON), 413)


def test_400_wins_over_422(client):
    problem(client.post("/items", content=b'{"price": -1, "title": ', headers=JSON), 400)


def test_422_wins_over_unknown_item(client):
    assert error_pairs(client.put("/items/999999999", json={"price": -1})) == {
        ("title", "required"),
        ("price", "too_small"),
    }
    assert error_pairs(client.patch("/items/999999999", json={"price": "1"})) == {("price", "wrong_type")}

"""400, 404, 405, 413, 415, HEAD, OPTIONS, and their precedence: 404 route > 405 > 415 > 413 > 400 > 422 > 404 item."""

from __future__ import annotations

import re

import pytest

from items_fastapi.api.routing import positive_integers_up_to
from tests.support import assert_problem, error_pairs

JSON = {"content-type": "application/json"}
ONE_MIB = 1024 * 1024
NOT_JSON_OBJECTS = [
    b"{bad",
    b"",
    b'{"title": "x", "price": NaN}',
    b'{"title": "x", "price": Infinity}',
    b'{"title": "x", "price": -Infinity}',
    b'{"title": "\xff\xfe", "price": 1}',
    b'{"title": "\\ud800", "price": 1}',
    b"\xef\xbb\xbf{}",
    b"[" * 100_000,  # deeper than Python's recursion limit
    b"[]",
    b'"x"',
    b"1",
    b"null",
]


def body_requests(client, item_id: int = 1):
    return [
        lambda **kw: client.post("/items", **kw),
        lambda **kw: client.put(f"/items/{item_id}", **kw),
        lambda **kw: client.patch(f"/items/{item_id}", **kw),
    ]


def padded(size: int) -> bytes:
    """A JSON object of exactly ``size`` bytes whose title is far too long."""
    head, tail = b'{"price": 1, "title": "', b'"}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


@pytest.mark.parametrize("raw", NOT_JSON_OBJECTS)
def test_body_that_is_not_a_json_object_is_400(client, create, raw):
    create(title="pen", price=1)
    for send in body_requests(client):
        assert_problem(send(content=raw, headers=JSON), 400)


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/merge-patch+json", "multipart/form-data"])
def test_body_without_json_content_type_is_415(client, create, content_type):
    create(title="pen", price=1)
    headers = {"content-type": content_type} if content_type else {}
    for send in body_requests(client):
        assert_problem(send(content=b'{"title": "x", "price": 1}', headers=headers), 415)
        assert_problem(send(headers=headers), 415)


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "Application/JSON"])
def test_json_media_type_takes_parameters_and_any_case(client, content_type):
    response = client.post("/items", content=b'{"title": "x", "price": 1}', headers={"content-type": content_type})
    assert response.status_code == 201


def test_body_over_one_mib_is_413_and_exactly_one_mib_is_read(client, create):
    create(title="pen", price=1)
    for send in body_requests(client):
        assert_problem(send(content=padded(ONE_MIB + 1), headers=JSON), 413)
    assert error_pairs(client.post("/items", content=padded(ONE_MIB), headers=JSON)) == {("title", "too_long")}


@pytest.mark.parametrize(("size", "status"), [(ONE_MIB, 422), (ONE_MIB + 1, 413)])
def test_chunked_body_is_held_to_the_same_limit(client, size, status):
    body = padded(size)
    chunks = (body[at : at + 65536] for at in range(0, len(body), 65536))  # no Content-Length: chunked
    assert_problem(client.post("/items", content=chunks, headers=JSON), status)


@pytest.mark.parametrize(
    "path",
    ["/items/abc", "/items/0", "/items/-1", "/items/+1", "/items/1.5", "/items/9223372036854775808", "/items/\u0661"],
)
def test_bad_item_id_is_404_for_every_method(client, create, path):
    create(title="pen", price=1)
    assert_problem(client.get(path), 404)
    assert_problem(client.put(path, json={"title": "x", "price": 1}), 404)
    assert_problem(client.patch(path, json={}), 404)
    assert_problem(client.delete(path), 404)


def test_item_id_takes_leading_zeros_and_the_whole_int64_range(client, create):
    item = create(title="pen", price=1)
    assert client.get(f"/items/00{item['id']}").json() == item
    assert_problem(client.get(f"/items/{2**63 - 1}"), 404)  # a valid id that names no item


@pytest.mark.parametrize("path", ["/items/", "/items/1/", "/items//1", "/nope", "/items/1/extra"])
def test_unknown_route_is_404_never_a_redirect(client, create, path):
    create(title="pen", price=1)
    assert_problem(client.get(path, follow_redirects=False), 404)
    assert_problem(client.post(path, json={"title": "x", "price": 1}, follow_redirects=False), 404)


COLLECTION_ALLOW, ITEM_ALLOW = "GET, HEAD, POST", "DELETE, GET, HEAD, PATCH, PUT"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/items", COLLECTION_ALLOW),
        ("DELETE", "/items", COLLECTION_ALLOW),
        ("TRACE", "/items", COLLECTION_ALLOW),
        ("POST", "/items/1", ITEM_ALLOW),
        ("TRACE", "/items/999", ITEM_ALLOW),
    ],
)
def test_method_not_allowed_is_405_with_every_spec_method_in_allow(client, method, path, allow):
    response = client.request(method, path)
    assert_problem(response, 405)
    assert response.headers["allow"] == allow


@pytest.mark.parametrize("path", ["/items", "/items?sort=-price", "/items/1", "/items/999", "/items?limit=0", "/nope"])
def test_head_answers_as_get_without_a_body(client, create, path):
    create(title="pen", price=1)
    get, head = client.get(path), client.head(path)
    assert (head.status_code, head.content) == (get.status_code, b"")
    for name in ("content-type", "content-length", "allow"):
        assert head.headers.get(name) == get.headers.get(name), name


def test_head_is_no_operation_of_the_document(client):
    assert all("head" not in operations for operations in client.get("/openapi.json").json()["paths"].values())


@pytest.mark.parametrize(("path", "allow"), [("/items", COLLECTION_ALLOW), ("/items/1", ITEM_ALLOW)])
def test_options_is_an_empty_204_with_allow(client, path, allow):
    response = client.options(path)
    assert response.status_code == 204
    assert response.content == b""
    assert response.headers["allow"] == allow
    assert "content-type" not in response.headers


def test_precedence(client):
    text = {"content-type": "text/plain"}
    assert_problem(client.put("/items/abc", content=b"{bad", headers=text), 404)
    assert_problem(client.put("/items/0", content=padded(ONE_MIB + 1), headers=text), 404)
    assert_problem(client.put("/items", content=b"{bad", headers=text), 405)
    assert_problem(client.post("/items", content=padded(ONE_MIB + 1), headers=text), 415)
    assert_problem(client.post("/items", content=b"{" * (ONE_MIB + 1), headers=JSON), 413)
    assert_problem(client.post("/items", content=b'{"price": -1, "title": ', headers=JSON), 400)


@pytest.mark.parametrize("limit", [1, 7, 10, 19, 100, 120, 999, 1000, 2024])
def test_item_id_pattern_matches_exactly_one_to_its_limit(limit):
    pattern = re.compile(positive_integers_up_to(limit))
    matched = [number for number in range(limit * 10 + 10) if pattern.fullmatch(str(number))]
    assert matched == list(range(1, limit + 1))
    assert pattern.fullmatch(f"00{limit}") and not pattern.fullmatch(f"-{limit}")

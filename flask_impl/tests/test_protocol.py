"""400, 404, 405, 413, 415, OPTIONS, and their precedence: 404 route > 405 > 415 > 413 > 400 > 422 > 404 item."""

from __future__ import annotations

import io

import pytest

from tests.problem import assert_problem, error_pairs

JSON = {"Content-Type": "application/json"}
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
        assert_problem(send(data=raw, headers=JSON), 400)


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/merge-patch+json", "multipart/form-data"])
def test_body_without_json_content_type_is_415(client, create, content_type):
    create(title="pen", price=1)
    headers = {"Content-Type": content_type} if content_type else {}
    for send in body_requests(client):
        assert_problem(send(data=b'{"title": "x", "price": 1}', headers=headers), 415)
        assert_problem(send(headers=headers), 415)


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "Application/JSON"])
def test_json_media_type_takes_parameters_and_any_case(client, content_type):
    response = client.post("/items", data=b'{"title": "x", "price": 1}', headers={"Content-Type": content_type})
    assert response.status_code == 201


def test_body_over_one_mib_is_413_and_exactly_one_mib_is_read(client, create):
    create(title="pen", price=1)
    for send in body_requests(client):
        assert_problem(send(data=padded(ONE_MIB + 1), headers=JSON), 413)
    assert error_pairs(client.post("/items", data=padded(ONE_MIB), headers=JSON)) == {("title", "too_long")}


@pytest.mark.parametrize(("size", "status"), [(ONE_MIB, 422), (ONE_MIB + 1, 413)])
def test_chunked_body_is_held_to_the_same_limit(client, size, status):
    # A chunked request has no Content-Length; werkzeug alone would cut it at the limit and read on.
    headers = {**JSON, "Transfer-Encoding": "chunked"}
    environ = {"wsgi.input_terminated": True}  # as gunicorn sets it: the server ends the chunked stream
    response = client.post("/items", input_stream=io.BytesIO(padded(size)), headers=headers, environ_overrides=environ)
    assert_problem(response, status)


@pytest.mark.parametrize(
    "path", ["/items/abc", "/items/0", "/items/-1", "/items/1.5", "/items/99999999999999999999", "/items/\u0661"]
)
def test_bad_item_id_is_404_for_every_method(client, create, path):
    create(title="pen", price=1)
    assert_problem(client.get(path), 404)
    assert_problem(client.put(path, json={"title": "x", "price": 1}), 404)
    assert_problem(client.patch(path, json={}), 404)
    assert_problem(client.delete(path), 404)


@pytest.mark.parametrize("path", ["/items/", "/items/1/", "/items//1", "/nope", "/items/1/extra"])
def test_unknown_route_is_404_never_a_redirect(client, create, path):
    create(title="pen", price=1)
    assert_problem(client.get(path), 404)
    assert_problem(client.post(path, json={"title": "x", "price": 1}), 404)


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/items", "GET, HEAD, POST"),
        ("PATCH", "/items", "GET, HEAD, POST"),
        ("DELETE", "/items", "GET, HEAD, POST"),
        ("POST", "/items/1", "DELETE, GET, HEAD, PATCH, PUT"),
        ("POST", "/items/999", "DELETE, GET, HEAD, PATCH, PUT"),
    ],
)
def test_method_not_allowed_is_405_with_the_spec_methods_in_allow(client, method, path, allow):
    response = client.open(path, method=method, json={"title": "x", "price": 1})
    assert_problem(response, 405)
    assert response.headers["Allow"] == allow


@pytest.mark.parametrize(
    ("path", "allow"), [("/items", "GET, HEAD, POST"), ("/items/1", "DELETE, GET, HEAD, PATCH, PUT")]
)
def test_options_is_an_empty_204_with_allow(client, path, allow):
    response = client.options(path)
    assert response.status_code == 204
    assert response.data == b""
    assert response.headers["Allow"] == allow


def test_precedence(client):
    assert_problem(client.put("/items/abc", data=b"{bad", headers={"Content-Type": "text/plain"}), 404)
    assert_problem(client.put("/items", data=b"{bad", headers={"Content-Type": "text/plain"}), 405)
    assert_problem(client.post("/items", data=padded(ONE_MIB + 1), headers={"Content-Type": "text/plain"}), 415)
    assert_problem(client.post("/items", data=b"{" * (ONE_MIB + 1), headers=JSON), 413)
    assert_problem(client.post("/items", data=b'{"price": -1, "title": ', headers=JSON), 400)

"""400, 404, 405, 413, 415, OPTIONS, HEAD, and their precedence: 404 route > 405 > 415 > 413 > 400 > 422 > 404 item."""

from __future__ import annotations

import pytest

from tests.problem import assert_problem, error_pairs

ONE_MIB = 1024 * 1024
NOT_JSON_OBJECTS = [
    b"{bad",
    b"",
    b'{"title": "x", "price": NaN}',
    b'{"title": "x", "price": Infinity}',
    b'{"title": "x", "price": -Infinity}',
    b'{"title": "\xff\xfe", "price": 1}',
    b'{"title": "\\ud800", "price": 1}',
    b"[]",
    b'"x"',
    b"1",
    b"null",
]


def padded(size: int) -> bytes:
    """A JSON object of exactly ``size`` bytes whose title is far too long."""
    head, tail = b'{"price": 1, "title": "', b'"}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


@pytest.fixture
def body_targets(create):
    item = create(title="pen", price=1)
    return [("POST", "/items"), ("PUT", f"/items/{item['id']}"), ("PATCH", f"/items/{item['id']}")]


@pytest.mark.parametrize("raw", NOT_JSON_OBJECTS)
def test_body_that_is_not_a_json_object_is_400(client, body_targets, raw):
    for method, path in body_targets:
        assert_problem(client.send(method, path, raw=raw), 400)


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/merge-patch+json", "*/*", "multipart/form-data"]
)
def test_body_without_json_content_type_is_415(client, body_targets, content_type):
    for method, path in body_targets:
        assert_problem(client.send(method, path, raw=b'{"title": "x", "price": 1}', content_type=content_type), 415)
        assert_problem(client.send(method, path, raw=b"", content_type=content_type), 415)


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "Application/JSON"])
def test_json_media_type_takes_parameters_and_any_case(client, content_type):
    response = client.send("POST", "/items", raw=b'{"title": "x", "price": 1}', content_type=content_type)
    assert response.status_code == 201


def test_any_accept_header_gets_json(client):
    assert client.get("/items", headers={"Accept": "text/html"})["Content-Type"] == "application/json"


def test_body_over_one_mib_is_413_and_exactly_one_mib_is_read(client, body_targets):
    for method, path in body_targets:
        assert_problem(client.send(method, path, raw=padded(ONE_MIB + 1)), 413)
    assert error_pairs(client.send("POST", "/items", raw=padded(ONE_MIB))) == {("title", "too_long")}


@pytest.mark.parametrize(
    "path",
    ["/items/abc", "/items/0", "/items/-1", "/items/+1", "/items/1.5", "/items/99999999999999999999", "/items/\u0661"],
)
def test_bad_item_id_is_404_for_every_method(client, path):
    for method, body in [("GET", None), ("PUT", {"title": "x", "price": 1}), ("PATCH", {}), ("DELETE", None)]:
        assert_problem(client.send(method, path, body), 404)


# "/" is the browse page (test_browse.py).
@pytest.mark.parametrize("path", ["/items/", "/items/1/", "/items//1", "/nope", "/items/1/extra", "/items.json"])
def test_unknown_route_is_404_never_a_redirect(client, create, path):
    create(title="pen", price=1)
    assert_problem(client.get(path), 404)
    assert_problem(client.send("POST", path, {"title": "x", "price": 1}), 404)


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/items", {"GET", "HEAD", "POST"}),
        ("DELETE", "/items", {"GET", "HEAD", "POST"}),
        ("TRACE", "/items", {"GET", "HEAD", "POST"}),
        ("POST", "/items/1", {"DELETE", "GET", "HEAD", "PATCH", "PUT"}),
        ("TRACE", "/items/999", {"DELETE", "GET", "HEAD", "PATCH", "PUT"}),
    ],
)
def test_method_not_allowed_is_405_with_the_spec_methods_in_allow(client, method, path, allow):
    response = client.send(method, path, {"title": "x", "price": 1})
    assert_problem(response, 405)
    assert set(response["Allow"].split(", ")) == allow


@pytest.mark.parametrize(
    ("path", "allow"),
    [("/items", {"GET", "HEAD", "POST"}), ("/items/1", {"DELETE", "GET", "HEAD", "PATCH", "PUT"})],
)
def test_options_is_an_empty_204_with_allow(client, path, allow):
    response = client.options(path)
    assert response.status_code == 204
    assert response.content == b"" and "Content-Type" not in response
    assert set(response["Allow"].split(", ")) == allow


def test_precedence(client):
    assert_problem(client.send("PUT", "/items/abc", raw=b"{bad", content_type="text/plain"), 404)
    assert_problem(client.send("PUT", "/items", raw=b"{bad", content_type="text/plain"), 405)
    assert_problem(client.send("POST", "/items", raw=padded(ONE_MIB + 1), content_type="text/plain"), 415)
    assert_problem(client.send("POST", "/items", raw=b"{" * (ONE_MIB + 1)), 413)
    assert_problem(client.send("POST", "/items", raw=b'{"price": -1, "title": '), 400)

"""Hostile and unusual requests: each kind through Flask's test client (the contract suite sends raw bytes)."""

from __future__ import annotations

import io

import pytest

from tests.problem import assert_problem, error_pairs

JSON = {"Content-Type": "application/json"}
BIG = "1" + "0" * 4300  # one digit past CPython's int() limit


def body_requests(client, item_id: int = 1):
    return [
        lambda **kw: client.post("/items", **kw),
        lambda **kw: client.put(f"/items/{item_id}", **kw),
        lambda **kw: client.patch(f"/items/{item_id}", **kw),
    ]


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 1_000 + b"1" + b"}" * 1_000,
        b'{"title": "x", "price": 1, "extra": ' + b"[" * 1_000 + b"]" * 1_000 + b"}",
        b'{"title": "a", "t\\u0069tle": "b", "price": 1}',
        b'{"title": "a", "price": 1, "extra": [{"k": 1, "k": 1}]}',
    ],
    ids=["deep-arrays", "deep-objects", "deep-extra", "duplicate-escaped", "duplicate-nested"],
)
def test_deep_nesting_and_duplicate_names_are_400(client, create, raw):
    create(title="pen", price=1)
    for send in body_requests(client):
        assert_problem(send(data=raw, headers=JSON), 400)


@pytest.mark.parametrize(
    ("field", "literal", "code"),
    [
        ("price", BIG, "too_large"),
        ("price", "-" + BIG, "too_small"),
        ("quantity", BIG, "too_large"),
        ("quantity", "-" + BIG, "too_small"),
        ("quantity", "1e400", "too_large"),
        ("quantity", "-1e400", "too_small"),
    ],
)
def test_number_of_any_size_in_a_body_meets_its_bounds(client, create, field, literal, code):
    create(title="pen", price=1)
    patch = f'{{"{field}": {literal}}}'.encode()
    fields = {"title": '"x"', "price": "1", field: literal}
    full = ("{" + ", ".join(f'"{name}": {value}' for name, value in fields.items()) + "}").encode()
    for send, raw in zip(body_requests(client), [full, full, patch], strict=True):
        assert error_pairs(send(data=raw, headers=JSON)) == {(field, code)}


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("limit", BIG, "too_large"),
        ("limit", "-" + BIG, "too_small"),
        ("offset", BIG, "too_large"),
        ("offset", "-" + BIG, "too_small"),
        ("min_price", BIG, "too_large"),
        ("max_price", "-" + BIG, "too_small"),
        ("limit", "1e400", "wrong_type"),
    ],
)
def test_number_of_any_size_in_the_query_meets_its_bounds(client, name, value, code):
    assert error_pairs(client.get("/items", query_string={name: value})) == {(name, code)}


def test_content_coding_is_415_before_413_and_ignored_without_a_body(client, create):
    item = create(title="pen", price=1)
    for coding in ["gzip", "GZIP", "gzip, identity", "br"]:
        for send in body_requests(client, item["id"]):
            coded = {**JSON, "Content-Encoding": coding}
            assert_problem(send(data=b"{" * (1024 * 1024 + 1), headers=coded), 415)
    assert (
        client.post("/items", json={"title": "x", "price": 1}, headers={"Content-Encoding": "Identity"}).status_code
        == 201
    )
    assert client.get(f"/items/{item['id']}", headers={"Content-Encoding": "gzip"}).status_code == 200


def test_body_cut_short_or_badly_framed_is_400(client):
    # gunicorn sets wsgi.input_terminated, so werkzeug reads what the server hands over: the app checks it.
    terminated = {"wsgi.input_terminated": True}
    body = b'{"title": "x", "price": 1}'
    promised = {**terminated, "CONTENT_LENGTH": str(len(body) + 10)}
    short = client.post("/items", input_stream=io.BytesIO(body), headers=JSON, environ_overrides=promised)
    assert_problem(short, 400)

    class InvalidChunkSize(Exception):  # gunicorn's own exception: neither an OSError nor a ValueError
        pass

    class BrokenChunks:
        def read(self, size=-1):
            raise InvalidChunkSize("zz")

    chunked = {**JSON, "Transfer-Encoding": "chunked"}
    response = client.post("/items", headers=chunked, environ_overrides={**terminated, "wsgi.input": BrokenChunks()})
    assert_problem(response, 400)
    assert client.get("/items").get_json()["total"] == 0


@pytest.mark.parametrize("path", ["/items", "/items/1", "/items/2", "/items?limit=0", "/nope"])
def test_head_answers_as_get_without_a_body(client, create, path):
    create(title="pen", price=1)
    get, head = client.get(path), client.head(path)
    assert (head.status_code, head.mimetype, head.data) == (get.status_code, get.mimetype, b"")


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1:1", "[::1]", "[::1]:8080"])
def test_default_hosts_are_served(client, host):
    assert client.get("/items", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize(
    "host", ["evil.example", "localhost.evil.example", "evil-localhost", "127.0.0.1.nip.io", "[::2]", "[::1]x"]
)
def test_other_hosts_are_400(client, host):
    assert_problem(client.get("/items", headers={"Host": host}), 400)
    assert_problem(client.post("/items", json={"title": "x", "price": 1}, headers={"Host": host}), 400)
    assert client.get("/items").get_json()["total"] == 0


def test_allowed_hosts_are_exact_names(make_app):
    client = make_app(TRUSTED_HOSTS=["example.com"]).test_client()
    assert client.get("/items", headers={"Host": "example.com:8443"}).status_code == 200
    assert_problem(client.get("/items", headers={"Host": "api.example.com"}), 400)
    assert_problem(client.get("/items", headers={"Host": "localhost"}), 400)

"""Hostile and unusual requests: charsets, nesting, huge numbers, duplicate names, codings, hosts, long lines,
and a database that cannot be reached. The contract suite tests each kind over a real server; these pin the
knobs of this implementation."""

from __future__ import annotations

import socket
import time

import pytest
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from items_fastapi.config import Settings
from items_fastapi.db import engine_options
from items_fastapi.schemas import FLOAT_OVERFLOW, integer_literal
from tests.support import assert_problem, error_pairs

JSON = {"content-type": "application/json"}
BIG = "1" + "0" * 4300  # one digit past CPython's int() limit


def test_charset_label_is_ignored_json_is_utf8(client):
    latin = {"content-type": "application/json; charset=iso-8859-1"}
    assert (
        client.post("/items", content='{"title": "Café", "price": 1}'.encode(), headers=latin).json()["title"] == "Café"
    )
    assert_problem(client.post("/items", content=b'{"title": "Caf\xe9", "price": 1}', headers=latin), 400)


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deep_value_inside_an_item_is_400(client, depth):
    body = b'{"title": "x", "price": 1, "extra": ' + b"[" * depth + b"]" * depth + b"}"
    assert_problem(client.post("/items", content=body, headers=JSON), 400)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"title": "a", "title": "b", "price": 1}',
        b'{"title": "a", "t\\u0069tle": "a", "price": 1}',
        b'{"x": [{"k": 1, "k": 1}]}',
    ],
)
def test_duplicate_member_names_are_400(client, raw):
    assert_problem(client.post("/items", content=raw, headers=JSON), 400)


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
def test_number_literal_of_any_size_is_compared_with_the_bounds(client, field, literal, code):
    fields = {"title": '"x"', "price": "1", field: literal}
    body = ("{" + ", ".join(f'"{name}": {value}' for name, value in fields.items()) + "}").encode()
    assert error_pairs(client.post("/items", content=body, headers=JSON)) == {(field, code)}


@pytest.mark.parametrize(
    ("query", "pair"),
    [
        (f"limit={BIG}", ("limit", "too_large")),
        (f"offset=-{BIG}", ("offset", "too_small")),
        (f"min_price={BIG}", ("min_price", "too_large")),
        ("max_price=-1e400", ("max_price", "too_small")),
        ("limit=1e400", ("limit", "wrong_type")),  # integer query parameters are written as digits
    ],
)
def test_query_number_of_any_size_is_compared_with_the_bounds(client, query, pair):
    assert error_pairs(client.get(f"/items?{query}")) == {pair}


def test_integer_literal_keeps_cpythons_limit_and_the_sign():
    assert integer_literal("-" + BIG) == -FLOAT_OVERFLOW
    assert integer_literal("0" * 5000 + "7") == 7  # leading zeros are no digits of the value


@pytest.mark.parametrize("coding", ["gzip", "GZIP", "br", "gzip, identity"])
def test_content_coding_is_415_before_413(client, coding):
    headers = {**JSON, "content-encoding": coding}
    assert_problem(client.post("/items", content=b'{"title": "x", "price": 1}', headers=headers), 415)
    assert_problem(client.post("/items", content=b"{" * (1024 * 1024 + 1), headers=headers), 415)
    assert client.post("/items", json={"title": "x", "price": 1}, headers={"content-encoding": "identity"}).is_success


@pytest.mark.parametrize("host", ["localhost.evil.example", "evil-localhost", "127.0.0.1.nip.io", "www.localhost"])
def test_host_not_allowed_is_a_400_problem(client, host):
    assert_problem(client.get("/items", headers={"host": host}), 400)


@pytest.mark.parametrize("host", ["LOCALHOST:8000", "127.0.0.1", "[::1]:80"])
def test_allowed_host_on_any_port_is_served(client, host):
    assert client.get("/items", headers={"host": host}).status_code == 200


def test_allowed_hosts_setting_is_comma_separated_and_exact(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", " api.example.com, localhost ,")
    assert Settings().allowed_hosts == ["api.example.com", "localhost"]
    monkeypatch.setenv("ALLOWED_HOSTS", "*.example.com")
    with pytest.raises(ValidationError):
        Settings()


@pytest.mark.parametrize(("length", "status"), [(8190, 200), (8191, 414), (64 * 1024, 414)])
def test_request_line_over_8190_bytes_is_414(client, length, status):
    frame = len("GET /items?pad= HTTP/1.1")
    response = client.get("/items?pad=" + "x" * (length - frame))
    assert response.status_code == status
    if status == 414:
        assert_problem(response, 414)


@pytest.fixture
def unreachable_database(client):
    """The app's sessionmaker pointed at PostgreSQL where it cannot be reached: refused, or never answered."""

    def point_at(url: str) -> None:
        engine = create_async_engine(url, **engine_options(url))
        client.app_state["sessionmaker"] = async_sessionmaker(engine)

    return point_at


def test_database_refusing_connections_is_a_503_with_retry_after(client, unreachable_database):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    unreachable_database(f"postgresql+asyncpg://postgres@127.0.0.1:{port}/items")
    for response in (client.get("/items"), client.post("/items", json={"title": "x", "price": 1})):
        assert_problem(response, 503)
        assert response.headers["retry-after"] == "1"


def test_database_never_answering_is_a_503_within_the_connect_timeout(client, unreachable_database):
    with socket.socket() as silent:  # listens, so connecting succeeds, and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        unreachable_database(f"postgresql+asyncpg://postgres@127.0.0.1:{silent.getsockname()[1]}/items")
        started = time.monotonic()
        response = client.get("/items/1")
    assert_problem(response, 503)
    assert time.monotonic() - started < 5

"""Request bytes (DESIGN.md): UTF-8 only, deep nesting, numbers of any size, duplicate names, content codings,
HEAD, hosts, chunked and truncated bodies (the WSGI wrappers), and 503 while the database is away."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys

import pytest
from django.db import InterfaceError, OperationalError, transaction

from items.views import ItemViewSet
from items_django.wsgi import omit_head_bodies, read_whole_bodies
from tests.problem import assert_problem, error_pairs

ONE_MIB = 1024 * 1024
BIG = "1" + "0" * 4300  # one digit past CPython's int() limit


@pytest.fixture
def body_targets(create):
    item = create(title="pen", price=1)
    return [("POST", "/items"), ("PUT", f"/items/{item['id']}"), ("PATCH", f"/items/{item['id']}")]


# The body
@pytest.mark.parametrize("label", ["latin-1", "iso-8859-1", "utf-16", "no-such-charset"])
def test_charset_label_is_ignored_utf8_is_read(client, label):
    content_type = f"application/json; charset={label}"
    created = client.send("POST", "/items", raw='{"title": "Café", "price": 2}'.encode(), content_type=content_type)
    assert created.status_code == 201 and created.json()["title"] == "Café"
    latin_1 = b'{"title": "Caf\xe9", "price": 2}'
    assert_problem(client.send("POST", "/items", raw=latin_1, content_type=content_type), 400)


def test_charset_label_does_not_change_how_the_query_is_read(client, create):
    create(title="Café", price=1)
    response = client.get("/items", {"q": "Café"}, CONTENT_TYPE="application/json; charset=latin-1")
    assert [item["title"] for item in response.json()["items"]] == ["Café"]


@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.parametrize(
    "shape",
    [
        lambda depth: b"[" * depth + b"]" * depth,
        lambda depth: b'{"a":' * depth + b"1" + b"}" * depth,
        lambda depth: b'{"title": "x", "price": 1, "extra": ' + b"[" * depth + b"]" * depth + b"}",
    ],
)
def test_deep_nesting_is_400(client, body_targets, shape, depth):
    for method, path in body_targets:
        assert_problem(client.send(method, path, raw=shape(depth)), 400)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"title": "a", "title": "b", "price": 1}',
        b'{"title": "a", "t\\u0069tle": "b", "price": 1}',
        b'{"title": "a", "price": 1, "extra": [{"k": 1, "k": 1}]}',
    ],
)
def test_duplicate_member_names_are_400(client, body_targets, raw):
    for method, path in body_targets:
        assert_problem(client.send(method, path, raw=raw), 400)


def test_names_differing_in_case_are_different(client):
    pairs = error_pairs(client.send("POST", "/items", raw=b'{"title": "a", "Title": "b", "price": 1}'))
    assert pairs == {("Title", "unknown_field")}


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
def test_integer_literal_of_any_length_is_compared_with_the_bounds(client, body_targets, field, literal, code):
    fields = {"title": '"x"', "price": "1", field: literal}
    raw = ("{" + ", ".join(f'"{name}": {value}' for name, value in fields.items()) + "}").encode()
    for method, path in body_targets:
        assert error_pairs(client.send(method, path, raw=raw)) == {(field, code)}


@pytest.mark.parametrize(
    ("params", "pair"),
    [
        ({"limit": BIG}, ("limit", "too_large")),
        ({"limit": "-" + BIG}, ("limit", "too_small")),
        ({"offset": BIG}, ("offset", "too_large")),
        ({"limit": "1e400"}, ("limit", "wrong_type")),
        ({"min_price": BIG}, ("min_price", "too_large")),
        ({"max_price": "-" + BIG}, ("max_price", "too_small")),
    ],
)
def test_huge_number_in_the_query_is_compared_with_the_bounds(client, params, pair):
    assert error_pairs(client.get("/items", params)) == {pair}


@pytest.mark.parametrize("coding", ["gzip", "BR", "gzip, identity"])
def test_content_coding_other_than_identity_is_415(client, body_targets, coding):
    for method, path in body_targets:
        response = client.generic(method, path, b"{bad", content_type="application/json", HTTP_CONTENT_ENCODING=coding)
        assert_problem(response, 415)
    over_limit = client.generic(
        "POST", "/items", b"x" * (ONE_MIB + 1), content_type="application/json", HTTP_CONTENT_ENCODING=coding
    )
    assert_problem(over_limit, 415)  # 415 before 413


def test_identity_coding_and_codings_without_a_body_are_fine(client):
    raw = b'{"title": "x", "price": 1}'
    created = client.generic("POST", "/items", raw, content_type="application/json", HTTP_CONTENT_ENCODING="Identity")
    assert created.status_code == 201
    assert client.get("/items", HTTP_CONTENT_ENCODING="gzip").status_code == 200


# HEAD and hosts
@pytest.mark.parametrize("path", ["/items", "/items/{id}", "/items/987654", "/items?limit=0", "/nope"])
def test_head_answers_as_get_without_a_body(client, create, path):
    path = path.format(id=create(title="pen", price=1)["id"])
    get, head = client.get(path), client.head(path)
    assert (head.status_code, head["Content-Type"]) == (get.status_code, get["Content-Type"])
    assert head.content == b""


@pytest.mark.parametrize("host", ["evil.example", "localhost.evil.example", "evil-localhost", "127.0.0.1.nip.io"])
def test_another_host_is_400(client, host):
    assert_problem(client.get("/items", HTTP_HOST=host), 400)


def test_allowed_hosts_come_from_the_environment():
    code = "from items_django import settings; print(settings.ALLOWED_HOSTS)"
    run = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "ALLOWED_HOSTS": "api.example, localhost"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.strip() == "['api.example', 'localhost']"


# The WSGI wrappers (wsgi.py), with the environ gunicorn gives
def run_wsgi(app, environ):
    answer = {}
    body = app(environ, lambda status, headers: answer.update(status=status, headers=dict(headers)))
    return answer, b"".join(body)


def seen_by_django(environ):
    seen = {}
    run_wsgi(read_whole_bodies(lambda environ, start_response: seen.update(environ) or []), environ)
    return seen


@pytest.mark.parametrize(("size", "length"), [(10, "10"), (ONE_MIB + 5, str(ONE_MIB + 1))])
def test_chunked_body_gets_a_length_up_to_one_past_the_limit(size, length):
    seen = seen_by_django({"wsgi.input_terminated": True, "wsgi.input": io.BytesIO(b"x" * size)})
    assert seen["CONTENT_LENGTH"] == length
    assert seen["wsgi.input"].read() == b"x" * int(length)


class BrokenFraming(io.RawIOBase):
    def read(self, size=-1):
        raise ValueError("Invalid chunk size: b'zz'")  # as gunicorn's InvalidChunkSize would


@pytest.mark.parametrize(
    "environ",
    [
        {"wsgi.input_terminated": True, "wsgi.input": BrokenFraming()},
        {"CONTENT_LENGTH": "10", "wsgi.input": io.BytesIO(b"12345")},  # the client closed after 5 bytes
    ],
)
def test_malformed_or_truncated_body_is_400_before_django(environ):
    answer, body = run_wsgi(read_whole_bodies(lambda environ, start_response: pytest.fail("Django saw it")), environ)
    assert answer["status"] == "400 Bad Request"
    assert answer["headers"]["Content-Type"] == "application/problem+json"
    assert b'"status": 400' in body


def test_body_that_stops_arriving_is_400_after_the_body_timeout(settings):
    settings.REQUEST_BODY_TIMEOUT = 0.1
    server_side, client_side = socket.socketpair()
    with server_side, client_side:
        client_side.sendall(b"{")  # then nothing, as after a chunk size of 2**80
        environ = {"CONTENT_LENGTH": "10", "gunicorn.socket": server_side, "wsgi.input": server_side.makefile("rb")}
        answer, _ = run_wsgi(read_whole_bodies(lambda environ, start_response: pytest.fail("Django saw it")), environ)
        assert answer["status"] == "400 Bad Request"
        assert server_side.gettimeout() is None  # gunicorn's own timeout, back


def test_declared_length_over_the_limit_is_left_unread_to_django():
    stream = io.BytesIO(b"x" * (ONE_MIB + 2))
    seen = seen_by_django({"CONTENT_LENGTH": str(ONE_MIB + 2), "wsgi.input": stream})
    assert seen["CONTENT_LENGTH"] == str(ONE_MIB + 2) and stream.tell() == 0


def test_head_answer_drops_the_body_and_closes_it():
    closed = []

    class Answer(list):
        def close(self):
            closed.append(True)

    app = omit_head_bodies(lambda environ, start_response: start_response("200 OK", []) or Answer([b"body"]))
    assert run_wsgi(app, {"REQUEST_METHOD": "HEAD"})[1] == b"" and closed == [True]
    assert run_wsgi(app, {"REQUEST_METHOD": "GET"})[1] == b"body"


# The database away
@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_database_error_in_the_view_is_503_with_retry_after(client, monkeypatch, error):
    def unreachable(*args, **kwargs):
        raise error("connection refused")

    monkeypatch.setattr(ItemViewSet, "list", unreachable)
    response = client.get("/items")
    assert_problem(response, 503)
    assert response["Retry-After"].isdigit()


def test_database_error_opening_the_request_transaction_is_503(client, monkeypatch):
    def unreachable(self):
        raise OperationalError("connection timeout expired")

    monkeypatch.setattr(transaction.Atomic, "__enter__", unreachable)  # ContractViewMixin.dispatch opens it
    assert_problem(client.send("POST", "/items", {"title": "x", "price": 1}), 503)

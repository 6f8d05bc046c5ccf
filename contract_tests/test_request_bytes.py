"""Request bytes (DESIGN.md, "Request bytes"): each kind of fault that real servers on these stacks shipped.

Each test sends variants of one kind (other fields, other operations, query and body), not just the
example in the bug report that settled it.
"""

from __future__ import annotations

import gzip
import json

import pytest

from contract_tests import clauses, rawhttp
from contract_tests.support import ONE_MIB, assert_item, create, error_pairs, expect, media_type, problem

JSON = "application/json"
BIG = "1" + "0" * 4300  # one digit past CPython's default int() limit (4,300 digits)


@pytest.fixture
def item(client, prefix):
    return create(client, title=prefix, price=1)


def body_requests(item_id):
    return [("POST", "/items"), ("PUT", f"/items/{item_id}"), ("PATCH", f"/items/{item_id}")]


def total(client, prefix) -> int:
    return client.get("/items", params={"q": prefix}).json()["total"]


def server_problem(response: rawhttp.RawResponse | None, status: int, request: str = "POST /items") -> None:
    """``status``, as problem+json when the application wrote it (the HTTP server's own body is accepted)."""
    method, target = request.split()[:2]
    wanted = clauses.requirement(method, target.split("?")[0], status)
    assert response is not None, (
        f"{request}: the server closed the connection without an answer; the spec requires {wanted}"
    )
    assert response.status == status, (
        f"{request} answered {response.status}; the spec requires {wanted}: {response.body[:300]!r}"
    )
    if response.media_type == "application/problem+json":
        body = response.json()
        assert body.get("status") == status and body.get("type") == "about:blank", body


# region: JSON is UTF-8 (RFC 8259 §8.1; §11 defines no charset parameter)
LABELS = ["latin-1", "iso-8859-1", "windows-1252", "utf-16", "ascii", "no-such-charset"]


@pytest.mark.parametrize("label", LABELS)
def test_charset_label_is_ignored_and_the_body_read_as_utf8(client, prefix, label):
    headers = {"content-type": f"application/json; charset={label}"}
    title = f"{prefix} Café ☕ Ωmega"
    created = client.post(
        "/items", content=json.dumps({"title": title, "price": 2}, ensure_ascii=False).encode(), headers=headers
    )
    expect(created, 201)
    assert created.json()["title"] == title
    path = f"/items/{created.json()['id']}"
    renamed = f"{prefix} naïve ✓"
    body = json.dumps({"title": renamed, "price": 3}, ensure_ascii=False).encode()
    assert client.put(path, content=body, headers=headers).json()["title"] == renamed
    body = json.dumps({"description": "crème brûlée"}, ensure_ascii=False).encode()
    assert client.patch(path, content=body, headers=headers).json()["description"] == "crème brûlée"
    assert client.get(path).json()["title"] == renamed


@pytest.mark.parametrize("label", [None, *LABELS])
@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b'{"title": "Caf\xe9", "price": 2}', id="latin-1-byte"),
        pytest.param(b'{"title": "x", "price": 2, "description": "\xc3"}', id="truncated-sequence"),
        pytest.param(b'{"title": "\xed\xa0\x80", "price": 2}', id="encoded-surrogate"),
        pytest.param(b'{"title": "\xc0\xaf", "price": 2}', id="overlong"),
        pytest.param('{"title": "x", "price": 2}'.encode("utf-16"), id="utf-16-with-bom"),
        pytest.param(b'\xef\xbb\xbf{"title": "x", "price": 2}', id="utf-8-bom"),
    ],
)
def test_body_that_is_not_utf8_is_400_whatever_its_label(client, item, prefix, label, raw):
    content_type = JSON if label is None else f"application/json; charset={label}"
    for method, path in body_requests(item["id"]):
        problem(client.request(method, path, content=raw, headers={"content-type": content_type}), 400)
    assert client.get(f"/items/{item['id']}").json() == item, "a refused body changed the item"
    assert total(client, prefix) == 1


# endregion
# region: nesting deeper than a parser's recursion limit is 400, never 500
def nested(shape: str, depth: int) -> bytes:
    if shape == "arrays":
        return b"[" * depth + b"]" * depth
    if shape == "objects":
        return b'{"a":' * depth + b"1" + b"}" * depth
    inner = b"[" * depth + b"]" * depth
    return b'{"title": "deep", "price": 1, "extra": ' + inner + b"}"


@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.parametrize("shape", ["arrays", "objects", "inside-an-item"])
def test_deeply_nested_body_is_400(client, item, shape, depth):
    for method, path in body_requests(item["id"]):
        problem(client.request(method, path, content=nested(shape, depth), headers={"content-type": JSON}), 400)


def test_shallow_nesting_in_an_unknown_field_is_still_422(client, item):
    body = b'{"title": "x", "price": 1, "extra": ' + b"[" * 20 + b"]" * 20 + b"}"
    for method, path in body_requests(item["id"]):
        response = client.request(method, path, content=body, headers={"content-type": JSON})
        assert error_pairs(response) == {("extra", "unknown_field")}


# endregion
# region: framing (RFC 9112 §6, §7.1): a valid chunked body is read; a malformed one is 400, never 5xx
@pytest.fixture
def post_raw(base_url, suite_account):
    """``post_raw(body, headers, **exchange_options)``: ``POST /items`` byte by byte, as the suite's user."""

    def post(body: bytes, headers: dict[str, str], **kwargs) -> rawhttp.RawResponse | None:
        fields = {"Content-Type": JSON, "Authorization": f"Bearer {suite_account.token}", **headers}
        request = rawhttp.request_bytes(base_url, "POST", "/items", fields, body)
        return rawhttp.exchange(base_url, request, method="POST", **kwargs)

    return post


def test_chunked_body_is_read(post_raw, client, prefix):
    document = json.dumps({"title": prefix, "price": 4}).encode()
    response = post_raw(rawhttp.chunked(document[:7], document[7:9], document[9:]), {"Transfer-Encoding": "chunked"})
    assert response is not None and response.status == 201, response
    assert_item(response.json(), title=prefix, price=4)
    assert total(client, prefix) == 1


def test_chunked_body_over_one_mib_is_413(post_raw, client, prefix):
    head = json.dumps({"price": 1, "title": prefix}).encode()[:-2]
    body = rawhttp.chunked(head, b"x" * (ONE_MIB // 2), b"x" * (ONE_MIB // 2), b'"}')
    server_problem(post_raw(body, {"Transfer-Encoding": "chunked"}), 413)
    assert total(client, prefix) == 0


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"zz\r\n{}\r\n0\r\n\r\n", id="size-not-hex"),
        pytest.param(b"-2\r\n{}\r\n0\r\n\r\n", id="negative-size"),
        pytest.param(b'2\r\n{"title": "x", "price": 1}\r\n0\r\n\r\n', id="chunk-longer-than-its-size"),
        pytest.param(b'1b\r\n{"title": "x", "price": 1}\r\n\r\n0\r\n\r\n', id="chunk-shorter-than-its-size"),
        pytest.param(b"ffffffffffffffffffff\r\n{}\r\n0\r\n\r\n", id="size-beyond-64-bits"),
    ],
)
def test_malformed_chunked_body_is_400(post_raw, client, prefix, body):
    server_problem(post_raw(body, {"Transfer-Encoding": "chunked"}), 400)
    client.get("/items")  # the server still answers


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Content-Length": "abc"}, id="content-length-not-a-number"),
        pytest.param({"Content-Length": "-5"}, id="negative-content-length"),
        pytest.param({"Content-Length": "5, 6"}, id="two-content-lengths"),
        pytest.param({"Transfer-Encoding": "gzip"}, id="unknown-transfer-coding"),
    ],
)
def test_malformed_framing_headers_are_400(post_raw, headers):
    server_problem(post_raw(b'{"title": "x", "price": 1}', headers), 400)


def test_body_cut_short_is_never_answered_5xx(post_raw, client, prefix):
    body = json.dumps({"title": prefix, "price": 1}).encode()
    for headers, sent in [
        ({"Content-Length": str(len(body) + 10)}, body),
        ({"Transfer-Encoding": "chunked"}, b"%x\r\n%s" % (len(body) + 10, body)),
    ]:
        response = post_raw(sent, headers, half_close=True)
        assert response is None or response.status == 400, response  # closing without an answer is allowed
    assert total(client, prefix) == 0


# endregion
# region: a JSON number is a number, whatever its size
@pytest.mark.parametrize(
    ("field", "literal", "code"),
    [
        ("price", BIG, "too_large"),
        ("price", "-" + BIG, "too_small"),
        ("price", BIG + ".0", "too_large"),
        ("price", "1" + "0" * 20000, "too_large"),
        ("price", "-1e400", "too_small"),
        ("quantity", BIG, "too_large"),
        ("quantity", "-" + BIG, "too_small"),
        ("quantity", "1" + "0" * 100_000, "too_large"),
        ("quantity", "1e400", "too_large"),
        ("quantity", "-1e400", "too_small"),
        ("quantity", "12345678901234567890123", "too_large"),
        ("quantity", "-12345678901234567890123", "too_small"),
    ],
)
def test_huge_number_literal_in_a_body_is_compared_with_its_bounds(client, item, prefix, field, literal, code):
    fields = {"title": f'"{prefix}"', "price": "1", field: literal}
    raw = ("{" + ", ".join(f'"{name}": {value}' for name, value in fields.items()) + "}").encode()
    for method, path in body_requests(item["id"]):
        body = raw if method != "PATCH" else f'{{"{field}": {literal}}}'.encode()
        assert error_pairs(client.request(method, path, content=body, headers={"content-type": JSON})) == {
            (field, code)
        }
    assert client.get(f"/items/{item['id']}").json() == item
    assert total(client, prefix) == 1


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("limit", BIG, "too_large"),
        ("limit", "-" + BIG, "too_small"),
        ("offset", BIG, "too_large"),
        ("offset", "-" + BIG, "too_small"),
        ("offset", "99999999999999999999", "too_large"),
        ("min_price", BIG, "too_large"),
        ("min_price", "-" + BIG, "too_small"),
        ("max_price", BIG + ".5", "too_large"),
        ("max_price", "-1e400", "too_small"),
        ("min_price", "1e400", "too_large"),
    ],
)
def test_huge_number_in_the_query_is_compared_with_its_bounds(client, name, value, code):
    assert error_pairs(client.get("/items", params={name: value})) == {(name, code)}


# endregion
# region: request lines up to 8,190 bytes reach the application; longer ones are 414
def request_line_of(size: int) -> bytes:
    """``GET /items?pad=xxx... HTTP/1.1``, exactly ``size`` bytes without its CRLF (``pad`` is ignored)."""
    frame = len(b"GET /items?pad= HTTP/1.1")
    return b"GET /items?pad=" + b"x" * (size - frame) + b" HTTP/1.1"


def send_line(base_url: str, line: bytes) -> rawhttp.RawResponse | None:
    host = rawhttp.authority(base_url).encode()
    return rawhttp.exchange(base_url, line + b"\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n")


def test_long_query_reaches_the_application(client):
    assert error_pairs(client.get("/items", params={"q": "a" * 4100})) == {("q", "too_long")}
    assert error_pairs(client.get("/items", params={"limit": BIG})) == {("limit", "too_large")}


def test_request_line_of_8190_bytes_is_served(base_url):
    response = send_line(base_url, request_line_of(8190))
    assert response is not None and response.status == 200, response and (response.status, response.body[:300])


@pytest.mark.parametrize("size", [8191, 8300, 16 * 1024 + 1, 64 * 1024])
def test_longer_request_line_is_414(base_url, size):
    server_problem(send_line(base_url, request_line_of(size)), 414, f"GET /items?pad=... ({size}-byte request line)")


# endregion
# region: HEAD answers as GET would, without a body (RFC 9110 §9.3.2)
@pytest.mark.parametrize(
    "target",
    [
        "/items",
        "/items?limit=2&sort=-price",
        "/items/{id}",
        "/items/0{id}",
        "/items/987654321",
        "/items/abc",
        "/items?limit=0",
        "/items?sort=colour",
        "/items/",
        "/nope",
    ],
)
def test_head_answers_as_get_without_a_body(client, item, target):
    path = target.format(id=item["id"])
    get, head = client.get(path), client.head(path)
    assert head.status_code == get.status_code, (head.status_code, get.status_code, get.text[:300])
    assert media_type(head) == media_type(get)
    assert head.content == b""
    for name in ("location", "allow"):
        assert head.headers.get(name) == get.headers.get(name), name
    # RFC 9110 §8.6: a Content-Length on HEAD, which may be left out, is the length GET's content has.
    length = head.headers.get("content-length")
    assert length is None or length == str(len(get.content)), (
        f"HEAD {path} sent Content-Length {length}; GET's content is {len(get.content)} bytes"
    )


# endregion
# region: duplicate member names are 400 (RFC 7493 §2.3)
@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b'{"title": "a", "title": "b", "price": 1}', id="title-twice"),
        pytest.param(b'{"title": "a", "price": 1, "price": 1}', id="same-value-twice"),
        pytest.param(b'{"title": "a", "t\\u0069tle": "b", "price": 1}', id="escaped-name"),
        pytest.param(b'{"title": "a", "price": 1, "extra": {"k": 1, "k": 2}}', id="nested-object"),
        pytest.param(b'{"title": "a", "price": 1, "extra": [{"k": 1, "k": 1}]}', id="object-in-array"),
        pytest.param(b'{"description": null, "description": null, "title": "a", "price": 1}', id="null-twice"),
    ],
)
def test_duplicate_member_names_are_400(client, item, raw):
    for method, path in body_requests(item["id"]):
        problem(client.request(method, path, content=raw, headers={"content-type": JSON}), 400)
    assert client.get(f"/items/{item['id']}").json() == item


def test_names_that_differ_only_in_case_are_different_members(client, item):
    raw = b'{"title": "a", "Title": "b", "price": 1, "extra": [{"k": 1}, {"k": 1}]}'
    response = client.post("/items", content=raw, headers={"content-type": JSON})
    assert error_pairs(response) == {("Title", "unknown_field"), ("extra", "unknown_field")}


# endregion
# region: no content codings on a request body (RFC 9110 §8.4, §15.5.16)
@pytest.mark.parametrize("coding", ["gzip", "GZIP", "deflate", "br", "compress", "zstd", "gzip, identity", "x-custom"])
def test_content_coding_other_than_identity_is_415(client, item, prefix, coding):
    plain = json.dumps({"title": prefix, "price": 1}).encode()
    for body in (plain, gzip.compress(plain)):
        for method, path in body_requests(item["id"]):
            headers = {"content-type": JSON, "content-encoding": coding}
            problem(client.request(method, path, content=body, headers=headers), 415)
    assert client.get(f"/items/{item['id']}").json() == item
    assert total(client, prefix) == 1


@pytest.mark.parametrize("coding", ["identity", "Identity"])
def test_identity_coding_is_accepted(client, prefix, coding):
    headers = {"content-type": JSON, "content-encoding": coding}
    response = client.post("/items", content=json.dumps({"title": prefix, "price": 1}).encode(), headers=headers)
    expect(response, 201)


def test_content_coding_sits_at_415_in_the_precedence(client, item):
    coded = {"content-type": JSON, "content-encoding": "gzip"}
    problem(client.put("/items/abc", content=b"{}", headers=coded), 404)
    problem(client.post(f"/items/{item['id']}", content=b"{}", headers=coded), 405)
    problem(client.post("/items", content=b"{" * (ONE_MIB + 1), headers=coded), 415)  # before 413
    problem(client.post("/items", content=b"{bad", headers=coded), 415)  # before 400
    problem(client.post("/items", content=b'{"price": -1}', headers=coded), 415)  # before 422


def test_content_coding_without_a_body_is_ignored(client, item):
    coded = {"content-encoding": "gzip"}
    expect(client.get("/items", headers=coded), 200)
    expect(client.get(f"/items/{item['id']}", headers=coded), 200)
    expect(client.delete(f"/items/{item['id']}", headers=coded), 204)


# endregion
# region: only configured hosts (exact match, never by prefix or suffix)
@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:80",
        "localhost.evil.example",
        "evil-localhost",
        "evillocalhost",
        "127.0.0.1.nip.io",
        "127.0.0.2",
        "[::2]",
        "localhost:8000@evil.example",
    ],
)
def test_request_for_another_host_is_400(client, item, host):
    for method, path, body in [
        ("GET", "/items", None),
        ("GET", f"/items/{item['id']}", None),
        ("POST", "/items", b'{"title": "x", "price": 1}'),
        ("DELETE", f"/items/{item['id']}", None),
    ]:
        headers = {"host": host, "content-type": JSON}
        problem(client.request(method, path, content=body, headers=headers), 400, about="`Host`")
    assert client.get(f"/items/{item['id']}").status_code == 200, "a request for another host deleted the item"


@pytest.mark.repository("DESIGN.md, Request bytes: the default ALLOWED_HOSTS is this repository's setting")
@pytest.mark.parametrize("host", ["localhost", "localhost:1234", "127.0.0.1", "127.0.0.1:80", "[::1]", "[::1]:8080"])
def test_default_hosts_are_served(client, host):
    expect(client.get("/items", headers={"host": host}), 200)


# endregion

"""Accounts, tokens and ownership (DESIGN.md): sign-up, /token, 401 and its challenge, 403, precedence.

Users are signed up with unique names, so the tests hold on a shared server; the lifetime test starts a
second server of its own with a short ``TOKEN_TTL_SECONDS`` (only when the suite starts servers itself).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import statistics
import time
from pathlib import Path

import httpx
import pytest

from contract_tests import accounts, databases, implementations, server
from contract_tests.support import ONE_MIB, allowed, assert_item, error_pairs, expect, media_type, problem

CHALLENGE = 'Bearer realm="items"'
INVALID_TOKEN = 'Bearer realm="items", error="invalid_token"'
FORM = {"content-type": accounts.FORM}
JSON = {"content-type": "application/json"}
ARTIFACTS = Path(os.environ.get("CONTRACT_ARTIFACTS", implementations.ROOT / "contract-artifacts"))


def unauthorized(response: httpx.Response, challenge: str) -> None:
    """A 401 problem whose ``WWW-Authenticate`` is exactly ``challenge`` (RFC 9110 §11.6.1, RFC 6750 §3)."""
    problem(response, 401)
    assert response.headers.get("www-authenticate") == challenge, response.headers.get("www-authenticate")


def token_error(response: httpx.Response, error: str) -> dict:
    """A 400 problem carrying RFC 6749 §5.2's ``error`` member."""
    body = problem(response, 400)
    assert body.get("error") == error, body
    return body


@pytest.fixture(scope="module")
def alice(anonymous) -> accounts.Account:
    return accounts.sign_up(anonymous, "alice")


@pytest.fixture(scope="module")
def bob(anonymous) -> accounts.Account:
    return accounts.sign_up(anonymous, "bob")


@pytest.fixture
def alices_item(anonymous, alice, prefix) -> dict:
    response = anonymous.post("/items", json={"title": prefix, "price": 1}, headers=alice.headers)
    assert response.is_success, response.text  # 201 is test_crud's to check
    return response.json()


# region: sign-up
def test_sign_up_answers_201_the_user_and_its_location(anonymous):
    username = accounts.unique_username("new")
    response = anonymous.post("/users", json={"username": username, "password": "correct horse"})
    expect(response, 201)
    assert media_type(response) == "application/json"
    body = response.json()
    assert set(body) == {"id", "username"} and body["username"] == username, body
    assert isinstance(body["id"], int) and body["id"] >= 1
    assert response.headers.get("location") == f"/users/{body['id']}"
    assert anonymous.get(f"/users/{body['id']}").json() == body


@pytest.mark.parametrize(
    ("username", "password"),
    [
        pytest.param("a.b@c+d_e-F9-{hex}", "x" * 128, id="every-allowed-character-and-longest-password"),
        pytest.param("u" * 140 + "{hex}", "12345678", id="150-characters-and-shortest-password"),
    ],
)
def test_sign_up_accepts_the_bounds(anonymous, username, password):
    name = username.format(hex=accounts.unique_username("")[1:])
    assert len(name) <= 150
    response = anonymous.post("/users", json={"username": name, "password": password})
    expect(response, 201)
    assert response.json()["username"] == name


def test_one_character_username_is_valid(anonymous):
    response = anonymous.post("/users", json={"username": "z", "password": "12345678"})
    assert response.status_code in (201, 409), response.text  # 409: taken by an earlier run, so valid


SIGN_UP_CASES = [
    pytest.param({"password": "12345678"}, {("username", "required")}, id="username-missing"),
    pytest.param({"username": "u"}, {("password", "required")}, id="password-missing"),
    pytest.param({}, {("username", "required"), ("password", "required")}, id="empty-object"),
    pytest.param({"username": "", "password": "12345678"}, {("username", "too_short")}, id="username-empty"),
    pytest.param({"username": "u" * 151, "password": "12345678"}, {("username", "too_long")}, id="username-151"),
    pytest.param({"username": "a b", "password": "12345678"}, {("username", "invalid_value")}, id="username-space"),
    pytest.param({"username": "é", "password": "12345678"}, {("username", "invalid_value")}, id="username-non-ascii"),
    pytest.param({"username": "a\x00", "password": "12345678"}, {("username", "invalid_value")}, id="username-NUL"),
    pytest.param({"username": 123, "password": "12345678"}, {("username", "wrong_type")}, id="username-number"),
    pytest.param({"username": None, "password": "12345678"}, {("username", "null")}, id="username-null"),
    pytest.param({"username": "u", "password": "short"}, {("password", "too_short")}, id="password-7"),
    pytest.param({"username": "u", "password": "p" * 129}, {("password", "too_long")}, id="password-129"),
    pytest.param({"username": "u", "password": "pass\x00word"}, {("password", "invalid_value")}, id="password-NUL"),
    pytest.param({"username": "u", "password": 12345678}, {("password", "wrong_type")}, id="password-number"),
    pytest.param({"username": "u", "password": None}, {("password", "null")}, id="password-null"),
    pytest.param(
        {"username": "u", "password": "12345678", "email": "u@example.org"},
        {("email", "unknown_field")},
        id="unknown-field",
    ),
    pytest.param({"username": "u", "password": "12345678", "id": 5}, {("id", "unknown_field")}, id="read-only-id"),
]


@pytest.mark.parametrize(("body", "pairs"), SIGN_UP_CASES)
def test_sign_up_refuses_with_field_and_code(anonymous, body, pairs):
    assert error_pairs(anonymous.post("/users", json=body)) == pairs


def test_taken_username_is_409_and_names_compare_exactly(anonymous):
    username = accounts.unique_username("Taken")
    expect(anonymous.post("/users", json={"username": username, "password": "12345678"}), 201)
    problem(anonymous.post("/users", json={"username": username, "password": "another one"}), 409)
    # 422 comes before 409: a taken name with a bad password is a validation error.
    assert error_pairs(anonymous.post("/users", json={"username": username, "password": "short"})) == {
        ("password", "too_short")
    }
    expect(anonymous.post("/users", json={"username": username.lower(), "password": "12345678"}), 201)


def test_sign_up_body_rules_are_the_items_rules(anonymous):
    problem(anonymous.post("/users", content=b"{bad", headers=JSON), 400)
    problem(
        anonymous.post("/users", content=b'{"username": "a", "username": "b", "password": "12345678"}', headers=JSON),
        400,
    )
    problem(anonymous.post("/users", content=b'{"username": "u", "password": "12345678"}', headers=FORM), 415)
    problem(anonymous.post("/users", content=b"{" * (ONE_MIB + 1), headers=JSON), 413)


# endregion
# region: reading users
@pytest.mark.parametrize(
    "path", ["/users/abc", "/users/0", "/users/-1", "/users/99999999999999999999", "/users/987654321"]
)
def test_unknown_or_malformed_user_id_is_404(anonymous, path):
    problem(anonymous.get(path), 404)


def test_me_is_the_user_the_token_names(anonymous, alice):
    response = anonymous.get("/users/me", headers=alice.headers)
    expect(response, 200)
    assert response.json() == {"id": alice.id, "username": alice.username}


@pytest.mark.parametrize(
    ("method", "path", "methods"),
    [
        ("GET", "/users", {"POST"}),
        ("DELETE", "/users", {"POST"}),
        ("PUT", "/users/me", {"GET", "HEAD"}),
        ("POST", "/users/1", {"GET", "HEAD"}),
        ("DELETE", "/users/1", {"GET", "HEAD"}),
        ("GET", "/token", {"POST"}),
    ],
)
def test_method_not_allowed_on_accounts_paths(anonymous, method, path, methods):
    response = anonymous.request(method, path)
    problem(response, 405)
    assert allowed(response) == methods


@pytest.mark.parametrize(
    ("path", "methods"), [("/users", {"POST"}), ("/users/me", {"GET", "HEAD"}), ("/token", {"POST"})]
)
def test_options_on_accounts_paths(anonymous, path, methods):
    response = anonymous.options(path, headers={"authorization": "Bearer not-a-token"})
    expect(response, 204)
    assert allowed(response) == methods


# endregion
# region: /token (RFC 6749 §4.3, §5.1, §5.2)
def test_token_is_a_bearer_token_that_must_not_be_cached(anonymous, alice):
    form = {"grant_type": "password", "username": alice.username, "password": alice.password, "scope": "anything"}
    response = anonymous.post("/token", data=form)
    expect(response, 200)
    assert media_type(response) == "application/json"
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}, body
    assert body["token_type"] == "Bearer" and isinstance(body["access_token"], str) and body["access_token"]
    assert isinstance(body["expires_in"], int) and body["expires_in"] >= 1
    assert "no-store" in response.headers.get("cache-control", ""), response.headers.get("cache-control")
    expect(anonymous.get("/users/me", headers={"authorization": f"Bearer {body['access_token']}"}), 200)


def test_token_form_with_a_charset_parameter(anonymous, alice):
    form = f"grant_type=password&username={alice.username}&password={alice.password}"
    headers = {"content-type": "application/x-www-form-urlencoded; charset=UTF-8"}
    expect(anonymous.post("/token", content=form.encode(), headers=headers), 200)


@pytest.mark.parametrize(
    ("form", "error"),
    [
        pytest.param("username={u}&password={p}", "invalid_request", id="grant_type-missing"),
        pytest.param("grant_type=password&password={p}", "invalid_request", id="username-missing"),
        pytest.param("grant_type=password&username={u}", "invalid_request", id="password-missing"),
        pytest.param("grant_type=password&username={u}&password=", "invalid_request", id="password-empty"),
        pytest.param("grant_type=&username={u}&password={p}", "invalid_request", id="grant_type-empty"),
        pytest.param("grant_type=password&username={u}&username={u}&password={p}", "invalid_request", id="repeated"),
        pytest.param("", "invalid_request", id="empty-body"),
        pytest.param("grant_type=client_credentials&username={u}&password={p}", "unsupported_grant_type", id="grant"),
        pytest.param("grant_type=PASSWORD&username={u}&password={p}", "unsupported_grant_type", id="grant-case"),
        pytest.param("grant_type=password&username={u}&password=wrong-{p}", "invalid_grant", id="wrong-password"),
        pytest.param("grant_type=password&username={U}&password={p}", "invalid_grant", id="username-case"),
        pytest.param("grant_type=password&username=nobody-{u}&password={p}", "invalid_grant", id="unknown-user"),
        pytest.param("grant_type=password&username=a%00b&password={p}", "invalid_grant", id="username-NUL"),
        pytest.param("grant_type=password&username=a%20b&password={p}", "invalid_grant", id="username-space"),
    ],
)
def test_token_errors_name_rfc_6749s_error(anonymous, alice, form, error):
    body = form.format(u=alice.username, U=alice.username.upper(), p=alice.password).encode()
    token_error(anonymous.post("/token", content=body, headers=FORM), error)


def test_unknown_user_and_wrong_password_are_one_answer(anonymous, alice):
    wrong = {"grant_type": "password", "username": alice.username, "password": "not-the-password"}
    unknown = {**wrong, "username": f"nobody-{alice.username}"}
    first, second = anonymous.post("/token", data=wrong), anonymous.post("/token", data=unknown)
    assert first.json() == second.json() and first.status_code == second.status_code == 400


def test_unknown_user_costs_the_same_work_as_a_wrong_password(anonymous, alice):
    """A lookup that skips hashing answers an unknown user in a fraction of a wrong password's time."""
    wrong = {"grant_type": "password", "username": alice.username, "password": "not-the-password"}
    unknown = {**wrong, "username": f"nobody-{alice.username}"}

    def median(form) -> float:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            anonymous.post("/token", data=form)
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    wrong_time, unknown_time = median(wrong), median(unknown)
    assert unknown_time > 0.3 * wrong_time, (
        f"an unknown user was answered in {unknown_time * 1000:.1f} ms, a wrong password in "
        f"{wrong_time * 1000:.1f} ms: the password hash was skipped, so the time tells which users exist"
    )


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(JSON, id="json"),
        pytest.param({"content-type": "text/plain"}, id="text"),
        pytest.param({}, id="none"),
    ],
)
def test_token_needs_a_form(anonymous, alice, headers):
    body = json.dumps({"grant_type": "password", "username": alice.username, "password": alice.password}).encode()
    problem(anonymous.post("/token", content=body, headers=headers), 415)


def test_token_body_rules(anonymous, alice):
    problem(anonymous.post("/token", content=b"grant_type=password&password=" + b"x" * ONE_MIB, headers=FORM), 413)
    form = f"grant_type=password&username={alice.username}&password={alice.password}".encode()
    problem(anonymous.post("/token", content=form, headers={**FORM, "content-encoding": "gzip"}), 415)


def test_token_endpoint_does_not_read_authorization(anonymous, alice):
    form = {"grant_type": "password", "username": alice.username, "password": alice.password}
    expect(anonymous.post("/token", data=form, headers={"authorization": "Bearer garbage"}), 200)


# endregion
# region: 401 and its challenge (RFC 9110 §11.6.1, RFC 6750 §3)
def protected_requests(item_id: int):
    body = {"title": "t", "price": 1}
    return [
        ("POST", "/items", body),
        ("PUT", f"/items/{item_id}", body),
        ("PATCH", f"/items/{item_id}", {}),
        ("DELETE", f"/items/{item_id}", None),
        ("GET", "/users/me", None),
    ]


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(None, id="none"),
        pytest.param("Basic dXNlcjpwYXNzd29yZA==", id="basic"),
        pytest.param("Digest username=x", id="digest"),
    ],
)
def test_protected_operation_without_bearer_credentials_is_401_with_the_challenge(
    anonymous, alices_item, authorization
):
    headers = {} if authorization is None else {"authorization": authorization}
    for method, path, body in protected_requests(alices_item["id"]):
        unauthorized(anonymous.request(method, path, json=body, headers=headers), CHALLENGE)
    assert anonymous.get(f"/items/{alices_item['id']}").json() == alices_item


def tampered(token: str) -> str:
    middle = len(token) // 2
    return token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]


def unsigned_jwt(token: str) -> str | None:
    """The token's own claims under ``alg: none`` (RFC 7519 §6), when the token is a JWT; else None."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).rstrip(b"=").decode()
    return f"{header}.{parts[1]}."


def bad_tokens(account: accounts.Account) -> list[str]:
    tokens = ["", "garbage", "a.b.c", tampered(account.token), account.token + "x", account.token[:-2]]
    if (unsigned := unsigned_jwt(account.token)) is not None:
        tokens.append(unsigned)
    return tokens


def test_invalid_token_is_401_on_every_operation_public_reads_included(anonymous, alice, alices_item):
    operations = [
        *protected_requests(alices_item["id"]),
        ("GET", "/items", None),
        ("GET", f"/items/{alices_item['id']}", None),
        ("HEAD", "/items", None),
        ("GET", f"/users/{alice.id}", None),
        ("POST", "/users", {"username": accounts.unique_username(), "password": "12345678"}),
    ]
    for token in bad_tokens(alice):
        authorization = f"Bearer {token}" if token else "Bearer"  # a header value cannot end in a space
        for method, path, body in operations:
            response = anonymous.request(method, path, json=body, headers={"authorization": authorization})
            assert response.status_code == 401, (token, method, path, response.status_code, response.text[:200])
            assert response.headers.get("www-authenticate") == INVALID_TOKEN, (token, method, path)
    assert anonymous.get(f"/items/{alices_item['id']}").json() == alices_item


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
def test_the_scheme_name_is_case_insensitive(anonymous, alice, scheme):
    expect(anonymous.get("/users/me", headers={"authorization": f"{scheme} {alice.token}"}), 200)


def test_another_scheme_on_a_public_read_is_ignored(anonymous, alices_item):
    headers = {"authorization": "Basic dXNlcjpwYXNzd29yZA=="}
    expect(anonymous.get("/items", headers=headers), 200)
    expect(anonymous.get(f"/items/{alices_item['id']}", headers=headers), 200)


def test_requests_answered_without_an_operation_never_look_at_credentials(anonymous, alices_item):
    garbage = {"authorization": "Bearer garbage"}
    expect(anonymous.options("/items", headers=garbage), 204)
    expect(anonymous.options(f"/items/{alices_item['id']}", headers=garbage), 204)
    problem(anonymous.put("/items", json={}, headers=garbage), 405)
    problem(anonymous.get("/nope", headers=garbage), 404)
    problem(anonymous.get("/items/abc", headers=garbage), 404)


# endregion
# region: ownership (DRF tutorial part 4's IsOwnerOrReadOnly; flaskr's check_author)
def test_created_item_is_owned_by_the_tokens_user(anonymous, alice, prefix):
    response = anonymous.post("/items", json={"title": prefix, "price": 2}, headers=alice.headers)
    expect(response, 201)
    assert_item(response.json(), owner=alice.username, title=prefix)
    assert anonymous.get(f"/items/{response.json()['id']}").json()["owner"] == alice.username


def test_only_the_owner_may_change_or_delete(anonymous, alice, bob, alices_item):
    path = f"/items/{alices_item['id']}"
    for method, body in [("PUT", {"title": "bob's now", "price": 9}), ("PATCH", {"price": 9}), ("DELETE", None)]:
        response = anonymous.request(method, path, json=body, headers=bob.headers)
        problem(response, 403)
        assert "www-authenticate" not in response.headers, "a 403 carries no challenge"
    assert anonymous.get(path).json() == alices_item
    replaced = anonymous.put(path, json={"title": "renamed", "price": 3}, headers=alice.headers)
    assert replaced.status_code == 200 and replaced.json()["owner"] == alice.username, replaced.text
    expect(anonymous.delete(path, headers=alice.headers), 204)


def test_owner_is_read_only(client, alice, alices_item, prefix):
    assert error_pairs(client.post("/items", json={"title": prefix, "price": 1, "owner": "x"})) == {
        ("owner", "unknown_field")
    }
    response = client.patch(f"/items/{alices_item['id']}", json={"owner": alice.username}, headers=alice.headers)
    assert error_pairs(response) == {("owner", "unknown_field")}


def test_owner_filter_is_an_exact_match(anonymous, alice, bob, prefix):
    for account, count in [(alice, 2), (bob, 1)]:
        for number in range(count):
            body = {"title": f"{prefix}-{number}", "price": 1}
            expect(anonymous.post("/items", json=body, headers=account.headers), 201)

    def owners(**params) -> list[str]:
        return [item["owner"] for item in anonymous.get("/items", params={"q": prefix, **params}).json()["items"]]

    assert owners(owner=alice.username) == [alice.username] * 2
    assert owners(owner=bob.username) == [bob.username]
    assert owners(owner=alice.username.upper()) == []
    assert owners(owner=alice.username[:-1]) == []
    assert owners(owner="") == []
    assert anonymous.get("/items", params={"q": prefix, "owner": alice.username}).json()["total"] == 2


@pytest.mark.parametrize(
    ("value", "code"), [pytest.param("u" * 151, "too_long", id="151"), pytest.param("a\x00", "invalid_value", id="NUL")]
)
def test_bad_owner_filter_is_422(anonymous, value, code):
    assert error_pairs(anonymous.get("/items", params={"owner": value})) == {("owner", code)}


# endregion
# region: precedence: 404 route > 405 > 401 > 415 > 413 > 400 > 422 > 404 item > 403
def test_anonymous_body_is_never_read(anonymous, alices_item):
    path = f"/items/{alices_item['id']}"
    unauthorized(anonymous.post("/items", content=b"{bad", headers=JSON), CHALLENGE)
    unauthorized(anonymous.post("/items", json={"price": -1}), CHALLENGE)
    unauthorized(anonymous.post("/items", content=b"{}", headers={"content-type": "text/plain"}), CHALLENGE)
    unauthorized(anonymous.put(path, content=b"{" * (ONE_MIB + 1), headers=JSON), CHALLENGE)
    unauthorized(anonymous.put("/items/987654321", json={"title": "x", "price": 1}), CHALLENGE)
    problem(anonymous.put("/items/abc", json={"price": -1}), 404)
    problem(anonymous.post(path, json={"price": -1}), 405)


def test_another_users_request_is_validated_then_looked_up_then_refused(anonymous, bob, alices_item):
    path = f"/items/{alices_item['id']}"
    assert error_pairs(anonymous.put(path, json={"price": -1}, headers=bob.headers)) == {
        ("title", "required"),
        ("price", "too_small"),
    }
    problem(anonymous.patch(path, content=b"{bad", headers={**JSON, **bob.headers}), 400)
    problem(anonymous.put("/items/987654321", json={"title": "x", "price": 1}, headers=bob.headers), 404)
    problem(anonymous.delete("/items/987654321", headers=bob.headers), 404)
    problem(anonymous.patch(path, json={"price": 2}, headers=bob.headers), 403)


# endregion
# region: lifetime and keys
@pytest.fixture(scope="module")
def short_lived_server(request):
    """A second server of the implementation under test with ``TOKEN_TTL_SECONDS=2``, its own secret."""
    name = request.config.getoption("--impl")
    if not name or request.config.getoption("--base-url"):
        pytest.skip("needs a server the suite starts itself (--impl): a server at --base-url has its own TTL")
    impl = implementations.get(name)
    venv = request.config.getoption("--impl-venv")
    db = request.config.getoption("--db")
    try:
        with contextlib.ExitStack() as stack:
            database = stack.enter_context(databases.sqlite() if db == "sqlite" else databases.postgres(f"{name}_ttl"))
            url = stack.enter_context(
                server.running(
                    impl,
                    database,
                    ARTIFACTS,
                    venv and Path(venv).resolve(),
                    extra_env={"TOKEN_TTL_SECONDS": "2"},
                    log_name=f"{name}-short-ttl-server.log",
                )
            )
            yield url
    except databases.DatabaseUnavailable as error:
        databases.unavailable(error)


def test_token_expires_after_expires_in(short_lived_server):
    with httpx.Client(base_url=short_lived_server, timeout=30) as http:
        account = accounts.sign_up(http, "ttl")
        response = http.post(
            "/token", data={"grant_type": "password", "username": account.username, "password": account.password}
        )
        assert response.json()["expires_in"] == 2
        fresh = {"authorization": f"Bearer {response.json()['access_token']}"}
        expect(http.get("/users/me", headers=fresh), 200)
        # Refused 3.5 s later at the latest; asked every 0.1 s rather than slept through (a second saved per run).
        deadline = time.monotonic() + 3.5
        while time.monotonic() < deadline and http.get("/users/me", headers=fresh).status_code == 200:
            time.sleep(0.1)
        unauthorized(http.get("/users/me", headers=fresh), INVALID_TOKEN)
        unauthorized(http.get("/items", headers=fresh), INVALID_TOKEN)


def test_token_signed_by_another_server_is_invalid(short_lived_server, anonymous, alice):
    """The second server has its own secret: the first server's token means nothing there."""
    with httpx.Client(base_url=short_lived_server, timeout=30) as http:
        newest = 0
        while newest < alice.id:  # a user with alice's id exists there too (sign-ups only: no token is needed)
            filler = {"username": accounts.unique_username("filler"), "password": "filler-password"}
            newest = expect(http.post("/users", json=filler), 201).json()["id"]
        unauthorized(http.get("/users/me", headers=alice.headers), INVALID_TOKEN)


# endregion
# region: no password in any answer or log line
def test_no_answer_holds_a_password(anonymous):
    password = f"secret-{accounts.unique_username()}"
    account = accounts.sign_up(anonymous, "quiet", password=password)
    answers = [
        anonymous.get(f"/users/{account.id}"),
        anonymous.get("/users/me", headers=account.headers),
        anonymous.post("/users", json={"username": account.username, "password": password}),
        anonymous.post("/token", data={"grant_type": "password", "username": account.username, "password": password}),
        anonymous.post(
            "/token", data={"grant_type": "password", "username": account.username, "password": password + "x"}
        ),
    ]
    for answer in answers:
        assert password not in answer.text, answer.text
        assert not any(scheme in answer.text.lower() for scheme in ("pbkdf2", "argon2", "scrypt", "bcrypt")), (
            answer.text
        )


def test_server_log_holds_no_password(request, anonymous):
    name = request.config.getoption("--impl")
    if not name:
        pytest.skip("the server log is read only when the suite started the server (--impl)")
    password = f"logged-{accounts.unique_username()}"
    account = accounts.sign_up(anonymous, "log", password=password)
    anonymous.post("/token", data={"grant_type": "password", "username": account.username, "password": password})
    anonymous.post("/token", data={"grant_type": "password", "username": "nobody", "password": password})
    anonymous.post("/users", json={"username": "bad name", "password": password})
    log = ARTIFACTS / f"{name}-server.log"
    assert log.is_file(), f"no server log at {log}"
    assert password not in log.read_text(errors="replace"), f"{log} holds a password"


# endregion

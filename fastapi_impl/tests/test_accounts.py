"""Accounts, tokens and ownership: sign-up, /token's RFC 6749 errors, 401 and its challenge, 403, precedence."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from items_fastapi.config import get_settings
from tests.databases import APP_FOLDER, on_database
from tests.support import assert_problem, error_pairs, sign_up

CHALLENGE = 'Bearer realm="items"'
INVALID_TOKEN = 'Bearer realm="items", error="invalid_token"'
JSON = {"content-type": "application/json"}
FORM = {"content-type": "application/x-www-form-urlencoded"}
ONE_MIB = 1024 * 1024


def unauthorized(response, challenge: str) -> None:
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == challenge


def token_error(response, error: str) -> None:
    assert assert_problem(response, 400)["error"] == error


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def signed(claims: dict, key: str | None = None, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key or get_settings().secret_key.get_secret_value(), algorithm=algorithm)


def in_an_hour() -> datetime:
    return datetime.now(UTC) + timedelta(hours=1)


def test_sign_up_then_token_then_me(anonymous):
    created = anonymous.post("/users", json={"username": "Alice", "password": "correct horse"})
    assert created.status_code == 201
    assert created.json() == {"id": 1, "username": "Alice"}
    assert created.headers["location"] == "/users/1"
    form = {"grant_type": "password", "username": "Alice", "password": "correct horse", "scope": "ignored"}
    response = anonymous.post("/token", data=form)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 3600)
    assert jwt.decode(body["access_token"], options={"verify_signature": False})["sub"] == "1"
    me = anonymous.get("/users/me", headers=bearer(body["access_token"]))
    assert me.json() == {"id": 1, "username": "Alice"}
    assert anonymous.get("/users/1").json() == me.json()


def test_taken_username_is_409_after_validation_and_names_compare_exactly(anonymous):
    sign_up(anonymous, "alice")
    assert_problem(anonymous.post("/users", json={"username": "alice", "password": "another one"}), 409)
    assert error_pairs(anonymous.post("/users", json={"username": "alice", "password": "short"})) == {
        ("password", "too_short")
    }
    assert anonymous.post("/users", json={"username": "Alice", "password": "12345678"}).status_code == 201


@pytest.mark.parametrize(
    ("username", "code"), [("alice\n", "invalid_value"), ("a b", "invalid_value"), ("é", "invalid_value")]
)
def test_username_is_ascii_letters_digits_and_dot_at_plus_underscore_hyphen(anonymous, username, code):
    assert error_pairs(anonymous.post("/users", json={"username": username, "password": "12345678"})) == {
        ("username", code)
    }


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ("username=alice&password=correct+horse", "invalid_request"),
        ("grant_type=password&username=alice", "invalid_request"),
        ("grant_type=password&username=&password=correct+horse", "invalid_request"),
        ("grant_type=password&username=alice&password=correct+horse&password=correct+horse", "invalid_request"),
        ("grant_type=password&grant_type=password&username=alice&password=correct+horse", "invalid_request"),
        ("grant_type=password&username=%FF&password=correct+horse", "invalid_request"),  # not UTF-8
        ("grant_type=refresh_token&refresh_token=x", "unsupported_grant_type"),
        ("grant_type=password&username=alice&password=wrong", "invalid_grant"),
        ("grant_type=password&username=bob&password=correct+horse", "invalid_grant"),
        ("grant_type=password&username=ali%00ce&password=correct+horse", "invalid_grant"),  # no user could have it
        ("grant_type=password&username=" + "a" * 151 + "&password=correct+horse", "invalid_grant"),
    ],
)
def test_token_errors_are_rfc_6749s(anonymous, form, error):
    sign_up(anonymous, "alice")
    token_error(anonymous.post("/token", content=form.encode(), headers=FORM), error)


def test_token_body_is_a_form_read_like_any_body(anonymous):
    form = b"grant_type=password&username=alice&password=correct+horse"
    assert_problem(anonymous.post("/token", content=form, headers=JSON), 415)
    assert_problem(anonymous.post("/token", content=form), 415)
    assert_problem(anonymous.post("/token", content=form, headers={**FORM, "content-encoding": "gzip"}), 415)
    assert_problem(anonymous.post("/token", content=form + b"x" * ONE_MIB, headers=FORM), 413)
    sign_up(anonymous, "alice")
    charset = {"content-type": "application/x-www-form-urlencoded; charset=ISO-8859-1"}  # ignored
    assert anonymous.post("/token", content=form, headers=charset).status_code == 200
    assert anonymous.post("/token", content=form, headers={**FORM, **bearer("garbage")}).status_code == 200


def tampered(token: str) -> str:
    head, claims, signature = token.split(".")
    return f"{head}.{claims}.{signature[:-4]}{'AAAA' if signature[-4:] != 'AAAA' else 'BBBB'}"


def unsigned(claims: dict) -> str:
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def bad_tokens(token: str) -> dict[str, str]:
    claims = {"sub": "1", "exp": in_an_hour()}
    return {
        "empty": "",
        "garbage": "garbage",
        "tampered": tampered(token),
        "alg none": unsigned({"sub": "1", "exp": int(in_an_hour().timestamp())}),
        "expired": signed({"sub": "1", "exp": datetime.now(UTC) - timedelta(seconds=1)}),
        "another key": signed(claims, key="another key of at least thirty-two characters"),
        "HS512": signed(claims, key=get_settings().secret_key.get_secret_value() * 2, algorithm="HS512"),
        "no exp": signed({"sub": "1"}),
        "sub not an id": signed({"sub": "alice", "exp": in_an_hour()}),
        "sub beyond int64": signed({"sub": str(2**63), "exp": in_an_hour()}),
        "nobody's id": signed({"sub": "2", "exp": in_an_hour()}),
    }


def test_invalid_tokens_are_401_invalid_token_everywhere_public_reads_included(client, anonymous, create):
    item = create(title="pen", price=1)
    token = client.headers["authorization"].removeprefix("Bearer ")
    requests = [
        ("GET", "/items", None),
        ("HEAD", "/items", None),
        ("GET", f"/items/{item['id']}", None),
        ("HEAD", "/users/1", None),
        ("POST", "/users", {"username": "new", "password": "12345678"}),
        ("POST", "/items", {"title": "x", "price": 1}),
        ("PUT", f"/items/{item['id']}", {"title": "x", "price": 1}),
        ("PATCH", f"/items/{item['id']}", {}),
        ("DELETE", f"/items/{item['id']}", None),
        ("GET", "/users/me", None),
    ]
    for name, bad in bad_tokens(token).items():
        for method, path, body in requests:
            response = anonymous.request(method, path, json=body, headers=bearer(bad))
            assert response.status_code == 401, (name, method, path)
            assert response.headers["www-authenticate"] == INVALID_TOKEN, (name, method, path)
    assert anonymous.get(f"/items/{item['id']}").json() == item


@pytest.mark.parametrize("authorization", [None, "Basic dXNlcjpwYXNzd29yZA==", "Token abc"])
def test_no_bearer_credentials_on_a_protected_operation_is_401_with_the_bare_challenge(
    anonymous, create, authorization
):
    item_id = create(title="pen", price=1)["id"]
    headers = {"authorization": authorization} if authorization else {}
    for method, path, body in [
        ("POST", "/items", {"title": "x", "price": 1}),
        ("PUT", f"/items/{item_id}", {"title": "x", "price": 1}),
        ("PATCH", f"/items/{item_id}", {}),
        ("DELETE", f"/items/{item_id}", None),
        ("GET", "/users/me", None),
    ]:
        unauthorized(anonymous.request(method, path, json=body, headers=headers), CHALLENGE)
    head = anonymous.head("/users/me", headers=headers)  # as GET would answer, without the body
    assert (head.status_code, head.headers["www-authenticate"], head.content) == (401, CHALLENGE, b"")
    assert anonymous.get("/items", headers=headers).status_code == 200  # another scheme: a public read, anonymous


def test_401_comes_before_any_byte_of_the_body_is_read(anonymous, client, create):
    """FastAPI reads the body before it solves dependencies: JSONBodyRoute checks the credentials first."""
    item_id = create(title="pen", price=1)["id"]
    token = client.headers["authorization"].removeprefix("Bearer ")
    for headers, challenge in [({}, CHALLENGE), (bearer(tampered(token)), INVALID_TOKEN)]:
        unauthorized(anonymous.post("/items", content=b"{bad", headers={**JSON, **headers}), challenge)
        unauthorized(
            anonymous.post("/items", content=b"{}", headers={"content-type": "text/plain", **headers}), challenge
        )
        unauthorized(
            anonymous.put(f"/items/{item_id}", content=b"[" * (ONE_MIB + 1), headers={**JSON, **headers}), challenge
        )
        unauthorized(anonymous.patch(f"/items/{item_id}", json={"price": -1}, headers=headers), challenge)
        unauthorized(anonymous.put("/items/999", json={"title": "x", "price": 1}, headers=headers), challenge)
    unauthorized(anonymous.post("/users", content=b"{bad", headers={**JSON, **bearer("garbage")}), INVALID_TOKEN)
    assert_problem(anonymous.post("/users", content=b"{bad", headers=JSON), 400)  # public: anonymous is fine


async def delete_users(connection: AsyncConnection) -> None:
    await connection.execute(text("UPDATE items SET owner_id = NULL"))
    await connection.execute(text("DELETE FROM users"))


def test_a_token_whose_user_is_gone_is_401_invalid_token_even_before_a_bad_body(client, database_url):
    on_database(database_url, delete_users)
    unauthorized(client.get("/users/me"), INVALID_TOKEN)
    unauthorized(client.get("/items"), INVALID_TOKEN)
    unauthorized(client.post("/items", json={"title": "x", "price": 1}), INVALID_TOKEN)
    unauthorized(client.post("/items", content=b"{bad", headers=JSON), INVALID_TOKEN)
    unauthorized(client.post("/items", content=b"{}", headers={"content-type": "text/plain"}), INVALID_TOKEN)


def test_precedence_for_another_user_422_then_404_then_403(anonymous, create):
    item = create(title="pen", price=1)
    other = sign_up(anonymous, "other")
    path = f"/items/{item['id']}"
    assert error_pairs(anonymous.put(path, json={"price": -1}, headers=other)) == {
        ("title", "required"),
        ("price", "too_small"),
    }
    assert_problem(anonymous.patch(path, content=b"{bad", headers={**JSON, **other}), 400)
    assert_problem(anonymous.put("/items/999", json={"title": "x", "price": 1}, headers=other), 404)
    for method, body in [("PUT", {"title": "x", "price": 1}), ("PATCH", {}), ("DELETE", None)]:
        response = anonymous.request(method, path, json=body, headers=other)
        assert_problem(response, 403)
        assert "www-authenticate" not in response.headers
    assert anonymous.get(path).json() == item


def test_owner_is_read_only_and_filters_exactly(client, anonymous, create):
    create(title="pen", price=1)
    assert error_pairs(client.post("/items", json={"title": "x", "price": 1, "owner": "someone"})) == {
        ("owner", "unknown_field")
    }
    assert error_pairs(client.patch("/items/1", json={"owner": "owner"})) == {("owner", "unknown_field")}
    assert client.put("/items/1", json={"title": "ink", "price": 2}).json()["owner"] == "owner"
    assert anonymous.get("/items", params={"owner": "owner"}).json()["total"] == 1
    assert anonymous.get("/items", params={"owner": "Owner"}).json()["total"] == 0
    assert anonymous.get("/items", params={"owner": "a b"}).json()["total"] == 0
    assert error_pairs(anonymous.get("/items", params={"owner": "o" * 151})) == {("owner", "too_long")}
    assert error_pairs(anonymous.get("/items", params={"owner": "o\x00"})) == {("owner", "invalid_value")}


def test_options_405_and_unknown_routes_never_read_credentials(anonymous):
    garbage = bearer("garbage")
    for path, allow in [("/users", "POST"), ("/users/me", "GET, HEAD"), ("/users/1", "GET, HEAD"), ("/token", "POST")]:
        response = anonymous.options(path, headers=garbage)
        assert (response.status_code, response.headers["allow"]) == (204, allow)
    assert assert_problem(anonymous.get("/users", headers=garbage), 405) and True
    assert_problem(anonymous.put("/users/me", headers=garbage), 405)
    assert_problem(anonymous.get("/users/abc", headers=garbage), 404)
    assert_problem(anonymous.get("/token", headers=garbage), 405)


@pytest.mark.real_password_hashes
def test_passwords_are_argon2id_hashes_never_answered_and_an_unknown_user_costs_a_hash(anonymous, database_url):
    headers = sign_up(anonymous, "alice", password="a secret password")
    answers = [
        anonymous.get("/users/1"),
        anonymous.get("/users/me", headers=headers),
        anonymous.post("/users", json={"username": "alice", "password": "a secret password"}),
        anonymous.post("/token", data={"grant_type": "password", "username": "alice", "password": "a secret password"}),
    ]
    assert not any("secret" in answer.text or "argon2" in answer.text for answer in answers)

    async def stored_hash(connection: AsyncConnection) -> str:
        return await connection.scalar(text("SELECT hashed_password FROM users"))

    # pwdlib's recommended hasher: Argon2id with RFC 9106's second recommended parameters.
    assert on_database(database_url, stored_hash).startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_without_secret_key_the_app_stops_at_start_with_a_clear_error_but_migrations_run(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    started = subprocess.run(
        [sys.executable, "-c", "import items_fastapi.main"], cwd=APP_FOLDER, env=env, capture_output=True, text=True
    )
    assert started.returncode != 0
    assert "SECRET_KEY is not set" in started.stderr
    short = subprocess.run(
        [sys.executable, "-c", "import items_fastapi.main"],
        cwd=APP_FOLDER,
        env={**env, "SECRET_KEY": "too short"},
        capture_output=True,
        text=True,
    )
    assert short.returncode != 0 and "secret_key" in short.stderr
    migrated = subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=APP_FOLDER,
        env={**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'items.db'}"},
        capture_output=True,
        text=True,
    )
    assert migrated.returncode == 0, migrated.stderr


def test_token_lifetime_comes_from_token_ttl_seconds(anonymous, monkeypatch):
    monkeypatch.setenv("TOKEN_TTL_SECONDS", "60")
    get_settings.cache_clear()
    try:
        headers = sign_up(anonymous, "alice")
        claims = jwt.decode(headers["Authorization"].removeprefix("Bearer "), options={"verify_signature": False})
        assert 55 <= claims["exp"] - datetime.now(UTC).timestamp() <= 60
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()

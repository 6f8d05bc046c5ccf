"""Accounts, tokens and ownership: sign-up, /token (RFC 6749), 401 and its challenge (RFC 6750), 403, precedence."""

from __future__ import annotations

import base64
import json
import logging
from datetime import timedelta

import jwt
import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.auth.models import User
from django.test import Client
from rest_framework_simplejwt.tokens import AccessToken

from items.models import Item
from tests.conftest import APIClient, bearer
from tests.problem import assert_problem, error_pairs

CHALLENGE = 'Bearer realm="items"'
INVALID_TOKEN = 'Bearer realm="items", error="invalid_token"'
FORM = "application/x-www-form-urlencoded"
PASSWORD = "correct horse"


def unauthorized(response, challenge: str) -> None:
    assert_problem(response, 401)
    assert response["WWW-Authenticate"] == challenge


def login(client: APIClient, form: str, content_type: str = FORM):
    return client.send("POST", "/token", raw=form.encode(), content_type=content_type)


# /token runs in no transaction of its own (TokenView.atomic_methods): its tests run in transaction=True mode, as a
# real request would, with nothing around it.
OUTSIDE_THE_REQUEST_TRANSACTION = pytest.mark.django_db(transaction=True, databases="__all__")


def token_error(response, error: str) -> None:
    assert_problem(response, 400)
    assert response.json()["error"] == error, response.json()


@pytest.fixture
def other(database) -> User:
    return User.objects.create_user("other", password=PASSWORD)


@pytest.fixture
def item(create) -> dict:
    return create(title="pen", price=1)


# region: tests
# --- sign-up -------------------------------------------------------------------------------------------------


def test_sign_up_answers_201_with_location_and_stores_only_a_hash(anonymous):
    response = anonymous.send("POST", "/users", {"username": "Alice.B@c+d_e-9", "password": PASSWORD})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body == {"id": body["id"], "username": "Alice.B@c+d_e-9"}
    assert response["Location"] == f"/users/{body['id']}"
    assert anonymous.get(f"/users/{body['id']}").json() == body
    stored = User.objects.get(pk=body["id"])
    assert stored.password != PASSWORD and stored.check_password(PASSWORD)  # PASSWORD_HASHERS
    assert PASSWORD not in response.content.decode() and stored.password not in response.content.decode()


@pytest.mark.parametrize(
    ("body", "pairs"),
    [
        ({"username": "", "password": PASSWORD}, {("username", "too_short")}),
        ({"username": "u" * 151, "password": PASSWORD}, {("username", "too_long")}),
        ({"username": "\u00e9" * 151, "password": PASSWORD}, {("username", "too_long")}),  # size before content
        ({"username": "\u00e9", "password": PASSWORD}, {("username", "invalid_value")}),  # Django's default allows it
        ({"username": "a b", "password": PASSWORD}, {("username", "invalid_value")}),
        ({"username": "a\x00", "password": PASSWORD}, {("username", "invalid_value")}),
        ({"username": 5, "password": None}, {("username", "wrong_type"), ("password", "null")}),
        ({"username": "u", "password": "7" * 7}, {("password", "too_short")}),
        ({"username": "u", "password": "p" * 129}, {("password", "too_long")}),
        ({"username": "u", "password": "pass\x00word"}, {("password", "invalid_value")}),
        (
            {"username": "u", "password": PASSWORD, "id": 1, "is_staff": True},
            {("id", "unknown_field"), ("is_staff", "unknown_field")},
        ),
        ({}, {("username", "required"), ("password", "required")}),
    ],
)
def test_sign_up_refuses_with_field_and_code(anonymous, body, pairs):
    assert error_pairs(anonymous.send("POST", "/users", body)) == pairs
    assert not User.objects.exists()


def test_a_password_is_kept_as_sent(anonymous):
    assert anonymous.send("POST", "/users", {"username": "u", "password": "  8 chars "}).status_code == 201
    assert User.objects.get(username="u").check_password("  8 chars ")


def test_taken_username_is_409_after_422_and_names_compare_exactly(anonymous):
    assert anonymous.send("POST", "/users", {"username": "Alice", "password": PASSWORD}).status_code == 201
    assert_problem(anonymous.send("POST", "/users", {"username": "Alice", "password": "another one"}), 409)
    assert error_pairs(anonymous.send("POST", "/users", {"username": "Alice", "password": "short"})) == {
        ("password", "too_short")
    }
    assert anonymous.send("POST", "/users", {"username": "alice", "password": PASSWORD}).status_code == 201
    assert User.objects.count() == 2


def test_users_me_and_their_methods(client, anonymous, owner):
    assert client.get("/users/me").json() == {"id": owner.pk, "username": "owner"}
    assert client.get(f"/users/{owner.pk}").json() == {"id": owner.pk, "username": "owner"}
    assert_problem(anonymous.get(f"/users/{owner.pk + 1}"), 404)
    assert_problem(anonymous.get("/users/0"), 404)
    for method, path, allow in [("GET", "/users", {"POST"}), ("DELETE", "/users/me", {"GET", "HEAD"})]:
        response = anonymous.send(method, path)
        assert_problem(response, 405)
        assert set(response["Allow"].split(", ")) == allow
        assert set(anonymous.options(path)["Allow"].split(", ")) == allow


# --- /token --------------------------------------------------------------------------------------------------


@OUTSIDE_THE_REQUEST_TRANSACTION
def test_token_answers_rfc_6749_and_the_token_names_the_user(anonymous, owner, settings):
    response = login(anonymous, "grant_type=password&username=owner&password=owner-password&scope=x&client_id=y")
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert (body["token_type"], body["expires_in"]) == ("Bearer", settings.TOKEN_TTL_SECONDS)
    me = anonymous.get("/users/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json() == {"id": owner.pk, "username": "owner"}
    charset = login(anonymous, "grant_type=password&username=owner&password=owner-password", f"{FORM}; charset=UTF-8")
    assert charset.status_code == 200


@OUTSIDE_THE_REQUEST_TRANSACTION
@pytest.mark.parametrize(
    ("form", "error"),
    [
        ("", "invalid_request"),
        ("username=owner&password=owner-password", "invalid_request"),
        ("grant_type=&username=owner&password=owner-password", "invalid_request"),
        ("grant_type=password&password=owner-password", "invalid_request"),
        ("grant_type=password&username=owner&password=", "invalid_request"),
        ("grant_type=password&username=owner&username=owner&password=owner-password", "invalid_request"),
        ("grant_type=password&grant_type=password&username=owner&password=owner-password", "invalid_request"),
        ("grant_type=client_credentials&username=owner&password=owner-password", "unsupported_grant_type"),
        ("grant_type=Password&username=owner&password=owner-password", "unsupported_grant_type"),
        ("grant_type=password&username=owner&password=wrong", "invalid_grant"),
        ("grant_type=password&username=OWNER&password=owner-password", "invalid_grant"),
        ("grant_type=password&username=nobody&password=owner-password", "invalid_grant"),
        ("grant_type=password&username=own%00er&password=owner-password", "invalid_grant"),  # PostgreSQL: no 500
    ],
)
def test_token_errors_carry_rfc_6749s_error(anonymous, owner, form, error):
    token_error(login(anonymous, form), error)


@OUTSIDE_THE_REQUEST_TRANSACTION
def test_unknown_user_and_wrong_password_are_one_answer_after_the_same_hashing(anonymous, owner, monkeypatch):
    """Django's ModelBackend hashes the password for an unknown user too (ticket #20760)."""
    calls = []
    encode = MD5PasswordHasher.encode  # tests/settings.py's hasher; production's is PBKDF2

    def counting(self, password, salt):
        calls.append(password)
        return encode(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting)
    answers = []
    for username in ["owner", "nobody", "no\x00body"]:
        calls.clear()
        response = login(anonymous, f"grant_type=password&username={username}&password=not-it")
        assert calls == ["not-it"], username  # one hash, whoever asks
        answers.append(response.json())
    assert answers[0] == answers[1] == answers[2]


@OUTSIDE_THE_REQUEST_TRANSACTION
@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "multipart/form-data; boundary=x", None])
def test_token_needs_a_form(anonymous, owner, content_type):
    assert_problem(login(anonymous, "grant_type=password&username=owner&password=x", content_type), 415)
    assert_problem(login(anonymous, "", content_type), 415)


@OUTSIDE_THE_REQUEST_TRANSACTION
def test_token_body_rules_and_no_authorization_read(anonymous, owner):
    form = "grant_type=password&username=owner&password=owner-password"
    assert_problem(login(anonymous, form + "&pad=" + "x" * 1024 * 1024), 413)
    gzip = anonymous.generic("POST", "/token", form, FORM, headers={"Content-Encoding": "gzip"})
    assert_problem(gzip, 415)
    assert_problem(anonymous.get("/token", headers={"Authorization": "Bearer garbage"}), 405)
    garbage = anonymous.generic("POST", "/token", form, FORM, headers={"Authorization": "Bearer garbage"})
    assert garbage.status_code == 200


@OUTSIDE_THE_REQUEST_TRANSACTION
def test_no_password_reaches_a_log_record(anonymous, owner, caplog):
    for logger in ["", "django", "items"]:
        caplog.set_level(logging.DEBUG, logger=logger)
    anonymous.send("POST", "/users", {"username": "logged", "password": "logged-password"})
    anonymous.send("POST", "/users", {"username": "bad name", "password": "logged-password"})
    login(anonymous, "grant_type=password&username=logged&password=logged-password")
    login(anonymous, "grant_type=password&username=nobody&password=logged-password")
    assert caplog.records and not any("logged-password" in record.getMessage() for record in caplog.records)


# --- 401 and its challenge -----------------------------------------------------------------------------------


def protected(item_id: int) -> list[tuple[str, str, dict | None]]:
    return [
        ("POST", "/items", {"title": "t", "price": 1}),
        ("PUT", f"/items/{item_id}", {"title": "t", "price": 1}),
        ("PATCH", f"/items/{item_id}", {}),
        ("DELETE", f"/items/{item_id}", None),
        ("GET", "/users/me", None),
    ]


@pytest.mark.parametrize("authorization", [None, "Basic b3duZXI6b3duZXItcGFzc3dvcmQ=", "Token abc", ""])
def test_no_bearer_credentials_on_a_protected_operation_is_401_with_the_challenge(anonymous, item, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    for method, path, body in protected(item["id"]):
        data = b"" if body is None else json.dumps(body).encode()
        unauthorized(anonymous.generic(method, path, data, "application/json", headers=headers), CHALLENGE)
    assert anonymous.get("/items", headers=headers).status_code == 200  # another scheme on a read: anonymous


def unsigned(token: str) -> str:
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    return f"{header}.{token.split('.')[1]}."


@pytest.fixture
def bad_tokens(owner, other, settings) -> list[str]:
    valid = str(AccessToken.for_user(owner))
    expired = AccessToken.for_user(owner)
    expired.set_exp(lifetime=-timedelta(seconds=1))
    gone_user = User.objects.create_user("gone", password=PASSWORD)
    gone = str(AccessToken.for_user(gone_user))
    gone_user.delete()
    payload = AccessToken(valid).payload
    return [
        "",
        "garbage",
        "a.b.c",
        valid + "x",
        valid[:-2],
        valid.replace(".", ". ", 1),  # two credentials
        str(expired),
        gone,
        unsigned(valid),
        jwt.encode(payload, "another-servers-secret-key-of-32-bytes", algorithm="HS256"),
        jwt.encode(payload, settings.SECRET_KEY, algorithm="HS512"),
    ]


@pytest.mark.filterwarnings("ignore:The HMAC key")  # PyJWT: the tests' SECRET_KEY is short for HS512, as meant
def test_an_invalid_token_is_401_invalid_token_on_every_operation(anonymous, item, owner, bad_tokens):
    operations = [
        *protected(item["id"]),
        ("GET", "/items", None),
        ("HEAD", f"/items/{item['id']}", None),
        ("GET", f"/users/{owner.pk}", None),
        ("POST", "/users", {"username": "new", "password": PASSWORD}),
    ]
    for token in bad_tokens:
        for scheme in ["Bearer", "bearer"]:
            for method, path, body in operations:
                data = b"" if body is None else json.dumps(body).encode()
                headers = {"Authorization": f"{scheme} {token}".strip()}
                response = anonymous.generic(method, path, data, "application/json", headers=headers)
                assert response.status_code == 401, (token, method, path, response.content)
                assert response["WWW-Authenticate"] == INVALID_TOKEN, (token, method, path)
    assert list(Item.objects.values_list("title", flat=True)) == ["pen"]
    assert not User.objects.filter(username="new").exists()


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
def test_the_scheme_is_case_insensitive(anonymous, owner, scheme):
    token = str(AccessToken.for_user(owner))
    assert anonymous.get("/users/me", headers={"Authorization": f"{scheme} {token}"}).status_code == 200


def test_options_405_and_unknown_routes_never_look_at_credentials(anonymous, item):
    garbage = {"Authorization": "Bearer garbage"}
    for path in ["/items", f"/items/{item['id']}", "/users", "/users/me", f"/users/{item['id']}", "/token"]:
        assert anonymous.options(path, headers=garbage).status_code == 204, path
        assert anonymous.options(path).status_code == 204, path
    assert_problem(anonymous.generic("PUT", "/items", b"{}", "application/json", headers=garbage), 405)
    assert_problem(anonymous.generic("POST", "/users/me", b"{}", "application/json", headers=garbage), 405)
    assert_problem(anonymous.get("/items/abc", headers=garbage), 404)
    assert_problem(anonymous.get("/nope", headers=garbage), 404)


def test_an_admin_session_is_no_credential_for_the_api(database):
    """The admin keeps Django's session login; the API reads bearer tokens only (no SessionAuthentication)."""
    User.objects.create_superuser("admin", "admin@example.com", PASSWORD)
    browser = Client(raise_request_exception=False)
    assert browser.login(username="admin", password=PASSWORD)
    response = browser.post("/items", {"title": "t", "price": 1}, content_type="application/json")
    unauthorized(response, CHALLENGE)


# --- ownership -----------------------------------------------------------------------------------------------


def test_the_creator_owns_the_item_and_only_the_owner_changes_it(client, anonymous, owner, other, item):
    assert item["owner"] == "owner"
    path = f"/items/{item['id']}"
    as_other = APIClient(raise_request_exception=False, headers=bearer(other))
    for method, body in [("PUT", {"title": "x", "price": 2}), ("PATCH", {"price": 2}), ("DELETE", None)]:
        response = as_other.send(method, path, body)
        assert_problem(response, 403)
        assert "WWW-Authenticate" not in response
    assert anonymous.get(path).json() == item
    replaced = client.send("PUT", path, {"title": "ink", "price": 3}).json()
    assert (replaced["title"], replaced["owner"]) == ("ink", "owner")
    assert client.delete(path).status_code == 204


def test_an_item_without_owner_is_nobodys(client, anonymous):
    """Items from before accounts (owner NULL): 403 for everyone through the API, readable by all."""
    orphan = Item.objects.create(title="old", price=1)
    assert anonymous.get(f"/items/{orphan.pk}").json()["owner"] is None
    for method, body in [("PUT", {"title": "x", "price": 2}), ("PATCH", {}), ("DELETE", None)]:
        assert_problem(client.send(method, f"/items/{orphan.pk}", body), 403)


def test_owner_is_read_only(client, item):
    assert error_pairs(client.send("POST", "/items", {"title": "x", "price": 1, "owner": "other"})) == {
        ("owner", "unknown_field")
    }
    assert error_pairs(client.send("PATCH", f"/items/{item['id']}", {"owner": None})) == {("owner", "unknown_field")}


def test_owner_filter_is_an_exact_match(client, other, create):
    create(title="mine", price=1)
    as_other = APIClient(raise_request_exception=False, headers=bearer(other))
    as_other.send("POST", "/items", {"title": "theirs", "price": 1})
    Item.objects.create(title="orphan", price=1)

    def titles(owner: str) -> list[str]:
        return [item["title"] for item in client.get("/items", {"owner": owner}).json()["items"]]

    assert titles("owner") == ["mine"] and titles("other") == ["theirs"]
    assert titles("OWNER") == titles("owne") == titles("") == titles("nobody") == []
    assert error_pairs(client.get("/items", {"owner": "u" * 151})) == {("owner", "too_long")}
    assert error_pairs(client.get("/items", {"owner": "a\x00"})) == {("owner", "invalid_value")}


# --- precedence: 404 route > 405 > 401 > 415 > 413 > 400 > 422 > 404 item > 403 ----------------------------------


def test_an_anonymous_body_is_never_read(anonymous, item):
    path = f"/items/{item['id']}"
    for method, target in [("POST", "/items"), ("PUT", path), ("PATCH", path), ("PUT", "/items/987654321")]:
        for raw, content_type in [
            (b"{bad", "application/json"),
            (b'{"price": -1}', "application/json"),
            (b"{}", "text/plain"),
            (b"", None),
            (b"{" * (1024 * 1024 + 1), "application/json"),
        ]:
            unauthorized(anonymous.send(method, target, raw=raw, content_type=content_type), CHALLENGE)
    assert_problem(anonymous.send("PUT", "/items/abc", {"price": -1}), 404)
    assert_problem(anonymous.send("POST", path, {"price": -1}), 405)


def test_another_users_request_is_validated_then_looked_up_then_refused(other, item):
    as_other = APIClient(raise_request_exception=False, headers=bearer(other))
    path = f"/items/{item['id']}"
    assert error_pairs(as_other.send("PUT", path, {"price": -1})) == {("title", "required"), ("price", "too_small")}
    assert_problem(as_other.send("PATCH", path, raw=b"{bad"), 400)
    assert_problem(as_other.send("PATCH", path, raw=b"{}", content_type="text/plain"), 415)
    assert_problem(as_other.send("PUT", "/items/987654321", {"title": "x", "price": 1}), 404)
    assert_problem(as_other.send("DELETE", "/items/987654321"), 404)
    assert_problem(as_other.send("PATCH", path, {"price": 2}), 403)


# endregion

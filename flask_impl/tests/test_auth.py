"""Accounts and tokens: sign-up, POST /token (RFC 6749), and the bearer challenge (RFC 6750)."""

from __future__ import annotations

import logging
import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from items_flask import auth, models
from items_flask.app import create_app
from items_flask.db import db
from items_flask.models import User
from tests.conftest import PASSWORD, SECRET_KEY
from tests.problem import assert_problem, error_pairs

CHALLENGE = 'Bearer realm="items"'
INVALID_TOKEN = 'Bearer realm="items", error="invalid_token"'
FORM = "application/x-www-form-urlencoded"


def sign_up(client, username: str = "alice", password: str = "s3cret-password", **options):
    return client.post("/users", json={"username": username, "password": password}, **options)


def token_response(client, headers=None, **form):
    return client.post("/token", data={"grant_type": "password", **form}, headers=headers)


def assert_unauthorized(response, challenge: str = CHALLENGE) -> None:
    if response.request.method == "HEAD":  # as GET would answer, without the body
        assert (response.status_code, response.mimetype, response.data) == (401, "application/problem+json", b"")
    else:
        assert_problem(response, 401)
    assert response.headers.getlist("WWW-Authenticate") == [challenge]


def assert_token_error(response, error: str) -> None:
    assert assert_problem(response, 400)["error"] == error


def test_sign_up_answers_201_with_id_username_and_location_and_stores_only_a_hash(app, anonymous):
    response = sign_up(anonymous, "alice", "s3cret-password")
    assert response.status_code == 201
    assert response.get_json() == {"id": 1, "username": "alice"}
    assert response.headers["Location"] == "/users/1"
    with app.app_context():
        stored = db.session.get(User, 1).password_hash
    assert stored.startswith("scrypt:") and "s3cret-password" not in stored  # Werkzeug's default method
    assert anonymous.get("/users/1").get_json() == {"id": 1, "username": "alice"}


def test_password_grant_answers_a_bearer_token_that_names_the_user(anonymous):
    sign_up(anonymous, "alice", "s3cret-password")
    response = token_response(anonymous, username="alice", password="s3cret-password", scope="ignored")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 3600)
    me = anonymous.get("/users/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.get_json() == {"id": 1, "username": "alice"}


def test_a_taken_username_is_409_and_names_compare_exactly(anonymous):
    assert sign_up(anonymous, "alice").status_code == 201
    assert_problem(sign_up(anonymous, "alice", "another-password"), 409)
    assert sign_up(anonymous, "Alice").get_json() == {"id": 2, "username": "Alice"}
    assert sign_up(anonymous, "bob").get_json()["id"] == 3  # a refused name used no id


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"username": "", "password": "password"}, {("username", "too_short")}),
        ({"username": "a" * 151, "password": "password"}, {("username", "too_long")}),
        ({"username": " " * 151, "password": "password"}, {("username", "too_long")}),
        ({"username": "al ice", "password": "password"}, {("username", "invalid_value")}),
        ({"username": "alice\n", "password": "password"}, {("username", "invalid_value")}),
        ({"username": "élise", "password": "password"}, {("username", "invalid_value")}),
        ({"username": 7, "password": "password"}, {("username", "wrong_type")}),
        ({"username": "alice", "password": "short"}, {("password", "too_short")}),
        ({"username": "alice", "password": "p" * 129}, {("password", "too_long")}),
        ({"username": "alice", "password": "pass\x00word"}, {("password", "invalid_value")}),
        ({"username": "alice", "password": None}, {("password", "null")}),
        ({"username": "alice"}, {("password", "required")}),
        ({"username": "alice", "password": "password", "id": 1}, {("id", "unknown_field")}),
    ],
)
def test_sign_up_validation(anonymous, body, errors):
    assert error_pairs(anonymous.post("/users", json=body)) == errors


def test_sign_up_bounds_and_every_allowed_character(anonymous):
    assert sign_up(anonymous, "a" * 150, "p" * 128).status_code == 201
    assert sign_up(anonymous, "A-z.0@9+_", "p" * 8).status_code == 201


def test_sign_up_422_comes_before_409_and_the_body_rules_before_both(anonymous):
    sign_up(anonymous, "alice")
    assert error_pairs(sign_up(anonymous, "alice", "short")) == {("password", "too_short")}
    assert_problem(anonymous.post("/users", data="{}", content_type="text/plain"), 415)
    assert_problem(anonymous.post("/users", data="{", content_type="application/json"), 400)


@pytest.mark.parametrize(
    "form",
    [
        {"username": "alice", "password": PASSWORD},  # no grant_type
        {"grant_type": "", "username": "alice", "password": PASSWORD},
        {"grant_type": "password", "password": PASSWORD},
        {"grant_type": "password", "username": "", "password": PASSWORD},
        {"grant_type": "password", "username": "alice"},
        {"grant_type": "password", "username": "alice", "password": ""},
        {"grant_type": ["password", "password"], "username": "alice", "password": PASSWORD},
        {"grant_type": "password", "username": ["alice", "alice"], "password": PASSWORD},
        {"grant_type": "password", "username": "alice", "password": [PASSWORD, PASSWORD]},
        {},
    ],
)
def test_a_parameter_missing_empty_or_repeated_is_invalid_request(anonymous, make_user, form):
    make_user("alice")
    assert_token_error(anonymous.post("/token", data=form, content_type=FORM), "invalid_request")


def test_another_grant_type_is_unsupported_grant_type(anonymous):
    response = anonymous.post("/token", data={"grant_type": "client_credentials", "client_id": "x"})
    assert_token_error(response, "unsupported_grant_type")


def test_unknown_user_and_wrong_password_get_one_answer_after_the_same_work(anonymous, make_user, monkeypatch):
    make_user("alice")
    checked = []
    for module in (auth, models):
        original = module.check_password_hash
        monkeypatch.setattr(
            module, "check_password_hash", lambda h, p, original=original: checked.append(p) or original(h, p)
        )
    unknown = token_response(anonymous, username="nobody", password="guess-one")
    wrong = token_response(anonymous, username="alice", password="guess-two")
    assert checked == ["guess-one", "guess-two"]  # one hash checked each: the dummy one for the unknown user
    for response in (unknown, wrong):
        assert_token_error(response, "invalid_grant")
    assert unknown.get_json() == wrong.get_json()
    assert_token_error(token_response(anonymous, username="Alice", password=PASSWORD), "invalid_grant")


def test_token_form_bytes(anonymous, make_user):
    make_user("alice")
    form = f"grant_type=password&username=alice&password={PASSWORD.replace(' ', '+')}"
    ok = anonymous.post("/token", data=form, content_type=f"{FORM}; charset=ISO-8859-1")
    assert ok.status_code == 200  # the charset parameter is ignored
    padded = f"{form}&pad={'x' * 900_000}"  # werkzeug's MAX_FORM_MEMORY_SIZE (500 kB) is for multipart only
    assert anonymous.post("/token", data=padded, content_type=FORM).status_code == 200
    assert_problem(anonymous.post("/token", json={"grant_type": "password"}), 415)
    assert_problem(anonymous.post("/token", data=form, content_type="multipart/form-data; boundary=x"), 415)
    gzip = {"Content-Encoding": "gzip"}
    assert_problem(anonymous.post("/token", data=form, content_type=FORM, headers=gzip), 415)
    assert_problem(anonymous.post("/token", data=f"{form}&pad={'x' * 2**20}", content_type=FORM), 413)
    assert_token_error(anonymous.post("/token", data=b"password=\xff\xfe", content_type=FORM), "invalid_request")
    assert_problem(anonymous.get("/token"), 405)


def test_the_request_swagger_ui_authorize_button_sends(anonymous, make_user):
    """swagger-ui's authorizePassword: the form with an empty scope, and Basic client credentials by default."""
    make_user("alice")
    form = f"grant_type=password&scope=&username=alice&password={PASSWORD.replace(' ', '%20')}"
    basic = {"Authorization": "Basic dW5kZWZpbmVkOnVuZGVmaW5lZA=="}  # btoa("undefined:undefined")
    response = anonymous.post("/token", data=form, content_type=FORM, headers=basic)
    assert response.status_code == 200, response.get_data(as_text=True)
    token = response.get_json()["access_token"]
    created = anonymous.post("/items", json={"title": "pen", "price": 1}, headers={"Authorization": f"Bearer {token}"})
    assert created.get_json()["owner"] == "alice"


def test_token_ignores_authorization(anonymous, make_user):
    make_user("alice")
    for header in ("Bearer garbage", "Basic Zm9vOmJhcg=="):
        response = token_response(anonymous, username="alice", password=PASSWORD, headers={"Authorization": header})
        assert response.status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/items", {"title": "pen", "price": 1}),
        ("put", "/items/1", {"title": "pen", "price": 1}),
        ("patch", "/items/1", {"price": 2}),
        ("delete", "/items/1", None),
        ("get", "/users/me", None),
        ("head", "/users/me", None),
    ],
)
def test_protected_operations_challenge_a_client_without_a_bearer_token(anonymous, method, path, body):
    for headers in ({}, {"Authorization": "Basic Zm9vOmJhcg=="}, {"Authorization": "Digest x=1"}):
        assert_unauthorized(getattr(anonymous, method)(path, json=body, headers=headers))


def test_another_scheme_on_a_public_operation_is_anonymous(anonymous):
    basic = {"Authorization": "Basic Zm9vOmJhcg=="}
    assert anonymous.get("/items", headers=basic).status_code == 200
    assert sign_up(anonymous, "alice", headers=basic).status_code == 201
    assert anonymous.get("/users/1", headers=basic).status_code == 200


def other_key_token(user_id: int) -> str:
    return URLSafeTimedSerializer("another key", salt=auth.TOKEN_SALT).dumps(user_id)


@pytest.mark.parametrize(
    "credentials",
    ["Bearer", "Bearer ", "Bearer garbage", "Bearer a=b", "bearer x.y.z", "Bearer {valid}x", "Bearer x{valid}"],
)
def test_a_bad_bearer_token_is_invalid_token_on_every_operation(app, anonymous, owner, credentials):
    headers = {"Authorization": credentials.format(valid=owner.token)}
    for method, path in [("get", "/items"), ("get", "/items/1"), ("head", "/items"), ("get", "/users/1")]:
        assert_unauthorized(getattr(anonymous, method)(path, headers=headers), INVALID_TOKEN)
    assert_unauthorized(anonymous.post("/items", json={}, headers=headers), INVALID_TOKEN)
    assert_unauthorized(sign_up(anonymous, headers=headers), INVALID_TOKEN)
    assert_unauthorized(anonymous.get("/users/me", headers=headers), INVALID_TOKEN)


def test_tokens_signed_elsewhere_expired_or_naming_a_gone_user_are_invalid_token(app, anonymous, owner, monkeypatch):
    assert_unauthorized(
        anonymous.get("/items", headers={"Authorization": f"Bearer {other_key_token(owner.id)}"}), INVALID_TOKEN
    )
    with app.app_context():
        # itsdangerous stamps the token with int(time.time()): one made 3,601 seconds ago is past max_age.
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 3601)
        expired = auth.serializer().dumps(owner.id)
        monkeypatch.undo()
        session_cookie = app.session_interface.get_signing_serializer(app).dumps(owner.id)
    for token in (expired, session_cookie):
        assert_unauthorized(anonymous.get("/items", headers={"Authorization": f"Bearer {token}"}), INVALID_TOKEN)

    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = owner.headers["Authorization"]
    item = client.post("/items", json={"title": "pen", "price": 1}).get_json()
    with app.app_context():
        db.session.delete(db.session.get(User, owner.id))
        db.session.commit()
    assert_unauthorized(client.get("/items"), INVALID_TOKEN)
    assert_problem(anonymous.get(f"/items/{item['id']}"), 404)  # a gone user's items are gone too (CASCADE)
    assert sign_up(anonymous, "someone").get_json()["id"] == owner.id + 1  # and the id is never handed out again


def test_the_scheme_name_is_case_insensitive(anonymous, owner):
    for scheme in ("Bearer", "bearer", "BEARER"):
        response = anonymous.get("/users/me", headers={"Authorization": f"{scheme} {owner.token}"})
        assert response.get_json() == {"id": owner.id, "username": "owner"}


def test_ttl_comes_from_the_setting(make_app, owner):
    app = make_app(TOKEN_TTL_SECONDS=5)
    anonymous = app.test_client()
    with app.app_context():
        db.session.get(User, owner.id).set_password(PASSWORD)
        db.session.commit()
    response = token_response(anonymous, username="owner", password=PASSWORD)
    assert response.get_json()["expires_in"] == 5


def test_options_405_and_unknown_routes_never_look_at_credentials(anonymous):
    bad = {"Authorization": "Bearer garbage"}
    for path, allow in [
        ("/items", "GET, HEAD, POST"),
        ("/users", "POST"),
        ("/users/me", "GET, HEAD"),
        ("/token", "POST"),
    ]:
        response = anonymous.options(path, headers=bad)
        assert response.status_code == 204
        assert set(response.headers["Allow"].split(", ")) == set(allow.split(", "))
    assert_problem(anonymous.get("/users", headers=bad), 405)
    assert_problem(anonymous.post("/users/me", headers=bad), 405)
    assert_problem(anonymous.get("/users/abc", headers=bad), 404)
    assert_problem(anonymous.get("/users/0", headers=bad), 404)
    assert_problem(anonymous.get("/nowhere", headers=bad), 404)


def test_users_by_id_and_me(anonymous, client, owner):
    assert client.get("/users/me").get_json() == {"id": owner.id, "username": "owner"}
    assert anonymous.get(f"/users/{owner.id}").get_json() == {"id": owner.id, "username": "owner"}
    assert_problem(anonymous.get("/users/99"), 404)
    assert anonymous.head("/users/me").data == b""


def test_no_password_or_hash_in_any_answer_or_log_line_and_no_cookie(app, anonymous, caplog):
    caplog.set_level(logging.DEBUG)
    password = "never-say-this-1"
    answers = [sign_up(anonymous, "alice", password), sign_up(anonymous, "alice", password)]
    answers.append(token_response(anonymous, username="alice", password=password))
    answers.append(token_response(anonymous, username="alice", password=password + "x"))
    answers.append(anonymous.get("/users/1"))
    with app.app_context():
        stored = db.session.get(User, 1).password_hash
    for response in answers:
        text = response.get_data(as_text=True)
        assert password not in text and stored not in text and "scrypt" not in text
        assert "Set-Cookie" not in response.headers  # the API keeps no session
    assert password not in caplog.text and stored not in caplog.text


def test_a_production_start_without_secret_key_is_a_clear_error():
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app({"SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert create_app({"SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["SECRET_KEY"]


@pytest.mark.parametrize("ttl", [0, -5, "abc", "1.5"])
def test_a_token_lifetime_that_is_not_a_whole_number_of_seconds_is_refused_at_startup(ttl):
    with pytest.raises(RuntimeError, match="TOKEN_TTL_SECONDS must be a whole number"):
        create_app({"SECRET_KEY": SECRET_KEY, "TOKEN_TTL_SECONDS": ttl, "SQLALCHEMY_DATABASE_URI": "sqlite://"})

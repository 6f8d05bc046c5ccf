"""The admin at /admin/ (SQLAdmin): the login, CSRF, the forms' validation, the API's view of what it stores.

Every test runs on SQLite and on PostgreSQL. The admin's forms are posted as a browser posts them: the page first,
then the form with the token the page carries.
"""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Iterator

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from items_fastapi import cli
from items_fastapi.main import app
from tests.databases import on_database, stored_users
from tests.support import assert_problem, csrf_token, log_in, sign_up

PASSWORD = "the admin's password"
GOOD_ITEM = {"title": "pen", "description": "blue ink", "price": "2.5", "quantity": "3", "owner": ""}


def submit(client: TestClient, path: str, **fields: str) -> httpx2.Response:
    """The form at ``path``, filled in with ``fields`` and sent with its token, as SQLAdmin's Save button sends it."""
    token = csrf_token(client.get(path).text)
    return client.post(path, data={**fields, "csrf_token": token, "save": "Save"}, follow_redirects=False)


def field_errors(page: str) -> dict[str, list[str]]:
    """The errors SQLAdmin shows under each field of a form, by the field's name."""
    errors = {}
    for group in page.split('class="mb-3 form-group row"')[1:]:
        name = re.search(r'name="([^"]+)"', group)[1]
        errors[name] = [
            html.unescape(error) for error in re.findall(r'<div class="invalid-feedback">([^<]*)</div>', group)
        ]
    return {name: found for name, found in errors.items() if found}


def stored_items(client: TestClient) -> list[dict]:
    return client.get("/items").json()["items"]


@pytest.fixture
def administrator(database_env: str) -> str:
    """An administrator, made as the command makes one (in this process, with the tests' cheap hashes)."""
    assert asyncio.run(cli.make_admin("boss", PASSWORD)) is True
    return "boss"


@pytest.fixture
def admin(administrator: str) -> Iterator[TestClient]:
    """A browser logged into the admin as ``administrator``."""
    with TestClient(app, base_url="http://localhost") as client:
        response = log_in(client, administrator, PASSWORD)
        assert (response.status_code, response.headers["location"]) == (302, "http://localhost/admin/")
        yield client


def test_only_an_administrator_logs_in(anonymous, administrator):
    assert anonymous.get("/admin", follow_redirects=False).headers["location"] == "http://localhost/admin/"
    for path in ["/admin/", "/admin/item/list", "/admin/user/list", "/admin/item/create", "/admin/user/edit/1"]:
        response = anonymous.get(path, follow_redirects=False)
        assert response.headers["location"] == "http://localhost/admin/login", path
    sign_up(anonymous, "alice", "alice's password")
    for username, password in [("alice", "alice's password"), ("boss", "wrong password"), ("nobody", PASSWORD)]:
        refused = log_in(anonymous, username, password)
        assert refused.status_code == 400 and "Invalid credentials." in refused.text
        assert 'name="username"' in refused.text and 'name="password"' in refused.text
        assert anonymous.get("/admin/item/list", follow_redirects=False).status_code == 302
    assert log_in(anonymous, "boss", PASSWORD).status_code == 302
    assert anonymous.get("/admin/item/list").status_code == 200
    assert anonymous.get("/admin/logout", follow_redirects=False).status_code == 302
    assert anonymous.get("/admin/item/list", follow_redirects=False).status_code == 302


def test_a_demoted_administrator_is_logged_out(admin, database_env):
    on_database(database_env, demote_everyone)
    assert admin.get("/admin/item/list", follow_redirects=False).headers["location"].endswith("/admin/login")


async def demote_everyone(connection: AsyncConnection) -> None:
    await connection.execute(text("UPDATE users SET is_admin = :no"), {"no": False})


def test_the_session_cookie_is_httponly_samesite_lax_and_the_admins_only(anonymous, administrator):
    page = anonymous.get("/admin/login")
    token = csrf_token(page.text)
    logged_in = anonymous.post("/admin/login", data={"username": "boss", "password": PASSWORD, "csrf_token": token})
    for response in (page, logged_in.history[0]):
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "path=/admin;" in cookie


def test_a_form_without_its_token_is_refused_and_nothing_is_stored(admin, client, database_env):
    created = client.post("/items", json={"title": "kept", "price": 1}).json()
    with TestClient(app, base_url="http://localhost") as other:  # another browser, with a session of its own
        other_token = csrf_token(other.get("/admin/login").text)
    for token in [None, "", "20990101000000##0123", other_token]:
        form = {**GOOD_ITEM, "save": "Save"} | ({} if token is None else {"csrf_token": token})
        for path in ["/admin/item/create", f"/admin/item/edit/{created['id']}"]:
            refused = admin.post(path, data=form, follow_redirects=False)
            assert refused.status_code == 403 and "CSRF" in refused.text, (path, token)
        users_form = {"username": "mallory", "password": "correct horse", "is_admin": "y", "save": "Save"}
        assert admin.post("/admin/user/create", data=users_form, follow_redirects=False).status_code == 403
    assert stored_items(admin) == [created]
    assert [row[1] for row in on_database(database_env, stored_users)] == ["boss", "owner"]
    with TestClient(app, base_url="http://localhost") as browser:
        form = {"username": "boss", "password": PASSWORD}
        assert browser.post("/admin/login", data=form, follow_redirects=False).status_code == 403
        form["csrf_token"] = other_token
        assert browser.post("/admin/login", data=form, follow_redirects=False).status_code == 403
        assert browser.get("/admin/item/list", follow_redirects=False).status_code == 302
    assert submit(admin, "/admin/item/create", **GOOD_ITEM).status_code == 302  # with its token


def test_delete_needs_a_request_no_other_site_can_send(admin, client):
    created = client.post("/items", json={"title": "doomed", "price": 1}).json()
    delete = f"/admin/item/delete?pks={created['id']}"
    preflight = {"origin": "https://evil.example", "access-control-request-method": "DELETE"}
    response = admin.options(delete, headers=preflight)
    assert not any(name.startswith("access-control-") for name in response.headers)  # no CORS: no DELETE from there
    assert admin.get(delete).status_code == 405 and admin.post(delete).status_code == 405
    assert stored_items(admin) == [created]
    assert admin.delete(delete).status_code == 200  # SQLAdmin's own script, from its own page
    assert stored_items(admin) == []


BAD_VALUES = [
    ("price", "0", "Input should be greater than 0"),
    ("price", "-1", "Input should be greater than 0"),
    ("price", "1000000.5", "Input should be less than or equal to 1000000"),
    ("price", "1e400", "Input should be less than or equal to 1000000"),
    ("price", "abc", "Not a valid float value."),
    ("price", "", "This field is required."),
    ("quantity", "-1", "Input should be greater than or equal to 0"),
    ("quantity", "1000001", "Input should be less than or equal to 1000000"),
    ("quantity", "2.5", "Not a valid integer value."),
    ("title", "x" * 201, "Field cannot be longer than 200 characters."),
    ("title", "", "This field is required."),
    ("title", "a\x00b", "String should match pattern '^[^\\u0000]*$'"),
    ("description", "a\x00b", "String should match pattern '^[^\\u0000]*$'"),
    ("description", "d" * 2001, "Field cannot be longer than 2000 characters."),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_VALUES)
def test_the_admin_refuses_what_the_api_refuses(admin, client, field, value, message):
    refused = submit(admin, "/admin/item/create", **{**GOOD_ITEM, field: value})
    assert refused.status_code == 400
    assert field_errors(refused.text) == {field: [message]}
    kept = client.post("/items", json={"title": "kept", "price": 1}).json()
    refused = submit(admin, f"/admin/item/edit/{kept['id']}", **{**GOOD_ITEM, field: value})
    assert refused.status_code == 400 and field_errors(refused.text) == {field: [message]}
    assert stored_items(admin) == [kept]


def test_the_apis_extremes_are_accepted(admin):
    for fields in [{"title": "t" * 200, "price": "1000000", "quantity": "1000000"}, {"price": "0.01", "quantity": "0"}]:
        assert submit(admin, "/admin/item/create", **{**GOOD_ITEM, **fields}).status_code == 302
    assert [(item["price"], item["quantity"]) for item in stored_items(admin)] == [(1_000_000, 1_000_000), (0.01, 0)]


def test_an_item_made_in_the_admin_reads_back_through_the_api(admin, administrator):
    assert submit(admin, "/admin/item/create", **{**GOOD_ITEM, "owner": "1"}).status_code == 302
    assert (
        submit(admin, "/admin/item/create", **{**GOOD_ITEM, "title": "nobody's", "description": ""}).status_code == 302
    )
    first, second = stored_items(admin)
    assert first | {"created_at": None, "updated_at": None} == {
        "id": 1,
        "title": "pen",
        "description": "blue ink",
        "price": 2.5,
        "quantity": 3,
        "owner": administrator,
        "created_at": None,
        "updated_at": None,
    }
    assert first["created_at"] == first["updated_at"] and first["created_at"].endswith("Z")
    assert (second["title"], second["description"], second["owner"]) == ("nobody's", None, None)
    assert submit(admin, "/admin/item/edit/1", **{**GOOD_ITEM, "owner": "1", "quantity": "4"}).status_code == 302
    edited = admin.get("/items/1").json()
    assert (edited["quantity"], edited["created_at"]) == (4, first["created_at"])
    assert edited["updated_at"] > edited["created_at"]
    assert submit(admin, "/admin/item/edit/1", **{**GOOD_ITEM, "owner": "1", "quantity": "4"}).status_code == 302
    assert admin.get("/items/1").json() == edited  # nothing changed: updated_at stays


def test_items_made_through_the_api_show_in_the_admin_searched_and_sorted(admin, client):
    for title in ["Zebra", "50%_off", "50xxoff", "apple"]:
        client.post("/items", json={"title": title, "price": 1})

    def listed(**params: str) -> list[str]:
        page = admin.get("/admin/item/list", params=params)
        assert page.status_code == 200
        return [title for title in ["Zebra", "50%_off", "50xxoff", "apple"] if f">{title}<" in page.text]

    assert listed() == ["Zebra", "50%_off", "50xxoff", "apple"]
    assert listed(search="ZEB") == ["Zebra"]  # ASCII letters match regardless of case, as GET /items?q=
    assert listed(search="50%_") == ["50%_off"]  # taken literally
    assert listed(search="\x00") == []
    page = admin.get("/admin/item/list", params={"sortBy": "title", "sort": "desc"}).text
    assert page.index(">apple<") < page.index(">Zebra<") < page.index(">50xxoff<")


def test_a_user_made_in_the_admin_gets_a_token_and_the_hash_never_shows(admin, database_env):
    new_user = {"username": "carol", "password": "correct horse"}
    assert submit(admin, "/admin/user/create", **new_user).status_code == 302
    token = {"grant_type": "password", **new_user}
    assert admin.post("/token", data=token).status_code == 200
    (_, (carol_id, _, is_admin, hashed)) = on_database(database_env, stored_users)
    assert hashed.startswith("$argon2id$") and not is_admin
    for page in ["/admin/user/list", f"/admin/user/details/{carol_id}", f"/admin/user/edit/{carol_id}"]:
        assert hashed not in admin.get(page).text and "argon2" not in admin.get(page).text, page
    assert submit(admin, f"/admin/user/edit/{carol_id}", username="carol", password="").status_code == 302
    assert admin.post("/token", data=token).status_code == 200  # left empty: the password stays
    assert submit(admin, f"/admin/user/edit/{carol_id}", username="carol", password="battery staple").status_code == 302
    assert admin.post("/token", data=token).status_code == 400
    assert admin.post("/token", data={**token, "password": "battery staple"}).status_code == 200


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"username": "dave", "password": ""}, {"password": ["This field is required."]}),
        ({"username": "dave", "password": "short"}, {"password": ["String should have at least 8 characters"]}),
        ({"username": "a b", "password": "correct horse"}, {"username": ["String should match pattern"]}),
        ({"username": "", "password": "correct horse"}, {"username": ["This field is required."]}),
    ],
)
def test_the_user_form_refuses_what_a_sign_up_refuses(admin, database_env, fields, errors):
    refused = submit(admin, "/admin/user/create", **fields)
    assert refused.status_code == 400
    found = field_errors(refused.text)
    assert {name: [message[: len(errors[name][0])] for message in found[name]] for name in found} == errors
    assert len(on_database(database_env, stored_users)) == 1


def test_a_taken_username_and_a_user_with_items_are_refused_with_a_message(admin, client):
    refused = submit(admin, "/admin/user/create", username="owner", password="correct horse")
    assert refused.status_code == 400 and "This username is taken." in refused.text
    client.post("/items", json={"title": "owned", "price": 1})
    owner_id = client.get("/users/me").json()["id"]
    kept = admin.delete(f"/admin/user/delete?pks={owner_id}")
    assert kept.status_code == 200 and "owns+items" in kept.text
    assert client.get("/users/me").status_code == 200


def test_the_api_ignores_the_admin_session(admin):
    session = admin.cookies.get("session", path="/admin")
    assert session
    with_cookie = {"cookie": f"session={session}"}
    response = admin.post("/items", json={"title": "sneaky", "price": 1}, headers=with_cookie)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == 'Bearer realm="items"'
    assert_problem(admin.get("/users/me", headers=with_cookie), 401)
    assert stored_items(admin) == []


def test_ids_no_row_can_have_are_404(admin):
    for path in ["/admin/item/edit/abc", "/admin/item/details/99999999999999999999", "/admin/user/edit/0"]:
        assert admin.get(path).status_code == 404, path
    assert admin.delete("/admin/item/delete?pks=abc").status_code == 404


def test_the_admin_is_outside_the_document_and_its_assets_are_its_own(anonymous):
    assert not any(path.startswith("/admin") for path in anonymous.get("/openapi.json").json()["paths"])
    page = anonymous.get("/admin/login").text
    assets = re.findall(r'(?:href|src)="([^"]+\.(?:css|js))"', page)
    assert len(assets) >= 8
    for url in assets:
        assert url.startswith("http://localhost/admin/statics/"), url
        asset = anonymous.get(url)
        assert asset.status_code == 200, url
        # every url() in a style sheet names a file beside it, or data: (no font or image from elsewhere)
        assert not re.search(r"url\(['\"]?(?:https?:)?//", asset.text), url
    links = re.findall(r"""(?:href|src)=["']((?:https?:)?//[^/"']*)""", page)
    assert set(links) == {"http://localhost"}  # SQLAdmin's url_for: this host only

"""The admin at /admin/: who gets in, CSRF, the forms' rules, and items and users shared with the API."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from items_flask.db import db
from items_flask.models import Item, User
from tests.conftest import PASSWORD, Account
from tests.problem import assert_problem

CHALLENGE = 'Bearer realm="items"'
ITEM = {"title": "lamp", "description": "", "price": "12.5", "quantity": "3", "owner": ""}


# region: tests
def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]


def field_errors(page: str, name: str) -> list[str]:
    """The messages Flask-Admin's form shows under the input named ``name``."""
    control = re.compile(rf'<(?:input|textarea|select)[^>]* name="{name}"')
    group = next(group for group in page.split('<div class="form-group') if control.search(group))
    errors = re.search(r'<div class="invalid-feedback">(.*?)</div>', group, re.S)
    return [html.unescape(text) for text in re.findall(r"<li>(.*?)</li>", errors[1], re.S)] if errors else []


def log_in(client: FlaskClient, username: str, password: str = PASSWORD):
    token = csrf_token(client.get("/admin/login/").get_data(as_text=True))
    return client.post("/admin/login/", data={"csrf_token": token, "username": username, "password": password})


def make_admin(app: Flask, account: Account) -> None:
    with app.app_context():
        db.session.get(User, account.id).is_admin = True
        db.session.commit()


@pytest.fixture
def boss(app, make_user) -> Account:
    account = make_user("boss")
    make_admin(app, account)
    return account


@pytest.fixture
def admin(app, boss) -> FlaskClient:
    """A browser logged into the admin as ``boss``: the session cookie and nothing else."""
    browser = app.test_client()
    assert log_in(browser, "boss").headers["Location"] == "/admin/"
    return browser


def post_form(browser: FlaskClient, path: str, **fields):
    """The form at ``path`` filled in and posted with its CSRF token, as a browser would."""
    token = csrf_token(browser.get(path).get_data(as_text=True))
    return browser.post(path, data={"csrf_token": token, **fields})


def count(app: Flask, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def run_create_admin(app: Flask, *args: str, **kwargs):
    return app.test_cli_runner().invoke(args=["create-admin", *args], **kwargs)


def test_create_admin_makes_an_administrator_who_logs_in(app):
    done = run_create_admin(app, "root", env={"ADMIN_PASSWORD": "the root password"})
    assert done.exit_code == 0, done.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "root"))
        assert user.is_admin and user.check_password("the root password")
    assert log_in(app.test_client(), "root", "the root password").headers["Location"] == "/admin/"


def test_create_admin_promotes_an_existing_user_and_resets_the_password(app, owner, anonymous):
    done = run_create_admin(app, "owner", input="a new password\na new password\n")  # the hidden prompt, twice
    assert done.exit_code == 0, done.output
    assert "a new password" not in done.output
    with app.app_context():
        assert db.session.get(User, owner.id).is_admin
    assert count(app, User) == 1
    form = {"grant_type": "password", "username": "owner"}
    assert anonymous.post("/token", data={**form, "password": "a new password"}).status_code == 200
    assert anonymous.post("/token", data={**form, "password": PASSWORD}).status_code == 400


def test_create_admin_refuses_what_sign_up_refuses(app):
    done = run_create_admin(app, "no spaces", env={"ADMIN_PASSWORD": "short"})
    assert done.exit_code == 2
    assert "username: Only letters" in done.output and "password: Shorter than minimum length 8." in done.output
    assert count(app, User) == 0


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/item/", "/admin/item/new/", "/admin/user/", "/admin/user/edit/?id=1"]
)
def test_nobody_gets_the_login_page_and_never_the_data(anonymous, owner, path):
    response = anonymous.get(path)
    assert (response.status_code, response.headers["Location"]) == (302, "/admin/login/")
    page = anonymous.get("/admin/login/").get_data(as_text=True)
    assert 'name="username"' in page and 'name="password"' in page and 'type="submit"' in page
    assert "owner" not in page


@pytest.mark.parametrize(("username", "password"), [("owner", PASSWORD), ("boss", "a wrong password"), ("nobody", "x")])
def test_an_ordinary_account_or_wrong_credentials_get_the_login_page_again(app, owner, boss, username, password):
    browser = app.test_client()
    response = log_in(browser, username, password)
    assert response.status_code == 200
    assert "Wrong username or password, or not an administrator" in html.unescape(response.get_data(as_text=True))
    assert browser.get("/admin/item/").status_code == 302


def test_an_administrator_sees_the_index_and_logs_out_with_a_form(admin):
    page = admin.get("/admin/").get_data(as_text=True)
    assert "/admin/item/" in page and "/admin/user/" in page
    assert admin.post("/admin/logout/").status_code == 302  # no CSRF token: still logged in
    assert admin.get("/admin/item/").status_code == 200
    admin.post("/admin/logout/", data={"csrf_token": csrf_token(page)})  # the navigation bar's "Log out" form
    assert admin.get("/admin/item/").status_code == 302


def test_the_session_cookie_is_httponly_and_samesite_lax(app, boss):
    cookie = log_in(app.test_client(), "boss").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_forms_posted_without_their_csrf_token_change_nothing(app, boss, admin, create):
    item = create(title="kept", price=1)
    browser = app.test_client()
    browser.post("/admin/login/", data={"username": "boss", "password": PASSWORD})
    assert browser.get("/admin/item/").status_code == 302  # not logged in
    admin.post("/admin/item/new/", data=ITEM)
    admin.post("/admin/item/delete/", data={"id": item["id"]})
    admin.post(f"/admin/item/edit/?id={item['id']}", data={**ITEM, "title": "changed"})
    admin.post("/admin/user/new/", data={"username": "mallory", "password": "a long password"})
    assert (count(app, Item), count(app, User)) == (1, 2)
    assert admin.get(f"/items/{item['id']}").get_json()["title"] == "kept"
    assert post_form(admin, "/admin/item/new/", **ITEM).status_code == 302  # the same form with its token
    assert count(app, Item) == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price", "0", "Must be greater than 0."),
        ("price", "-1", "Must be greater than 0."),
        ("price", "1000000.5", "Must be less than or equal to 1000000."),
        ("price", "1e400", "Must be less than or equal to 1000000."),
        ("price", "nan", "Not a valid number."),
        ("price", "abc", "Not a valid float value."),
        ("price", "", "This field is required."),
        ("quantity", "-1", "Must be greater than or equal to 0."),
        ("quantity", "1000001", "Must be less than or equal to 1000000."),
        ("quantity", "3.5", "Not a valid integer value."),
        ("title", "", "This field is required."),
        ("title", "x" * 201, "Longer than maximum length 200."),
        ("title", "a\x00b", "Must not contain the NUL character."),
        ("description", "d" * 2001, "Longer than maximum length 2000."),
        ("description", "\x00", "Must not contain the NUL character."),
    ],
)
def test_the_item_form_refuses_what_the_api_refuses_and_stores_nothing(app, admin, field, value, message):
    response = post_form(admin, "/admin/item/new/", **{**ITEM, field: value})
    assert response.status_code == 200  # the form again, not a redirect
    assert field_errors(response.get_data(as_text=True), field) == [message]
    assert count(app, Item) == 0


def test_an_item_made_in_the_admin_reads_back_through_the_api_and_is_stamped_like_one(admin, owner, anonymous):
    assert post_form(admin, "/admin/item/new/", **{**ITEM, "owner": str(owner.id)}).status_code == 302
    item = anonymous.get("/items/1").get_json()
    assert {key: item[key] for key in ("title", "description", "price", "quantity", "owner")} == {
        "title": "lamp",
        "description": None,  # an empty description is null, as the API's default
        "price": 12.5,
        "quantity": 3,
        "owner": "owner",
    }
    assert item["created_at"] == item["updated_at"] and item["created_at"].endswith("Z")
    unchanged = {**ITEM, "owner": str(owner.id)}
    post_form(admin, "/admin/item/edit/?id=1", **unchanged)
    assert anonymous.get("/items/1").get_json() == item  # no change: updated_at stays
    post_form(admin, "/admin/item/edit/?id=1", **{**unchanged, "price": "13", "owner": ""})
    changed = anonymous.get("/items/1").get_json()
    assert (changed["price"], changed["owner"], changed["created_at"]) == (13, None, item["created_at"])
    assert changed["updated_at"] > item["updated_at"]
    token = csrf_token(admin.get("/admin/item/").get_data(as_text=True))
    assert admin.post("/admin/item/delete/", data={"csrf_token": token, "id": "1"}).status_code == 302
    assert_problem(anonymous.get("/items/1"), 404)


def test_a_bulk_delete_deletes_the_rows_chosen_and_ignores_what_is_no_id(app, admin, create):
    for title in ("a", "b", "c"):
        create(title=title, price=1)
    token = csrf_token(admin.get("/admin/item/").get_data(as_text=True))
    chosen = {"csrf_token": token, "action": "delete", "rowid": ["1", "3", "abc", "99999999999999999999", "-1"]}
    assert admin.post("/admin/item/action/", data=chosen).status_code == 302
    assert [item["title"] for item in admin.get("/items").get_json()["items"]] == ["b"]


@pytest.mark.parametrize(
    "path",
    [
        "/admin/item/?page=-1",
        "/admin/item/?search=%00",
        "/admin/user/?search=%00",
        "/admin/item/?sort=99&desc=x",
        "/admin/item/edit/?id=abc",
        "/admin/item/edit/?id=99999999999999999999",
        "/admin/user/edit/?id=-1",
    ],
)
def test_bad_list_and_row_parameters_are_never_a_500(admin, create, path):
    create(title="a", price=1)
    response = admin.get(path)
    assert response.status_code in (200, 302), response.get_data(as_text=True)
    if response.status_code == 302:  # no such row: Flask-Admin's flash message on the list
        assert "Record does not exist" in admin.get(response.headers["Location"]).get_data(as_text=True)


def test_items_from_the_api_are_listed_searched_and_sorted_in_the_admin(admin, create):
    for title, price in [("red pen", 3), ("blue pen", 1), ("ink", 2)]:
        create(title=title, price=price)

    def titles(query: str) -> list[str]:
        page = admin.get(f"/admin/item/?{query}").get_data(as_text=True)
        return re.findall(r'<td class="col-title">\s*(.*?)\s*</td>', page, re.S)

    assert titles("") == ["red pen", "blue pen", "ink"]
    assert titles("search=PEN") == ["red pen", "blue pen"]
    assert titles("sort=2") == ["blue pen", "ink", "red pen"]  # column 2: price
    assert titles("sort=1&desc=1") == ["red pen", "ink", "blue pen"]  # title, descending


def test_a_user_made_in_the_admin_is_hashed_as_sign_up_hashes_and_gets_a_token(app, admin, anonymous):
    assert field_errors(post_form(admin, "/admin/user/new/", username="carol").get_data(as_text=True), "password") == [
        "This field is required."
    ]
    assert post_form(admin, "/admin/user/new/", username="carol", password="carol's password").status_code == 302
    form = {"grant_type": "password", "username": "carol", "password": "carol's password"}
    assert anonymous.post("/token", data=form).status_code == 200
    with app.app_context():
        stored = db.session.scalar(select(User).where(User.username == "carol"))
        assert stored.password_hash.startswith("scrypt:") and not stored.is_admin
        digest = stored.password_hash
    for page in (admin.get("/admin/user/"), admin.get(f"/admin/user/edit/?id={stored.id}")):
        assert digest not in page.get_data(as_text=True) and "scrypt" not in page.get_data(as_text=True)
    post_form(admin, f"/admin/user/edit/?id={stored.id}", username="carol", password="")  # empty: the password stays
    assert anonymous.post("/token", data=form).status_code == 200


@pytest.mark.parametrize(
    ("username", "password", "field", "message"),
    [
        ("boss", "a long password", "username", "Already exists."),
        ("no spaces", "a long password", "username", "Only letters, digits and . @ + _ - are allowed."),
        ("dave", "short", "password", "Shorter than minimum length 8."),
    ],
)
def test_the_user_form_refuses_what_sign_up_refuses(app, admin, username, password, field, message):
    page = post_form(admin, "/admin/user/new/", username=username, password=password).get_data(as_text=True)
    assert field_errors(page, field) == [message]
    assert count(app, User) == 1


def test_sign_ups_are_never_administrators_and_the_flag_is_not_in_the_json(app, anonymous):
    response = anonymous.post("/users", json={"username": "eve", "password": "a long password", "is_admin": True})
    assert_problem(response, 422)
    body = anonymous.post("/users", json={"username": "eve", "password": "a long password"}).get_json()
    assert body == {"id": 1, "username": "eve"}
    with app.app_context():
        assert db.session.get(User, 1).is_admin is False


def test_the_api_never_reads_the_admin_session_cookie(admin, owner):
    response = admin.post("/items", json={"title": "t", "price": 1})
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"] == CHALLENGE
    assert_problem(admin.get("/users/me"), 401)
    assert "Set-Cookie" not in response.headers
    # With a bearer token as well, the token alone says who it is.
    created = admin.post("/items", json={"title": "t", "price": 1}, headers=owner.headers)
    assert (created.status_code, created.get_json()["owner"]) == (201, "owner")
    assert admin.get("/users/me", headers=owner.headers).get_json()["username"] == "owner"


def test_the_admin_never_reads_a_bearer_token(app, boss):
    assert app.test_client().get("/admin/item/", headers=boss.headers).status_code == 302
    assert app.test_client().get("/admin/login/", headers={"Authorization": "Bearer not-a-token"}).status_code == 200


def test_the_admin_serves_every_asset_itself(admin):
    page = admin.get("/admin/item/new/").get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:css|js)[^"]*)"', page)
    assert assets and all(asset.startswith("/admin/static/") for asset in assets)
    for asset in assets:
        assert admin.get(html.unescape(asset)).status_code == 200


# endregion

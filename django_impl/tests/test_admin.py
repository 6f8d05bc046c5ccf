"""The Django admin: staff only, CSRF everywhere, and its forms refuse what the API refuses (nothing stored).

Every test logs in through ``/admin/login/`` with CSRF checks enforced, as a browser does.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client

from items.models import Item

PASSWORD = "correct horse battery staple"
FOLDER = Path(__file__).resolve().parent.parent
GOOD = {"title": "ink", "description": "", "price": "2.5", "quantity": "3", "owner": ""}


def csrf_token(response) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    assert match, "no CSRF token in the form"
    return match.group(1)


def log_in(username: str, password: str = PASSWORD) -> tuple[Client, object]:
    """A browser that posted the admin's login form (its CSRF token included), and the answer."""
    browser = Client(enforce_csrf_checks=True, raise_request_exception=False)
    login = browser.get("/admin/login/?next=/admin/")
    assert login.status_code == 200
    form = {"username": username, "password": password, "csrfmiddlewaretoken": csrf_token(login), "next": "/admin/"}
    return browser, browser.post("/admin/login/?next=/admin/", form)


def post_form(browser: Client, path: str, fields: dict[str, str]):
    """Open the admin form at ``path`` and post ``fields`` with its CSRF token."""
    return browser.post(path, {**fields, "csrfmiddlewaretoken": csrf_token(browser.get(path))})


@pytest.fixture
def admin_client(database: str) -> Client:
    User.objects.create_superuser("admin", "", PASSWORD)
    browser, response = log_in("admin")
    assert response.status_code == 302 and response["Location"] == "/admin/", response.content[:300]
    return browser


# --- who gets in -------------------------------------------------------------------------------------------------


def test_nobody_gets_the_login_page_never_the_data(database):
    Item.objects.create(title="secret-pen", price=1)
    for path in ["/admin/", "/admin/items/item/", "/admin/items/item/add/", "/admin/auth/user/"]:
        response = Client().get(path)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/?next="), path
    page = Client().get("/admin/login/")
    assert 'name="username"' in page.content.decode() and "secret-pen" not in page.content.decode()


def test_an_ordinary_api_account_is_refused_until_made_staff(anonymous):
    assert anonymous.send("POST", "/users", {"username": "alice", "password": PASSWORD}).status_code == 201
    alice = User.objects.get(username="alice")
    assert not alice.is_staff and not alice.is_superuser  # POST /users never makes an administrator

    browser, refused = log_in("alice")
    assert refused.status_code == 200 and "for a staff account" in refused.content.decode()  # the login page again
    assert browser.get("/admin/items/item/").status_code == 302
    _, wrong = log_in("admin-that-is-not", "wrong password")
    assert wrong.status_code == 200 and "errornote" in wrong.content.decode()

    alice.is_staff = alice.is_superuser = True  # what a superuser's "Staff status" box in the user form does
    alice.save()
    browser, accepted = log_in("alice")
    assert accepted.status_code == 302 and browser.get("/admin/items/item/").status_code == 200


def test_the_session_cookie_is_httponly_and_samesite_lax(admin_client):
    cookie = admin_client.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"  # Django's defaults, kept


def test_the_api_ignores_the_admin_session(admin_client):
    response = admin_client.post("/items", {"title": "t", "price": 1}, content_type="application/json")
    assert response.status_code == 401 and response["WWW-Authenticate"] == 'Bearer realm="items"'
    assert admin_client.get("/users/me").status_code == 401
    assert not Item.objects.exists()


# --- CSRF ----------------------------------------------------------------------------------------------------------


def test_login_page_refuses_a_post_without_the_csrf_token(database):
    User.objects.create_superuser("admin", "admin@example.com", PASSWORD)
    response = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "admin", "password": PASSWORD})
    assert response.status_code == 403


@pytest.mark.parametrize("token", [None, "forged" * 8])
def test_a_form_posted_without_its_csrf_token_is_refused_and_nothing_stored(admin_client, token):
    fields = GOOD if token is None else {**GOOD, "csrfmiddlewaretoken": token}
    assert admin_client.post("/admin/items/item/add/", fields).status_code == 403
    item = Item.objects.create(title="kept", price=1)
    assert admin_client.post(f"/admin/items/item/{item.pk}/delete/", {"post": "yes"}).status_code == 403
    assert list(Item.objects.values_list("title", flat=True)) == ["kept"]


# --- the item forms ------------------------------------------------------------------------------------------------


def test_admin_lists_searches_orders_creates_and_edits_items(admin_client):
    Item.objects.create(title="pen", price=1.5)
    Item.objects.create(title="paper", price=0.5)
    listing = admin_client.get("/admin/items/item/?q=pen").content.decode()
    assert "pen" in listing and "paper" not in listing
    by_price = admin_client.get("/admin/items/item/?o=3").content.decode()  # the third column: price
    assert by_price.index("paper") < by_price.index("pen")
    assert admin_client.get("/admin/items/item/?o=-5").status_code == 200  # owner, by username
    ownerless = admin_client.get("/admin/items/item/?owner__isnull=True")  # the list filter's "empty" choice
    assert ownerless.status_code == 200 and ownerless.context["cl"].result_count == 2

    response = post_form(admin_client, "/admin/items/item/add/", GOOD)
    assert response.status_code == 302, response.content[:500]
    ink = Item.objects.get(title="ink")
    assert (ink.price, ink.quantity, ink.description, ink.created_at == ink.updated_at) == (2.5, 3, None, True)

    refused = post_form(admin_client, f"/admin/items/item/{ink.pk}/change/", {**GOOD, "price": "0"})
    assert refused.status_code == 200 and "greater than 0" in refused.content.decode()  # the model's own validator
    response = post_form(admin_client, f"/admin/items/item/{ink.pk}/change/", {**GOOD, "price": "4"})
    assert response.status_code == 302
    ink.refresh_from_db()
    assert ink.price == 4 and ink.updated_at > ink.created_at
    assert post_form(admin_client, f"/admin/items/item/{ink.pk}/change/", {**GOOD, "price": "4"}).status_code == 302
    assert Item.objects.get(pk=ink.pk).updated_at == ink.updated_at  # nothing changed: updated_at stays

    response = post_form(admin_client, f"/admin/items/item/{ink.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Item.objects.filter(pk=ink.pk).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("price", "0"),
        ("price", "-1"),
        ("price", "1000000.01"),
        ("price", "1e400"),
        ("price", "nan"),
        ("price", "abc"),
        ("quantity", "-1"),
        ("quantity", "1000001"),
        ("quantity", "1.5"),
        ("title", ""),
        ("title", "x" * 201),
        ("title", "a\x00b"),
        ("description", "a\x00"),
        ("description", "d" * 2001),
    ],
)
def test_each_value_the_api_refuses_is_refused_next_to_its_field_and_nothing_stored(admin_client, field, value):
    response = post_form(admin_client, "/admin/items/item/add/", {**GOOD, field: value})
    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == {field}
    page = response.content.decode()
    assert re.search(rf'field-{field}\b[\s\S]*?class="errorlist', page), "no error next to the field"
    assert not Item.objects.exists()


def test_strings_are_kept_as_sent_like_the_api(admin_client):
    assert post_form(admin_client, "/admin/items/item/add/", {**GOOD, "title": "  pen "}).status_code == 302
    assert Item.objects.get().title == "  pen "  # Django default: the form strips it; the API keeps it


def test_an_item_made_in_the_admin_reads_back_through_the_api(admin_client, anonymous, owner, create):
    fields = {**GOOD, "title": "ad\u00e9", "description": "d", "price": "1000000", "quantity": "0"}
    post_form(admin_client, "/admin/items/item/add/", {**fields, "owner": str(owner.pk)})
    post_form(admin_client, "/admin/items/item/add/", {**fields, "title": "orphan"})
    owned, orphan = anonymous.get("/items").json()["items"]
    assert {k: owned[k] for k in ["title", "description", "price", "quantity", "owner"]} == {
        "title": "ad\u00e9",
        "description": "d",
        "price": 1000000.0,
        "quantity": 0,
        "owner": "owner",
    }
    assert owned["created_at"] == owned["updated_at"] and owned["created_at"].endswith("Z")
    assert orphan["owner"] is None

    made_by_the_api = create(title="from-the-api", price=3)  # and the other way round
    listing = admin_client.get("/admin/items/item/").content.decode()
    assert f"/admin/items/item/{made_by_the_api['id']}/change/" in listing and "from-the-api" in listing


# --- users -------------------------------------------------------------------------------------------------------


def test_a_user_made_in_the_admin_gets_a_token_and_the_api_rules(admin_client, anonymous):
    form = {"username": "bob", "usable_password": "true", "password1": PASSWORD, "password2": PASSWORD}
    assert post_form(admin_client, "/admin/auth/user/add/", form).status_code == 302
    bob = User.objects.get(username="bob")
    assert not bob.is_staff
    anonymous.send("POST", "/users", {"username": "carol", "password": PASSWORD})
    carol = User.objects.get(username="carol")
    assert identify_hasher(bob.password).algorithm == identify_hasher(carol.password).algorithm  # PASSWORD_HASHERS
    form_body = urlencode({"grant_type": "password", "username": "bob", "password": PASSWORD}).encode()
    token = anonymous.send("POST", "/token", raw=form_body, content_type="application/x-www-form-urlencoded")
    assert token.status_code == 200 and token.json()["token_type"] == "Bearer"

    for username, password in [("b\u00e9a", PASSWORD), ("dave", "short")]:  # POST /users: ASCII, 8 characters
        fields = {**form, "username": username, "password1": password, "password2": password}
        refused = post_form(admin_client, "/admin/auth/user/add/", fields)
        assert refused.status_code == 200 and refused.context["adminform"].form.errors, username
    assert not User.objects.filter(username__in=["b\u00e9a", "dave"]).exists()


# --- the command line ----------------------------------------------------------------------------------------------


def test_createsuperuser_makes_an_administrator_and_refuses_a_taken_name(database, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", "--noinput", username="root", email="", database=database, verbosity=0)
    root = User.objects.get(username="root")
    assert root.is_staff and root.is_superuser and root.check_password(PASSWORD)
    assert log_in("root")[1].status_code == 302
    with pytest.raises(CommandError, match="already taken"):
        call_command("createsuperuser", "--noinput", username="root", email="", database=database, verbosity=0)
    assert User.objects.count() == 1


def test_impl_toml_admin_command_creates_an_administrator(tmp_path):
    """``[admin] create`` as the browser test runs it: this folder, the server's environment, a fresh database."""
    admin = tomllib.loads((FOLDER / "impl.toml").read_text())["admin"]
    assert admin["kind"] == "django"
    env = {name: value for name, value in os.environ.items() if not name.startswith("DJANGO_")}
    env |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'items.db'}", "SECRET_KEY": "s" * 32}
    env |= {name: value.replace("{password}", PASSWORD) for name, value in admin["env"].items()}
    create = [sys.executable if arg == "python" else arg.replace("{username}", "boss") for arg in admin["create"]]
    for command in [[sys.executable, "manage.py", "migrate", "--noinput", "-v0"], create]:
        done = subprocess.run(command, cwd=FOLDER, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    again = subprocess.run(create, cwd=FOLDER, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 1 and "already taken" in again.stderr  # a clear refusal, not a traceback
    assert "Traceback" not in again.stderr


def test_admin_static_files_are_served(admin_client):
    page = admin_client.get("/admin/").content.decode()
    stylesheet = re.search(r'href="(/static/admin/css/[^"]+\.css)"', page).group(1)
    assert admin_client.get(stylesheet).status_code == 200


def test_a_form_over_one_mib_is_413_problem(database):
    response = Client().post("/admin/login/", {"username": "x" * (1024 * 1024 + 1)})
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"

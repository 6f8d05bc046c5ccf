"""The Django admin: log in through its own login page (CSRF enforced), then list, create and edit items."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from items.models import Item

PASSWORD = "correct horse battery staple"


def csrf_token(response) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    assert match, "no CSRF token in the form"
    return match.group(1)


@pytest.fixture
def admin_client(database: str) -> Client:
    User.objects.create_superuser("admin", "admin@example.com", PASSWORD)
    browser = Client(enforce_csrf_checks=True)
    login = browser.get("/admin/login/?next=/admin/")
    assert login.status_code == 200
    response = browser.post(
        "/admin/login/?next=/admin/",
        {"username": "admin", "password": PASSWORD, "csrfmiddlewaretoken": csrf_token(login), "next": "/admin/"},
    )
    assert response.status_code == 302 and response["Location"] == "/admin/", response.content[:300]
    return browser


def test_login_page_refuses_a_post_without_the_csrf_token(database):
    User.objects.create_superuser("admin", "admin@example.com", PASSWORD)
    response = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "admin", "password": PASSWORD})
    assert response.status_code == 403


def test_admin_lists_creates_and_edits_items(admin_client):
    Item.objects.create(title="pen", price=1.5)
    listing = admin_client.get("/admin/items/item/?q=pen")
    assert listing.status_code == 200 and "pen" in listing.content.decode()

    add = admin_client.get("/admin/items/item/add/")
    fields = {"title": "ink", "description": "", "price": "2.5", "quantity": "3"}
    response = admin_client.post("/admin/items/item/add/", {**fields, "csrfmiddlewaretoken": csrf_token(add)})
    assert response.status_code == 302, response.content[:500]
    ink = Item.objects.get(title="ink")
    assert (ink.price, ink.quantity, ink.description, ink.created_at == ink.updated_at) == (2.5, 3, None, True)

    change = admin_client.get(f"/admin/items/item/{ink.pk}/change/")
    fields = {**fields, "price": "0", "csrfmiddlewaretoken": csrf_token(change)}
    refused = admin_client.post(f"/admin/items/item/{ink.pk}/change/", fields)
    assert refused.status_code == 200 and "greater than 0" in refused.content.decode()  # the model's own validator
    response = admin_client.post(f"/admin/items/item/{ink.pk}/change/", {**fields, "price": "4"})
    assert response.status_code == 302
    ink.refresh_from_db()
    assert ink.price == 4 and ink.updated_at > ink.created_at


def test_admin_static_files_are_served(admin_client):
    page = admin_client.get("/admin/").content.decode()
    stylesheet = re.search(r'href="(/static/admin/css/[^"]+\.css)"', page).group(1)
    assert admin_client.get(stylesheet).status_code == 200


def test_a_form_over_one_mib_is_413_problem(database):
    response = Client().post("/admin/login/", {"username": "x" * (1024 * 1024 + 1)})
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"

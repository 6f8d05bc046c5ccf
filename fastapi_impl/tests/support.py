"""What every test checks the same way about a problem+json response; signing up and in, to the API and the admin."""

from __future__ import annotations

import re
from typing import Any

import httpx2

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    414: "URI Too Long",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def assert_problem(response: httpx2.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "about:blank"
    assert body["title"] == TITLES[status]
    assert body["status"] == status
    assert isinstance(body["detail"], str)
    assert ("errors" in body) == (status == 422), body
    return body


def error_pairs(response: httpx2.Response) -> set[tuple[str, str]]:
    return {(error["field"], error["code"]) for error in assert_problem(response, 422)["errors"]}


def sign_up(client: Any, username: str, password: str = "correct horse") -> dict[str, str]:
    """Sign ``username`` up, then in: the ``Authorization`` header that carries the user's token."""
    created = client.post("/users", json={"username": username, "password": password})
    assert created.status_code == 201, created.text
    form = {"grant_type": "password", "username": username, "password": password}
    token = client.post("/token", data=form)
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def csrf_token(html: str) -> str:
    """The CSRF token of the admin form on ``html``."""
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)[1]


def log_in(client: Any, username: str, password: str) -> httpx2.Response:
    """Log into the admin as a browser does: the login page, then its form with its token."""
    token = csrf_token(client.get("/admin/login").text)
    form = {"username": username, "password": password, "csrf_token": token}
    return client.post("/admin/login", data=form, follow_redirects=False)

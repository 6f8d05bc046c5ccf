"""Accounts for the suite: sign a user up over HTTP and log in, the way any client of the contract would.

Every write needs a bearer token (DESIGN.md, "Accounts, tokens and ownership"), so the suite signs up
its own users with unique names; nothing here knows how an implementation stores them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import httpx

FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Account:
    """A signed-up user: ``id``, ``username``, ``password`` (as sent) and a bearer ``token`` from /token."""

    id: int
    username: str
    password: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}


def unique_username(stem: str = "user") -> str:
    return f"{stem}-{secrets.token_hex(5)}"


def token(http: httpx.Client, username: str, password: str) -> str:
    """``POST /token`` with the password grant (RFC 6749 §4.3); fails the test on any answer but 200."""
    form = {"grant_type": "password", "username": username, "password": password}
    response = http.post("/token", data=form)
    assert response.status_code == 200, f"POST /token answered {response.status_code}: {response.text[:300]}"
    return response.json()["access_token"]


def sign_up(http: httpx.Client, stem: str = "user", password: str | None = None) -> Account:
    """``POST /users`` with a new unique username, then a token for it."""
    return sign_up_as(http, unique_username(stem), password)


def sign_up_as(http: httpx.Client, username: str, password: str | None = None) -> Account:
    """``POST /users`` with ``username`` (which must be free), then a token for it."""
    password = password or f"pw-{secrets.token_hex(8)}"
    response = http.post("/users", json={"username": username, "password": password})
    assert response.status_code == 201, f"POST /users answered {response.status_code}: {response.text[:300]}"
    return Account(response.json()["id"], username, password, token(http, username, password))

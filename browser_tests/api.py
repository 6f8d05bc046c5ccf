"""The items API over HTTP, as any client sees it: what the browser tests check the pages against.

Standard library only (the browser tests need no HTTP client of their own). Every call goes to the base URL
given, on 127.0.0.1.
"""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass


class ApiError(AssertionError):
    """The API answered something other than what the call needs (a test failure, with the answer quoted)."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: object  # parsed JSON, or None for an empty or non-JSON body
    text: str


@dataclass(frozen=True)
class Account:
    """A user signed up through ``POST /users``, with a bearer token from ``POST /token``."""

    username: str
    password: str
    token: str


def unique(stem: str) -> str:
    """``stem`` plus a random suffix: a name no earlier run used (usernames and titles stay unique)."""
    return f"{stem}-{secrets.token_hex(4)}"


class Api:
    """``base_url``'s API: sign-ups, tokens, items."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def call(
        self,
        method: str,
        path: str,
        *,
        json_body: object = None,
        form: dict[str, str] | None = None,
        token: str | None = None,
    ) -> Answer:
        headers = {"accept": "application/json"}
        data = None
        if json_body is not None:
            data, headers["content-type"] = json.dumps(json_body).encode(), "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["content-type"] = "application/x-www-form-urlencoded"
        if token:
            headers["authorization"] = f"Bearer {token}"
        request = urllib.request.Request(self.base_url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        text = raw.decode("utf-8", errors="replace")
        try:
            body = json.loads(text) if text else None
        except ValueError:
            body = None
        return Answer(status, body, text)

    def expect(self, answer: Answer, status: int, what: str) -> object:
        if answer.status != status:
            raise ApiError(f"{what} at {self.base_url} answered {answer.status}, not {status}: {answer.text[:300]}")
        return answer.body

    def sign_up(self, username: str, password: str | None = None) -> Account:
        """``POST /users`` then ``POST /token`` (the password grant)."""
        password = password or f"pw-{secrets.token_hex(8)}"
        self.expect(
            self.call("POST", "/users", json_body={"username": username, "password": password}), 201, "POST /users"
        )
        return Account(username, password, self.token(username, password))

    def token(self, username: str, password: str) -> str:
        form = {"grant_type": "password", "username": username, "password": password}
        return self.expect(self.call("POST", "/token", form=form), 200, "POST /token")["access_token"]

    def create_item(self, token: str, **fields: object) -> dict:
        return self.expect(self.call("POST", "/items", json_body=fields, token=token), 201, "POST /items")

    def item(self, item_id: int) -> Answer:
        return self.call("GET", f"/items/{item_id}")

    def items(self, params: dict[str, str] | None = None) -> dict:
        """``GET /items`` with ``params``: the page, ``{"items", "total", "limit", "offset"}``."""
        query = urllib.parse.urlencode(params or {})
        return self.expect(self.call("GET", "/items" + (f"?{query}" if query else "")), 200, f"GET /items?{query}")

    def titled(self, title: str) -> list[dict]:
        """Every item whose title is exactly ``title`` (``GET /items?q=`` narrowed to exact matches)."""
        return [item for item in self.items({"q": title, "limit": "100"})["items"] if item["title"] == title]

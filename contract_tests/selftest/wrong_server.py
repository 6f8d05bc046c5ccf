"""A deliberately wrong items server, for proving that the contract suite can fail.

It speaks roughly the right JSON, in memory, with just enough of accounts for a client to sign up and
log in, but breaks the contract on purpose: POST answers 200 instead of 201, it accepts any price, -1
included, a write without credentials is refused 403 where the contract says 401, and a PUT or PATCH
never moves ``updated_at``.

    python -m contract_tests.selftest.wrong_server --port 8123
"""

from __future__ import annotations

import argparse
import json
import re
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

ITEM_PATH = re.compile(r"^/items/([1-9][0-9]{0,17})$")
items: dict[int, dict] = {}
users: dict[str, dict] = {}  # by username: {"id", "username", "password"}


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def send(self, status, body=None, content_type="application/json", headers=()):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", content_type)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def problem(self, status, title):
        self.send(
            status,
            {"type": "about:blank", "title": title, "status": status, "detail": title},
            "application/problem+json",
        )

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        try:
            data = json.loads(self.rfile.read(length) or b"null")
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def user(self):
        """The user a ``Bearer token-NAME`` names, or None."""
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        name = token.removeprefix("token-") if scheme.lower() == "bearer" else None
        return users.get(name)

    def refused_without_user(self):
        if self.user() is None:
            self.problem(403, "Forbidden")  # wrong: 401 with WWW-Authenticate
            return True
        return False

    def accounts(self):
        if self.path == "/users":
            body = self.body() or {}
            user = {"id": len(users) + 1, "username": str(body.get("username")), "password": body.get("password")}
            users[user["username"]] = user
            public = {"id": user["id"], "username": user["username"]}
            return self.send(201, public, headers=[("Location", f"/users/{user['id']}")])
        form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode())
        user = users.get(form.get("username", [""])[0])
        if user is None or user["password"] != form.get("password", [""])[0]:
            return self.send(
                400,
                {
                    "type": "about:blank",
                    "title": "Bad Request",
                    "status": 400,
                    "detail": "no",
                    "error": "invalid_grant",
                },
                "application/problem+json",
            )
        return self.send(200, {"access_token": f"token-{user['username']}", "token_type": "Bearer", "expires_in": 3600})

    def item_id(self):
        match = ITEM_PATH.match(self.path)
        return int(match.group(1)) if match else None

    def do_GET(self):
        if self.path.split("?")[0] == "/items":
            page = sorted(items.values(), key=lambda i: i["id"])[:20]
            return self.send(200, {"items": page, "total": len(items), "limit": 20, "offset": 0})
        if self.path == "/openapi.json":
            return self.send(200, {"openapi": "3.1.0", "paths": {}})
        if self.path == "/users/me":
            user = self.user()
            return (
                self.send(200, {"id": user["id"], "username": user["username"]})
                if user
                else self.problem(403, "Forbidden")
            )
        item = items.get(self.item_id())
        return self.send(200, item) if item else self.problem(404, "Not Found")

    def do_POST(self):
        if self.path in ("/users", "/token"):
            return self.accounts()
        if self.refused_without_user():
            return None
        body = self.body()
        if self.path != "/items" or body is None:
            return self.problem(400, "Bad Request")
        stamp = now()
        item = {
            "id": len(items) + 1,
            "title": str(body.get("title", "")),
            "description": body.get("description"),
            "price": body.get("price", 0),
            "quantity": body.get("quantity", 0),
            "owner": self.user()["username"],
            "created_at": stamp,
            "updated_at": stamp,
        }
        items[item["id"]] = item
        self.send(200, item, headers=[("Location", f"/items/{item['id']}")])  # wrong: 201

    def do_PUT(self):
        self.do_PATCH()

    def do_PATCH(self):
        if self.refused_without_user():
            return None
        item, body = items.get(self.item_id()), self.body()
        if item is None:
            return self.problem(404, "Not Found")
        item.update({k: v for k, v in (body or {}).items() if k in ("title", "description", "price", "quantity")})
        self.send(200, item)  # wrong: updated_at stays, a change or not

    def do_DELETE(self):
        if self.refused_without_user():
            return None
        if items.pop(self.item_id(), None) is None:
            return self.problem(404, "Not Found")
        self.send(204)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()

"""Tiny items servers on PostgreSQL, each handling a lost database its own way, for the fault test's self-test.

    DATABASE_URL=postgresql://... python -m contract_tests.selftest.db_fault_server --port 8123 --mode stuck

Just enough of the contract for ``test_database_faults.py``: ``GET /items`` (``limit``, ``offset``,
``total``), ``POST /items`` (201), ``GET /items/{id}``, and ``/openapi.json`` to say it is ready. Modes:

- ``stuck``: opens one psycopg connection at start and uses it forever, never reconnecting; once the
  connection is cut, every request is a 500. The test must fail it from the cut on.
- ``plain500``: a new connection per request, so it recovers, but a lost database is a 500 without
  ``Retry-After``, as a framework's default error handler answers. The test must fail it while the
  database is away, and only then.
- ``hanging``: like ``recovering`` below, but with no connect timeout, so a database that never
  answers holds the request as long as it lasts. The test must fail it while the database is black-holed.
- ``recovering``: a new connection per request (``connect_timeout`` 2 s), and a lost database is 503
  problem+json with ``Retry-After: 1``. The test must pass it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import psycopg

ITEM_PATH = re.compile(r"^/items/([1-9][0-9]{0,17})$")
CONNECT_TIMEOUT = 2  # seconds; libpq's smallest
SCHEMA = "CREATE TABLE IF NOT EXISTS stub_items (id bigserial PRIMARY KEY, title text NOT NULL, price float8 NOT NULL)"


class Database:
    """Runs one statement per call: on the one shared connection (``stuck``), or on a new one each time."""

    def __init__(self, url: str, shared: bool, connect_timeout: int | None) -> None:
        self.url = url
        self.connect_timeout = connect_timeout
        self.lock = threading.Lock()  # the shared connection serves one request at a time
        self.shared = self.connect() if shared else None
        self.run(SCHEMA)

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(self.url, autocommit=True, connect_timeout=self.connect_timeout)

    def run(self, sql: str, *params: object) -> list[tuple]:
        """The rows ``sql`` returns (none for a statement without); raises ``psycopg.OperationalError``."""
        if self.shared is not None:
            with self.lock:
                cursor = self.shared.execute(sql, params)
                return cursor.fetchall() if cursor.description else []
        with self.connect() as conn:
            cursor = conn.execute(sql, params)
            return cursor.fetchall() if cursor.description else []


def item(row: tuple) -> dict:
    return {"id": row[0], "title": row[1], "price": row[2]}


class Handler(BaseHTTPRequestHandler):
    database: Database
    mode: str

    def log_message(self, *args):  # quiet
        pass

    def send(self, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        problem = status >= 400
        self.send_header("Content-Type", "application/problem+json" if problem else "application/json")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def problem(self, status: int, title: str, headers: dict[str, str] | None = None) -> None:
        self.send(status, {"type": "about:blank", "title": title, "status": status, "detail": title}, headers)

    def answer(self, handle) -> None:
        try:
            handle()
        except psycopg.OperationalError:
            if self.mode in ("hanging", "recovering"):
                self.problem(503, "Service Unavailable", {"Retry-After": "1"})
            else:
                self.problem(500, "Internal Server Error")

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/openapi.json":
            return self.send(200, {"openapi": "3.1.0", "paths": {}})
        if url.path == "/items":
            query = {key: int(values[0]) for key, values in parse_qs(url.query).items() if key in ("limit", "offset")}
            limit, offset = query.get("limit", 20), query.get("offset", 0)

            def page() -> None:
                rows = self.database.run(
                    "SELECT id, title, price FROM stub_items ORDER BY id LIMIT %s OFFSET %s", limit, offset
                )
                total = self.database.run("SELECT count(*) FROM stub_items")[0][0]
                self.send(200, {"items": [item(r) for r in rows], "total": total, "limit": limit, "offset": offset})

            return self.answer(page)
        if match := ITEM_PATH.match(url.path):

            def one() -> None:
                rows = self.database.run("SELECT id, title, price FROM stub_items WHERE id = %s", int(match[1]))
                if not rows:
                    return self.problem(404, "Not Found")
                self.send(200, item(rows[0]))

            return self.answer(one)
        self.problem(404, "Not Found")

    def do_POST(self) -> None:
        if self.path != "/items":
            return self.problem(404, "Not Found")
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

        def create() -> None:
            sql = "INSERT INTO stub_items (title, price) VALUES (%s, %s) RETURNING id, title, price"
            created = item(self.database.run(sql, body["title"], body["price"])[0])
            self.send(201, created, {"Location": f"/items/{created['id']}"})

        self.answer(create)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mode", choices=("stuck", "plain500", "hanging", "recovering"), required=True)
    args = parser.parse_args()
    Handler.mode = args.mode
    timeout = None if args.mode == "hanging" else CONNECT_TIMEOUT
    Handler.database = Database(os.environ["DATABASE_URL"], shared=args.mode == "stuck", connect_timeout=timeout)
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()

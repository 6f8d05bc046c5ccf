"""The raw data path on a WSGI server: one hand-written SQL query per request through psycopg or sqlite3.

Run in Flask's venv (it has psycopg): ``gunicorn ceiling_raw_wsgi:app``, ``DATABASE_URL`` as for the
implementations, the table made by the benchmark (``BENCH_TABLE``, default ``items``). One connection per
worker thread, opened on first use (after gunicorn forks) and kept.
"""

from __future__ import annotations

import os
import threading

import ceiling_sql as sql

URL = os.environ["DATABASE_URL"]
POSTGRES = sql.is_postgres(URL)
DIALECT = sql.Dialect("%s", text_timestamps=False) if POSTGRES else sql.Dialect("?", text_timestamps=True)
local = threading.local()
REASONS = {200: "200 OK", 201: "201 Created", 404: "404 Not Found", 405: "405 Method Not Allowed"}


def connection():
    if not hasattr(local, "connection"):
        if POSTGRES:
            import psycopg

            local.connection = psycopg.connect(URL, autocommit=True)
        else:
            import sqlite3

            local.connection = sqlite3.connect(sql.sqlite_path(URL), isolation_level=None, check_same_thread=False)
    return local.connection


def rows(query: str, args: list[object]) -> list:
    return list(connection().execute(query, args).fetchall())


def handle(method: str, path: str, query: str, body: bytes) -> tuple[int, bytes, list]:
    d = DIALECT
    if path == "/health":
        return 200, b"{}", []
    number = sql.item_id(path)
    if number is None and method == "GET":
        order, limit, offset = sql.page_args(query)
        found = rows(d.page(order), [limit, offset])
        total = found[0][7] if found else 0
        return (
            200,
            sql.dumps({"items": [sql.item(r) for r in found], "total": total, "limit": limit, "offset": offset}),
            [],
        )
    if number is None and method == "POST":
        row = rows(d.insert(), sql.new_item(d, body))[0]
        return 201, sql.dumps(sql.item(row)), [("Location", f"/items/{row[0]}")]
    if method == "GET":
        found = rows(d.get(), [number])
    elif method == "PATCH":
        fields, values = sql.changes(d, body)
        found = rows(d.update(fields), [*values, number])
    else:
        return 405, b"{}", []
    return (200, sql.dumps(sql.item(found[0])), []) if found else (*sql.NOT_FOUND, [])


def app(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    status, payload, headers = handle(environ["REQUEST_METHOD"], environ["PATH_INFO"], environ["QUERY_STRING"], body)
    start_response(
        REASONS[status], [("Content-Type", "application/json"), ("Content-Length", str(len(payload))), *headers]
    )
    return [payload]

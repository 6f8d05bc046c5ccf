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


def handle(method: str, path: str, query: str, body: bytes) -> sql.Answer:
    step = sql.answer(DIALECT, method, path, query, body)
    if isinstance(step[0], int):
        return step
    statement, args, respond = step
    return respond(rows(statement, args))


def app(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    status, payload, headers = handle(environ["REQUEST_METHOD"], environ["PATH_INFO"], environ["QUERY_STRING"], body)
    start_response(
        REASONS[status], [("Content-Type", "application/json"), ("Content-Length", str(len(payload))), *headers]
    )
    return [payload]

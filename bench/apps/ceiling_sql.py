"""The raw data path shared by the two raw-driver ceilings: hand-written SQL, no ORM, no validation.

Each request is one SQL statement through the driver (the list counts in a scalar subquery, so that the
page and its total come back from one query while the database still sorts only the top of the table), and
the row goes out with ``json.dumps``. Nothing is checked: this is what the data path costs when everything an
idiomatic stack adds is taken away. Standard library only, so the ASGI (asyncpg, aiosqlite) and WSGI
(psycopg, sqlite3) apps import it from any venv.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import parse_qs, unquote, urlsplit

TABLE = os.environ.get("BENCH_TABLE", "items")
COLUMNS = "id, title, description, price, quantity, created_at, updated_at"
WRITABLE = ("title", "description", "price", "quantity")
SORTS = {
    name: f"{name.removeprefix('-')}{' DESC' if name.startswith('-') else ''}, id"
    for field in ("id", "title", "price", "created_at")
    for name in (field, f"-{field}")
}


def is_postgres(url: str) -> bool:
    return urlsplit(url).scheme in {"postgres", "postgresql"}


def sqlite_path(url: str) -> str:
    return unquote(urlsplit(url).path.removeprefix("/"))


class Dialect:
    """Placeholders and timestamps for one driver: ``$1`` (asyncpg), ``%s`` (psycopg) or ``?`` (sqlite3)."""

    def __init__(self, placeholder: str, text_timestamps: bool) -> None:
        self.placeholder = placeholder
        self.text_timestamps = text_timestamps

    def mark(self, number: int) -> str:
        return self.placeholder.replace("N", str(number))

    def now(self) -> object:
        now = datetime.now(UTC)
        # SQLite keeps text, in the format SQLAlchemy and Django both write and read back.
        return now.strftime("%Y-%m-%d %H:%M:%S.%f") if self.text_timestamps else now

    def get(self) -> str:
        return f"SELECT {COLUMNS} FROM {TABLE} WHERE id = {self.mark(1)}"

    def page(self, order: str) -> str:
        return (
            f"SELECT {COLUMNS}, (SELECT count(*) FROM {TABLE}) FROM {TABLE} ORDER BY {order} "
            f"LIMIT {self.mark(1)} OFFSET {self.mark(2)}"
        )

    def insert(self) -> str:
        marks = ", ".join(self.mark(n) for n in range(1, 7))
        return (
            f"INSERT INTO {TABLE} (title, description, price, quantity, created_at, updated_at) "
            f"VALUES ({marks}) RETURNING {COLUMNS}"
        )

    def update(self, fields: list[str]) -> str:
        sets = ", ".join(f"{name} = {self.mark(n)}" for n, name in enumerate([*fields, "updated_at"], start=1))
        return f"UPDATE {TABLE} SET {sets} WHERE id = {self.mark(len(fields) + 2)} RETURNING {COLUMNS}"


def stamp(value: object) -> str:
    if isinstance(value, str):
        return value.replace(" ", "T") + "Z"
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def item(row) -> dict[str, object]:
    return {
        "id": row[0],
        "title": row[1],
        "description": row[2],
        "price": row[3],
        "quantity": row[4],
        "created_at": stamp(row[5]),
        "updated_at": stamp(row[6]),
    }


def page_args(query: str) -> tuple[str, int, int]:
    params = parse_qs(query)
    limit = int(params.get("limit", ["20"])[0])
    offset = int(params.get("offset", ["0"])[0])
    return SORTS.get(params.get("sort", ["id"])[0], "id"), limit, offset


def item_id(path: str) -> int | None:
    """``/items/N`` gives N; ``/items`` gives None."""
    parts = path.strip("/").split("/")
    return int(parts[1]) if len(parts) == 2 else None


def new_item(dialect: Dialect, body: bytes) -> list[object]:
    data = json.loads(body)
    now = dialect.now()
    return [data.get("title"), data.get("description"), data.get("price"), data.get("quantity", 0), now, now]


def changes(dialect: Dialect, body: bytes) -> tuple[list[str], list[object]]:
    data = json.loads(body)
    fields = [name for name in WRITABLE if name in data]
    return fields, [data[name] for name in fields] + [dialect.now()]


def dumps(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


NOT_FOUND = (404, b'{"status":404}')
Answer = tuple[int, bytes, list[tuple[str, str]]]  # status, body, extra headers


def one_item(rows: list) -> Answer:
    return (200, dumps(item(rows[0])), []) if rows else (*NOT_FOUND, [])


def created(rows: list) -> Answer:
    return 201, dumps(item(rows[0])), [("location", f"/items/{rows[0][0]}")]


def page(limit: int, offset: int, rows: list) -> Answer:
    total = rows[0][7] if rows else 0  # the count rides on every row (Dialect.page)
    return 200, dumps({"items": [item(r) for r in rows], "total": total, "limit": limit, "offset": offset}), []


def answer(
    dialect: Dialect, method: str, path: str, query: str, body: bytes
) -> Answer | tuple[str, list[object], Callable[[list], Answer]]:
    """What one request needs: its answer at once, or (SQL, arguments, the function that answers from the rows).

    The ASGI and WSGI apps differ only in how they run the SQL (awaited or not), so both start here.
    """
    if path == "/health":
        return 200, b"{}", []
    number = item_id(path)
    if number is None and method == "GET":
        order, limit, offset = page_args(query)
        return dialect.page(order), [limit, offset], functools.partial(page, limit, offset)
    if number is None and method == "POST":
        return dialect.insert(), new_item(dialect, body), created
    if method == "GET":
        return dialect.get(), [number], one_item
    if method == "PATCH":
        fields, values = changes(dialect, body)
        return dialect.update(fields), [*values, number], one_item
    return 405, b"{}", []

"""The seed: the same 10,000 items for every target, written with SQL into the table the target created.

The large table (``generate``): 1,000,000 items of the same shape (a title of "Item", the row's number and
three of ``WORDS``; a description or, every third row, none; a price from 0.50 to 999.50 in cents; a quantity
from 0 to 500; the same instants), made by the database itself in one ``INSERT ... SELECT`` over
``generate_series`` (PostgreSQL) or a recursive CTE (SQLite: 1M rows in ~7 s, where ``executemany`` of rows made
in Python took ~17 s). Its pseudo-random picks are integer hashes of the row number, so PostgreSQL and SQLite hold
the very same rows, on every run; they are not the 10,000-item seed's rows (that one draws from Python's random).

Flask and FastAPI name their table ``items``, Django ``items_item``; whichever table has the item's columns
is the one seeded, so a new implementation with the same columns needs nothing here. The raw-driver
ceilings get a table made by ``create_items_table``, the DDL that SQLAlchemy emits for the same model.

An implementation's items have an owner: a nullable foreign key to its users table (``owner_id`` to
``users`` in Flask and FastAPI, to Django's ``auth_user`` in Django). ``owner_column`` finds it from the
database's own catalogue (the items table's one foreign key, or the one whose name says owner), and the
seed gives every item the bench user's id as the server reported it (``GET /users/me``).
"""

from __future__ import annotations

import random
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote, urlsplit

SEED_ITEMS = 10_000
COLUMNS = ("id", "title", "description", "price", "quantity", "created_at", "updated_at")
WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar".split()  # noqa: SIM905
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
HASHES = (2654435761, 2246822519, 3266489917, 668265263, 374761393)  # odd multipliers: word 1-3, price, quantity

POSTGRES_DDL = """CREATE TABLE {table} (
    id BIGSERIAL PRIMARY KEY,
    title VARCHAR(200) COLLATE "C" NOT NULL,
    description VARCHAR(2000),
    price DOUBLE PRECISION NOT NULL,
    quantity INTEGER NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL
)"""
SQLITE_DDL = """CREATE TABLE {table} (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title VARCHAR(200) NOT NULL,
    description VARCHAR(2000),
    price FLOAT NOT NULL,
    quantity INTEGER NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
)"""


class SeedError(RuntimeError):
    """No table to seed, or the seed did not come back over HTTP."""


def is_postgres(url: str) -> bool:
    return urlsplit(url).scheme in {"postgres", "postgresql"}


def items(count: int = SEED_ITEMS) -> list[tuple]:
    """The seed rows, identical on every run: (title, description, price, quantity, created_at)."""
    rng = random.Random(7)
    rows = []
    for n in range(1, count + 1):
        words = " ".join(rng.choice(WORDS) for _ in range(3))
        description = None if n % 3 == 0 else f"Seed item {n}: {words}."
        price = round(rng.uniform(0.5, 999.5), 2)
        stamp = EPOCH + timedelta(seconds=n, microseconds=n % 997 + 1)
        rows.append((f"Item {n:05d} {words}", description, price, rng.randint(0, 500), stamp))
    return rows


def _connect_postgres(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=10)


def sqlite_path(url: str) -> str:
    """``sqlite:////abs/path.db`` or ``sqlite:///relative.db``, read as Django and SQLAlchemy read them."""
    return unquote(urlsplit(url).path.removeprefix("/"))


def find_table(url: str) -> str:
    """The one table holding the item's columns."""
    wanted = set(COLUMNS)
    if is_postgres(url):
        with _connect_postgres(url) as connection:
            found = connection.execute(
                "SELECT table_name, array_agg(column_name::text) FROM information_schema.columns "
                "WHERE table_schema = 'public' GROUP BY table_name"
            ).fetchall()
        tables = [name for name, columns in found if wanted <= set(columns)]
    else:
        with closing(sqlite3.connect(sqlite_path(url))) as connection:
            names = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            tables = [
                name
                for name in names
                if wanted <= {row[1] for row in connection.execute(f'PRAGMA table_info("{name}")')}
            ]
    if len(tables) != 1:
        raise SeedError(f"expected one table with columns {', '.join(COLUMNS)}, found {tables or 'none'}")
    return tables[0]


def _foreign_keys(url: str, table: str) -> dict[str, str]:
    """The foreign-key columns of ``table``: {column: referenced table}."""
    if is_postgres(url):
        with _connect_postgres(url) as connection:
            found = connection.execute(
                "SELECT a.attname::text, c.confrelid::regclass::text FROM pg_constraint c "
                "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey) "
                "WHERE c.contype = 'f' AND c.conrelid = %s::regclass",
                (table,),
            ).fetchall()
    else:
        with closing(sqlite3.connect(sqlite_path(url))) as connection:
            found = [(row[3], row[2]) for row in connection.execute(f'PRAGMA foreign_key_list("{table}")')]
    return {column: target.strip('"') for column, target in found}


def referenced_tables(url: str, table: str) -> set[str]:
    """The tables that ``table``'s foreign keys point to (an implementation's users table)."""
    return set(_foreign_keys(url, table).values())


def owner_column(url: str, table: str) -> str:
    """The column of ``table`` that holds an item's owner: its one foreign key, else the one named owner."""
    keys = _foreign_keys(url, table)
    named = [column for column in keys if "owner" in column.lower()]
    if len(keys) == 1:
        return next(iter(keys))
    if len(named) == 1:
        return named[0]
    raise SeedError(
        f"expected one owner column (a foreign key to the users table) in {table}, found foreign keys {keys or 'none'}"
    )


def create_items_table(url: str, table: str = "items") -> None:
    if is_postgres(url):
        with _connect_postgres(url) as connection:
            connection.execute(POSTGRES_DDL.format(table=table))
    else:
        with closing(sqlite3.connect(sqlite_path(url))) as connection:
            connection.execute(SQLITE_DDL.format(table=table))
            connection.commit()


def seed(url: str, table: str, rows: list[tuple], owner: tuple[str, int] | None = None) -> None:
    """Insert ``rows`` (ids 1..N in an empty table); created_at and updated_at are the same instant.

    ``owner``: (owner column, user id) to give every row that owner; None for a table without owners.
    """
    columns = ["title", "description", "price", "quantity", "created_at", "updated_at"]
    extra: tuple = ()
    if owner is not None:
        columns.append(owner[0])
        extra = (owner[1],)
    names = ", ".join(f'"{column}"' for column in columns)
    if is_postgres(url):
        with _connect_postgres(url) as connection, connection.cursor() as cursor:
            with connection.transaction(), cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, row[4], *extra))
            connection.execute(f"ANALYZE {table}")
        return
    text = "%Y-%m-%d %H:%M:%S.%f"  # what SQLAlchemy and Django both write for a datetime on SQLite
    with closing(sqlite3.connect(sqlite_path(url))) as connection:
        connection.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' for _ in columns)})",
            [(*row[:4], row[4].strftime(text), row[4].strftime(text), *extra) for row in rows],
        )
        connection.commit()


def count(url: str, table: str) -> int:
    if is_postgres(url):
        with _connect_postgres(url) as connection:
            return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    with closing(sqlite3.connect(sqlite_path(url), timeout=30)) as connection:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def reset(url: str, table: str, keep: int = SEED_ITEMS) -> None:
    """Delete every row past the seed (ids 1..``keep``), so that every run starts from the same items."""
    if is_postgres(url):
        with _connect_postgres(url) as connection:
            connection.execute(f"DELETE FROM {table} WHERE id > %s", (keep,))
            connection.execute(f"VACUUM ANALYZE {table}")
        return
    with closing(sqlite3.connect(sqlite_path(url), timeout=30)) as connection:
        connection.execute(f"DELETE FROM {table} WHERE id > ?", (keep,))
        connection.commit()


def _hash(stream: int) -> str:
    """SQL for a pseudo-random 0..2**32-1 from the row number ``n``: the same integer in PostgreSQL and SQLite."""
    return f"((n * {HASHES[stream]}) % 4294967296)"


def _word(stream: int) -> str:
    cases = " ".join(f"WHEN {i} THEN '{word}'" for i, word in enumerate(WORDS))
    return f"(CASE ({_hash(stream)} / 65536) % {len(WORDS)} {cases} END)"


def generated_rows(postgres: bool, total: int) -> str:
    """A SELECT of ``total`` rows (title, description, price, quantity, created_at, updated_at) for ``generate``."""
    words = f"{_word(0)} || ' ' || {_word(1)} || ' ' || {_word(2)}"
    width = max(5, len(str(total)))  # "Item 00001" as in the 10,000-item seed; "Item 0000001" for a million
    price = f"(50 + {_hash(3)} % 99901)"  # cents, 50..99950
    if postgres:
        number, price = f"lpad(n::text, {width}, '0')", f"{price}::float8 / 100"
        stamp = (
            "(timestamptz '2026-01-01 00:00:00+00' + n * interval '1 second'"
            " + (n % 997 + 1) * interval '1 microsecond')"
        )
        rows = f"generate_series(1::bigint, {total}) AS numbers(n)"
    else:  # the text SQLAlchemy and Django both write for a datetime on SQLite (seed())
        number, price = f"printf('%0{width}d', n)", f"{price} / 100.0"
        epoch = int(EPOCH.timestamp())
        stamp = f"(strftime('%Y-%m-%d %H:%M:%S', {epoch} + n, 'unixepoch') || '.' || printf('%06d', n % 997 + 1))"
        counted = f"WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {total})"
        rows = f"({counted} SELECT n FROM g) AS numbers"
    description = "CASE WHEN n % 3 = 0 THEN NULL ELSE 'Seed item ' || n || ': ' || w || '.' END"
    return (
        f"SELECT 'Item ' || {number} || ' ' || w AS title, {description} AS description, {price} AS price, "
        f"{_hash(4)} % 501 AS quantity, {stamp} AS created_at, {stamp} AS updated_at "
        f"FROM (SELECT n, {words} AS w FROM {rows}) AS picked"
    )


def generate(url: str, table: str, total: int, owner: tuple[str, int] | None = None) -> None:
    """Insert ``total`` generated rows (ids 1..``total`` in an empty table) in one statement, made by the database.

    PostgreSQL: then ``VACUUM ANALYZE`` (statistics and the visibility map, as autovacuum would leave them at
    some moment of its own choosing). SQLite: a 256 MiB page cache for the insert's connection (index building
    in memory: ~40% faster), nothing else. ``owner`` as for ``seed``.
    """
    columns = "title, description, price, quantity, created_at, updated_at"
    values = "picked_rows.*"  # the columns in the order of ``columns``
    if owner is not None:
        columns += f', "{owner[0]}"'
        values += f", {int(owner[1])}"
    rows = generated_rows(is_postgres(url), total)
    insert = f"INSERT INTO {table} ({columns}) SELECT {values} FROM ({rows}) AS picked_rows"
    if is_postgres(url):
        with _connect_postgres(url) as connection:
            connection.execute(insert)
            connection.execute(f"VACUUM ANALYZE {table}")
        return
    with closing(sqlite3.connect(sqlite_path(url), timeout=30)) as connection:
        connection.execute("PRAGMA cache_size = -262144")
        connection.execute(insert)
        connection.commit()

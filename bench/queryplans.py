"""Which statements use an index and which read the whole table: the SQL each implementation really sends for
GET one, the list (``sort=-price``) and the search (``q=``), EXPLAINed on the table the loads ran on.

Right after the large table's seed, before any load (the machine quiet), the production server is started a
second time with its SQL traced (bench/sqltrace.py) and sent each request once (after a few GETs that open the
workers' connections); every statement it sent that reads the items table or the users table is then
explained on the same database:

- PostgreSQL: ``EXPLAIN (ANALYZE, FORMAT JSON)`` (PostgreSQL docs, "EXPLAIN"), the statement run as sent: a
  prepared one through ``PREPARE`` with the parameter types its ``Parse`` declared and ``EXECUTE`` with the
  values its ``Bind`` carried, so the plan is the one PostgreSQL makes for those values (a custom plan, as for
  the first five executions of a prepared statement). Run twice, the second kept (warm cache): its
  "Execution Time" (once only for a statement over SLOW_MS), and the rows its scans of the two tables read
  (returned plus removed by a filter).
- SQLite: ``EXPLAIN QUERY PLAN`` (sqlite.org/eqp.html) of the statement as traced (values expanded), and the
  median of three timed executions (one if it is over SLOW_MS) through the standard library's sqlite3
  (read-only). SQLite does not say how many rows a plan read: ``SCAN`` reads a table or an index from one end
  (all of it unless a LIMIT stops it early), ``SEARCH`` looks rows up through an index.

A failure is kept as the record's ``error`` (the run goes on); nothing here is a load figure.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import sqlite3
import struct
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import seeding, servers, sqltrace
from bench.scenarios import STATIC

REQUESTS = ("get", "list", "search")
SLOW_MS = 500.0  # a statement slower than this is timed once (the large table's search reads every row)
PG_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
BINARY = {
    "bigint": lambda raw: struct.unpack("!q", raw)[0],
    "integer": lambda raw: struct.unpack("!i", raw)[0],
    "smallint": lambda raw: struct.unpack("!h", raw)[0],
    "double precision": lambda raw: struct.unpack("!d", raw)[0],
    "real": lambda raw: struct.unpack("!f", raw)[0],
    "boolean": lambda raw: raw != b"\0",
    "timestamp with time zone": lambda raw: PG_EPOCH + timedelta(microseconds=struct.unpack("!q", raw)[0]),
    "timestamp without time zone": lambda raw: (PG_EPOCH + timedelta(microseconds=struct.unpack("!q", raw)[0])).replace(
        tzinfo=None
    ),
}
TEXT = {"text", "character varying", "character", "name", "unknown"}


def path_of(request: str, items: int) -> str:
    return f"/items/{max(1, items // 2)}" if request == "get" else STATIC[request]


def _read(url: str) -> None:
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()


def capture(
    target: servers.Target, direct_url: str, tables: set[str], venv_root: Path, log_dir: Path, items: int
) -> dict[str, list[sqltrace.Statement]]:
    """Start ``target`` traced on ``direct_url``; {request: the statements it sent that name one of ``tables``}."""
    postgres = seeding.is_postgres(direct_url)
    mentions = re.compile(r"\b(" + "|".join(re.escape(t) for t in tables) + r")\b", re.IGNORECASE)
    found: dict[str, list[sqltrace.Statement]] = {}
    with sqltrace.tracing(direct_url, postgres) as tracer:
        env = dict(target.env)
        for key, value in tracer.env.items():  # PYTHONPATH: the tracer's folder first, the target's after it
            env[key] = f"{value}:{env[key]}" if key == "PYTHONPATH" and env.get(key) else value
        # The tables are there already (the first start migrated them): no prepare step, only the server.
        traced = dataclasses.replace(target, key=f"{target.key}+sqltrace", env=env, prepare=())
        with servers.running(traced, venv_root, tracer.url, log_dir) as base:
            for _ in range(4):  # both workers open their connections (and run their set-up statements) first
                _read(base + "/items/1")
            for request in REQUESTS:
                mark = tracer.mark()
                _read(base + path_of(request, items))
                found[request] = [
                    s
                    for s in tracer.since(mark)
                    if mentions.search(s.sql) and s.sql.lstrip().upper().startswith(("SELECT", "WITH"))
                ]
    return found


# --- PostgreSQL -------------------------------------------------------------------------------------
def _value(kind: str, code: int, raw: bytes | None) -> object:
    if raw is None:
        return None
    if code == 0 or kind in TEXT:
        return raw.decode()
    if kind not in BINARY:
        raise ValueError(f"cannot read a binary {kind} parameter")
    return BINARY[kind](raw)


def _nodes(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def _describe(node: dict) -> str:
    text = node["Node Type"] + (" Backward" if node.get("Scan Direction") == "Backward" else "")
    if node.get("Index Name"):
        text += f" using {node['Index Name']}"
    if node.get("Relation Name"):
        text += f" on {node['Relation Name']}"
    return text


def explain_postgres(url: str, statement: sqltrace.Statement, tables: set[str], items: int) -> dict:
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, autocommit=True) as connection:
        run = sql.SQL(statement.sql)
        if statement.params:
            names = [
                "unknown" if oid == 0 else connection.execute("SELECT format_type(%s, NULL)", [oid]).fetchone()[0]
                for oid in statement.types
            ]
            declared = f"({', '.join(names)})" if names else ""
            connection.execute(f"PREPARE bench_plan {declared} AS {statement.sql}")
            kinds = connection.execute(
                "SELECT parameter_types::text[] FROM pg_prepared_statements WHERE name = 'bench_plan'"
            ).fetchone()[0]
            values = [_value(kind, code, raw) for kind, (code, raw) in zip(kinds, statement.params, strict=True)]
            run = sql.SQL("EXECUTE bench_plan ({})").format(sql.SQL(", ").join(sql.Literal(v) for v in values))
        for _ in range(2):  # the second on a warm cache; a statement that took over SLOW_MS once is not run again
            plan = connection.execute(sql.SQL("EXPLAIN (ANALYZE, FORMAT JSON) {}").format(run)).fetchone()[0][0]
            if plan["Execution Time"] > SLOW_MS:
                break
    nodes = list(_nodes(plan["Plan"]))
    scans = [x for x in nodes if x.get("Relation Name") in tables]
    read: dict[str, int] = {}
    for x in scans:  # a parallel scan gives each process's average, rounded: the product is approximate
        rows = round((x["Actual Rows"] + x.get("Rows Removed by Filter", 0)) * x["Actual Loops"])
        read[x["Relation Name"]] = read.get(x["Relation Name"], 0) + rows
    return {
        "plan": " → ".join(_describe(x) for x in nodes),
        "index": any("Index" in x["Node Type"] or "Bitmap" in x["Node Type"] for x in scans),
        "table_scan": any(x["Node Type"] == "Seq Scan" for x in scans),
        "every_row": max(read.values(), default=0) >= items / 2,  # half or more: the plan reads the table through
        "rows_read": read,
        "ms": plan["Execution Time"],
        "planning_ms": plan["Planning Time"],
    }


# --- SQLite -----------------------------------------------------------------------------------------
def explain_sqlite(url: str, statement: sqltrace.Statement, tables: set[str], items: int) -> dict:
    uri = f"file:{seeding.sqlite_path(url)}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=30)) as connection:
        details = [row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + statement.sql)]
        times: list[float] = []
        while len(times) < 3 and sum(times) < SLOW_MS:
            started = time.perf_counter()
            connection.execute(statement.sql).fetchall()
            times.append((time.perf_counter() - started) * 1000)
    names = "|".join(re.escape(t) for t in tables)
    steps = [re.match(rf"(SCAN|SEARCH) (?:{names})\b(.*)", d) for d in details]
    steps = [m for m in steps if m]
    # From the plan alone: a SCAN reads all of a table or an index unless a LIMIT stops it, which it cannot
    # when the rows must first be sorted in a temporary b-tree (the whole ORDER BY, not its right part).
    stops = " LIMIT " in f" {' '.join(statement.sql.upper().split())} " and "FOR ORDER BY" not in " ".join(details)
    return {
        "plan": " → ".join(details),
        "index": any("INDEX" in m.group(2) or "PRIMARY KEY" in m.group(2) for m in steps),
        "table_scan": any(m.group(1) == "SCAN" and "INDEX" not in m.group(2) for m in steps),
        "every_row": any(m.group(1) == "SCAN" for m in steps) and not stops,
        "rows_read": None,
        "ms": sorted(times)[len(times) // 2],
        "planning_ms": None,
    }


def explain_all(
    target: servers.Target, db: str, direct_url: str, table: str, venv_root: Path, log_dir: Path, items: int
) -> dict:
    """One record for results.json: the statements of each request with their plans, or ``error``."""
    record: dict = {"target": target.key, "app": target.app, "db": db, "items": items, "table": table}
    try:
        tables = {table, *seeding.referenced_tables(direct_url, table)}
        captured = capture(target, direct_url, tables, venv_root, log_dir, items)
        explain = explain_postgres if seeding.is_postgres(direct_url) else explain_sqlite
        record["requests"] = {
            request: {
                "path": path_of(request, items),
                "statements": [{"sql": s.sql, **explain(direct_url, s, tables, items)} for s in statements],
            }
            for request, statements in captured.items()
        }
    except Exception as error:  # noqa: BLE001  (kept as "not measured", with its reason; the run goes on)
        record["error"] = f"{type(error).__name__}: {str(error).strip()[:800]}"
    return record

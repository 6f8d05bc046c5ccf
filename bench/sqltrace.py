"""The SQL a server really sends, recorded on the way to the database, for bench/queryplans.py.

Neither tracer changes the implementation or the database's settings, and neither runs during a measured load
(a traced server is a second start, after the loads):

- PostgreSQL: a proxy that reads the frontend protocol (PostgreSQL docs, "Frontend/Backend Protocol", 55.7
  Message Formats) between the server and the database, and records every simple query (``Q``) and every
  execution of a prepared statement (``Bind``, with the statement's text from its ``Parse`` on the same
  connection and the parameter values as sent, text or binary). It answers SSL and GSSAPI encryption requests
  with "N" itself, so the session is plain and readable. Chosen over the server's log (``log_statement``:
  the log file may not be readable, as in a CI service container) and over each ORM's own echo (three
  different knobs, and asyncpg below SQLAlchemy prepares statements the ORM does not show).
- SQLite: ``sitecustomize.py`` in bench/sqltrace_site, put first on the server's ``PYTHONPATH``, wraps
  ``sqlite3.connect`` (every driver here opens SQLite through it: Django, SQLAlchemy's pysqlite, aiosqlite)
  and sets the standard library's ``set_trace_callback``, which is given each statement with its bound values
  expanded; one JSON line per statement into the file ``BENCH_SQL_TRACE``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import struct
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from contract_tests import dbproxy, server

SITE = Path(__file__).resolve().parent / "sqltrace_site"
SSL_REQUEST, GSSENC_REQUEST, CANCEL_REQUEST = 80877103, 80877104, 80877102


@dataclass(frozen=True)
class Statement:
    sql: str
    types: tuple[int, ...] = ()  # PostgreSQL: the parameter type OIDs its Parse declared (0: left to the server)
    params: tuple[tuple[int, bytes | None], ...] | None = None  # (format 0 text | 1 binary, value); None: no Bind


def _cstring(data: bytes, at: int) -> tuple[str, int]:
    end = data.index(b"\0", at)
    return data[at:end].decode(), end + 1


def _bind(body: bytes) -> tuple[str, tuple[tuple[int, bytes | None], ...]]:
    """(statement name, parameters) of a Bind message's body."""
    _, at = _cstring(body, 0)  # the portal
    name, at = _cstring(body, at)
    (formats,) = struct.unpack_from("!h", body, at)
    codes = struct.unpack_from(f"!{formats}h", body, at + 2)
    at += 2 + 2 * formats
    (count,) = struct.unpack_from("!h", body, at)
    at += 2
    params = []
    for i in range(count):
        (size,) = struct.unpack_from("!i", body, at)
        at += 4
        value = None if size < 0 else body[at : at + size]
        at += max(size, 0)
        code = codes[i] if formats == count else codes[0] if formats == 1 else 0
        params.append((code, value))
    return name, tuple(params)


class PostgresTrace:
    """A recording proxy in front of ``direct_url``'s server, on a thread of its own; ``url`` goes through it."""

    def __init__(self, direct_url: str) -> None:
        self.upstream = dbproxy.upstream_of(direct_url)
        self.port = server.free_port()
        self.url = dbproxy.through(direct_url, self.port)
        self.env: dict[str, str] = {}
        self.statements: list[Statement] = []
        self.lock = threading.Lock()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="sqltrace", daemon=True)

    def __enter__(self) -> PostgresTrace:
        self.thread.start()
        started = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._client, dbproxy.HOST, self.port), self.loop
        )
        self.listener = started.result(timeout=10)
        return self

    def __exit__(self, *exc) -> None:
        async def stop() -> None:
            self.listener.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(stop(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        if not self.thread.is_alive():
            self.loop.close()

    def mark(self) -> int:
        with self.lock:
            return len(self.statements)

    def since(self, mark: int) -> list[Statement]:
        with self.lock:
            return list(self.statements[mark:])

    def _record(self, statement: Statement) -> None:
        with self.lock:
            self.statements.append(statement)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_writer = None
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.upstream)
            while True:  # the start-up messages have no type byte: length, then a code
                head = await reader.readexactly(8)
                length, code = struct.unpack("!ii", head)
                body = await reader.readexactly(length - 8)
                if code in (SSL_REQUEST, GSSENC_REQUEST):
                    writer.write(b"N")  # no encryption: the session stays readable
                    await writer.drain()
                    continue
                upstream_writer.write(head + body)
                break
            back = asyncio.ensure_future(dbproxy.pipe(upstream_reader, writer, 0))
            prepared: dict[str, tuple[str, tuple[int, ...]]] = {}
            while code != CANCEL_REQUEST:
                head = await reader.readexactly(5)
                body = await reader.readexactly(struct.unpack("!i", head[1:])[0] - 4)
                self._note(head[:1], body, prepared)
                upstream_writer.write(head + body)
                await upstream_writer.drain()
            await back
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            for end in (writer, upstream_writer):
                if end is not None:
                    with contextlib.suppress(Exception):
                        end.close()

    def _note(self, kind: bytes, body: bytes, prepared: dict[str, tuple[str, tuple[int, ...]]]) -> None:
        if kind == b"Q":
            self._record(Statement(_cstring(body, 0)[0]))
        elif kind == b"P":
            name, at = _cstring(body, 0)
            text, at = _cstring(body, at)
            (count,) = struct.unpack_from("!h", body, at)
            prepared[name] = (text, struct.unpack_from(f"!{count}I", body, at + 2))
        elif kind == b"B":
            name, params = _bind(body)
            if name in prepared:
                text, types = prepared[name]
                self._record(Statement(text, types, params))


class SqliteTrace:
    """The file the traced server's sitecustomize writes; ``env`` turns the tracing on in the server."""

    def __init__(self, direct_url: str) -> None:
        self.url = direct_url
        self.folder = tempfile.TemporaryDirectory(prefix="bench-sqltrace-")
        self.path = Path(self.folder.name) / "statements.jsonl"
        self.path.touch()
        self.env = {"BENCH_SQL_TRACE": str(self.path), "PYTHONPATH": str(SITE)}  # first on the server's path

    def __enter__(self) -> SqliteTrace:
        return self

    def __exit__(self, *exc) -> None:
        self.folder.cleanup()

    def mark(self) -> int:
        return self.path.stat().st_size

    def since(self, mark: int) -> list[Statement]:
        with self.path.open("rb") as file:
            file.seek(mark)
            return [Statement(json.loads(line)) for line in file.read().splitlines() if line.strip()]


@contextlib.contextmanager
def tracing(direct_url: str, postgres: bool) -> Iterator[PostgresTrace | SqliteTrace]:
    """A tracer for the database of ``direct_url``: give the server ``tracer.url`` and ``tracer.env``."""
    with PostgresTrace(direct_url) if postgres else SqliteTrace(direct_url) as tracer:
        yield tracer

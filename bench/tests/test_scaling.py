"""The large table's seed, the SQL tracers' parsing, the plans' parameter decoding and /proc's memory reading."""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import struct
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest

from bench import memory, queryplans, seeding, sqltrace
from contract_tests import server


def test_generated_rows_have_the_seed_shape_and_repeat():
    with sqlite3.connect(":memory:") as connection:
        rows = connection.execute(seeding.generated_rows(postgres=False, total=3000)).fetchall()
        again = connection.execute(seeding.generated_rows(postgres=False, total=3000)).fetchall()
    assert rows == again and len(rows) == 3000
    for n, (title, description, price, quantity, created, updated) in enumerate(rows, start=1):
        words = re.fullmatch(rf"Item {n:05d} (\w+) (\w+) (\w+)", title).groups()
        assert set(words) <= set(seeding.WORDS)
        assert description == (None if n % 3 == 0 else f"Seed item {n}: {' '.join(words)}.")
        assert 0.5 <= price <= 999.5 and round(price, 2) == price and 0 <= quantity <= 500
        stamp = datetime.strptime(created, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)
        assert stamp - seeding.EPOCH == timedelta(seconds=n, microseconds=n % 997 + 1) and created == updated
    assert len({r[0].split()[2] for r in rows}) == len(seeding.WORDS)  # every word is drawn


def test_generated_rows_width_grows_with_the_table():
    sql = seeding.generated_rows(postgres=False, total=1_000_000)
    assert "printf('%07d', n)" in sql and "lpad(n::text, 7, '0')" in seeding.generated_rows(True, 1_000_000)


def test_bind_and_parse_are_read_as_the_protocol_writes_them():
    trace = sqltrace.PostgresTrace("postgresql://postgres@127.0.0.1:5432/x")
    prepared: dict = {}
    parse = b"s1\0SELECT * FROM items WHERE id = $1 LIMIT $2\0" + struct.pack("!h2I", 2, 20, 0)
    trace._note(b"P", parse, prepared)
    binary, text = struct.pack("!q", 7), b"20"
    bind = b"\0s1\0" + struct.pack("!hhh", 2, 1, 0) + struct.pack("!h", 2)
    bind += struct.pack("!i", len(binary)) + binary + struct.pack("!i", len(text)) + text + struct.pack("!h", 0)
    trace._note(b"B", bind, prepared)
    trace._note(b"Q", b"SELECT count(*) FROM items\0", prepared)
    first, second = trace.since(0)
    assert first == sqltrace.Statement("SELECT * FROM items WHERE id = $1 LIMIT $2", (20, 0), ((1, binary), (0, text)))
    assert second == sqltrace.Statement("SELECT count(*) FROM items")
    assert queryplans._value("bigint", 1, binary) == 7 and queryplans._value("integer", 0, text) == "20"
    assert queryplans._value("timestamp with time zone", 1, struct.pack("!q", 86_400_000_000)) == datetime(
        2000, 1, 2, tzinfo=UTC
    )
    with pytest.raises(ValueError, match="numeric"):
        queryplans._value("numeric", 1, b"\0")


def test_sqlite_statements_are_traced_with_their_values(tmp_path):
    trace = tmp_path / "trace.jsonl"
    env = {**os.environ, "PYTHONPATH": str(sqltrace.SITE), "BENCH_SQL_TRACE": str(trace)}
    code = "import sqlite3; c = sqlite3.connect(':memory:'); c.execute('SELECT ? + 1', (41,)).fetchall()"
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
    assert json.loads(trace.read_text().splitlines()[-1]) == "SELECT 41 + 1"


@pytest.mark.skipif(not os.path.exists("/proc/net/tcp"), reason="resident memory is read from Linux's /proc")
def test_memory_finds_a_server_and_its_worker():
    port = server.free_port()
    code = (
        f"import os, socket, time; s = socket.socket(); s.bind(('127.0.0.1', {port})); s.listen(); "
        "os.fork() == 0 and time.sleep(60); time.sleep(60)"
    )
    process = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        time.sleep(0.3)  # the fork
        found = memory.processes(f"http://127.0.0.1:{port}")
        assert [p["role"] for p in found] == ["master", "worker"]
        assert found[0]["pid"] == process.pid and found[1]["ppid"] == process.pid
        assert all(p["rss_kib"] > 0 and p["hwm_kib"] >= p["rss_kib"] for p in found)
    finally:
        os.killpg(process.pid, 9)
        process.wait(timeout=10)

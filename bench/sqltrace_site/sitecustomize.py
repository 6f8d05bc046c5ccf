"""Records every SQLite statement of this process when ``BENCH_SQL_TRACE`` names a file (bench/sqltrace.py).

Python imports ``sitecustomize`` at start-up (the ``site`` module's docs) from the first folder on its path
that has one: bench/sqltrace.py puts this folder first on a traced server's ``PYTHONPATH``, and only there.
``sqlite3.connect`` is wrapped so that each new connection calls ``set_trace_callback``, which receives every
statement as SQLite runs it, bound values expanded (Python's sqlite3 docs); each is appended to the file as one
JSON line, from any process and thread of the server.
"""

import json
import os
import sqlite3
import sqlite3.dbapi2

PATH = os.environ.get("BENCH_SQL_TRACE")


def _record(statement: str) -> None:
    with open(PATH, "a", encoding="utf-8") as file:  # noqa: PTH123  (one short append per statement)
        file.write(json.dumps(statement) + "\n")


def _traced(connect):
    def connect_and_trace(*args, **kwargs):
        connection = connect(*args, **kwargs)
        connection.set_trace_callback(_record)
        return connection

    return connect_and_trace


if PATH:
    sqlite3.connect = sqlite3.dbapi2.connect = _traced(sqlite3.dbapi2.connect)

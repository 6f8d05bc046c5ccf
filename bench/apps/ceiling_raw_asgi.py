"""The raw data path on an ASGI server: one hand-written SQL query per request through asyncpg or aiosqlite.

Run in FastAPI's venv (it has both drivers): ``uvicorn ceiling_raw_asgi:app``, ``DATABASE_URL`` as for the
implementations, the table made by the benchmark (``BENCH_TABLE``, default ``items``).
"""

from __future__ import annotations

import asyncio
import os

import ceiling_sql as sql

URL = os.environ["DATABASE_URL"]
POOL_SIZE = 15  # SQLAlchemy's default for the async engine FastAPI uses: pool_size 5 + max_overflow 10


class Postgres:
    dialect = sql.Dialect("$N", text_timestamps=False)

    async def open(self) -> None:
        import asyncpg

        self.pool = await asyncpg.create_pool(URL, min_size=1, max_size=POOL_SIZE)

    async def rows(self, query: str, args: list[object]) -> list:
        async with self.pool.acquire() as connection:
            return await connection.fetch(query, *args)

    async def close(self) -> None:
        await self.pool.close()


class Sqlite:
    dialect = sql.Dialect("?", text_timestamps=True)

    async def open(self) -> None:
        import aiosqlite

        self.free: asyncio.Queue = asyncio.Queue()
        for _ in range(4):
            self.free.put_nowait(await aiosqlite.connect(sql.sqlite_path(URL), isolation_level=None))

    async def rows(self, query: str, args: list[object]) -> list:
        connection = await self.free.get()
        try:
            cursor = await connection.execute(query, args)
            return list(await cursor.fetchall())
        finally:
            self.free.put_nowait(connection)

    async def close(self) -> None:
        while not self.free.empty():
            await self.free.get_nowait().close()


store = Postgres() if sql.is_postgres(URL) else Sqlite()


async def handle(method: str, path: str, query: str, body: bytes) -> sql.Answer:
    step = sql.answer(store.dialect, method, path, query, body)
    if isinstance(step[0], int):
        return step
    statement, args, respond = step
    return respond(await store.rows(statement, args))


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await store.open()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await store.close()
                await send({"type": "lifespan.shutdown.complete"})
                return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    query = scope["query_string"].decode()
    status, payload, headers = await handle(scope["method"], scope["path"], query, body)
    extra = [(name.encode(), value.encode()) for name, value in headers]
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})

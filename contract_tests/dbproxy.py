"""A TCP proxy between a server and its database, for the benchmark's slow database and the suite's faults.

Two users, one proxy (standard library only):

- the benchmark starts it as a process, ``python -m contract_tests.dbproxy --port P --upstream
  127.0.0.1:5432 --delay-ms 5``: every chunk the database sends is passed on ``delay`` later, in order;
  what the client sends goes straight through. Each database round trip (a query, BEGIN, COMMIT, a
  connection's start-up) waits the delay more, while the database, the CPU and the network stay as they
  are: the request waits on I/O, which is what async is claimed to win.
- a test runs it in its own process (``with DatabaseProxy(("127.0.0.1", 5432)) as proxy:``), on a
  background thread that runs the proxy's event loop, and injects faults from the test's thread:
  ``cut()`` closes every open connection, ``refuse()`` stops listening, ``blackhole()`` accepts
  connections and never answers, ``resume()`` lets everything through again; ``counters()`` says what
  the proxy saw.

It listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import socket
import struct
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

HOST = "127.0.0.1"
CHUNK = 65536  # bytes read at a time, each direction
CONTROL_TIMEOUT = 10.0  # seconds a control call from another thread waits for the proxy's loop
T = TypeVar("T")


def upstream_of(database_url: str, default_port: int = 5432) -> tuple[str, int]:
    """``(host, port)`` of the database a URL such as ``postgresql://user@host:5432/name`` names."""
    parts = urlsplit(database_url)
    return parts.hostname or HOST, parts.port or default_port


def through(database_url: str, port: int) -> str:
    """``database_url`` with its host and port replaced by the proxy's (127.0.0.1:``port``).

    The user, password, database name and query are kept: ``postgresql://postgres@127.0.0.1:5432/items``
    becomes ``postgresql://postgres@127.0.0.1:PORT/items``.
    """
    parts = urlsplit(database_url)
    userinfo, at, _ = parts.netloc.rpartition("@")
    return urlunsplit((parts.scheme, f"{userinfo}{at}{HOST}:{port}", parts.path, parts.query, parts.fragment))


@dataclasses.dataclass(frozen=True)
class Counters:
    """What the proxy has seen since it started; every figure is a number of client connections.

    ``accepted``: accepted from clients, in total (refused ones never reach the proxy: the kernel
    refuses them). ``forwarded``: of those, connected through to the database. ``held``: accepted while
    black-holed, never forwarded. ``failed``: the database itself refused or was unreachable.
    ``cut``: closed by ``cut()`` or, for held ones, by ``resume()``. ``open``: open right now (forwarded
    or held).
    """

    accepted: int = 0
    forwarded: int = 0
    held: int = 0
    failed: int = 0
    cut: int = 0
    open: int = 0


def _reset(writer: asyncio.StreamWriter | None) -> None:
    """Close a connection at once with a TCP RST (SO_LINGER 0), dropping anything unsent."""
    if writer is None:
        return
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    """Copy ``reader`` to ``writer`` until end of stream, each chunk ``delay`` seconds late (0: at once), then
    close ``writer``. Also bench/sqltrace.py's, for the answers its recording proxy passes back."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()

    async def deliver() -> None:
        while True:
            due, data = await queue.get()
            if data is None:
                break
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()

    sender = asyncio.create_task(deliver())
    try:
        while data := await reader.read(CHUNK):
            if delay:
                queue.put_nowait((loop.time() + delay, data))
            else:
                writer.write(data)
                await writer.drain()
    except ConnectionError:
        pass
    finally:
        queue.put_nowait((0.0, None))
        with contextlib.suppress(ConnectionError):
            await sender
        writer.close()


@dataclasses.dataclass(eq=False)
class _Link:
    """One client connection and, once forwarded, its connection to the database."""

    client: asyncio.StreamWriter
    upstream: asyncio.StreamWriter | None = None
    held: bool = False  # accepted while black-holed: never forwarded

    def reset(self) -> None:
        """Both ways at once, with a TCP RST (a fault)."""
        _reset(self.client)
        _reset(self.upstream)

    def close(self) -> None:
        """Both ways, after what is still buffered (the connection's normal end)."""
        for writer in (self.client, self.upstream):
            if writer is not None:
                writer.close()


class DatabaseProxy:
    """A TCP proxy from 127.0.0.1:``port`` to ``upstream``, with a fixed delay and injectable faults.

    ``upstream``: ``(host, port)`` of the database. ``port``: where to listen (0: a free port, read
    ``.port`` after ``start()``). ``delay_ms``: milliseconds each chunk the database sends is held
    (0 by default). Use it as a context manager (``start()``/``close()``) from a test: the proxy runs
    its event loop on a daemon thread, and every public method may be called from any other thread;
    a control method returns once the proxy has done it. ``run()`` runs it in the calling thread
    instead, until interrupted (the command line does that).
    """

    def __init__(self, upstream: tuple[str, int], *, port: int = 0, delay_ms: float = 0.0) -> None:
        self.upstream = upstream
        self.port = port
        self.delay = delay_ms / 1000
        self._mode = "open"  # open | refusing | blackhole
        self._links: set[_Link] = set()
        self._handlers: set[asyncio.Task] = set()
        self._counts = dict.fromkeys(("accepted", "forwarded", "held", "failed", "cut"), 0)
        self._server: asyncio.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._thread: threading.Thread | None = None

    # --- the proxy itself, on its event loop ---------------------------------------------------------
    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._connection, HOST, self.port, backlog=1024, reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _connection(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        link = _Link(client_writer)
        self._links.add(link)
        self._handlers.add(asyncio.current_task())
        self._counts["accepted"] += 1
        try:
            if self._mode == "blackhole":
                link.held = True
                self._counts["held"] += 1
                while await client_reader.read(CHUNK):  # swallowed: the client waits for an answer that never comes
                    pass
                return
            try:
                server_reader, link.upstream = await asyncio.open_connection(*self.upstream)
            except OSError:
                self._counts["failed"] += 1
                return
            self._counts["forwarded"] += 1
            await asyncio.gather(
                pipe(client_reader, link.upstream, 0.0),  # client -> database: at once
                pipe(server_reader, client_writer, self.delay),  # database -> client: each answer held `delay`
                return_exceptions=True,
            )
        except ConnectionError:
            pass
        finally:
            self._links.discard(link)
            self._handlers.discard(asyncio.current_task())
            link.close()

    async def _cut(self, links: set[_Link] | None = None) -> int:
        chosen = set(self._links if links is None else links)
        for link in chosen:
            link.reset()
        self._counts["cut"] += len(chosen)
        await asyncio.sleep(0)  # let the pipes see their ends
        return len(chosen)

    async def _set_mode(self, mode: str) -> None:
        if mode == "refusing":
            if self._server is not None:
                self._server.close()  # the kernel now refuses new connections (RST to the SYN)
                self._server = None
        elif self._server is None:
            await self._listen()  # the same port again (SO_REUSEADDR)
        previous, self._mode = self._mode, mode
        if previous == "blackhole" and mode != "blackhole":
            await self._cut({link for link in self._links if link.held})

    async def _main(self, ready: Callable[[BaseException | None], None]) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        try:
            await self._listen()
        except OSError as error:
            ready(error)
            return
        ready(None)
        try:
            await self._stopping.wait()
        finally:
            if self._server is not None:
                self._server.close()
            for link in list(self._links):
                link.reset()
            if self._handlers:  # ended, not cancelled: Python 3.11's streams log a cancelled handler
                await asyncio.wait(set(self._handlers), timeout=CONTROL_TIMEOUT)

    # --- from another thread ------------------------------------------------------------------------
    def _call(self, make: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """Run ``make()`` on the proxy's loop and wait (at most ``CONTROL_TIMEOUT`` s) for its result."""
        if self._loop is None or self._thread is None or not self._thread.is_alive():
            raise RuntimeError("the proxy is not running: start() it first")
        return asyncio.run_coroutine_threadsafe(make(), self._loop).result(CONTROL_TIMEOUT)

    def start(self) -> DatabaseProxy:
        """Listen and serve on a daemon thread; return once listening. Raises ``OSError`` if the port is taken."""
        started = threading.Event()
        failure: list[BaseException] = []

        def ready(error: BaseException | None) -> None:
            failure.extend([error] if error else [])
            started.set()

        self._thread = threading.Thread(target=asyncio.run, args=(self._main(ready),), name="dbproxy", daemon=True)
        self._thread.start()
        if not started.wait(CONTROL_TIMEOUT):
            raise RuntimeError(f"the proxy did not start listening within {CONTROL_TIMEOUT:g} s")
        if failure:
            self._thread.join()
            raise failure[0]
        return self

    def close(self) -> None:
        """Stop listening, reset every connection, and end the thread (waits at most ~10 s)."""
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stopping.set)
            self._thread.join(CONTROL_TIMEOUT)

    def __enter__(self) -> DatabaseProxy:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def url(self, database_url: str) -> str:
        """``database_url`` rewritten to reach the database through this proxy (see ``through``)."""
        return through(database_url, self.port)

    def cut(self) -> int:
        """Close every open connection, both ways, with a TCP RST; return how many (client connections).

        Clients see "connection reset" on their next read or write; new connections are handled by the
        current mode, so call ``refuse()`` or ``blackhole()`` first to keep them from coming back at once.
        """
        return self._call(self._cut)

    def refuse(self) -> None:
        """Stop listening: every new connection is refused by the kernel at once (ECONNREFUSED).

        Open connections stay as they are (``cut()`` them too for a database that went away).
        """
        self._call(lambda: self._set_mode("refusing"))

    def blackhole(self) -> None:
        """Listen again, but accept new connections and never forward or answer anything they send.

        A client waits until its own timeout: the fault of a database host that vanished from the network.
        """
        self._call(lambda: self._set_mode("blackhole"))

    def resume(self) -> None:
        """Forward new connections to the database again; held (black-holed) connections are reset."""
        self._call(lambda: self._set_mode("open"))

    def counters(self) -> Counters:
        """A snapshot of the connection counts (see ``Counters``)."""

        async def snapshot() -> Counters:
            return Counters(**self._counts, open=len(self._links))

        return self._call(snapshot)

    # --- in the foreground --------------------------------------------------------------------------
    def run(self, announce: Callable[[str], None] = print) -> None:
        """Serve in the calling thread until interrupted; ``announce`` gets one line once listening."""

        def ready(error: BaseException | None) -> None:
            if error:
                raise error
            up_host, up_port = self.upstream
            announce(f"dbproxy: {HOST}:{self.port} -> {up_host}:{up_port}, +{self.delay * 1000:g} ms per answer")

        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(self._main(ready))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True, help="port to listen on, on 127.0.0.1")
    parser.add_argument("--upstream", default="127.0.0.1:5432", help="HOST:PORT of the database")
    parser.add_argument("--delay-ms", type=float, default=5.0, help="milliseconds each answer is held")
    args = parser.parse_args()
    host, _, port = args.upstream.rpartition(":")
    proxy = DatabaseProxy((host, int(port)), port=args.port, delay_ms=args.delay_ms)
    proxy.run(lambda line: print(line, flush=True))


if __name__ == "__main__":
    main()

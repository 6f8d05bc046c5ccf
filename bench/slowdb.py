"""A slow database for the async claim: a TCP proxy that holds each answer from PostgreSQL for a fixed time.

``python -m bench.slowdb --port P --upstream 127.0.0.1:5432 --delay-ms 5``: every chunk the server sends
is passed on ``delay`` later, in order; what the client sends goes straight through. So each database round
trip (a query, BEGIN, COMMIT, a connection's start-up) waits the delay more, while the database itself,
the CPU and the network stay as they are: the request waits on I/O, which is what async is claimed to win.
The benchmark starts it as its own process, on 127.0.0.1 only, and stops it after the scenario.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
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
        while data := await reader.read(65536):
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


async def serve(port: int, upstream_host: str, upstream_port: int, delay_ms: float) -> None:
    delay = delay_ms / 1000

    async def connection(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(upstream_host, upstream_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(
            _pipe(client_reader, server_writer, 0.0),  # client -> database: at once
            _pipe(server_reader, client_writer, delay),  # database -> client: each answer held `delay`
            return_exceptions=True,
        )

    server = await asyncio.start_server(connection, "127.0.0.1", port, backlog=1024)
    print(f"slowdb: 127.0.0.1:{port} -> {upstream_host}:{upstream_port}, +{delay_ms:g} ms per answer", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", default="127.0.0.1:5432")
    parser.add_argument("--delay-ms", type=float, default=5.0)
    args = parser.parse_args()
    host, _, port = args.upstream.rpartition(":")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.port, host, int(port), args.delay_ms))


if __name__ == "__main__":
    main()

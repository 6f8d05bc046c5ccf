"""Start an implementation's production server for the suite, and stop it afterwards.

Everything here goes through the implementation's ``impl.toml`` and the
network: the suite never imports an implementation.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from contract_tests.implementations import Implementation

READY_TIMEOUT = 90.0
READY_POLL = 0.05  # seconds between readiness probes: a server is ready within ~1-5 s, each probe costs ~1 ms


class ServerError(RuntimeError):
    """The server could not be prepared or did not become ready."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def impl_environment(
    impl: Implementation,
    port: int,
    database_url: str,
    venv: Path | None,
    extra: dict[str, str] | None = None,
    secret_key: str | None = None,
) -> dict[str, str]:
    """The server's environment; ``secret_key`` fills ``{secret_key}`` (default: a new random one)."""
    env = dict(os.environ)
    if venv is not None:
        env["VIRTUAL_ENV"] = str(venv)
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env.update(impl.serve_env(port, database_url, secret_key))
    env.update(extra or {})
    return env


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _wait_ready(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"server exited with code {process.returncode} before it was ready:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(READY_POLL)
    raise ServerError(f"{url} did not answer 200 within {READY_TIMEOUT:.0f}s:\n{_tail(log)}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@contextlib.contextmanager
def running(
    impl: Implementation,
    database_url: str,
    log_dir: Path,
    venv: Path | None = None,
    extra_env: dict[str, str] | None = None,
    log_name: str | None = None,
    secret_key: str | None = None,
) -> Iterator[str]:
    """Prepare the database, start the server on a free 127.0.0.1 port, yield its base URL.

    ``extra_env`` overrides the server's environment (``TOKEN_TTL_SECONDS`` for a short-lived token, say);
    ``log_name`` names its log file in ``log_dir`` (default ``NAME-server.log``); ``secret_key`` is the
    server's secret (default: a new random one), for a caller that runs other commands in its environment.
    """
    port = free_port()
    env = impl_environment(impl, port, database_url, venv, extra_env, secret_key)
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / (log_name or f"{impl.name}-server.log")
    with log.open("w") as out:
        for command in impl.prepare_commands(port, database_url):
            done = subprocess.run(command, cwd=impl.folder, env=env, stdout=out, stderr=subprocess.STDOUT)
            if done.returncode != 0:
                raise ServerError(f"prepare step {command} exited {done.returncode}:\n{_tail(log)}")
        command = impl.serve_command(port, database_url)
        try:
            process = subprocess.Popen(
                command, cwd=impl.folder, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        except FileNotFoundError as missing:
            raise ServerError(
                f"cannot start {command[0]!r} for {impl.name}: is the implementation installed? "
                f"(nox -s contract installs it; by hand: see {impl.folder / 'impl.toml'})"
            ) from missing
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(base_url + impl.ready_path, process, log)
            yield base_url
        finally:
            _stop(process)

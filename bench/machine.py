"""The machine and the software measured: CPU, kernel, Python, load average, package versions."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import subprocess
import sys
from pathlib import Path

# Besides each implementation's own list (impl.toml's packages): the servers and drivers the targets use.
SERVER_PACKAGES = ("uvicorn", "httptools", "uvloop", "gunicorn", "granian", "asyncpg", "aiosqlite", "psycopg")


def load1() -> float:
    """The 1-minute load average: how busy the machine was, other work included."""
    return round(os.getloadavg()[0], 2)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _postgres_version(admin_url: str) -> str:
    try:
        import psycopg

        with psycopg.connect(admin_url, connect_timeout=5) as connection:
            return connection.execute("SHOW server_version").fetchone()[0]
    except Exception as error:  # noqa: BLE001  (a description, not a failure)
        return f"unavailable ({type(error).__name__})"


def describe(admin_url: str, wrk_version: str) -> dict[str, str]:
    return {
        "cores": str(os.cpu_count()),
        "cpu": _cpu_model(),
        "memory": _memory(),
        "kernel": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0] + f" ({platform.python_implementation()})",
        "postgresql": _postgres_version(admin_url),
        "sqlite": sqlite3.sqlite_version,
        "wrk": wrk_version,
    }


def versions(venv: Path, packages: tuple[str, ...]) -> dict[str, str]:
    """Installed versions of ``packages`` (and the servers and drivers) in ``venv``; missing ones left out."""
    wanted = list(dict.fromkeys([*packages, *SERVER_PACKAGES]))
    code = (
        "import importlib.metadata as m, json, sys\n"
        "found = {}\n"
        "for name in sys.argv[1:]:\n"
        "    try: found[name] = m.version(name)\n"
        "    except m.PackageNotFoundError: pass\n"
        "found['python'] = sys.version.split()[0]\n"
        "print(json.dumps(found))\n"
    )
    done = subprocess.run([str(venv / "bin" / "python"), "-c", code, *wanted], capture_output=True, text=True)
    return json.loads(done.stdout) if done.returncode == 0 else {}

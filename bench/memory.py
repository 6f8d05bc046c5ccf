"""Each server's resident memory, per process, read from Linux's /proc (no dependency).

contract_tests/server.py starts a server in a process group of its own (``start_new_session``) and yields only
its URL, so the processes are found from the port: the listening socket's inode (``/proc/net/tcp``), the
processes that hold it (``/proc/PID/fd``), their process group, and every process in that group
(``/proc/PID/stat``). A process that holds the listening socket is the master when it leads the group and
others hold the socket too (gunicorn's arbiter, uvicorn's supervisor with ``--workers``), else a worker (or the
one process of a single-process server); a process of the group without the socket is "other" (say a
multiprocessing helper). Figures are ``VmRSS`` (resident now) and ``VmHWM`` (the peak resident size) from
``/proc/PID/status``, in KiB as the kernel gives them (proc(5)).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

PROC = Path("/proc")
LISTEN = "0A"  # TCP_LISTEN in /proc/net/tcp's st column


class ProcessesNotFound(RuntimeError):
    """The server's processes could not be found or read (not Linux, or no /proc)."""


def _listening_inodes(port: int) -> set[str]:
    found = set()
    for table in ("tcp", "tcp6"):
        path = PROC / "net" / table
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == LISTEN and int(fields[1].rsplit(":", 1)[1], 16) == port:
                found.add(fields[9])
    return found


def _pids() -> list[int]:
    return [int(p.name) for p in PROC.iterdir() if p.name.isdigit()]


def _holders(inodes: set[str]) -> set[int]:
    wanted = {f"socket:[{inode}]" for inode in inodes}
    found = set()
    for pid in _pids():
        try:
            for fd in (PROC / str(pid) / "fd").iterdir():
                if os.readlink(fd) in wanted:
                    found.add(pid)
                    break
        except OSError:  # gone, or not ours to read
            continue
    return found


def _stat(pid: int) -> tuple[int, int]:
    """(parent pid, process group) from /proc/PID/stat; the command name may hold spaces and parentheses."""
    text = (PROC / str(pid) / "stat").read_text()
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), int(fields[2])


def _status(pid: int) -> dict[str, int]:
    values = {}
    for line in (PROC / str(pid) / "status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])  # "  123456 kB"
    return values


def _command(pid: int) -> str:
    words = (PROC / str(pid) / "cmdline").read_bytes().split(b"\0")
    return " ".join(w.decode(errors="replace") for w in words if w)[:200]


def processes(base_url: str) -> list[dict]:
    """The processes of the server listening at ``base_url``: [{pid, ppid, role, rss_kib, hwm_kib, command}],
    the master (if any) first. Raises ProcessesNotFound when /proc cannot tell."""
    port = urlsplit(base_url).port
    if port is None or not (PROC / "net" / "tcp").exists():
        raise ProcessesNotFound("no /proc/net/tcp (not Linux?): resident memory is read from /proc")
    holders = _holders(_listening_inodes(port))
    if not holders:
        raise ProcessesNotFound(f"no process found holding the socket listening on port {port}")
    group = _stat(next(iter(holders)))[1]
    found = []
    for pid in _pids():
        try:
            ppid, pgid = _stat(pid)
            if pgid != group:
                continue
            status = _status(pid)
            command = _command(pid)
        except OSError:
            continue
        if pid not in holders:
            role = "other"
        elif pid == group and len(holders) > 1:
            role = "master"
        else:
            role = "worker"
        found.append(
            {
                "pid": pid,
                "ppid": ppid,
                "role": role,
                "rss_kib": status.get("VmRSS"),
                "hwm_kib": status.get("VmHWM"),
                "command": command,
            }
        )
    order = {"master": 0, "worker": 1, "other": 2}
    return sorted(found, key=lambda p: (order[p["role"]], p["pid"]))

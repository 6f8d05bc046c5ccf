"""wrk, the load generator: found or installed from Debian, run bounded in time, its summary read back."""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.scenarios import Scenario, lua_script
from bench.seeding import SEED_ITEMS

TIMEOUT_S = 10  # wrk's per-request timeout: an answer later than this counts as a timeout error


class WrkError(RuntimeError):
    """wrk is missing and could not be installed, or a run gave no summary."""


def ensure_wrk() -> str:
    """The path of wrk, installing Debian's package (apt-get, as root) when it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        raise WrkError("wrk is not installed and cannot be installed here: run `apt-get install -y wrk` as root")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print("bench: wrk not found; installing Debian's package (apt-get install -y wrk)", flush=True)
    attempt = subprocess.run([apt, "install", "-y", "-qq", "wrk"], env=env, capture_output=True, text=True)
    if attempt.returncode != 0:  # a new machine may have no package lists yet
        subprocess.run([apt, "update", "-qq"], env=env, capture_output=True, text=True, timeout=600)
        attempt = subprocess.run([apt, "install", "-y", "-qq", "wrk"], env=env, capture_output=True, text=True)
    found = shutil.which("wrk")
    if attempt.returncode != 0 or found is None:
        raise WrkError(f"apt-get install -y wrk failed ({attempt.returncode}):\n{attempt.stderr[-2000:]}")
    return found


def version(wrk: str) -> str:
    done = subprocess.run([wrk, "--version"], capture_output=True, text=True, timeout=10)
    return (done.stdout or done.stderr).splitlines()[0].strip() if (done.stdout or done.stderr) else "wrk"


@dataclass(frozen=True)
class Load:
    concurrency: int
    window: float  # seconds of measured load
    drain: float  # at most this many seconds more, sending nothing, until every request is answered
    ids: int = SEED_ITEMS  # the seeded items: GET one and PATCH pick an id from 1..ids

    @property
    def threads(self) -> int:
        return 1 if self.concurrency == 1 else 2


def run(wrk: str, base_url: str, scenario: Scenario, load: Load, token: str | None = None) -> dict:
    """One wrk run; the script's JSON summary. ``token``: the bench user's, for a target with accounts.

    The load runs ``window`` seconds, then waits (sending nothing) until every request sent has its answer:
    each wrk thread writes a marker file then, and wrk is stopped with SIGINT, after which it prints its
    summary as at a normal end. ``drain`` bounds that wait (0: no wait, wrk's plain timed run).
    """
    drain = load.drain
    total = math.ceil(load.window + drain)  # wrk takes whole seconds
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as folder:
        marker = str(Path(folder) / "drained-")
        script = Path(folder) / f"{scenario.name}.lua"
        script.write_text(lua_script(scenario, load.window, drain > 0, marker, token, load.ids))
        url = base_url + (scenario.static_path or "/")
        command = [wrk, f"-t{load.threads}", f"-c{load.concurrency}", f"-d{total}s", f"--timeout={TIMEOUT_S}s"]
        process = subprocess.Popen(
            [*command, "-s", str(script), url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + total + TIMEOUT_S + 30
        stopped_early = False
        while process.poll() is None:
            if time.monotonic() > deadline:
                process.kill()
                process.wait()
                raise WrkError(f"wrk did not stop within {total + TIMEOUT_S + 30:.0f}s")
            if drain and not stopped_early and len(list(Path(folder).glob("drained-*"))) == load.threads:
                process.send_signal(signal.SIGINT)
                stopped_early = True
            time.sleep(0.02)
        stdout, stderr = process.communicate()
    line = next((x for x in stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if process.returncode != 0 or line is None:
        raise WrkError(f"wrk exited {process.returncode} without a summary:\n{stdout[-1500:]}\n{stderr[-1500:]}")
    summary = json.loads(line.removeprefix("BENCH_JSON "))
    path = "/" + url.split("/", 3)[-1]
    summary["command"] = " ".join(["wrk", *command[1:], "-s", f"{scenario.name}.lua", f"http://127.0.0.1:PORT{path}"])
    summary["drained"] = stopped_early
    return summary

"""The profiling phase: where a request's time goes, layer by layer, in each implementation under load.

After the load runs, and on server starts of its own (so that sampling never slows a measured run), each
implementation's production server (``servers.primary``) is started on a fresh database, seeded and given
its bench user exactly as the load runs do (``runner.database``, ``seeding``, ``accounts``), and for each
scenario (``get``, ``list``, ``post``) put under wrk load at ``CONCURRENCY`` connections while py-spy samples
every worker process for ``seconds``:

    py-spy record --pid MASTER --subprocesses --idle --threads --full-filenames --format raw --rate R --duration S

- ``--subprocesses`` on the server's master follows its workers; only the workers' samples are kept (found by
  bench/memory.py from the listening socket: gunicorn's arbiter and uvicorn's supervisor are masters, a
  multiprocessing helper is neither), so a master waiting for signals adds nothing.
- ``--idle``: every sample of a worker's main thread, the one serving requests, is kept, waits included.
  py-spy's own idle test (the thread's state) drops a varying part of the samples that wait for PostgreSQL on
  a busy 2-core machine (measured: 38 of 100 kept), so without it the driver's share would depend on the
  machine's load. The shares are of the main threads; other threads (uvicorn's health ping, a thread pool,
  psycopg_pool's and aiosqlite's threads) are counted apart when they are not idle (``layers.read_raw``).
- not ``--gil`` (a worker's one thread holds the GIL whenever it runs Python: it would only drop waits), not
  ``--nonblocking`` (py-spy then reads stacks while they change: in a trial it moved a tenth of Flask's
  samples from the ORM to the HTTP server), not ``--native`` (it halved FastAPI's throughput and failed on
  6% of samples in a trial).

Sampling pauses each worker ``rate`` times a second, so the server runs slower than in the load runs (on a
quiet machine, Flask's GET one at 64 connections: 784 req/s loaded, 743 sampled at 200 Hz; the throughput
while sampled is recorded beside each profile): the shares are what the profile says, not the load runs'
figures. Each sample's layer is decided by ``bench/layers.py``; the flame graphs are drawn by
``bench/profile_charts.py`` and the report's section is ``bench/report_layers.py``.
"""

from __future__ import annotations

import contextlib
import math
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench import accounts, layers, memory, profile_charts, runner, seeding, servers, wrk
from bench.scenarios import SCENARIOS
from contract_tests import implementations

SCENARIO_NAMES = ("get", "list", "post")
DATABASES = ("postgres", "sqlite")  # both: about 2.5 min of a full run (see estimate)
CONCURRENCY = 64  # the report's headline concurrency
QUICK_APP = "fastapi"  # the quick run profiles one implementation (its three scenarios, briefly)
TOP_FRAMES = 25  # the leaf frames with the most samples, kept per profile for the report and for reading
TOP_CALLS = 40  # the functions on the most stacks (inclusive), kept per profile for reading


@dataclass(frozen=True)
class ProfileTiming:
    seconds: int  # py-spy's --duration (whole seconds)
    rate: int  # samples per second per thread
    ramp: float = 0.5  # seconds of load before sampling starts


FULL = ProfileTiming(seconds=3, rate=200)
QUICK = ProfileTiming(seconds=1, rate=200)


@dataclass(frozen=True)
class Profile:
    target: servers.Target
    db: str
    scenario: str
    concurrency: int = CONCURRENCY

    @property
    def id(self) -> str:
        """``profile:TARGET/DB/SCENARIO/cN``: ``--only`` and ``--db`` select these as they select load runs."""
        return f"profile:{self.target.key}/{self.db}/{self.scenario}/c{self.concurrency}"


def plan(impls: dict[str, implementations.Implementation], quick: bool) -> list[Profile]:
    """Every implementation's production target x ``DATABASES`` x ``SCENARIO_NAMES``; quick: one implementation
    (``QUICK_APP``, else the first) on PostgreSQL."""
    chosen = list(impls.values())
    if quick:
        chosen = [impls.get(QUICK_APP) or chosen[0]] if chosen else []
    dbs = ("postgres",) if quick else DATABASES
    return [Profile(servers.primary(impl), db, s) for impl in chosen for db in dbs for s in SCENARIO_NAMES]


def estimate(profiles: list[Profile], timing: ProfileTiming, warmup: float) -> float:
    """Seconds the phase takes: a start per target and database (database, migrations, server, sign-up, seed,
    warm-up), then per profile the load's whole seconds and py-spy's attaching and writing."""
    starts = len({(p.target.key, p.db) for p in profiles}) * (9.0 + warmup)
    return starts + len(profiles) * (math.ceil(timing.ramp + timing.seconds + 0.5) + 1.0)


# --- the server's processes ----------------------------------------------------------------------------------
def processes(base_url: str) -> tuple[int, set[int]]:
    """(the process py-spy attaches to, the workers) of the server at ``base_url``, as bench/memory.py finds them
    (the listening socket's holders): the master and its workers, or a one-process server's one process."""
    found = memory.processes(base_url)
    masters = [p["pid"] for p in found if p["role"] == "master"]
    workers = {p["pid"] for p in found if p["role"] == "worker"}
    if len(masters) > 1 or not workers:
        raise ProfileError(f"{base_url}: no worker process found ({found})")
    return (masters[0] if masters else next(iter(workers))), workers


class ProfileError(RuntimeError):
    """py-spy is missing or failed, or the server's processes could not be found."""


def py_spy() -> str:
    """py-spy from the bench's venv (bench/requirements.txt), else from PATH."""
    beside = Path(sys.executable).parent / "py-spy"
    found = str(beside) if beside.exists() else shutil.which("py-spy")
    if found is None:
        raise ProfileError("py-spy is not installed (bench/requirements.txt installs it in nox -s bench)")
    return found


# --- the phase ---------------------------------------------------------------------------------------------
class Phase:
    """Runs the profiles with the load runs' Runner (its wrk, venvs, logs, warm-up and progress lines)."""

    def __init__(self, bench: runner.Runner, timing: ProfileTiming, flame_dir: Path) -> None:
        self.bench = bench
        self.timing = timing
        self.flame_dir = flame_dir
        self.results: list[dict] = []

    def run(self, profiles: list[Profile]) -> list[dict]:
        groups: dict[tuple[str, str], list[Profile]] = {}
        for p in profiles:
            groups.setdefault((p.target.key, p.db), []).append(p)
        if profiles:
            for stale in self.flame_dir.glob("*.svg"):  # the last run's flame graphs
                stale.unlink()
        for group in groups.values():
            self.run_group(group, len(profiles))
        return self.results

    def run_group(self, group: list[Profile], total: int) -> None:
        target, db = group[0].target, group[0].db
        self.bench.say(f"== profiling {target.key} on {db} ({len(group)} scenarios, py-spy)")
        try:
            spy = py_spy()
            with contextlib.ExitStack() as stack:
                url = stack.enter_context(runner.database(db, f"prof_{target.key}"))
                base = stack.enter_context(
                    servers.running(target, self.bench.venv_root, url, self.bench.logs / "profile" / db)
                )
                account = accounts.sign_up(base)
                table = seeding.find_table(url)
                self.bench.seed(url, table, seeding.SEED_ITEMS, account)
                runner.Runner.check_seed(base, account)
                self.bench.warm_up(base, "get", account.token)
                root, workers = processes(base)
                for p in group:
                    self.results.append(self.profile(p, spy, base, account.token, root, workers))
                    self.bench.say(self.line(self.results[-1], total))
        except Exception as error:  # noqa: BLE001  (recorded as "not measured"; the phase goes on)
            done = {r["id"] for r in self.results}
            reason = f"{type(error).__name__}: {str(error).strip()[:1500]}"
            self.bench.say(f"!! profiling {target.key} on {db} failed: {reason}")
            self.results += [{**describe(p), "error": reason} for p in group if p.id not in done]

    def profile(self, p: Profile, spy: str, base: str, token: str, root: int, workers: set[int]) -> dict:
        t = self.timing
        load = wrk.Load(p.concurrency, t.ramp + t.seconds + 0.5, 0)
        summary: dict = {}

        def loading() -> None:
            summary.update(wrk.run(self.bench.wrk, base, SCENARIOS[p.scenario], load, token))

        loader = threading.Thread(target=loading, name=f"wrk {p.id}")
        with tempfile.TemporaryDirectory(prefix="bench-pyspy-") as folder:
            raw = Path(folder) / "profile.txt"
            command = [spy, "record", "--pid", str(root), "--subprocesses", "--idle", "--threads"]
            command += ["--full-filenames", "--format", "raw", "--rate", str(t.rate), "--duration", str(t.seconds)]
            loader.start()
            try:
                time.sleep(t.ramp)
                done = subprocess.run([*command, "--output", str(raw)], capture_output=True, text=True, timeout=60)
            finally:
                loader.join(timeout=60)
            if done.returncode != 0 or not raw.exists():
                raise ProfileError(f"py-spy exited {done.returncode}: {done.stderr.strip()[-1500:]}")
            text = raw.read_text(errors="replace")
        if not summary:
            raise ProfileError(f"{p.id}: wrk gave no summary")
        own_roots = (str(p.target.folder.resolve()),)
        found = layers.read_raw(text, workers, own_roots)
        samples = sum(found["layers"].values())
        if samples == 0:
            raise ProfileError(f"{p.id}: py-spy recorded no sample of the workers {sorted(workers)}")
        statuses = {int(k): v for k, v in summary["statuses"].items()}
        svg = self.flame_dir / f"{p.target.app}-{p.db}-{p.scenario}.svg"
        title = f"{p.target.label}, {p.db}, {SCENARIOS[p.scenario].title}, {p.concurrency} connections"
        profile_charts.flame_graph(found["stacks"], own_roots, title, svg)
        return {
            **describe(p),
            "seconds": t.seconds,
            "rate": t.rate,
            "workers": len(workers),
            "samples": samples,
            "dropped": found["dropped"],
            "py_spy_errors": _errors(done.stderr),
            "layers": dict(found["layers"]),
            "threads": dict(found["threads"]),  # the other threads' samples that were not idle, by layer
            "top_leaves": [
                {"frame": frame, "layer": layer, "samples": n}
                for (frame, layer), n in found["leaves"].most_common(TOP_FRAMES)
            ],
            # the functions on most stacks, below the trunk that every sample shares (for reading, not the table)
            "top_calls": [
                {"function": name, "samples": n} for name, n in found["calls"].most_common() if n < 0.95 * samples
            ][:TOP_CALLS],
            "rps_sampled": summary["received"] / summary["span"] if summary["span"] > 0 else 0.0,
            "statuses": statuses,
            "flame_svg": svg.name,
            "flame_kib": round(svg.stat().st_size / 1024, 1),
        }

    def line(self, r: dict, total: int) -> str:
        if "error" in r:
            return f"{len(self.results):3d}/{total} {r['id']}: not measured ({r['error'][:200]})"
        shares = sorted(r["layers"].items(), key=lambda kv: -kv[1])[:4]
        top = ", ".join(f"{layer} {n / r['samples']:.0%}" for layer, n in shares)
        return (
            f"{len(self.results):3d}/{total} {r['id']}: {r['samples']} samples, {r['rps_sampled']:,.0f} req/s "
            f"while sampled; {top}"
        )


def describe(p: Profile) -> dict:
    return {
        "id": p.id,
        "target": p.target.key,
        "label": p.target.label,
        "app": p.target.app,
        "server": p.target.server.key,
        "db": p.db,
        "scenario": p.scenario,
        "concurrency": p.concurrency,
    }


def _errors(stderr: str) -> int:
    """py-spy's own count of samples it failed to take ("Samples: N Errors: M")."""
    found = re.search(r"Errors: (\d+)", stderr)
    return int(found[1]) if found else 0

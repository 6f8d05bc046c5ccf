"""Run the plan: for each target and database, a fresh database, the server, the seed, a warm-up, the loads.

For an implementation (a target with accounts) the server's start is followed by the bench user's
sign-up (bench/accounts.py), whose token every write and every ``get-auth`` request then carries and who
owns the seed; a production server on SQLite or PostgreSQL also has its logins timed there, once.

On the large table (matrix.LARGE) a production server is also started once more, traced, right after the
seed, and the SQL it sends is EXPLAINed (bench/queryplans.py) before any load; after its loads, every production
server's processes have their resident memory read (bench/memory.py). Both land beside the results
(``plans``, ``memory``), each with its error if it failed.

Every result is recorded, failures included (a target that does not start fails its runs, and the run
goes on); nothing is reported that was not measured in this run.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

from bench import accounts, machine, matrix, memory, queryplans, report, seeding, servers, wrk
from bench.matrix import SLOW_DB, Run, Timing
from bench.scenarios import SCENARIOS
from bench.seeding import SEED_ITEMS
from contract_tests import databases, dbproxy, server

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def slow_proxy(direct_url: str, delay_ms: float, log_dir: Path) -> Iterator[str]:
    """Start contract_tests.dbproxy in front of the database of ``direct_url``; yield the URL through it."""
    port = server.free_port()
    host, upstream_port = dbproxy.upstream_of(direct_url)
    log = (log_dir / "slowdb.log").open("a")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "contract_tests.dbproxy",
            "--port",
            str(port),
            "--upstream",
            f"{host}:{upstream_port}",
            "--delay-ms",
            f"{delay_ms:g}",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            if process.poll() is not None:
                raise server.ServerError(f"the slow-database proxy exited with {process.returncode}")
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            if time.monotonic() > deadline:
                raise server.ServerError("the slow-database proxy did not listen within 15 s")
            time.sleep(0.1)
        yield dbproxy.through(direct_url, port)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()


@contextlib.contextmanager
def database(db: str, label: str) -> Iterator[str | None]:
    """The URL of a fresh database (None for "-"), dropped afterwards."""
    db = matrix.LARGE.get(db, db)  # the large table is a table in the same kind of database
    if db == "-":
        yield None
    elif db == "sqlite":
        with databases.sqlite() as url:
            yield url
    else:
        with databases.postgres(label.replace("-", "_").replace("@", "_")[:40]) as url:
            yield url


class Runner:
    def __init__(self, wrk_path: str, venv_root: Path, logs: Path, timing: Timing, slow_ms: float) -> None:
        self.wrk = wrk_path
        self.venv_root = venv_root
        self.logs = logs
        self.logs.mkdir(parents=True, exist_ok=True)
        self.timing = timing
        self.slow_ms = slow_ms
        self.results: list[dict] = []
        self.logins: list[dict] = []  # one per production server start on SQLite or PostgreSQL
        self.memory: list[dict] = []  # one per production server start with a database, after its loads
        self.plans: list[dict] = []  # one per production server start on the large table
        self.started = time.monotonic()

    # --- progress -----------------------------------------------------------------------------------
    def say(self, text: str) -> None:
        elapsed = time.monotonic() - self.started
        print(f"[{int(elapsed // 60):2d}:{int(elapsed % 60):02d}] {text}", flush=True)

    # --- one target on one database -----------------------------------------------------------------
    def run_group(self, runs: list[Run], total: int, estimate_left) -> None:
        target, db = runs[0].target, runs[0].db
        self.say(f"== {target.key} on {db}: {target.label} ({len(runs)} runs)")
        try:
            with contextlib.ExitStack() as stack:
                direct = url = stack.enter_context(database(db, f"bench_{target.key}"))
                if db == SLOW_DB:  # the server goes through the proxy; seeding and counting go direct
                    url = stack.enter_context(slow_proxy(direct, self.slow_ms, self.logs))
                if target.own_table and direct:
                    seeding.create_items_table(direct)
                logs = self.logs / db  # one server log per target and database
                base = stack.enter_context(servers.running(target, self.venv_root, url or "", logs))
                table, account = None, None
                size = matrix.seed_size(db, self.timing)
                if target.accounts:
                    account = accounts.sign_up(base)
                if direct:
                    table = seeding.find_table(direct)
                    self.seed(direct, table, size, account)
                    self.check_seed(base, account, size)
                if direct and target.production and db in matrix.LARGE:
                    self.explain(target, db, direct, table, size)
                token = account.token if account else None
                self.warm_up(base, "hello" if not direct else "get-auth" if account else "get", token, size)
                if account and matrix.times_logins(target, db):
                    self.time_logins(runs[0], base, account)
                for run in runs:
                    self.results.append(self.measure(run, base, direct, table, token, size))
                    self.say(self.line(self.results[-1], total, estimate_left()))
                if direct and target.production:
                    self.read_memory(runs[0], base, size)
        except Exception as error:  # noqa: BLE001  (recorded as "not measured"; the other targets still run)
            done = {r["id"] for r in self.results}
            reason = f"{type(error).__name__}: {str(error).strip()[:1500]}"
            self.say(f"!! {target.key} on {db} failed: {reason}")
            for run in runs:
                if run.id not in done:
                    self.results.append({**self.describe(run), "error": reason})

    def seed(self, direct: str, table: str, size: int, account: accounts.Account | None) -> None:
        """The 10,000-item seed, or the large table made by the database (seeding.generate), timed."""
        owner = (seeding.owner_column(direct, table), account.id) if account else None
        started = time.monotonic()
        if size == seeding.SEED_ITEMS:
            seeding.seed(direct, table, seeding.items(), owner)
        else:
            seeding.generate(direct, table, size, owner)
            self.say(f"    seeded {size:,} items in {time.monotonic() - started:.1f} s")

    @staticmethod
    def check_seed(base: str, account: accounts.Account | None, size: int = seeding.SEED_ITEMS) -> None:
        """The server counts the seed (and, with accounts, every seeded item as the bench user's)."""
        total_items = servers.get_json(base + "/items?limit=1", timeout=60)["total"]
        if total_items != size:
            raise seeding.SeedError(f"seeded {size} items, the server counts {total_items}")
        if account:
            owner = urllib.parse.quote(account.username)
            owned = servers.get_json(f"{base}/items?limit=1&owner={owner}", timeout=60)["total"]
            if owned != size:
                raise seeding.SeedError(f"seeded {size} items for the bench user, it owns {owned}")

    def warm_up(self, base: str, scenario: str, token: str | None, size: int = seeding.SEED_ITEMS) -> None:
        if self.timing.warmup > 0:
            load = wrk.Load(concurrency=16, window=self.timing.warmup, drain=0, ids=size)
            wrk.run(self.wrk, base, SCENARIOS[scenario], load, token)

    def explain(self, target: servers.Target, db: str, direct: str, table: str, size: int) -> None:
        """The SQL of GET one, the list and the search, traced on a second start and EXPLAINed (queryplans)."""
        started = time.monotonic()
        found = queryplans.explain_all(target, db, direct, table, self.venv_root, self.logs / db, size)
        self.plans.append(found)
        counted = sum(len(r["statements"]) for r in found.get("requests", {}).values())
        outcome = f"!! {found['error']}" if "error" in found else f"{counted} statements explained"
        self.say(f"    SQL traced and explained in {time.monotonic() - started:.1f} s: {outcome}")

    def read_memory(self, run: Run, base: str, size: int) -> None:
        """Each process's resident memory after the loads (memory.processes), or why it could not be read."""
        found = {"target": run.target.key, "app": run.target.app, "db": run.db, "items": size}
        try:
            found["processes"] = memory.processes(base)
        except (memory.ProcessesNotFound, OSError) as error:
            found["error"] = f"{type(error).__name__}: {error}"
        self.memory.append(found)

    def time_logins(self, run: Run, base: str, account: accounts.Account) -> None:
        """``timing.logins`` sequential ``POST /token``, timed, on the server with nothing else to do."""
        load_before = machine.load1()
        samples = accounts.time_logins(base, account, self.timing.logins)
        found = {
            **{k: v for k, v in self.describe(run).items() if k not in ("id", "scenario", "concurrency")},
            **accounts.summary(samples),
            "load_before": load_before,
            "load_after": machine.load1(),
        }
        self.logins.append(found)
        self.say(
            f"    login (POST /token) x{found['logins']} on {run.target.key} {run.db}: median "
            f"{found['median_ms']:.1f} ms, p90 {found['p90_ms']:.1f} ms"
        )

    @staticmethod
    def describe(run: Run) -> dict:
        t = run.target
        return {
            "id": run.id,
            "target": t.key,
            "label": t.label,
            "role": t.role,
            "production": t.production,  # exactly impl.toml's server
            "app": t.app,
            "server": t.server.key,
            "server_kind": t.server.kind,
            "server_label": t.server.label,
            "interface": t.server.interface,
            "workers": t.server.workers,
            "command": " ".join(t.command),
            "db": run.db,
            "scenario": run.scenario,
            "concurrency": run.concurrency,
            "accounts": t.accounts,
        }

    def measure(
        self, run: Run, base: str, direct: str | None, table: str | None, token: str | None, size: int = SEED_ITEMS
    ) -> dict:
        scenario = SCENARIOS[run.scenario]
        load = wrk.Load(run.concurrency, self.timing.window, self.timing.drain, ids=size)
        before_count = seeding.count(direct, table) if scenario.writes else None
        load_before = machine.load1()
        summary = wrk.run(self.wrk, base, scenario, load, token)
        load_after = machine.load1()
        result = {**self.describe(run), **summary, "load_before": load_before, "load_after": load_after}
        result["items"] = size  # the items seeded (the large table holds fewer in a quick run)
        # Answers over the time from the start to the last answer (all requests sent were answered).
        result["rps"] = summary["received"] / summary["span"] if summary["span"] > 0 else 0.0
        result["latency_ms"] = {k: v / 1000 for k, v in summary.pop("latency_us").items()}
        statuses = {int(k): v for k, v in summary["statuses"].items()}
        result["statuses"] = statuses
        result["server_errors"] = sum(v for k, v in statuses.items() if k >= 500)
        result["socket_errors"] = sum(summary["errors"].values())
        result["unanswered"] = max(0, summary["sent_total"] - summary["received"])
        if scenario.writes:
            after = seeding.count(direct, table)
            created = statuses.get(201, 0)
            result["count"] = {
                "before": before_count,
                "after": after,
                "created_201": created,
                "ok": after == before_count + created,
                "exact": result["unanswered"] == 0,
            }
            seeding.reset(direct, table, size)  # so that every run starts from the same items
        return result

    def line(self, r: dict, total: int, left: float) -> str:
        lat = r["latency_ms"]
        codes = " ".join(f"{k}x{v}" for k, v in sorted(r["statuses"].items()))
        text = (
            f"{len(self.results):3d}/{total} {r['target']} {r['db']} {r['scenario']} c={r['concurrency']}: "
            f"{r['rps']:,.0f} req/s  p50 {lat['p50']:.1f} ms  p99 {lat['p99']:.1f} ms  [{codes}]  "
            f"load {r['load_before']:.2f}->{r['load_after']:.2f}  ~{left / 60:.0f} min left"
        )
        problems = [problem for problem, _ in report.run_problems(r)]
        return text + (f"  !! {'; '.join(problems)}" if problems else "")

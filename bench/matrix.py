"""What runs: targets x databases x scenarios x concurrency, for the full run and for ``--quick``.

The full run must end within 25 minutes on a 2-core machine, so the matrix is not a full cross product
("every concurrency" is 1, 16, 64 and 256 connections; 64 is where implementations are set side by side):

- the three implementations under their production servers: every scenario at 16, 64 and 256 connections
  and GET one also at 1, both databases;
- Django under an ASGI server (uvicorn, configured as FastAPI's impl.toml: uvloop, httptools, a worker per
  core): on PostgreSQL GET one at every concurrency and the other scenarios at 64; on SQLite every scenario at 64;
- other configurations, PostgreSQL only, every scenario at 64: each implementation under granian,
  FastAPI under plain uvicorn with one worker (its production start until run 4: h11, asyncio), and Django
  with Django's default connections (a settings override in bench/apps that takes out the pool its own
  settings add: a new connection per request);
- server ceilings (bare app, fixed JSON): every concurrency for the production configurations, 64 for the rest;
- the articles' hello endpoint in each framework: 64 and 256 connections;
- raw-driver ceilings on the production configurations: GET one at every concurrency, the other scenarios
  at 64, both databases;
- slow database (PostgreSQL behind a proxy adding a fixed delay to each answer): GET one at every
  concurrency for the async and the sync implementations and both raw ceilings;
- authentication: wherever an implementation (in any configuration) runs GET one, it also runs GET one
  with the bench user's bearer token (`get-auth`), at the same concurrency on the same database, right
  after; the ceilings and hello apps have no accounts. Logins (`POST /token`) are not loaded: each start of
  a production server on SQLite or PostgreSQL times ten sequential ones before its loads;
- how cost grows (bench/report_scaling.py), at 64 connections: the three production servers list with
  ``limit`` 1 and 100 besides 20 (``list-1``, ``list-100``) and search titles (``search``) on both databases,
  and the raw ceilings of their configurations list with ``limit`` 1 and 100 too; on a table of 1,000,000 items
  (``postgres-1m``, ``sqlite-1m``: the same schema, seeded by the database itself) the production servers run
  GET one and the list, and the search at 2 connections (LARGE_SEARCH_C); each is first started once more
  with its SQL traced (bench/queryplans.py) and the statements it sends are EXPLAINed; every production
  server's resident memory is read after its loads (bench/memory.py), on every table size. The large tables
  have no ``get-auth`` and no timed logins.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from bench import servers
from bench.scenarios import SCENARIOS
from bench.seeding import SEED_ITEMS
from contract_tests import implementations

CONCURRENCY = (1, 16, 64, 256)
CORES = os.cpu_count() or 1
HEADLINE_C = 64
DATA_SCENARIOS = ("get", "list", "post", "mixed")
AUTH_SCENARIO = "get-auth"  # GET one with a token: beside every GET one of a target with accounts
SLOW_DB = "postgres-slow"
LARGE = {"postgres-1m": "postgres", "sqlite-1m": "sqlite"}  # the large table: its id -> the database it is
DATABASES = ("sqlite", "postgres", SLOW_DB, *LARGE)
POSTGRES = ("postgres", SLOW_DB, "postgres-1m")
LIMITS = {"list-1": 1, "list": 20, "list-100": 100}  # the list scenarios by limit (sort=-price)
LARGE_SCENARIOS = ("get", "list", "search")
# The search on the large table reads every row (its count): ~2 s a request on PostgreSQL, ~0.4 s on SQLite, so at
# 64 connections no answer comes back within a run (and the queue outlives it). At 2, one request per worker.
LARGE_SEARCH_C = 2


@dataclass(frozen=True)
class Timing:
    window: float  # seconds measured per run
    drain: float  # at most this many seconds more for a run that writes (it ends once all is answered)
    warmup: float  # seconds of GET load after start and seed, not measured
    logins: int = 10  # sequential POST /token timed at each start of a production server (not the slow database)
    large: int = 1_000_000  # items in the large table (LARGE); the quick run seeds fewer, and says so


FULL = Timing(window=3.0, drain=10.0, warmup=1.0)
QUICK = Timing(window=1.0, drain=5.0, warmup=0.5, logins=3, large=20_000)


def seed_size(db: str, timing: Timing) -> int:
    """The items seeded into ``db``: ``timing.large`` for the large table, else seeding.SEED_ITEMS."""
    return timing.large if db in LARGE else SEED_ITEMS


def times_logins(target: servers.Target, db: str) -> bool:
    """Whether a start of ``target`` on ``db`` times its logins: production servers on the plain databases."""
    return target.accounts and target.production and db in ("sqlite", "postgres")


@dataclass(frozen=True)
class Run:
    target: servers.Target
    db: str  # sqlite | postgres | postgres-slow | "-" (no database)
    scenario: str
    concurrency: int

    @property
    def id(self) -> str:
        return f"{self.target.key}/{self.db}/{self.scenario}/c{self.concurrency}"


def _cross(target, dbs, scenarios, levels):
    return [Run(target, db, s, c) for db in dbs for s in scenarios for c in levels]


def targets(impls: dict[str, implementations.Implementation]) -> dict[str, servers.Target]:
    """Every target the benchmark knows, by key (the matrix picks from these)."""
    found: dict[str, servers.Target] = {}
    # A ceiling for every server configuration that serves an implementation, from a venv that has that server.
    bare: dict[tuple[str, str], tuple[servers.ServerConfig, str]] = {}
    raw: dict[tuple[str, str], tuple[servers.ServerConfig, str]] = {}

    def add(target: servers.Target) -> None:
        found[target.key] = target
        if target.role in ("impl", "second"):
            key = (target.server.interface, target.server.key)
            if key not in bare or target.venv.startswith("impl-") > bare[key][1].startswith("impl-"):
                bare[key] = (target.server, target.venv)  # prefer the implementation's own venv

    # The configuration under which the project serves ASGI (FastAPI's impl.toml), reused for Django's ASGI app.
    asgi_config = next(
        (servers.primary_config(i) for i in impls.values() if servers.primary_config(i).interface == "asgi"),
        servers.ServerConfig("uvicorn", "asgi", 1),
    )
    for impl in impls.values():
        config = servers.primary_config(impl)
        add(servers.primary(impl))
        add(servers.hello(impl, config))
        raw.setdefault((config.interface, config.key), (config, f"impl-{impl.name}"))
        if impl.name == "django":
            add(servers.django_default_connections(impl))
        for interface in servers.APP_SPECS.get(impl.name, {}):
            if interface == config.interface:
                add(servers.variant(impl, servers.ServerConfig("granian", interface, config.workers)))
                if config.kind == "uvicorn-std":  # FastAPI's documented deployment; set against plain uvicorn's
                    add(servers.variant(impl, servers.ServerConfig("uvicorn", interface, 1)))  # start until run 4
                    add(servers.hello(impl, servers.ServerConfig("uvicorn", interface, 1)))
            elif interface == "asgi":  # a WSGI implementation's ASGI app: the project's ASGI configuration
                add(servers.variant(impl, asgi_config, role="impl"))
                add(servers.hello(impl, asgi_config))
                add(servers.hello(impl, asgi_config, async_view=True))
    for config, venv in bare.values():
        add(servers.ceiling("bare", config, venv))
    # The ASGI servers bare, one worker each (how much the server alone gives), and plain uvicorn's multi-process
    # mode (Nagle's algorithm left on: why the project's ASGI start names uvloop).
    if "fastapi" in impls:
        for kind, workers in (("uvicorn", 1), ("uvicorn-std", 1), ("granian", 1), ("uvicorn", 2)):
            config = servers.ServerConfig(kind, "asgi", workers)
            if ("asgi", config.key) not in bare:
                add(servers.ceiling("bare", config, "bench-fastapi"))
    for config, venv in raw.values():
        add(servers.ceiling("raw", config, venv))
    return found


def with_auth(runs: list[Run], production_only: bool = False) -> list[Run]:
    """``runs`` with, right after each GET one of a target with accounts, the same run with a token
    (``production_only``: of the production servers, not on the slow database, as the quick run does);
    never on the large table (LARGE), whose GET one is there for the table's size."""
    out: list[Run] = []
    for run in runs:
        out.append(run)
        wanted = not production_only or (run.target.production and run.db != SLOW_DB)
        if run.scenario == "get" and run.target.accounts and wanted and run.db not in LARGE:
            out.append(Run(run.target, run.db, AUTH_SCENARIO, run.concurrency))
    return out


def plan(impls: dict[str, implementations.Implementation], quick: bool) -> list[Run]:
    """The full run (the module's docstring), or the quick one, CI's smoke test: every kind of target once
    at 16 connections. That is each implementation under its production server with every scenario
    (`get-auth` included; the production servers alternate between SQLite and PostgreSQL), Django's ASGI
    app, a second server of each interface, a hello app of each interface, the bare ceilings of the
    production configurations, a raw ceiling on each database, and the slow database for FastAPI and Flask;
    three logins timed per production server instead of ten; the first production server also lists with
    ``limit`` 1 and 100, and the large table holds 20,000 items, not 1,000,000: the first production server
    runs its three scenarios on ``postgres-1m``, the second its list on ``sqlite-1m``."""
    return with_auth(_plan(impls, quick), production_only=quick)


def _plan(impls: dict[str, implementations.Implementation], quick: bool) -> list[Run]:
    every = targets(impls)
    by_role = {
        role: [t for t in every.values() if t.role == role] for role in ("impl", "second", "hello", "bare", "raw")
    }
    production = {servers.primary(impl).key for impl in impls.values()}
    production_configs = {servers.primary_config(impl).key for impl in impls.values()}
    waiting = by_role["impl"]  # the production servers and Django's ASGI app: async against sync
    runs: list[Run] = []
    if quick:  # a smoke run: every kind of target and every code path once, at one concurrency
        levels = (16,)
        primaries = [t for t in waiting if t.key in production]
        for t, db in zip(primaries, ("sqlite", "postgres") * len(primaries), strict=False):
            runs += _cross(t, (db,), DATA_SCENARIOS, levels)
        runs += [r for t in waiting if t.key not in production for r in _cross(t, ("postgres",), ("get",), levels)]
        one_each: dict[tuple[str, str], servers.Target] = {}
        for t in [*sorted(by_role["second"], key=lambda t: t.server.kind != "granian"), *by_role["hello"]]:
            one_each.setdefault((t.role, t.server.interface), t)
        for t in one_each.values():
            runs += _cross(t, ("postgres",), ("get",), levels) if t.database else _cross(t, ("-",), ("hello",), levels)
        for t in by_role["bare"]:
            if t.server.key in production_configs:
                runs += _cross(t, ("-",), ("hello",), levels)
        for t, db, scenario in zip(by_role["raw"], ("postgres", "sqlite"), ("get", "post"), strict=False):
            runs += _cross(t, (db,), (scenario,), levels)
        slow = [t for t in primaries if t.app in ("fastapi", "flask")]
        runs += [r for t in slow for r in _cross(t, (SLOW_DB,), ("get",), levels)]
        return runs + _scaling(every, impls, quick)
    above_one = tuple(c for c in CONCURRENCY if c > 1)
    for t in waiting:
        for db in ("sqlite", "postgres"):
            if t.key in production:
                runs += _cross(t, (db,), ("get",), CONCURRENCY) + _cross(t, (db,), DATA_SCENARIOS[1:], above_one)
            elif db == "postgres":
                runs += _cross(t, (db,), ("get",), CONCURRENCY) + _cross(t, (db,), DATA_SCENARIOS[1:], (HEADLINE_C,))
            else:
                runs += _cross(t, (db,), DATA_SCENARIOS, (HEADLINE_C,))
    runs += [r for t in by_role["second"] for r in _cross(t, ("postgres",), DATA_SCENARIOS, (HEADLINE_C,))]
    runs += [r for t in by_role["hello"] for r in _cross(t, ("-",), ("hello",), (HEADLINE_C, 256))]
    for t in by_role["bare"]:
        levels = CONCURRENCY if t.server.key in production_configs else (HEADLINE_C,)
        runs += _cross(t, ("-",), ("hello",), levels)
    for t in by_role["raw"]:
        for db in ("sqlite", "postgres"):
            runs += _cross(t, (db,), ("get",), CONCURRENCY) + _cross(t, (db,), DATA_SCENARIOS[1:], (HEADLINE_C,))
    runs += [r for t in [*waiting, *by_role["raw"]] for r in _cross(t, (SLOW_DB,), ("get",), CONCURRENCY)]
    return runs + _scaling(every, impls, quick)


def _scaling(every: dict[str, servers.Target], impls: dict[str, implementations.Implementation], quick: bool):
    """How cost grows: the limits, the search and the large table (the module's docstring; plan() for quick)."""
    primaries = [every[servers.primary(impl).key] for impl in impls.values()]
    limits = tuple(s for s in LIMITS if s != "list")
    if quick:  # the first production server lists on the database the quick run gives it (they alternate)
        first, second = primaries[0], primaries[1 % len(primaries)]
        return (
            _cross(first, ("sqlite",), limits, (16,))
            + _cross(first, ("postgres-1m",), LARGE_SCENARIOS, (16,))
            + _cross(second, ("sqlite-1m",), ("list",), (16,))
        )
    runs = [r for t in primaries for r in _cross(t, ("sqlite", "postgres"), (*limits, "search"), (HEADLINE_C,))]
    configs = {t.server.key for t in primaries}
    raw = [t for t in every.values() if t.role == "raw" and t.server.key in configs]
    runs += [r for t in raw for r in _cross(t, ("sqlite", "postgres"), limits, (HEADLINE_C,))]
    for t in primaries:
        for db in LARGE:
            runs += _cross(t, (db,), ("get", "list"), (HEADLINE_C,)) + _cross(t, (db,), ("search",), (LARGE_SEARCH_C,))
    return runs


def estimate(runs: list[Run], timing: Timing) -> float:
    """Seconds the plan takes: the load itself, plus a start (server, seed, warm-up) per target and database."""
    load = sum(timing.window + 0.6 + (0.3 if SCENARIOS[r.scenario].writes else 0) for r in runs)
    groups = {(r.target.key, r.db): r.target for r in runs}  # a start with a database takes longer
    starts = sum((7.0 if db != "-" else 3.0) + timing.warmup for _, db in groups)
    # With accounts: a sign-up and a login (two password hashes); a production server also times its logins.
    signups = sum(1.0 for t in groups.values() if t.accounts)
    logins = sum(0.4 * timing.logins for (_, db), t in groups.items() if times_logins(t, db))
    # The large table: its seed (made by the database: ~11 s a million rows on PostgreSQL, ~6 s on SQLite), a
    # production server's traced second start and its EXPLAINs, and the slower runs' last answers.
    million = timing.large / 1e6
    large = [(db, t) for (_, db), t in groups.items() if db in LARGE]
    seeds = sum((11.0 if db in POSTGRES else 6.0) * million + (4.0 + 5.0 * million) * t.production for db, t in large)
    draining = sum(2.0 * million for r in runs if r.db in LARGE)
    return load + starts + signups + logins + seeds + draining

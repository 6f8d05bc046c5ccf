"""docs/benchmarks.md from the results of one run: tables, ratios, charts, and the claims held against them.

Every number and every verdict in the page is computed here from the run's results; the verdicts are
conditions on those numbers (a claim "holds" only if the measured figures meet it), so a run on another
machine, or after a change, says what that run found. Where something was not measured (a failed run, a
quick run), the page says so instead of a number.

The page's own sections are here (its header, the machine, the method, the versions); the others are in the
report_* modules beside it: report_claims (and report_claims_hello), report_targets, report_ratios,
report_layers, report_scaling, report_runs. report_common holds ``Results`` and the formatting helpers that
every section uses; they are re-exported here, as are the checks of a run in report_runs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bench import report_layers, report_scaling, report_targets
from bench.matrix import AUTH_SCENARIO
from bench.report_claims import verdicts
from bench.report_common import DB_LABEL, NAMES, ORDER, Results, ms, n, name, pct, ratio, times
from bench.report_ratios import authentication, between_runs, headline, read_history, update_history
from bench.report_runs import (
    all_runs,
    ceilings_tables,
    charts_section,
    contract_breaches,
    correctness,
    correctness_problems,
    draw,
    not_measured,
    run_problems,
    slow_section,
)
from bench.scenarios import SCENARIOS
from bench.seeding import SEED_ITEMS

# Used by bench/runner.py, bench/__main__.py, bench/report_scaling.py and bench/report_targets.py as report.NAME.
__all__ = [
    "DB_LABEL",
    "NAMES",
    "ORDER",
    "Results",
    "contract_breaches",
    "correctness_problems",
    "ms",
    "n",
    "name",
    "pct",
    "ratio",
    "run_problems",
    "times",
    "write",
]


# --- the page ---------------------------------------------------------------------------------------
def write(data: dict, markdown: Path, assets: Path, history: bool = False) -> None:
    results = Results(data["results"])
    assets.mkdir(parents=True, exist_ok=True)
    pictures = draw(results, assets)
    past = update_history(data, results, assets / "history.json") if history else read_history(assets)
    rel = assets.relative_to(markdown.parent) if assets.is_relative_to(markdown.parent) else assets
    parts = [
        header(data, results),
        verdicts(data, results),
        report_targets.section(results, report_scaling.target_rows(data), data),  # issue 17's targets
        headline(results),
        authentication(data, results),
        report_layers.section(data, assets, rel),  # where a request's time goes (bench/profiling.py)
        between_runs(past),
        machine(data),
        method(data, results),
        ceilings_tables(results),
        slow_section(data, results),
        report_scaling.section(data, results, assets, rel),  # limits, 1M items, plans, memory
        charts_section(pictures, rel),
        correctness(results),
        all_runs(results),
        not_measured(results),
        versions(data),
    ]
    markdown.parent.mkdir(parents=True, exist_ok=True)
    markdown.write_text("\n\n".join(p.strip() for p in parts if p.strip()) + "\n")


def header(data: dict, results: Results) -> str:
    failed = len(results.failed)
    mode = {"full": "full run", "quick": "quick smoke run (`-- --quick`)", "partial": "partial run (filtered)"}
    skipped = ""
    if data.get("postgres_skipped"):
        skipped = f"\n| **PostgreSQL SKIPPED** | {data['postgres_skipped']}: no PostgreSQL run was made |"
    return f"""# Benchmarks

<!-- Written by `nox -s bench` (bench/report.py) from docs/bench/results.json. Do not edit by hand: rerun it. -->

One run of `nox -s bench`: the three implementations under their production servers (and Django's ASGI
app, and a second server each), their server ceilings and a raw-driver data path, loaded by
[wrk](https://github.com/wg/wrk) on the same machine, on SQLite, PostgreSQL and a deliberately slow
PostgreSQL. Every figure and every verdict below is computed from this run's measurements.

| run | |
| --- | --- |
| kind | {mode.get(data["mode"], data["mode"])} |
| started | {data["started_at"]} |
| wall time of the load phase | {data["wall_seconds"] / 60:.1f} min ({len(results.all)} load runs, {failed} failed) |
| 1-minute load average | {data["load_start"]:.2f} at the start, {data["load_end"]:.2f} at the end |{skipped}"""


# --- machine, method, versions ----------------------------------------------------------------------
def machine(data: dict) -> str:
    m = data["machine"]
    return f"""## The machine

| | |
| --- | --- |
| CPU | {m["cpu"]}, {m["cores"]} cores |
| memory | {m["memory"]} |
| kernel | {m["kernel"]} |
| Python | {m["python"]} |
| PostgreSQL | {m["postgresql"]} (127.0.0.1:5432) |
| SQLite | {m["sqlite"]} |
| load generator | {m["wrk"]} |

wrk runs on the same two cores as the server under test (and as the database), so every figure is a
figure for the pair; other work on the machine shows in the load averages recorded with each run."""


def method(data: dict, r: Results) -> str:
    t = data["timing"]
    used = list(dict.fromkeys(x["target"] for x in r.all))
    rows = "\n".join(
        "| `{0}` | {1[label]} | `{1[command]}` | .nox/{1[venv]} |".format(key, data["targets"][key])
        for key in used
        if key in data["targets"]
    )
    scenario_lines = "\n".join(f"- `{s.name}`: {s.title}" for s in SCENARIOS.values())
    from bench import matrix

    quick = (
        "\n\n**This was a quick run** (the CI smoke test): every kind of target once, at 16 connections, for "
        "1 s. Its figures show that the benchmark works, not what the frameworks do: quote a full run."
        if data["mode"] == "quick"
        else ""
    )
    return f"""## What was run

{matrix.__doc__.split(chr(10) * 2, 1)[1].strip()}{quick}

Scenarios (wrk with a Lua script that counts every status):

{scenario_lines}

Each target starts on a free 127.0.0.1 port on a **fresh database** (a new SQLite file, or a new
PostgreSQL database dropped afterwards) prepared by the implementation's own `impl.toml` step (Django's
`migrate`, Flask's and FastAPI's migrations), then **seeded with the same {SEED_ITEMS:,} items**
written with SQL into the table the implementation created, and checked over HTTP (`total` =
{SEED_ITEMS:,}). An implementation first has a bench user signed up over HTTP (`POST /users`, a new
name per start, then `POST /token`): the seeded items are its own (the owner column found from the
table's foreign key, the user's id from `GET /users/me`; checked with `?owner=`), and its token goes with
every write and every `{AUTH_SCENARIO}` request. After a warm-up of {t["warmup"]:g} s, each run loads the
server for {t["window"]:g} s with `wrk -t2 -cN` (`-t1` for one connection), per-request timeout 10 s, then
stops sending and waits (at most
{t["drain"]:g} s) until every request sent has its answer. Requests per second are all the answers divided
by the time from the start to the last answer (a server that shares its time among all open requests, as
an asyncio loop does, may answer them late and together, so counting only the answers inside the window
would understate it); latencies are wrk's percentiles over every answer. In a run that writes, the number
of `201`s is then exactly the number of rows written; the rows it added are deleted afterwards, so every
run starts from the same {SEED_ITEMS:,} items.

The slow database is PostgreSQL behind `contract_tests/dbproxy.py`, an asyncio TCP proxy (the one the
contract suite's database-fault test uses) that the benchmark starts itself and that holds every chunk
PostgreSQL sends for {data["slow_ms"]:g} ms: each round trip (BEGIN, the query, COMMIT or ROLLBACK, a new
connection's start-up) waits that much more, while CPU and database stay as they are. The connection
pools are left as each implementation configures them: SQLAlchemy's default for FastAPI and Flask (5 + 10
overflow per process), Django's psycopg pool (`OPTIONS["pool"]`, psycopg_pool's
default of 4 per process; the variant without it is Django's default, a new connection per request); the
raw ASGI ceiling uses an asyncpg pool of 15, the raw WSGI one a connection per worker.

| target | what | command | venv |
| --- | --- | --- | --- |
{rows}"""


def versions(data: dict) -> str:
    venvs = data.get("versions", {})
    if not venvs:
        return ""
    names = sorted({k for v in venvs.values() for k in v if k != "python"})
    lines = [
        "## Versions",
        "",
        "| package | " + " | ".join(f".nox/{v}" for v in venvs) + " |",
        "| --- | " + " | ".join("---" for _ in venvs) + " |",
        "| Python | " + " | ".join(v.get("python", "–") for v in venvs.values()) + " |",
    ]
    for package in names:
        lines.append(f"| {package} | " + " | ".join(v.get(package, "") for v in venvs.values()) + " |")
    return "\n".join(lines)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")

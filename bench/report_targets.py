"""The issue's performance targets against this run: each one reached or not, and what holds it back.

The targets (issue 17) are conditions on figures measured in the same run, never timed tests:

- PostgreSQL, ``GET /items/{id}``, 64 connections: every implementation at 50 % or more of the raw-driver ceiling
  on its own server configuration, and FastAPI at 1.0x Flask or more;
- SQLite, the same scenario: every implementation at 50 % or more of raw;
- 256 connections (SQLite and PostgreSQL, every scenario run there; not the deliberately slow database): every
  implementation's p99 at 1 s or less, with no 5xx and no dropped connection (a socket error or a request sent and
  never answered);
- 1,000,000 items: ``GET /items?sort=-price&limit=20`` within 2x of its 10,000-item throughput (bench/report_scaling).

Where a target is missed the row names the layer that holds the implementation back: the largest share of the
profile (bench/layers.py) of that scenario that is not the database, when the run profiled it.
"""

from __future__ import annotations

from collections.abc import Callable

from bench import report_layers

SHARE_OF_RAW = 0.5
FASTAPI_OVER_FLASK = 1.0
P99_MS = 1000.0
BIG_C = 256

#: (app, db, scenario) -> a sentence naming the layer that holds it back, or None when it was not profiled.
Holder = Callable[[str, str, str], str | None]


def _mark(reached: bool | None) -> str:
    return "not measured" if reached is None else ("**reached**" if reached else "**not reached**")


def rows(r, holder: Holder | None = None, big_table: list[tuple[str, str, bool | None, str]] | None = None):
    """The targets as rows ``(target, implementation, measured, reached (None: not measured), held back by)``.

    ``r`` is bench.report.Results; ``big_table`` the 1,000,000-item rows from bench/report_scaling as
    ``(implementation, measured, reached, held back by)``.
    """
    from bench.report import DB_LABEL, name, pct, ratio, times  # noqa: PLC0415  (report imports this module)

    out = []
    for db in ("postgres", "sqlite"):
        for app in r.impls():
            mine = r.get(r.production(app), db, "get", r.hc)
            raw = r.rps(r.ceiling("raw", mine), db, "get") if mine else None
            share = ratio(mine["rps"] if mine else None, raw)
            reached = None if share is None else share >= SHARE_OF_RAW
            why = "" if reached in (None, True) or holder is None else holder(app, db, "get") or ""
            measured = f"{pct(share)} ({mine['rps']:,.0f} of {raw:,.0f} req/s)" if share is not None else "–"
            out.append((f"{DB_LABEL[db]}, GET one, {r.hc} conn.: ≥ 50% of raw", name(app), measured, reached, why))
    fast = r.rps(r.production("fastapi"), "postgres", "get")
    flask = r.rps(r.production("flask"), "postgres", "get")
    against = ratio(fast, flask)
    reached = None if against is None else against >= FASTAPI_OVER_FLASK
    why = "" if reached in (None, True) or holder is None else holder("fastapi", "postgres", "get") or ""
    out.append((f"PostgreSQL, GET one, {r.hc} conn.: FastAPI ≥ 1.0× Flask", "FastAPI", times(against), reached, why))
    for app in r.impls():
        runs = [
            x
            for x in r.ok
            if x["target"] == r.production(app) and x["concurrency"] == BIG_C and x["db"] in ("postgres", "sqlite")
        ]
        if not runs:
            out.append((f"{BIG_C} conn.: p99 ≤ 1 s, no 5xx, no drop", name(app), "–", None, ""))
            continue
        worst = max(runs, key=lambda x: x["latency_ms"]["p99"])
        errors = sum(x["server_errors"] for x in runs)
        dropped = sum(x["socket_errors"] + x["unanswered"] for x in runs)
        reached = worst["latency_ms"]["p99"] <= P99_MS and errors == 0 and dropped == 0
        measured = (
            f"worst p99 {worst['latency_ms']['p99']:,.0f} ms ({DB_LABEL[worst['db']]}, {worst['scenario']}); "
            f"{errors} 5xx, {dropped} dropped, over {len(runs)} runs"
        )
        why = ""
        if not reached and holder is not None:
            why = holder(app, worst["db"], worst["scenario"]) or ""
        out.append((f"{BIG_C} conn.: p99 ≤ 1 s, no 5xx, no drop", name(app), measured, reached, why))
    for app_name, measured, reached, why in big_table or []:
        out.append(("1,000,000 items: sort=-price within 2× of 10,000", app_name, measured, reached, why))
    return out


def section(r, big_table=None, data: dict | None = None) -> str:
    """The "Targets" section; ``data`` (the run's results.json) gives the profiles that name what holds back."""
    found = rows(r, report_layers.holder(data) if data else None, big_table)
    if not found:
        return ""
    missed = [row for row in found if row[3] is False]
    unmeasured = [row for row in found if row[3] is None]
    lines = [
        "## Targets",
        "",
        "Issue 17's targets, each a condition on this run's figures (never a timed test). Where one is missed, the "
        "last column names the layer of that implementation's profile (\"Where a request's time goes\") with the "
        "largest share outside the database.",
        "",
        f"{len(found) - len(missed) - len(unmeasured)} of {len(found)} reached, {len(missed)} not reached"
        + (f", {len(unmeasured)} not measured in this run" if unmeasured else "")
        + ".",
        "",
        "| target | implementation | measured | verdict | what holds it back |",
        "| --- | --- | --- | --- | --- |",
    ]
    for target, app, measured, reached, why in found:
        lines.append(f"| {target} | {app} | {measured} | {_mark(reached)} | {why or '–'} |")
    return "\n".join(lines)

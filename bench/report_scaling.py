"""The report's section on how cost grows (issue 17, point 3): the list by ``limit``, 10,000 against 1,000,000
items, which statements use an index, and each server's resident memory; two charts.

``section`` writes it for report.write; ``large_table_target`` is the issue's target on its own (the list on
1,000,000 items within 2x of its 10,000-item throughput, every implementation), for the report's targets.
Every figure comes from the run's results (``results``, ``plans``, ``memory`` in results.json).
"""

from __future__ import annotations

import re
from pathlib import Path

# report imports this module: its names are looked up when called, not at import
from bench import charts_scaling, report
from bench.matrix import LARGE, LARGE_SEARCH_C, LIMITS
from bench.scenarios import SEARCH_WORD

TARGET_ITEMS = 1_000_000
TARGET_RATIO = 0.5  # "within 2x" of the 10,000-item throughput
BASES = {base: large for large, base in LARGE.items()}  # postgres -> postgres-1m


def _apps(r: report.Results) -> list[tuple[str, str]]:
    """(label, target key): the production servers, then the raw ceilings of their configurations."""
    found = [(report.name(app), r.production(app)) for app in r.impls() if r.production(app)]
    raws = dict.fromkeys(x["target"] for x in r.ok if x["role"] == "raw" and x["scenario"] in ("list-1", "list-100"))
    return found + [(f"raw {key.split('@')[0].removeprefix('raw-').upper()} ceiling", key) for key in raws]


def _level(r: report.Results, target: str | None, db: str, scenario: str) -> dict | None:
    """The run of ``scenario`` at the headline concurrency, else at the one it ran at (the large table's search)."""
    found = [x for x in r.ok if (x["target"], x["db"], x["scenario"]) == (target, db, scenario)]
    return next((x for x in found if x["concurrency"] == r.hc), found[0] if found else None)


def _rps(x: float | None) -> str:
    """req/s, with decimals below 10 (the large table's search answers a few a second)."""
    return report.n(x) if x is None or x >= 10 else f"{x:.1f}" if x >= 1 else f"{x:.2f}"


def _per_item_us(rps: dict[int, float | None]) -> float | None:
    first, last = rps.get(1), rps.get(100)
    return 1e6 * (1 / last - 1 / first) / 99 if first and last else None


# --- 1. the list by limit ---------------------------------------------------------------------------
def limits_table(r: report.Results) -> tuple[str, dict]:
    """The table, and {db: {label: {limit: req/s}}} for the chart."""
    series: dict[str, dict[str, dict[int, float | None]]] = {}
    lines = [
        "### The list by `limit`",
        "",
        "`GET /items?limit=N&sort=-price` with N = 1, 20, 100, at the same connections on the same server. "
        "1/req/s is the server's throughput-time per request (the whole server's time per answer at "
        "saturation, all its workers together, not one request's latency); **µs per item** is how much of it "
        "each item adds, "
        "(1/req/s at 100 − 1/req/s at 1) / 99: fetching, converting, serialising and sending one item more.",
        "",
        "| database | implementation | limit 1 req/s | limit 20 req/s | limit 100 req/s | µs per request at 1 "
        "| µs per item |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for db in ("postgres", "sqlite"):
        for label, key in _apps(r):
            rps = {limit: (x["rps"] if (x := _level(r, key, db, s)) else None) for s, limit in LIMITS.items()}
            if not any(rps.values()):
                continue
            series.setdefault(report.DB_LABEL[db], {})[label] = rps
            per_item = _per_item_us(rps)
            lines.append(
                f"| {report.DB_LABEL[db]} | {label} | "
                f"{report.n(rps[1])} | {report.n(rps[20])} | {report.n(rps[100])} | "
                f"{report.n(1e6 / rps[1]) if rps[1] else '–'} | {'–' if per_item is None else f'{per_item:,.1f}'} |"
            )
    return ("\n".join(lines) if series else ""), series


# --- 2. 10,000 against 1,000,000 items --------------------------------------------------------------
def _statements(data: dict, app: str, db: str, request: str) -> list[dict]:
    plan = next((p for p in data.get("plans", []) if p["app"] == app and p["db"] == db and "requests" in p), None)
    return plan["requests"].get(request, {}).get("statements", []) if plan else []


def short_sql(text: str, width: int = 150) -> str:
    """One line; a long column list becomes ``…``."""
    flat = " ".join(text.split())
    flat = re.sub(r"^SELECT (.{60,}?) FROM ", "SELECT … FROM ", flat)
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def large_table_target(data: dict) -> dict:
    """The target on the list: ``{"holds": True | False | None, "sentence": str, "rows": [...]}``; a row per
    implementation and database measured on both tables, {app, db, items, rps_small, rps_large, ratio, holds,
    slowest (short SQL), slowest_ms, page_ms (its other statements)}. ``holds`` is False if one row misses it,
    None if nothing was measured, if an implementation's large-table list was not measured (a failed run) or
    if the large table held other than 1,000,000 items (a quick run)."""
    r = report.Results(data["results"])
    rows, missing = [], []
    for app in r.impls():
        key = r.production(app)
        for base, large in BASES.items():
            small, big = _level(r, key, base, "list"), _level(r, key, large, "list")
            if not (small and big):
                if any(x["target"] == key and x["db"] == large for x in r.all):  # planned, not measured
                    missing.append(f"{report.name(app)} on {report.DB_LABEL[base]} not measured")
                continue
            statements = sorted(_statements(data, app, large, "list"), key=lambda s: -s["ms"])
            rows.append(
                {
                    "app": app,
                    "db": base,
                    "items": big["items"],
                    "rps_small": small["rps"],
                    "rps_large": big["rps"],
                    "ratio": big["rps"] / small["rps"] if small["rps"] else None,
                    "holds": bool(small["rps"]) and big["rps"] >= TARGET_RATIO * small["rps"],
                    "slowest": short_sql(statements[0]["sql"], 90) if statements else None,
                    "slowest_ms": statements[0]["ms"] if statements else None,
                    "page_ms": sum(s["ms"] for s in statements[1:]) if statements else None,
                }
            )
    if not rows:
        return {"holds": None, "sentence": "", "rows": []}
    sizes = {row["items"] for row in rows}
    parts = [
        f"{report.name(x['app'])} on {report.DB_LABEL[x['db']]} keeps {report.pct(x['ratio'])} "
        f"({report.n(x['rps_small'])} → "
        f"{report.n(x['rps_large'])} req/s)"
        + (
            f", held back by `{x['slowest']}` ({report.ms(x['slowest_ms'])} ms in the database, against "
            f"{report.ms(x['page_ms'])} ms for its other statements)"
            if not x["holds"] and x["slowest"]
            else ""
        )
        for x in rows
    ] + missing
    goal = "`GET /items?sort=-price&limit=20` on 1,000,000 items within 2× of its 10,000-item throughput"
    if sizes != {TARGET_ITEMS}:
        held = None
        verdict = f"not judged: this run's large table held {', '.join(f'{s:,}' for s in sorted(sizes))} items"
    else:
        held = False if not all(x["holds"] for x in rows) else None if missing else True
        verdict = {True: "reached", False: "**not reached**", None: "not judged (a run failed)"}[held]
    return {
        "holds": held,
        "sentence": f"Target ({goal}, every implementation): {verdict}. " + "; ".join(parts) + ".",
        "rows": rows,
    }


def target_rows(data: dict) -> list[tuple[str, str, bool | None, str]]:
    """The target per implementation and database, for bench/report_targets: (implementation (database),
    measured, reached (None: not judged, see large_table_target), what holds it back)."""
    out = []
    for x in large_table_target(data)["rows"]:
        why = ""
        if not x["holds"] and x["slowest"]:
            why = (
                f"`{x['slowest']}`: {report.ms(x['slowest_ms'])} ms in the database, its other statements "
                f"{report.ms(x['page_ms'])} ms"
            )
        measured = f"{report.pct(x['ratio'])} ({report.n(x['rps_small'])} → {report.n(x['rps_large'])} req/s)"
        if x["items"] != TARGET_ITEMS:
            measured += f", {x['items']:,} items"
        label = f"{report.name(x['app'])} ({report.DB_LABEL[x['db']]})"
        out.append((label, measured, x["holds"] if x["items"] == TARGET_ITEMS else None, why))
    return out


def sizes_table(data: dict, r: report.Results) -> tuple[str, dict]:
    series: dict[str, dict[str, dict[str, tuple[float | None, float | None]]]] = {}
    sizes = sorted({x["items"] for x in r.ok if x["db"] in LARGE and "items" in x})
    if not sizes:
        return "", series
    what = ", ".join(f"{s:,}" for s in sizes)
    lines = [
        f"### 10,000 against {what} items",
        "",
        f"The same production servers, schema and scenarios on a table of {what} items (made by the database, "
        "bench/seeding.py `generate`). GET one, the list and the search (`GET /items?q="
        f"{SEARCH_WORD}&limit=20`, in about 19% of the titles), the connections of each figure in brackets. "
        f"The full run's search on the large table reads every row for its count and runs at {LARGE_SEARCH_C} "
        "connections, one per worker (at 64 no answer comes back within a run), so its two figures are each "
        "server's throughput at saturation, not at the same load.",
        "",
        "| database | implementation | scenario | 10,000 req/s (c) | large req/s (c) | large : 10,000 |",
        "| --- | --- | --- | ---: | ---: | ---: |",
    ]
    for base, large in BASES.items():
        for app in r.impls():
            key = r.production(app)
            for scenario in ("get", "list", "search"):
                small, big = _level(r, key, base, scenario), _level(r, key, large, scenario)
                if not big:
                    continue
                pair = (small["rps"] if small else None, big["rps"])
                series.setdefault(report.DB_LABEL[base], {}).setdefault(report.name(app), {})[scenario] = pair
                few = f", {big['received']} answers" if big["received"] < 20 else ""
                lines.append(
                    f"| {report.DB_LABEL[base]} | {report.name(app)} | {scenario} | "
                    f"{_rps(pair[0])} ({small['concurrency'] if small else '–'}) | "
                    f"{_rps(pair[1])} ({big['concurrency']}{few}) | {report.pct(report.ratio(pair[1], pair[0]))} |"
                )
    target = large_table_target(data)
    if target["sentence"]:
        lines += ["", target["sentence"]]
    return "\n".join(lines), series


# --- 3. plans ---------------------------------------------------------------------------------------
def plans_table(data: dict) -> str:
    plans = data.get("plans", [])
    if not plans:
        return ""
    lines = [
        "### Which statements use an index",
        "",
        "Each production server was started once more on the large table with its SQL traced on the way to the "
        "database (bench/sqltrace.py: PostgreSQL's wire protocol read by a proxy, SQLite's trace callback), sent "
        "each request once, and every statement it sent was explained there (bench/queryplans.py): PostgreSQL "
        "`EXPLAIN (ANALYZE, FORMAT JSON)` with the values sent, SQLite `EXPLAIN QUERY PLAN` and a timed run. "
        "*rows read*: what the plan's scans of the two tables returned or filtered out (PostgreSQL only, "
        "approximate for a parallel scan); *reads every row*: half the table or more on PostgreSQL, and on "
        "SQLite, which does not count, a `SCAN` (from one end of a table or index) that no LIMIT can stop.",
        "",
        "| database | implementation | request | statement | plan | index | reads every row | rows read | ms |",
        "| --- | --- | --- | --- | --- | :---: | :---: | ---: | ---: |",
    ]
    failed = []
    for plan in sorted(plans, key=lambda p: (p["db"], report.ORDER.index(p["app"]) if p["app"] in report.ORDER else 9)):
        if "error" in plan:
            failed.append(
                f"- {report.name(plan['app'])} on {report.DB_LABEL[plan['db']]}: not measured ({plan['error'][:300]})"
            )
            continue
        for request, found in plan["requests"].items():
            for s in found["statements"]:
                read = ", ".join(f"{t} {v:,}" for t, v in s["rows_read"].items()) if s["rows_read"] else "–"
                lines.append(
                    f"| {report.DB_LABEL[plan['db']]} ({plan['items']:,}) | {report.name(plan['app'])} | {request} | "
                    f"`{short_sql(s['sql'])}` | {s['plan']} | {'yes' if s['index'] else 'no'} | "
                    f"{_every_row(s)} | {read} | {report.ms(s['ms'])} |"
                )
    return "\n".join(lines + ([""] + failed if failed else []))


def _every_row(statement: dict) -> str:
    if not statement.get("every_row"):
        return "no"
    return "**yes** (table scan)" if statement["table_scan"] else "**yes** (whole index)"


# --- 4. memory --------------------------------------------------------------------------------------
def memory_table(data: dict) -> str:
    found = data.get("memory", [])
    if not found:
        return ""
    lines = [
        "### Resident memory per process, after the loads",
        "",
        "`VmRSS` (and in brackets `VmHWM`, the peak) of each process of the production server, read from /proc "
        "after its last load (bench/memory.py), in MiB. The master is gunicorn's arbiter or uvicorn's "
        "supervisor; *other* is a process of the server's group without the listening socket "
        "(multiprocessing's resource tracker under uvicorn).",
        "",
        "| implementation | database (items) | master MiB | each worker MiB | other MiB | total MiB |",
        "| --- | --- | ---: | --- | ---: | ---: |",
    ]

    def mib(kib: int | None) -> str:
        return "–" if kib is None else f"{kib / 1024:,.0f}"

    order = list(report.DB_LABEL)
    for x in sorted(
        found, key=lambda x: (report.ORDER.index(x["app"]) if x["app"] in report.ORDER else 9, order.index(x["db"]))
    ):
        where = f"{report.DB_LABEL[x['db']]} ({x['items']:,})"
        if "error" in x:
            lines.append(f"| {report.name(x['app'])} | {where} | not measured: {x['error'][:200]} | | | |")
            continue
        by_role = {role: [p for p in x["processes"] if p["role"] == role] for role in ("master", "worker", "other")}
        cell = {
            role: " / ".join(f"{mib(p['rss_kib'])} ({mib(p['hwm_kib'])})" for p in ps) or "–"
            for role, ps in by_role.items()
        }
        total = sum(p["rss_kib"] or 0 for p in x["processes"])
        lines.append(
            f"| {report.name(x['app'])} | {where} | {cell['master']} | {cell['worker']} | {cell['other']} | "
            f"{mib(total)} |"
        )
    return "\n".join(lines)


# --- the section -------------------------------------------------------------------------------------
def section(data: dict, r: report.Results, assets: Path, rel: Path) -> str:
    """The section's markdown; its charts are written to ``assets`` (linked through ``rel``)."""
    limits, limit_series = limits_table(r)
    sizes, size_series = sizes_table(data, r)
    parts = [limits, sizes, plans_table(data), memory_table(data)]
    if not any(parts):
        return ""
    if limit_series:
        charts_scaling.limits(limit_series, assets / "scaling-limits.png")
        parts.insert(1, f"![the list by limit]({rel.as_posix()}/scaling-limits.png)")
    if size_series:
        large = max(x["items"] for x in r.ok if x["db"] in LARGE)
        charts_scaling.sizes(size_series, assets / "scaling-sizes.png", large)
        parts.insert(parts.index(sizes) + 1, f"![10,000 against {large:,} items]({rel.as_posix()}/scaling-sizes.png)")
    return "\n\n".join(["## How cost grows: page size, table size, memory", *[p for p in parts if p]])

"""The page's tables of ratios: the headline ratios (each implementation against its server's ceiling, the raw
driver and the other implementations), what a token costs per request beside one login, and the headline ratios
of the last full runs (docs/bench/history.json, kept by ``update_history``).
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.matrix import AUTH_SCENARIO, DATA_SCENARIOS, SLOW_DB
from bench.report_common import DB_LABEL, ORDER, Results, ms, n, name, pct, ratio, times
from bench.scenarios import SCENARIOS
from bench.seeding import SEED_ITEMS

HISTORY_KEEP = 10


# --- headline ratios --------------------------------------------------------------------------------
def headline_numbers(r: Results) -> dict[str, float]:
    """The few ratios quoted run after run (history.json): at 64 connections, PostgreSQL, GET one."""
    found: dict[str, float] = {}
    for app in r.impls():
        mine = r.get(r.production(app), "postgres", "get", r.hc)
        if not mine:
            continue
        bare = r.peak(r.ceiling("bare", mine), "-", "hello")
        raw = r.rps(r.ceiling("raw", mine), "postgres", "get")
        if bare:
            found[f"{app} / bare ceiling"] = mine["rps"] / bare[0]
        if raw:
            found[f"{app} / raw driver"] = mine["rps"] / raw
    for app in r.impls():
        cost = ratio(r.rps(r.production(app), "postgres", AUTH_SCENARIO), r.rps(r.production(app), "postgres", "get"))
        if cost is not None:
            found[f"{app} GET one with token / without"] = cost
    gets = {app: r.rps(r.production(app), "postgres", "get") for app in r.impls()}
    slows = {app: r.rps(r.production(app), SLOW_DB, "get") for app in r.impls()}
    hellos = {}
    for app in r.impls():
        mine = r.first(target=r.production(app))
        peak = r.peak(r.hello(app, mine["interface"]), "-", "hello") if mine else None
        if peak:
            hellos[app] = peak[0]
    for a, b in (("fastapi", "flask"), ("fastapi", "django"), ("flask", "django")):
        if gets.get(a) and gets.get(b):
            found[f"{a} : {b}, GET one"] = gets[a] / gets[b]
        if slows.get(a) and slows.get(b):
            found[f"{a} : {b}, slow DB"] = slows[a] / slows[b]
        if hellos.get(a) and hellos.get(b):
            found[f"{a} : {b}, hello"] = hellos[a] / hellos[b]
    return found


def headline(r: Results) -> str:
    lines = [
        f"## Headline ratios ({r.hc} connections)",
        "",
        "Each implementation under its production server as a fraction of (a) its server's ceiling, a bare app "
        "returning fixed JSON on the same server configuration (best of the concurrency levels run), and (b) the "
        "raw data path, one hand-written SQL query through the driver on the same server and database, for the "
        "same scenario. Then the implementations against each other on the same scenario.",
        "",
        "| implementation | database | scenario | req/s | bare ceiling | share of ceiling | raw driver "
        "| share of raw |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    keys = [r.production(app) for app in r.impls()] + [r.asgi_django()]
    for key in [k for k in keys if k]:
        for db in ("postgres", "sqlite"):
            for scenario in DATA_SCENARIOS:
                mine = r.get(key, db, scenario, r.hc)
                if not mine:
                    continue
                bare = r.peak(r.ceiling("bare", mine), "-", "hello")
                raw = r.rps(r.ceiling("raw", mine), db, scenario)
                lines.append(
                    f"| {mine['label']} | {DB_LABEL[db]} | {SCENARIOS[scenario].title} | {n(mine['rps'])} | "
                    f"{n(bare[0]) if bare else '–'} | {pct(ratio(mine['rps'], bare[0] if bare else None))} | "
                    f"{n(raw)} | {pct(ratio(mine['rps'], raw))} |"
                )
    apps = r.impls()
    pairs = [(a, b) for i, a in enumerate(apps) for b in apps[i + 1 :]]
    if pairs:
        lines += [
            "",
            "Against each other (production servers; Django's ASGI app in its own column):",
            "",
            "| database | scenario | "
            + " | ".join(f"{name(a)} req/s" for a in apps)
            + " | Django ASGI req/s | "
            + " | ".join(f"{name(a)} : {name(b)}" for a, b in pairs)
            + " |",
            "| --- | --- | " + " | ".join("---:" for _ in range(len(apps) + 1 + len(pairs))) + " |",
        ]
        for db in ("postgres", "sqlite", SLOW_DB):
            for scenario in DATA_SCENARIOS:
                values = {a: r.rps(r.production(a), db, scenario) for a in apps}
                if not any(values.values()):
                    continue
                asgi = r.rps(r.asgi_django(), db, scenario)
                lines.append(
                    f"| {DB_LABEL[db]} | {SCENARIOS[scenario].title} | "
                    + " | ".join(n(values[a]) for a in apps)
                    + f" | {n(asgi)} | "
                    + " | ".join(times(ratio(values[a], values[b])) for a, b in pairs)
                    + " |"
                )
        hello = {a: r.peak(r.hello(a, "asgi" if a == "fastapi" else "wsgi"), "-", "hello") for a in apps}
        if any(hello.values()):
            lines.append(
                "| – | hello (framework only, best) | "
                + " | ".join(n(hello[a][0]) if hello[a] else "–" for a in apps)
                + f" | {n((r.peak(r.hello('django', 'asgi'), '-', 'hello') or (None,))[0])} | "
                + " | ".join(
                    times(ratio(hello[a][0] if hello[a] else None, hello[b][0] if hello[b] else None)) for a, b in pairs
                )
                + " |"
            )
    return "\n".join(lines)


# --- authentication ---------------------------------------------------------------------------------
def authentication(data: dict, r: Results) -> str:
    """GET one with a token beside GET one without, per implementation; and one login's time."""
    logins = data.get("logins", [])
    keyed = [x for x in r.ok if x["scenario"] == AUTH_SCENARIO]
    if not keyed and not logins:
        return ""
    lines = [
        "## Authentication: what a token costs per request, and one login",
        "",
        f"Every write carries the bench user's bearer token (signed up over HTTP at each start of an "
        f"implementation; it owns the {SEED_ITEMS:,} seeded items, so the mixed scenario's `PATCH` is the "
        f"owner's). `{AUTH_SCENARIO}` is `get` with that token: the same query, plus what each framework does "
        "to authenticate a request (verify the token, load the user it names). Its throughput beside `get`'s, "
        "on the same server, database and connections, right after it, is the cost of authenticating a "
        "request; `1/req/s added` puts that cost as time per request of the whole machine "
        "(1/req/s with the token less 1/req/s without).",
        "",
    ]
    rows = []
    production = [r.production(app) for app in r.impls()]
    for x in keyed:
        plain = r.get(x["target"], x["db"], "get", x["concurrency"])
        if plain and (x["concurrency"] == r.hc or (x["concurrency"] == 1 and x["target"] in production)):
            rows.append((plain, x))
    rows.sort(
        key=lambda pair: (
            pair[1]["target"] not in production,
            ORDER.index(pair[1]["app"]) if pair[1]["app"] in ORDER else len(ORDER),
            pair[1]["target"],
            list(DB_LABEL).index(pair[1]["db"]),
            pair[1]["concurrency"],
        )
    )
    if rows:
        lines += [
            f"At {r.hc} connections for every configuration run with both (and at 1 connection, where the "
            "latency is the request's own, for the production servers):",
            "",
            "| implementation | database | c | GET one req/s | with token req/s | with : without | "
            "1/req/s added | p50 ms without → with |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for plain, x in rows:
            added = 1e6 * (1 / x["rps"] - 1 / plain["rps"]) if x["rps"] and plain["rps"] else None
            lines.append(
                f"| {x['label']} | {DB_LABEL[x['db']]} | {x['concurrency']} | {n(plain['rps'])} | {n(x['rps'])} | "
                f"{pct(ratio(x['rps'], plain['rps']))} | {'–' if added is None else f'{added:,.0f} µs'} | "
                f"{ms(plain['latency_ms']['p50'])} → {ms(x['latency_ms']['p50'])} |"
            )
        lines.append("")
    if logins:
        ordered = sorted(
            logins,
            key=lambda x: (ORDER.index(x["app"]) if x["app"] in ORDER else len(ORDER), list(DB_LABEL).index(x["db"])),
        )
        counts = " or ".join(str(c) for c in sorted({x["logins"] for x in logins}))
        lines += [
            f"One login: `POST /token` (the password grant) is left out of the load runs, since its password "
            f"check is slow on purpose (each framework's standard hasher: Django's `PASSWORD_HASHERS`, Werkzeug's "
            f"`generate_password_hash`, pwdlib for FastAPI). Instead each production server times "
            f"{counts} sequential logins of the bench user (a new connection each) once it is up and warmed, "
            "before its loads, with nothing else sent to it:",
            "",
            "| implementation | database | logins | median ms | p90 ms | min–max ms | load 1m |",
            "| --- | --- | ---: | ---: | ---: | --- | --- |",
        ]
        for x in ordered:
            lines.append(
                f"| {x['label']} | {DB_LABEL[x['db']]} | {x['logins']} | {ms(x['median_ms'])} | {ms(x['p90_ms'])} | "
                f"{ms(x['min_ms'])}–{ms(x['max_ms'])} | {x['load_before']:.2f}→{x['load_after']:.2f} |"
            )
    return "\n".join(lines)


def between_runs(past: list[dict]) -> str:
    if not past:
        return ""
    names = list(dict.fromkeys(k for run in past for k in run["headline"]))
    lines = [
        "## Between runs",
        "",
        "The headline ratios of the last full runs (docs/bench/history.json), to show how much they move "
        "from one run to the next on this shared machine (load average at the start of each run).",
        "",
        "| ratio | " + " | ".join(f"{run['started_at'][:16]} (load {run['load_start']:.2f})" for run in past) + " |",
        "| --- | " + " | ".join("---:" for _ in past) + " |",
    ]
    for key in names:
        cells = []
        for run in past:
            value = run["headline"].get(key)
            cells.append("–" if value is None else (pct(value) if "/" in key else times(value)))
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def update_history(data: dict, r: Results, path: Path) -> list[dict]:
    past = json.loads(path.read_text()) if path.exists() else []
    past.append(
        {
            "started_at": data["started_at"],
            "wall_seconds": data["wall_seconds"],
            "load_start": data["load_start"],
            "load_end": data["load_end"],
            "headline": {k: round(v, 6) for k, v in headline_numbers(r).items()},
        }
    )
    past = past[-HISTORY_KEEP:]
    path.write_text(json.dumps(past, indent=1) + "\n")
    return past


def read_history(assets: Path) -> list[dict]:
    path = assets / "history.json"
    return json.loads(path.read_text()) if path.exists() else []

"""docs/benchmarks.md from the results of one run: tables, ratios, charts, and the claims held against them.

Every number and every verdict in the page is computed here from the run's results; the verdicts are
conditions on those numbers (a claim "holds" only if the measured figures meet it), so a run on another
machine, or after a change, says what that run found. Where something was not measured (a failed run, a
quick run), the page says so instead of a number.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from bench import charts
from bench.matrix import CONCURRENCY, DATA_SCENARIOS, HEADLINE_C, SLOW_DB
from bench.scenarios import SCENARIOS
from bench.seeding import SEED_ITEMS

DB_LABEL = {"sqlite": "SQLite", "postgres": "PostgreSQL", SLOW_DB: "PostgreSQL + delay", "-": "none"}
NAMES = {"fastapi": "FastAPI", "flask": "Flask", "django": "Django"}
ORDER = ["fastapi", "flask", "django"]  # the articles' order
# The articles' figures for a TechEmpower-style JSON endpoint (shared/CLAIMS.md), req/s.
CLAIMED_HELLO = {
    "fastapi": ("FastAPI on uvicorn", 15_000, 20_000, "asgi"),
    "flask": ("Flask on gunicorn", 2_000, 4_000, "wsgi"),
    "django": ("Django in ASGI mode", 3_000, 3_000, "asgi"),
}
ABOUT = 0.2  # "~3,000" is read as within 20 %
HISTORY_KEEP = 10


# --- looking results up -------------------------------------------------------------------------------
class Results:
    def __init__(self, results: list[dict]) -> None:
        for x in results:  # status codes come back from JSON as strings
            if "statuses" in x:
                x["statuses"] = {int(k): v for k, v in x["statuses"].items()}
        self.all = results
        self.ok = [r for r in results if "error" not in r]
        self.failed = [r for r in results if "error" in r]
        self.by = {(r["target"], r["db"], r["scenario"], r["concurrency"]): r for r in self.ok}
        # The concurrency at which implementations are set side by side: 64 in a full run.
        levels = {r["concurrency"] for r in self.ok if r["scenario"] in DATA_SCENARIOS}
        self.hc = HEADLINE_C if HEADLINE_C in levels or not levels else max(levels)

    def get(self, target: str | None, db: str, scenario: str, c: int) -> dict | None:
        return self.by.get((target, db, scenario, c)) if target else None

    def rps(self, target: str | None, db: str, scenario: str, c: int | None = None) -> float | None:
        r = self.get(target, db, scenario, self.hc if c is None else c)
        return r["rps"] if r else None

    def p99(self, target: str | None, db: str, scenario: str, c: int) -> float | None:
        r = self.get(target, db, scenario, c)
        return r["latency_ms"]["p99"] if r else None

    def first(self, **where) -> dict | None:
        return next((r for r in self.all if all(r.get(k) == v for k, v in where.items())), None)

    def key(self, **where) -> str | None:
        found = self.first(**where)
        return found["target"] if found else None

    def production(self, app: str) -> str | None:
        return self.key(app=app, production=True)

    def asgi_django(self) -> str | None:
        return self.key(app="django", role="impl", production=False)

    def ceiling(self, kind: str, of: dict) -> str | None:
        """The bare or raw ceiling on the same server configuration as the result ``of``."""
        return self.key(role=kind, server=of["server"], interface=of["interface"])

    def hello(self, app: str, interface: str, server: str | None = None) -> str | None:
        """The hello app of ``app`` on the server configuration ``server``; by default on the one its
        implementation runs on (impl.toml), or on any that has ``interface`` if that is another."""
        where = {"role": "hello", "app": f"hello-{app}", "interface": interface}
        if server is None:
            own = self.first(target=self.production(app))
            server = own["server"] if own and own["interface"] == interface else None
        return self.key(**where, server=server) if server else self.key(**where)

    def peak(self, target: str | None, db: str, scenario: str) -> tuple[float, int] | None:
        points = [(r["rps"], c) for (t, d, s, c), r in self.by.items() if (t, d, s) == (target, db, scenario)]
        return max(points) if points else None

    def targets_with(self, db: str, scenario: str) -> list[str]:
        seen: dict[str, None] = {}
        for r in self.ok:
            if r["db"] == db and r["scenario"] == scenario:
                seen.setdefault(r["target"], None)
        return list(seen)

    def impls(self) -> list[str]:
        """Implementation names in the order of the production targets."""
        found = dict.fromkeys(r["app"] for r in self.all if r.get("production"))
        return sorted(found, key=lambda app: (ORDER.index(app) if app in ORDER else len(ORDER), app))


# --- formatting -------------------------------------------------------------------------------------
def n(x: float | None) -> str:
    return "–" if x is None else f"{x:,.0f}"


def ms(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}" if x >= 1 else f"{x:.2f}"


def pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.0%}" if x >= 0.1 else f"{x:.1%}"


def times(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}×" if x < 10 else f"{x:.0f}×"


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def name(app: str) -> str:
    return NAMES.get(app, app)


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
        headline(results),
        between_runs(past),
        machine(data),
        method(data, results),
        ceilings_tables(results),
        slow_section(data, results),
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


# --- verdicts on the claims -------------------------------------------------------------------------
def verdicts(data: dict, r: Results) -> str:
    lines = ["## The articles' claims against this run", ""]
    lines += [f"- {text}" for text in claim_sentences(data, r)]
    return "\n".join(lines)


def _within(value: float, low: float, high: float) -> str:
    """A claimed figure is approximate ("~"): it holds within ABOUT of its range."""
    low, high = low * (1 - ABOUT), high * (1 + ABOUT)
    if value < low:
        return (
            f"**does not hold here**: {n(value)} req/s is {pct(value / low)} of {n(low)} req/s "
            f"(the claimed lower bound less {ABOUT:.0%})"
        )
    if value > high:
        return (
            f"**exceeded here**: {n(value)} req/s, {times(value / high)} {n(high)} req/s "
            f"(the claimed upper bound plus {ABOUT:.0%})"
        )
    return f"**holds**: {n(value)} req/s is within {ABOUT:.0%} of the claimed range"


def claim_sentences(data: dict, r: Results) -> list[str]:
    out: list[str] = []
    machine_note = f"{data['machine']['cores']} cores shared with wrk"
    # 1. The hello endpoint, in absolute numbers and as an ordering.
    peaks = {}
    for app, (what, low, high, interface) in CLAIMED_HELLO.items():
        target = r.hello(app, interface)
        peak = r.peak(target, "-", "hello")
        claimed = f"{low:,}–{high:,}" if low != high else f"~{low:,}"
        if peak is None:
            out.append(f"{what}, JSON hello endpoint, claimed {claimed} req/s: not measured in this run.")
            continue
        peaks[app] = peak[0]
        bare = r.peak(r.key(role="bare", server=r.first(target=target)["server"], interface=interface), "-", "hello")
        context = ""
        if bare:
            context = (
                f" The same server serves a bare {interface.upper()} app at {n(bare[0])} req/s at best here, "
                f"so the framework keeps {pct(peak[0] / bare[0])} of its server's ceiling."
            )
        out.append(
            f"{what}, JSON hello endpoint, claimed {claimed} req/s: {_within(peak[0], low, high)}; "
            f"best of the concurrency levels run, at {peak[1]} connections, on {machine_note}.{context}"
        )
    std = r.peak(r.key(role="bare", server_kind="uvicorn-std", interface="asgi", workers=1), "-", "hello")
    granian = r.peak(r.key(role="bare", server_kind="granian", interface="asgi", workers=1), "-", "hello")
    plain = r.peak(r.key(role="bare", server_kind="uvicorn", interface="asgi", workers=1), "-", "hello")
    if plain and (std or granian):
        faster = " and ".join(
            f"{label} {n(v[0])} req/s ({times(v[0] / plain[0])})"
            for label, v in (("uvicorn[standard] (httptools, uvloop)", std), ("granian", granian))
            if v
        )
        claimed_low = CLAIMED_HELLO["fastapi"][1]
        reached = max(v[0] for v in (std, granian) if v) >= claimed_low
        out.append(
            f"The ASGI server matters as much as the framework: FastAPI's implementation installs plain uvicorn "
            f"(h11 parser, asyncio loop), whose bare ceiling here is {n(plain[0])} req/s with one worker; for the "
            f"same bare app and one worker, {faster}. A bare server answering {claimed_low:,}+ req/s is "
            + (
                "within reach of plain uvicorn already."
                if plain[0] >= claimed_low
                else "reached here only with such a server."
                if reached
                else "not reached here even so."
            )
        )
    deployed = r.first(role="hello", app="hello-fastapi", server_kind="uvicorn-std")
    deployed_peak = r.peak(deployed["target"], "-", "hello") if deployed else None
    if deployed_peak:
        what, low, high, _ = CLAIMED_HELLO["fastapi"]
        out.append(
            f"FastAPI deployed as its docs deploy it (uvicorn with httptools and uvloop, as `fastapi[standard]` "
            f"installs it, and a worker per core: {deployed['workers']}), JSON hello endpoint, claimed "
            f"{low:,}–{high:,} req/s: {_within(deployed_peak[0], low, high)}, at {deployed_peak[1]} connections."
        )
    async_view = r.peak(r.key(role="hello", app="hello-django-async"), "-", "hello")
    if async_view and "django" in peaks:
        out.append(
            f"Django in ASGI mode with an `async def` view (Django's way to skip a sync view's thread hop): "
            f"{n(async_view[0])} req/s at best, {times(async_view[0] / peaks['django'])} the sync view's. Its ASGI "
            "handler runs every request in a thread-sensitive context of its own (asgiref's "
            "`ThreadSensitiveContext`), so the request's synchronous parts (signal receivers, `response.close()`, "
            "a sync view) run on a thread made for that request and joined at its end, async view or not."
        )
    if "fastapi" in peaks and "flask" in peaks:
        measured = peaks["fastapi"] / peaks["flask"]
        low, high = 15_000 / 4_000, 20_000 / 2_000
        verdict = "holds" if low <= measured <= high else "does not hold"
        order = "FastAPI ahead of Flask" if measured > 1 else "Flask ahead of FastAPI"
        out.append(
            f"The claimed ratio FastAPI : Flask on hello ({low:.1f}–{high:.0f}×) **{verdict}** here: "
            f"{times(measured)} ({order}, each under its production server)."
        )
    if "fastapi" in peaks and "django" in peaks:
        measured = peaks["fastapi"] / peaks["django"]
        out.append(
            f"FastAPI : Django (ASGI) on hello: {times(measured)}; the articles' figures imply about 5–7×, "
            f"which **{'holds' if 5 * (1 - ABOUT) <= measured <= 7 * (1 + ABOUT) else 'does not hold'}** here."
        )
    # 2. One ORM read evens them out (the prototype).
    for db in ("postgres", "sqlite"):
        gets = {app: r.rps(r.production(app), db, "get") for app in r.impls()}
        gets = {app: v for app, v in gets.items() if v}
        if len(gets) >= 2:
            top, bottom = max(gets, key=gets.get), min(gets, key=gets.get)
            spread = gets[top] / gets[bottom]
            listing = ", ".join(f"{name(a)} {n(v)}" for a, v in gets.items())
            evens = spread <= 1.5
            out.append(
                f"One ORM read (`GET /items/{{id}}`, {DB_LABEL[db]}, {r.hc} connections): {listing} req/s, "
                f"a spread of {times(spread)} ({name(top)} fastest; the issue's prototype saw about 2,000 each): the "
                "read "
                + ("**does even them out** (within 1.5×)." if evens else "**does not even them out** (over 1.5×).")
            )
    # 3. Framework overhead vs the database.
    for db in ("postgres", "sqlite"):
        parts, dominated = [], []
        for app in r.impls():
            key = r.production(app)
            mine = r.get(key, db, "get", r.hc)
            raw = r.rps(r.ceiling("raw", mine), db, "get") if mine else None
            share = ratio(mine["rps"] if mine else None, raw)
            if share is not None:
                parts.append(f"{name(app)} {pct(share)}")
                dominated.append(share < 0.5)
        if parts:
            all_stack = all(dominated)
            none_stack = not any(dominated)
            verdict = (
                "**does not hold** for any of them: the idiomatic stack costs more per request than the query"
                if all_stack
                else "**holds** for all of them: the query and the driver cost more than the stack"
                if none_stack
                else "**holds only for some**"
            )
            out.append(
                f'"Framework overhead rarely dominates; the database query does" ({DB_LABEL[db]}, GET one, '
                f"{r.hc} connections), as the share of the raw-driver path on the same server and database "
                f"that each implementation reaches ({', '.join(parts)}): {verdict}. Below 50 % the stack "
                f"(ORM, validation, serialisation, routing) costs more than the one hand-written query."
            )
    # 4. Async wins on I/O waits.
    fast = r.production("fastapi")
    syncs = [k for k in (r.production("flask"), r.production("django")) if k]
    if fast and syncs:
        rows = []
        for c in CONCURRENCY:
            a = r.rps(fast, SLOW_DB, "get", c)
            b = max((v for v in (r.rps(k, SLOW_DB, "get", c) for k in syncs) if v), default=None)
            if a and b:
                rows.append((c, a / b))
        normal_a = r.rps(fast, "postgres", "get")
        normal_b = max((v for v in (r.rps(k, "postgres", "get") for k in syncs) if v), default=None)
        if rows:
            concurrent = [x for c, x in rows if c >= 16]
            wins = bool(concurrent) and min(concurrent) >= 1.5
            listing = ", ".join(f"{times(x)} at {c}" for c, x in rows)
            text = (
                f'"Async wins when requests wait on I/O" (PostgreSQL behind a proxy adding {data["slow_ms"]:g} ms '
                f"to every answer, GET one): FastAPI over the faster sync implementation, by connections: {listing}. "
                + (
                    "**Holds**: with 16 connections or more, the async implementation serves at least 1.5× more."
                    if wins
                    else "**Does not hold** at every concurrency from 16 up (a lead under 1.5× somewhere)."
                )
            )
            if normal_a and normal_b:
                normal = normal_a / normal_b
                slow64 = dict(rows).get(r.hc)
                large_only = slow64 is not None and slow64 >= 2 * normal
                text += f" Without the delay (same scenario, {r.hc} connections) the ratio is {times(normal)}, " + (
                    "so async wins large only when requests wait, as the issue's prototype suggested."
                    if large_only
                    else f"{'not' if slow64 is None or slow64 < 2 * normal else ''} far from the waiting case."
                )
            out.append(text)
    # 5. p99 at the highest concurrency.
    levels = [c for c in CONCURRENCY if r.get(fast, "postgres", "get", c)]
    top_c = max(levels) if levels else None
    if fast and top_c and top_c < max(CONCURRENCY):
        out.append(
            f'"FastAPI holds p99 under 100 ms at very high concurrency": not judged, the highest concurrency '
            f"run here is {top_c} connections."
        )
    elif fast and top_c:
        p_fast = r.p99(fast, "postgres", "get", top_c)
        django_keys = [(k, lbl) for k, lbl in ((r.production("django"), "gunicorn"), (r.asgi_django(), "ASGI"))]
        p_django = [(lbl, r.p99(k, "postgres", "get", top_c)) for k, lbl in django_keys if k]
        p_django = [(lbl, v) for lbl, v in p_django if v is not None]
        if p_fast is not None:
            text = (
                f'"FastAPI holds p99 under 100 ms at very high concurrency": at {top_c} connections (the highest '
                f"run here; the articles speak of thousands of users), GET one on PostgreSQL, FastAPI's p99 is "
                f"{ms(p_fast)} ms: **{'holds' if p_fast < 100 else 'does not hold'}**"
            )
            p50_fast = r.get(fast, "postgres", "get", top_c)["latency_ms"]["p50"]
            text += f" (its p50 is {ms(p50_fast)} ms)"
            if p_django:
                lower = [f"{ms(v)} ms on {lbl}" for lbl, v in p_django if v < p_fast]
                higher = [f"{ms(v)} ms on {lbl}" for lbl, v in p_django if v >= p_fast]
                text += "; Django's p99 is " + "; ".join(
                    part
                    for part in (
                        f"lower, {' and '.join(lower)}: there the claimed contrast is reversed" if lower else "",
                        f"higher, {' and '.join(higher)}, as claimed" if higher else "",
                    )
                    if part
                )
            out.append(text + ".")
    # 6. Django under ASGI vs gunicorn, and the ORM in async.
    wsgi, asgi = r.production("django"), r.asgi_django()
    if wsgi and asgi:
        for db in ("postgres", "sqlite"):
            a, w = r.rps(asgi, db, "get"), r.rps(wsgi, db, "get")
            if a and w:
                hello_a = r.peak(r.hello("django", "asgi"), "-", "hello")
                hello_w = r.peak(r.hello("django", "wsgi"), "-", "hello")
                bare_a = r.peak(r.ceiling("bare", r.first(target=asgi)), "-", "hello")
                bare_w = r.peak(r.ceiling("bare", r.first(target=wsgi)), "-", "hello")
                text = (
                    f"Django under an ASGI server (uvicorn, one worker, as FastAPI's) against gunicorn "
                    f"({DB_LABEL[db]}, GET one, {r.hc} connections): {n(a)} vs {n(w)} req/s, "
                    f"gunicorn {times(w / a)}"
                )
                if hello_a and hello_w:
                    text += f"; on the hello view {n(hello_a[0])} vs {n(hello_w[0])} ({times(hello_w[0] / hello_a[0])})"
                if bare_a and bare_w:
                    not_server = bare_a[0] >= 0.67 * bare_w[0]
                    text += (
                        f". The bare ASGI ceiling of that server is {n(bare_a[0])} req/s against {n(bare_w[0])} "
                        + (
                            "for gunicorn's, so the server is not what slows Django down: its ASGI path is."
                            if not_server
                            else "for gunicorn's, so the server accounts for part of the difference."
                        )
                    )
                slow_a, slow_f = r.rps(asgi, SLOW_DB, "get"), r.rps(fast, SLOW_DB, "get") if fast else None
                if db == "postgres" and slow_a and slow_f:
                    text += (
                        f" With the slow database, its sync views under ASGI serve {n(slow_a)} req/s against "
                        f"FastAPI's {n(slow_f)} on the same server: ASGI alone does not make Django's synchronous "
                        f"ORM wait concurrently ({times(slow_f / slow_a)})."
                    )
                out.append(text)
                break
    two = r.peak(r.key(role="bare", server_kind="uvicorn", interface="asgi", workers=2), "-", "hello")
    if two and plain:
        slower = two[0] < plain[0]
        out.append(
            f"uvicorn with 2 workers serves the bare ASGI app at {n(two[0])} req/s, against {n(plain[0])} with one"
            + (
                ": with several workers uvicorn's accepted sockets keep Nagle's algorithm on (the asyncio loop sets "
                "TCP_NODELAY only when the listening socket says IPPROTO_TCP; uvicorn issue #3149), so each "
                "keep-alive request waits for a delayed ACK. That is why Django's ASGI app runs on one worker here."
                if slower and two[0] < 0.5 * plain[0]
                else "."
            )
        )
    # 7. Second servers: how much of the gap is the server.
    for app in r.impls():
        prod = r.production(app)
        prod_r = r.get(prod, "postgres", "get", r.hc)
        seconds = [
            x
            for x in r.ok
            if x["app"] == app
            and x["role"] == "second"
            and x["db"] == "postgres"
            and x["scenario"] == "get"
            and x["concurrency"] == r.hc
        ]
        if prod_r and seconds:
            listing = "; ".join(
                f"{x['label'].removeprefix(prod_r['label'].split(' on ')[0] + ' on ')}: {n(x['rps'])} req/s "
                f"({times(x['rps'] / prod_r['rps'])})"
                for x in seconds
            )
            out.append(
                f"{name(app)} in other configurations (PostgreSQL, GET one, {r.hc} connections; against its "
                f"production server's {n(prod_r['rps'])} req/s): {listing}."
            )
    if not out:
        out.append("Nothing measured in this run bears on the claims.")
    return out


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
PostgreSQL database dropped afterwards) prepared by the implementation's own `impl.toml` step (its
migrations: Django's `migrate`, `flask db upgrade`, `alembic upgrade head`), then **seeded with the same
{SEED_ITEMS:,} items** written with SQL into the table the implementation created, and checked over HTTP (`total` =
{SEED_ITEMS:,}). After a warm-up of {t["warmup"]:g} s, each run loads the server for {t["window"]:g} s with
`wrk -t2 -cN` (`-t1` for one connection), per-request timeout 10 s, then stops sending and waits (at most
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


# --- ceilings and slow database ---------------------------------------------------------------------
def ceilings_tables(r: Results) -> str:
    rows = [x for x in r.ok if x["scenario"] == "hello"]
    if not rows:
        return ""
    lines = [
        "## Ceilings and hello endpoints",
        "",
        "Bare apps (fixed JSON, no framework) show what each server configuration can do at best; the hello "
        "apps (`bench/apps/hello_*.py`, one route returning a small JSON object, no database) are the articles' "
        "TechEmpower-style measurement for each framework.",
        "",
        "| target | connections | req/s | p50 ms | p99 ms | load before→after |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for x in sorted(rows, key=lambda x: (x["role"] != "bare", x["target"], x["concurrency"])):
        lat = x["latency_ms"]
        lines.append(
            f"| {x['label']} (`{x['target']}`) | {x['concurrency']} | {n(x['rps'])} | {ms(lat['p50'])} | "
            f"{ms(lat['p99'])} | {x['load_before']:.2f}→{x['load_after']:.2f} |"
        )
    return "\n".join(lines)


def slow_section(data: dict, r: Results) -> str:
    rows = [x for x in r.ok if x["db"] == SLOW_DB]
    if not rows:
        return ""
    keys = list(dict.fromkeys(x["target"] for x in rows))
    levels = sorted({x["concurrency"] for x in rows})
    lines = [
        f"## Slow database: PostgreSQL + {data['slow_ms']:g} ms per answer",
        "",
        "GET one item; requests/s and p99 latency by concurrent connections.",
        "",
        "| target | " + " | ".join(f"c={c} req/s | c={c} p99 ms" for c in levels) + " |",
        "| --- | " + " | ".join("---: | ---:" for _ in levels) + " |",
    ]
    for key in keys:
        label = r.first(target=key)["label"]
        cells = []
        for c in levels:
            x = r.get(key, SLOW_DB, "get", c)
            cells += [n(x["rps"]) if x else "–", ms(x["latency_ms"]["p99"]) if x else "–"]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# --- charts -----------------------------------------------------------------------------------------
def draw(r: Results, assets: Path) -> list[tuple[str, str]]:
    """Every chart this run has data for: (file name, caption)."""
    drawn = []
    for db in ("postgres", "sqlite", SLOW_DB, "-"):
        for scenario in (*DATA_SCENARIOS, "hello"):
            keys = r.targets_with(db, scenario)
            series, roles = {}, {}
            for key in keys:
                points = [
                    (c, x["rps"], x["latency_ms"]["p99"]) for c in CONCURRENCY if (x := r.get(key, db, scenario, c))
                ]
                if len(points) >= 2:
                    series[key] = points
                    roles[key] = r.first(target=key)["role"]
            if not series:
                continue
            where = "no database" if db == "-" else DB_LABEL[db]
            file = f"{'nodb' if db == '-' else db}-{scenario}.png"
            title = f"{SCENARIOS[scenario].title} — {where}"
            charts.throughput_and_p99(series, roles, title, assets / file)
            drawn.append((file, title))
    return drawn


def charts_section(pictures: list[tuple[str, str]], rel: Path) -> str:
    if not pictures:
        return "## Charts\n\nNo target was run at two or more concurrency levels, so there is nothing to draw."
    lines = [
        "## Charts",
        "",
        "Throughput (left) and p99 latency (right, log scale) against concurrent connections, for every target "
        "run at two or more concurrency levels. Solid: implementations; dash-dot: second servers; dashed: "
        "ceilings.",
    ]
    for file, title in pictures:
        lines += ["", f"![{title}]({rel.as_posix()}/{file})"]
    return "\n".join(lines)


# --- correctness ------------------------------------------------------------------------------------
def run_problems(x: dict) -> list[tuple[str, bool]]:
    """What went wrong in one measured run, each with whether it breaks the contract: a status other than
    the scenario's 2xx (a 5xx above all), a connection the server dropped or refused, or rows that do not
    match the 201s. A wrk timeout (no answer within 10 s) is reported but is not a breach: it measures a queue.
    """
    found = []
    if x["server_errors"]:
        codes = ", ".join(f"{k}: {v}" for k, v in sorted(x["statuses"].items()) if k >= 500)
        found.append((f"{x['server_errors']} server errors ({codes})", True))
    if x["socket_errors"]:
        dropped = any(v for k, v in x["errors"].items() if k != "timeout")
        found.append((f"socket errors {x['errors']}", dropped))
    unexpected = {k: v for k, v in x["statuses"].items() if not 200 <= k < 300}
    if unexpected and not x["server_errors"]:
        found.append((f"non-2xx answers {unexpected}", True))
    count = x.get("count")
    if count and not count["ok"]:
        exact = "" if count["exact"] else f" ({x['unanswered']} requests unanswered at the end)"
        found.append(
            (
                f"{count['before']:,} rows + {count['created_201']:,} answers 201 = "
                f"{count['before'] + count['created_201']:,}, but {count['after']:,} rows after the run{exact}",
                True,
            )
        )
    return found


def correctness_problems(results: list[dict]) -> list[str]:
    measured = Results(results).ok  # normalises the status codes
    return [f"{x['id']}: {text}" for x in measured for text, _ in run_problems(x)]


def contract_breaches(results: list[dict]) -> list[str]:
    """The ids of the runs with a problem that breaks the contract (run_problems)."""
    measured = Results(results).ok  # normalises the status codes
    return [x["id"] for x in measured if any(breach for _, breach in run_problems(x))]


def correctness(r: Results) -> str:
    answers = sum(x["received"] for x in r.ok)
    writes = [x for x in r.ok if x.get("count")]
    exact = sum(1 for x in writes if x["count"]["ok"])
    statuses: dict[int, int] = {}
    for x in r.ok:
        for k, v in x["statuses"].items():
            statuses[k] = statuses.get(k, 0) + v
    problems = correctness_problems(r.all)
    lines = [
        "## Correctness under load",
        "",
        f"{answers:,} answers counted by status ("
        + ", ".join(f"{k}: {v:,}" for k, v in sorted(statuses.items()))
        + f"). Write runs whose row count after the run equals the rows before plus the `201`s counted: "
        f"{exact} of {len(writes)}.",
        "",
    ]
    if problems:
        lines += ["Problems found (every 5xx, socket error, unexpected status and row-count mismatch):", ""]
        lines += [f"- {p}" for p in problems]
    else:
        lines.append("No 5xx, no socket error, no unexpected status, no row-count mismatch.")
    return "\n".join(lines)


# --- every run --------------------------------------------------------------------------------------
def all_runs(r: Results) -> str:
    lines = [
        "## Every run",
        "",
        "| target | database | scenario | c | req/s | p50 ms | p90 ms | p99 ms | statuses | errors | rows check "
        "| load 1m |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- | --- |",
    ]
    for x in r.ok:
        lat = x["latency_ms"]
        codes = " ".join(f"{k}×{v:,}" for k, v in sorted(x["statuses"].items()))
        errors = ", ".join(f"{k} {v}" for k, v in x["errors"].items() if v) or "–"
        count = x.get("count")
        check = (
            "–" if not count else ("ok" if count["ok"] else "**mismatch**") + ("" if count["exact"] else " (inexact)")
        )
        lines.append(
            f"| `{x['target']}` | {DB_LABEL[x['db']]} | {x['scenario']} | {x['concurrency']} | {n(x['rps'])} | "
            f"{ms(lat['p50'])} | {ms(lat['p90'])} | {ms(lat['p99'])} | {codes} | {errors} | {check} | "
            f"{x['load_before']:.2f}→{x['load_after']:.2f} |"
        )
    return "\n".join(lines)


def not_measured(r: Results) -> str:
    if not r.failed:
        return ""
    lines = ["## Not measured", "", "These runs were planned but failed; no figure above comes from them.", ""]
    for x in r.failed:
        lines.append(f"- `{x['id']}`: {x['error'].splitlines()[0][:300]}")
    return "\n".join(lines)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")

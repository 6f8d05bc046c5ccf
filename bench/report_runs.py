"""The page's sections on the runs themselves: ceilings and hello endpoints, the slow database, the charts,
correctness under load, every run, and the runs that failed.

``run_problems``, ``correctness_problems`` and ``contract_breaches`` also judge the runs for bench/runner.py and
bench/__main__.py (through bench/report.py, which re-exports them).
"""

from __future__ import annotations

from pathlib import Path

from bench.matrix import AUTH_SCENARIO, CONCURRENCY, DATA_SCENARIOS, SLOW_DB
from bench.report_common import DB_LABEL, Results, ms, n
from bench.scenarios import SCENARIOS


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
    from bench import charts  # noqa: PLC0415  (matplotlib only where charts are drawn: run_problems' tests need none)

    drawn = []
    for db in ("postgres", "sqlite", SLOW_DB, "-"):
        for scenario in (*DATA_SCENARIOS, AUTH_SCENARIO, "hello"):
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
        # A request whose answer wrk never read may still have written its row: more rows than 201s, by at most the
        # unanswered, is reported but is no breach; fewer rows, or more than that, is (a lost or a phantom write).
        extra = count["after"] - count["before"] - count["created_201"]
        explained = 0 < extra <= x.get("unanswered", 0)
        found.append(
            (
                f"{count['before']:,} rows + {count['created_201']:,} answers 201 = "
                f"{count['before'] + count['created_201']:,}, but {count['after']:,} rows after the run{exact}",
                not explained,
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

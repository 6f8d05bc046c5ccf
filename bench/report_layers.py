"""The report's section "Where a request's time goes": the profiling phase's layer shares, chart and flame graphs.

For the other sections (the targets name the layer that holds an implementation back):

- ``layers_for(data, app, db, scenario)``: ``{layer: share 0..1}`` of that profile (the shares add up to 1), or
  None when the run did not profile it (or its profile failed);
- ``biggest_outside_database(data, app, db, scenario)``: ``(layer, share)``, the largest layer that is neither
  the driver and database nor idle, or None;
- ``describe(data, app, db, scenario)``: that layer as a phrase, with its top frame and the database's share;
- ``holder(data)``: a function ``(app, db, scenario) -> describe(...)`` for ``report_targets.section``.

``data`` is the run's results.json (its ``profiles``), or the list of profiles itself.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bench import layers, profile_charts, profiling
from bench.scenarios import SCENARIOS

CHART = "layers.png"
NOT_WORK = ("driver", "idle")  # left out when naming the layer that holds an implementation back
NAMES = {"fastapi": "FastAPI", "flask": "Flask", "django": "Django"}
DB_LABEL = {"postgres": "PostgreSQL", "sqlite": "SQLite"}
SHORT = {"get": "GET one", "list": "GET a page", "post": "POST"}
COLUMNS = {  # the table's headings (LAYERS names them in full, in the chart's legend and the sentences)
    "http": "HTTP server",
    "routing": "routing, middleware",
    "auth": "auth.",
    "validation": "parsing, validation",
    "app": "own code",
    "orm": "ORM",
    "driver": "driver, database",
    "serialisation": "serialisation",
    "other": "interpreter",
    "idle": "idle, waiting",
}


def _profiles(data: dict | list) -> list[dict]:
    return data.get("profiles", []) if isinstance(data, dict) else data


def _find(data: dict | list, app: str, db: str, scenario: str) -> dict | None:
    found = [p for p in _profiles(data) if (p["app"], p["db"], p["scenario"]) == (app, db, scenario)]
    return next((p for p in found if "error" not in p), None)


def layers_for(data: dict | list, app: str, db: str, scenario: str) -> dict[str, float] | None:
    """``{layer: share}`` (keys of ``layers.LAYERS``, shares of the workers' samples, 0..1), or None."""
    profile = _find(data, app, db, scenario)
    if profile is None or not profile["samples"]:
        return None
    return {layer: profile["layers"].get(layer, 0) / profile["samples"] for layer in layers.LAYERS}


def biggest_outside_database(data: dict | list, app: str, db: str, scenario: str) -> tuple[str, float] | None:
    """The largest layer of the profile that is not the driver and database and not idle: ``(layer, share)``."""
    shares = layers_for(data, app, db, scenario)
    if shares is None:
        return None
    return max(((k, v) for k, v in shares.items() if k not in NOT_WORK), key=lambda kv: kv[1])


def top_leaf(data: dict | list, app: str, db: str, scenario: str, layer: str) -> tuple[str, float] | None:
    """The leaf frame with the most samples in ``layer`` (among the profile's top leaves): ``(frame, share)``."""
    profile = _find(data, app, db, scenario)
    leaves = [x for x in (profile or {}).get("top_leaves", []) if x["layer"] == layer]
    if not leaves:
        return None
    best = max(leaves, key=lambda x: x["samples"])
    return best["frame"], best["samples"] / profile["samples"]


def describe(data: dict | list, app: str, db: str, scenario: str) -> str | None:
    """ "ORM, 23% (its top frame: `Session.get (sqlalchemy/orm/session.py:401)`, 5%; database 41%)", or None."""
    found = biggest_outside_database(data, app, db, scenario)
    if found is None:
        return None
    driver = layers_for(data, app, db, scenario)["driver"]
    leaf = top_leaf(data, app, db, scenario, found[0])
    where = f"its top frame: `{leaf[0]}`, {leaf[1]:.0%}; " if leaf else ""
    return f"{layers.LAYERS[found[0]]}, {found[1]:.0%} of the samples ({where}driver and database {driver:.0%})"


def holder(data: dict | list) -> Callable[[str, str, str], str | None]:
    """For report_targets: ``(app, db, scenario)`` -> ``describe(...)``, the layer that holds it back."""
    return lambda app, db, scenario: describe(data, app, db, scenario)


def _threads(profile: dict) -> str:
    """The other threads' busy samples against the main threads': "+620% (driver and database)", or "–"."""
    busy = profile.get("threads") or {}
    if not sum(busy.values()):
        return "–"
    top = max(busy, key=busy.get)
    share = sum(busy.values()) / profile["samples"]
    return f"+{share:.0%} ({layers.LAYERS[top]})" if share >= 0.005 else "<1%"


def _order(profiles: list[dict]) -> list[dict]:
    apps = [a for a in NAMES if any(p["app"] == a for p in profiles)]
    apps += sorted({p["app"] for p in profiles} - set(apps))
    dbs = [d for d in profiling.DATABASES if any(p["db"] == d for p in profiles)]
    scenarios = list(profiling.SCENARIO_NAMES)
    key = {(a, d, s): i for i, (a, d, s) in enumerate((a, d, s) for d in dbs for a in apps for s in scenarios)}
    return sorted(profiles, key=lambda p: key.get((p["app"], p["db"], p["scenario"]), len(key)))


def _sentences(data: dict | list, profiles: list[dict]) -> list[str]:
    out = []
    for db in dict.fromkeys(p["db"] for p in profiles):
        for app in dict.fromkeys(p["app"] for p in profiles if p["db"] == db):
            parts = [
                f"{SHORT[scenario]}: {said}"
                for scenario in profiling.SCENARIO_NAMES
                if (said := describe(data, app, db, scenario))
            ]
            if parts:
                label = f"{NAMES.get(app, app)} on {DB_LABEL.get(db, db)}"
                out.append(f"- {label}, the biggest layer outside the database: " + "; ".join(parts) + ".")
    return out


def section(data: dict, assets: Path, rel: Path) -> str:
    """The section's Markdown; draws ``assets/layers.png`` (the flame graphs were drawn by the phase)."""
    profiles = _order(_profiles(data))
    if not profiles:
        return ""
    measured = [p for p in profiles if "error" not in p]
    failed = [p for p in profiles if "error" in p]
    first = measured[0] if measured else profiles[0]
    dbs = ", ".join(DB_LABEL.get(d, d) for d in dict.fromkeys(p["db"] for p in profiles))
    lines = [
        "## Where a request's time goes",
        "",
        f"Each implementation's production server, on a fresh database ({dbs}) with the same seed and bench user as "
        f"the load runs but on server starts of its own, after them, loaded by wrk at {first['concurrency']} "
        "connections while [py-spy](https://github.com/benfred/py-spy) sampled every worker process "
        f"({first.get('rate', '?')} samples a second per thread for {first.get('seconds', '?')} s: "
        "`py-spy record --subprocesses --idle --threads --format raw`). The shares are of the workers' main "
        "threads, the ones serving requests (not gunicorn's arbiter nor uvicorn's supervisor), waits included. "
        "Each sample goes to the layer of its leaf-most frame that belongs to a classified package (standard-library "
        "frames take their caller's layer; the rules and their reasons are in [bench/layers.py](../bench/layers.py)). "
        "A sync worker waiting for the database is in *driver and database*; an async worker's event loop has no "
        "Python frame while it waits for sockets (the database's or the clients') or runs uvloop's C code, and "
        "py-spy cannot tell these apart: *idle or waiting*. A worker's other threads (a thread pool, psycopg_pool's "
        "threads, aiosqlite's thread per connection, which runs SQLite for FastAPI) are in the column *other "
        "threads*: their samples that were not idle, as a share of the main threads' samples. Sampling pauses the "
        "workers, so the servers run slower than in the load runs (the req/s column is the throughput while "
        "sampled): read the shares, not the speed. PostgreSQL's own time is in *driver and database* only as far "
        "as a worker waits for it."
        + (f" The phase took {data['profile_seconds'] / 60:.1f} min." if data.get("profile_seconds") else ""),
    ]
    if measured:
        rows = [
            (
                f"{NAMES.get(p['app'], p['app'])} · {SHORT.get(p['scenario'], p['scenario'])} · "
                f"{DB_LABEL.get(p['db'], p['db'])}",
                layers_for(measured, p["app"], p["db"], p["scenario"]),
            )
            for p in measured
        ]
        profile_charts.stacked_bars(
            rows, "Share of the workers' samples per layer (py-spy, under load)", assets / CHART
        )
        lines += ["", f"![Share of samples per layer]({rel.as_posix()}/{CHART})", ""]
        lines += _sentences(measured, measured)
        names = list(layers.LAYERS)
        lines += [
            "",
            "| implementation | scenario | database | req/s sampled | samples | "
            + " | ".join(COLUMNS.get(k, k) for k in names)
            + " | other threads | flame graph |",
            "| --- | --- | --- | ---: | ---: | " + " | ".join("---:" for _ in names) + " | --- | --- |",
        ]
        for p in measured:
            shares = layers_for(measured, p["app"], p["db"], p["scenario"])
            cells = [f"{shares[k]:.0%}" if shares[k] >= 0.005 else ("<1%" if shares[k] else "–") for k in names]
            flame = f"[SVG]({rel.as_posix()}/flame/{p['flame_svg']}) ({p['flame_kib']:.0f} KiB)"
            what = [NAMES.get(p["app"], p["app"]), SCENARIOS[p["scenario"]].title, DB_LABEL.get(p["db"], p["db"])]
            figures = [f"{p['rps_sampled']:,.0f}", f"{p['samples']:,}", *cells, _threads(p), flame]
            lines.append("| " + " | ".join([*what, *figures]) + " |")
        lines += [
            "",
            "The flame graphs colour each frame by the layer its own samples go to; a frame's full name and count "
            "show on hover. Frames with fewer than "
            f"{profile_charts.MIN_SHARE:.1%} of the samples are left out.",
        ]
    if failed:
        lines += ["", "Not profiled in this run:", ""]
        lines += [f"- `{p['id']}`: {p['error'][:300]}" for p in failed]
    return "\n".join(lines)

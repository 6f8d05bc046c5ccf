"""What every section of the report reads and writes with: the run's results looked up, and figures written.

``Results`` wraps results.json's ``results`` (a list of dicts, one per load run: bench/runner.py); ``n``, ``ms``,
``pct`` and ``times`` write req/s, milliseconds, shares and ratios ("–" where nothing was measured); ``DB_LABEL``,
``NAMES`` and ``ORDER`` name the databases and the implementations. bench/report.py re-exports them all.
"""

from __future__ import annotations

from bench.matrix import DATA_SCENARIOS, HEADLINE_C, SLOW_DB

DB_LABEL = {
    "sqlite": "SQLite",
    "postgres": "PostgreSQL",
    SLOW_DB: "PostgreSQL + delay",
    "-": "none",
    "postgres-1m": "PostgreSQL, large table",  # matrix.LARGE: 1,000,000 items (a quick run seeds fewer)
    "sqlite-1m": "SQLite, large table",
}
NAMES = {"fastapi": "FastAPI", "flask": "Flask", "django": "Django"}
ORDER = ["fastapi", "flask", "django"]  # the articles' order


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

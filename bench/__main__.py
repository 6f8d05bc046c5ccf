"""``python -m bench``: run the benchmarks and write the report. ``nox -s bench`` builds the venvs and calls this.

    nox -s bench                                # the full run: docs/benchmarks.md, docs/bench/*.png
    nox -s bench -- --quick                     # a smoke run (CI): every kind of target once, short loads
    nox -s bench -- --only 'fastapi|flask' --db postgres   # a subset (regex over run ids), written elsewhere
    nox -s bench -- --list                      # the plan and its estimated time, nothing run
    nox -s bench -- --report-only               # rewrite the report and charts from the last results

A run id is ``TARGET/DATABASE/SCENARIO/cN``, e.g. ``fastapi@uvicorn-w1/postgres/get/c64``. Only a full,
unfiltered run writes docs/; the others write to .nox/bench-out/ (or ``--out``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import machine, matrix, profiling, report, runner, wrk
from contract_tests import databases, implementations

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: one concurrency, 1 s loads (CI)")
    parser.add_argument("--only", action="append", default=[], help="regex over run ids (repeatable: any)")
    parser.add_argument("--db", action="append", choices=matrix.DATABASES, help="only these databases")
    parser.add_argument("--list", action="store_true", help="print the plan and the estimated time, run nothing")
    parser.add_argument("--report-only", action="store_true", help="rewrite report and charts from results.json")
    parser.add_argument("--venvs", type=Path, default=ROOT / ".nox", help="folder holding impl-NAME, bench-NAME")
    parser.add_argument("--out", type=Path, help="where the report goes (default: docs/ for a full run)")
    parser.add_argument("--window", type=float, help="seconds per load run (default 3, quick 1)")
    parser.add_argument("--slow-ms", type=float, default=5.0, help="delay the slow database adds per answer")
    parser.add_argument("--no-profile", action="store_true", help="skip the profiling phase (bench/profiling.py)")
    return parser.parse_args(argv)


def select(runs: list[matrix.Run], args: argparse.Namespace) -> list[matrix.Run]:
    if args.only:
        pattern = re.compile("|".join(f"(?:{p})" for p in args.only))
        runs = [r for r in runs if pattern.search(r.id)]
    if args.db:
        runs = [r for r in runs if r.db in args.db or r.db == "-"]
    return runs


def postgres_missing() -> str | None:
    """Why PostgreSQL (``CONTRACT_POSTGRES_URL``, as for the contract suite) cannot be used, or None."""
    try:
        import psycopg

        psycopg.connect(databases.ADMIN_URL, connect_timeout=5).close()
    except Exception as error:  # noqa: BLE001  (any reason is a reason to skip, and it is printed)
        reason = " ".join(str(error).split())[:300]
        return f"{databases.ADMIN_URL} is unreachable ({type(error).__name__}: {reason})"
    return None


def output_paths(args: argparse.Namespace, complete: bool) -> tuple[Path, Path, bool]:
    """(markdown file, folder for charts and JSON, whether this is the published full run)."""
    published = complete and not (args.quick or args.only or args.db or args.window)
    if args.out:
        return args.out / "benchmarks.md", args.out / "bench", published
    if published:
        return DOCS / "benchmarks.md", DOCS / "bench", True
    folder = ROOT / ".nox" / "bench-out" / ("quick" if args.quick else "partial")
    return folder / "benchmarks.md", folder / "bench", False


def main(argv: list[str]) -> int:
    args = parse(argv)
    if args.report_only:
        markdown, assets, _ = output_paths(args, complete=True)
        data = json.loads((assets / "results.json").read_text())
        report.write(data, markdown, assets)
        print(f"bench: wrote {markdown}")
        return 0
    impls = implementations.discover()
    timing = matrix.QUICK if args.quick else matrix.FULL
    if args.window:
        timing = dataclasses.replace(timing, window=args.window)
    runs = select(matrix.plan(impls, args.quick), args)
    profiles = [] if args.no_profile else select(profiling.plan(impls, args.quick), args)  # after the loads
    ptiming = profiling.QUICK if args.quick else profiling.FULL
    skipped = postgres_missing() if any(r.db in matrix.POSTGRES for r in [*runs, *profiles]) else None
    if skipped:
        if os.environ.get("CI") == "true":
            print(f"bench: PostgreSQL is required with CI=true: {skipped}", file=sys.stderr)
            return 2
        runs = [r for r in runs if r.db not in matrix.POSTGRES]
        profiles = [p for p in profiles if p.db not in matrix.POSTGRES]
        print(f"bench: PostgreSQL SKIPPED: {skipped}; its runs are left out", flush=True)
    markdown, assets, published = output_paths(args, complete=not skipped)
    estimate = matrix.estimate(runs, timing)
    profile_estimate = profiling.estimate(profiles, ptiming, timing.warmup)
    groups: dict[tuple[str, str], list[matrix.Run]] = {}
    for run in runs:
        groups.setdefault((run.target.key, run.db), []).append(run)
    print(
        f"bench: {len(runs)} runs on {len(groups)} server starts, {timing.window:g} s each "
        f"(then up to {timing.drain:g} s for the last answers); estimated {estimate / 60:.1f} min; then "
        f"{len(profiles)} profiles (py-spy, {ptiming.seconds} s each): {profile_estimate / 60:.1f} min; "
        f"in all {(estimate + profile_estimate) / 60:.1f} min",
        flush=True,
    )
    if args.list:
        for run in [*runs, *profiles]:
            print(f"  {run.id}")
        return 0
    if not runs and not profiles:
        print("bench: nothing matches", file=sys.stderr)
        return 2
    try:
        wrk_path = wrk.ensure_wrk()
    except wrk.WrkError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    started_at = datetime.now(UTC)
    load_start = machine.load1()
    bench = runner.Runner(wrk_path, args.venvs, ROOT / ".nox" / "bench-logs", timing, args.slow_ms)
    started = time.monotonic()

    def remaining() -> float:
        return max(0.0, estimate - (time.monotonic() - started))

    for group in groups.values():
        bench.run_group(group, len(runs), remaining)
    wall = time.monotonic() - started
    profiled = profiling.Phase(bench, ptiming, assets / "flame").run(profiles)
    profile_wall = time.monotonic() - started - wall
    # Each venv's versions: the servers and drivers, and an implementation's own packages in its venvs.
    packages = {venv: impl.packages for impl in impls.values() for venv in (f"impl-{impl.name}", f"bench-{impl.name}")}
    venv_versions = {
        venv: machine.versions(args.venvs / venv, packages.get(venv, ()))
        for venv in sorted({r.target.venv for r in runs})
    }
    data = {
        "mode": "quick" if args.quick else ("full" if published else "partial"),
        "filters": {"only": args.only, "db": args.db},
        "started_at": started_at.isoformat(timespec="seconds"),
        "wall_seconds": round(wall, 1),
        "estimate_seconds": round(estimate, 1),
        "load_start": load_start,
        "load_end": machine.load1(),
        "timing": vars(timing),
        "slow_ms": args.slow_ms,
        "postgres_skipped": skipped,
        "machine": machine.describe(databases.ADMIN_URL, wrk.version(wrk_path)),
        "versions": venv_versions,
        "targets": {
            key: {"label": t.label, "command": " ".join(t.command), "venv": t.venv}
            for key, t in matrix.targets(impls).items()
        },
        "results": bench.results,
        "logins": bench.logins,
        "memory": bench.memory,  # resident memory per process after the loads (bench/memory.py)
        "plans": bench.plans,  # the large table's SQL and its plans (bench/queryplans.py)
        "profiles": profiled,  # where a request's time goes, per layer (bench/profiling.py)
        "profile_seconds": round(profile_wall, 1),
        "profile_estimate_seconds": round(profile_estimate, 1),
    }
    assets.mkdir(parents=True, exist_ok=True)
    (assets / "results.json").write_text(json.dumps(data, indent=1) + "\n")
    report.write(data, markdown, assets, history=published)
    failed = [r for r in bench.results if "error" in r]
    print(f"bench: {len(runs) - len(failed)}/{len(runs)} runs measured in {wall / 60:.1f} min; wrote {markdown}")
    problems = report.correctness_problems(bench.results)
    for line in problems:
        print(f"bench: correctness: {line}")
    if failed:
        print(f"bench: {len(failed)} runs FAILED (see the report's 'Not measured' section)", file=sys.stderr)
    unprofiled = [p for p in profiled if "error" in p]
    if profiles:
        print(f"bench: {len(profiles) - len(unprofiled)}/{len(profiles)} profiles in {profile_wall / 60:.1f} min")
    if unprofiled:
        print(f"bench: {len(unprofiled)} profiles FAILED (see 'Where a request's time goes')", file=sys.stderr)
    broken = report.contract_breaches(bench.results)
    if broken:
        print(
            f"bench: {len(broken)} runs broke the contract under load (a 5xx, or rows that do not match the 201s); "
            f"server logs in {bench.logs}",
            file=sys.stderr,
        )
    return 1 if failed or broken or unprofiled else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

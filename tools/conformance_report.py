"""Write docs/conformance.md from the JUnit files the contract suite leaves in contract-artifacts/.

`nox -s report` runs the suite for every implementation on every database, then this script turns
the results into one matrix (a row per contract test or check, a column per implementation and
database), the numbers of generated requests, the differential test's result and the versions.

    python tools/conformance_report.py --artifacts contract-artifacts --venvs .nox      # write
    python tools/conformance_report.py --artifacts contract-artifacts --check           # compare
    python tools/conformance_report.py --server URL --junit contract-artifacts/base-url.xml \
        --output contract-artifacts/conformance-HOST.md                                 # one server of yours

``--check`` (CI, after `nox -s contract` on both databases) renders the result cells from the
artifacts and compares them with the committed report: a test added, removed, or changing outcome
without `nox -s report` having been run again fails, with the differing rows. Dates, versions and
counts are not compared (they move without the code moving).

``--server`` (``nox -s report -- --base-url URL``) writes the same table for one server of anyone's, from
its run's JUnit file (and the differential test's against a reference, when ``--differential`` names one),
for a team to publish its own conformance.
"""

from __future__ import annotations

import argparse
import datetime
import difflib
import hashlib
import json
import platform
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from contract_tests import implementations, verdicts  # noqa: E402  (stdlib only)

REPORT = ROOT / "docs" / "conformance.md"
DATABASES = ("sqlite", "postgres")
SUITE_PACKAGES = ("schemathesis", "hypothesis", "pytest", "httpx")
BEGIN, END = "<!-- results: begin -->", "<!-- results: end -->"
PASS, FAIL, SKIP, XFAIL, ABSENT = "pass", "FAIL", "skipped", "known failure", "not run"
LEFT_OUT = "left out (beyond the spec)"  # the repository group, not asked of a server at --base-url


@dataclass
class Run:
    """One JUnit file: outcomes per test function, and the properties the suite recorded."""

    outcomes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    properties: dict[str, str] = field(default_factory=dict)
    skip_reasons: set[str] = field(default_factory=set)


def read_junit(path: Path) -> Run | None:
    if not path.is_file():
        return None
    run = Run()
    for suite in ET.parse(path).getroot().iter("testsuite"):
        for prop in suite.iterfind("properties/property"):
            run.properties[prop.get("name", "")] = prop.get("value", "")
        for case in suite.iter("testcase"):
            module = case.get("classname", "").rpartition(".")[2]
            function = case.get("name", "").partition("[")[0]
            if case.find("failure") is not None or case.find("error") is not None:
                outcome = FAIL
            elif (skipped := case.find("skipped")) is not None and skipped.get("type") == "pytest.xfail":
                outcome = XFAIL
            elif skipped is not None and any(
                prop.get("name") == "group" and prop.get("value") == "repository"
                for prop in case.iterfind("properties/property")
            ):
                outcome = LEFT_OUT
            elif skipped is not None:
                outcome = SKIP
                run.skip_reasons.add(skipped.get("message", "").strip())
            else:
                outcome = PASS
            run.outcomes[f"{module}.py::{function}"].append(outcome)
            for prop in case.iterfind("properties/property"):
                run.properties[prop.get("name", "")] = prop.get("value", "")
    return run


def cell(outcomes: list[str] | None) -> str:
    if not outcomes:
        return ABSENT
    failed = outcomes.count(FAIL)
    if failed:
        return f"**{FAIL}** {failed}/{len(outcomes)}"
    if XFAIL in outcomes:
        return f"{XFAIL} {outcomes.count(XFAIL)}/{len(outcomes)}"
    if outcomes.count(SKIP) == len(outcomes):
        return SKIP
    if outcomes.count(LEFT_OUT) == len(outcomes):
        return LEFT_OUT
    ran = len(outcomes) - outcomes.count(SKIP) - outcomes.count(LEFT_OUT)
    return f"{PASS} ({ran})" if len(outcomes) > 1 else PASS


def load_runs(impls: list[str], artifacts: Path) -> dict[str, Run | None]:
    """Every JUnit file of a report, read once, by name: ``fastapi-sqlite``, ``differential-postgres``."""
    names = [f"{name}-{db}" for name in [*impls, "differential"] for db in DATABASES]
    return {name: read_junit(artifacts / f"{name}.xml") for name in names}


def matrix(columns: list[tuple[str, Run | None]]) -> list[str]:
    """A row per contract test, a column per run (``header``, its JUnit result or None)."""
    tests = sorted({name for _, run in columns if run for name in run.outcomes})
    lines = [
        "| contract test | " + " | ".join(header for header, _ in columns) + " |",
        "| --- |" + " --- |" * len(columns),
    ]
    for test in tests:
        cells = [cell(run.outcomes.get(test)) if run else ABSENT for _, run in columns]
        lines.append(f"| `{test}` | " + " | ".join(cells) + " |")
    return lines


def whole(run: Run | None) -> str:
    """One cell for a whole run (the differential test's)."""
    return cell([o for outcomes in run.outcomes.values() for o in outcomes]) if run else ABSENT


def results_section(impls: list[str], loaded: dict[str, Run | None]) -> str:
    """The part ``--check`` compares: the matrix and the differential test's row."""
    lines = matrix([(f"{impl} · {db}", loaded[f"{impl}-{db}"]) for impl in impls for db in DATABASES])
    lines += ["", "| differential test (every implementation, same requests) | " + " | ".join(DATABASES) + " |"]
    lines.append("| --- |" + " --- |" * len(DATABASES))
    cells = [whole(loaded[f"differential-{db}"]) for db in DATABASES]
    lines.append(f"| {' vs '.join(impls)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def counts_section(impls: list[str], loaded: dict[str, Run | None]) -> str:
    lines = ["| generated requests | " + " | ".join(DATABASES) + " |", "| --- |" + " --- |" * len(DATABASES)]
    for impl in impls:
        runs = [loaded[f"{impl}-{db}"] for db in DATABASES]
        cells = []
        for run in runs:
            properties = run.properties if run else {}
            operations = properties.get("schemathesis_operations_requests")
            stateful = properties.get("schemathesis_stateful_requests")
            cells.append(f"{operations} operation cases + {stateful} stateful steps" if operations else ABSENT)
        lines.append(f"| {impl}: Schemathesis | " + " | ".join(cells) + " |")
    differential = [loaded[f"differential-{db}"] for db in DATABASES]
    cells = [
        f"{run.properties['sequences']} sequences, {run.properties['requests']} requests to each"
        if run and "sequences" in run.properties
        else ABSENT
        for run in differential
    ]
    lines.append("| differential test | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def versions(venv: Path, packages: tuple[str, ...]) -> dict[str, str]:
    python = venv / "bin" / "python"
    if not python.exists():
        return {}
    script = (
        "import json, sys, importlib.metadata as m\n"
        "def v(p):\n  try: return m.version(p)\n  except m.PackageNotFoundError: return 'not installed'\n"
        "print(json.dumps({'Python': sys.version.split()[0], **{p: v(p) for p in sys.argv[1:]}}))"
    )
    found = subprocess.run([python, "-c", script, *packages], capture_output=True, text=True, check=True)
    return json.loads(found.stdout)


def versions_section(impls: dict[str, implementations.Implementation], venvs: Path | None) -> str:
    lines = ["| implementation | framework, server | versions |", "| --- | --- | --- |"]
    for name, impl in impls.items():
        found = versions(venvs / f"impl-{name}", impl.packages) if venvs else {}
        text = ", ".join(f"{package} {version}" for package, version in found.items()) or "unknown (no virtualenv)"
        lines.append(f"| {name} | {impl.framework} on {impl.server} | {text} |")
    lines.append(f"| contract suite | pytest + Schemathesis | Python {platform.python_version()}, {suite_versions()} |")
    return "\n".join(lines)


def skip_notes(impls: list[str], loaded: dict[str, Run | None]) -> str:
    reasons = set()
    for impl in impls:
        for db in DATABASES:
            run = loaded[f"{impl}-{db}"]
            if run:
                reasons |= {reason for reason in run.skip_reasons if reason}
    return "\n".join(f"- skipped: {reason}" for reason in sorted(reasons))


def render(artifacts: Path, venvs: Path | None) -> str:
    impls = implementations.discover()
    names = list(impls)
    loaded = load_runs(names, artifacts)
    notes = skip_notes(names, loaded)
    return "\n".join(
        [
            "# Conformance report",
            "",
            f"Generated by `nox -s report` on {datetime.date.today().isoformat()}: the contract suite "
            "([`contract_tests/`](../contract_tests/)) against every implementation on SQLite and on "
            "PostgreSQL, each on a fresh database, and the differential test sending the same generated "
            "request sequences to all of them. A cell counts the test's cases (parametrizations); "
            "`FAIL n/m` names failures. Do not edit by hand: CI re-derives the cells from its own run "
            "and fails when they differ from this page (`nox -s report -- --check`).",
            "",
            BEGIN,
            results_section(names, loaded),
            END,
            "",
            *([notes, ""] if notes else []),
            "## Generated cases",
            "",
            counts_section(names, loaded),
            "",
            "## Versions",
            "",
            versions_section(impls, venvs),
            "",
        ]
    )


def suite_versions() -> str:
    return ", ".join(f"{package} {metadata.version(package)}" for package in SUITE_PACKAGES)


def spec_identity() -> str:
    """The contract a report speaks of: the spec's own version and a digest of its bytes."""
    data = implementations.SPEC.read_bytes()
    version = next(
        (line.split(":", 1)[1].strip() for line in data.decode().splitlines() if line.startswith("  version:")), "?"
    )
    return f"`shared_spec/openapi.yaml` version {version}, sha256 {hashlib.sha256(data).hexdigest()[:16]}"


def render_server(url: str, junit: Path, differential: Path | None, reference: str | None) -> str:
    """The report of one server judged with ``--base-url``: the same per-test table, one column."""
    run = read_junit(junit)
    if run is None:
        raise SystemExit(f"no JUnit file at {junit}: run the suite first (nox -s report -- --base-url URL does)")
    outcome = verdicts.read_junit(junit)
    lines = [
        f"# Conformance report: {url}",
        "",
        f"Generated by `nox -s report -- --base-url {url}` on {datetime.date.today().isoformat()}: the items "
        f"contract suite (`contract_tests/`, pytest + Schemathesis over HTTP) against the server at {url}, for "
        f"the contract {spec_identity()}. A cell counts the test's cases (parametrizations); `FAIL n/m` names "
        f"failures; `{LEFT_OUT}` marks the repository group, checks that DESIGN.md asks of that repository's own "
        "implementations only (`/openapi.json` and its drift from the spec, `/docs`, `/redoc`, the default "
        "`ALLOWED_HOSTS`) and that the spec does not require.",
        "",
        f"**{verdicts.verdict(url, outcome)}**",
        "",
        *matrix([(url, run)]),
    ]
    if differential is not None:
        lines += ["", "| differential test (same generated requests, answers compared) | result |", "| --- | --- |"]
        lines.append(f"| {url} vs {reference} | {whole(read_junit(differential))} |")
    if outcome.failures:
        lines += ["", "## Failures", ""]
        lines += [f"- `{test}`: {why}" for test, why in outcome.failures]
    notes = sorted(reason for reason in run.skip_reasons if reason)
    if notes:
        lines += ["", *(f"- skipped: {reason}" for reason in notes)]
    operations = run.properties.get("schemathesis_operations_requests")
    stateful = run.properties.get("schemathesis_stateful_requests")
    generated = [f"- Schemathesis: {operations} operation cases + {stateful} stateful steps"] if operations else []
    compared = read_junit(differential) if differential is not None else None
    if compared is not None and "sequences" in compared.properties:
        counts = compared.properties
        generated.append(f"- differential test: {counts['sequences']} sequences, {counts['requests']} requests to each")
    if generated:
        lines += ["", "## Generated cases", "", *generated]
    lines += ["", "## Versions", "", f"- contract suite: Python {platform.python_version()}, {suite_versions()}", ""]
    return "\n".join(lines)


def results_of(text: str) -> list[str]:
    if BEGIN not in text or END not in text:
        return []
    return text.split(BEGIN, 1)[1].split(END, 1)[0].strip().splitlines()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", type=Path, default=ROOT / "contract-artifacts")
    parser.add_argument("--venvs", type=Path, help="folder holding impl-NAME virtualenvs, for versions")
    parser.add_argument("--check", action="store_true", help="compare the result cells with the committed report")
    parser.add_argument("--output", type=Path, default=REPORT)
    parser.add_argument("--server", metavar="URL", help="report on one server judged with --base-url URL")
    parser.add_argument("--junit", type=Path, help="with --server: the JUnit file of its run")
    parser.add_argument("--differential", type=Path, help="with --server: the JUnit file of its differential run")
    parser.add_argument("--reference", metavar="URL", help="with --differential: the server it was compared with")
    args = parser.parse_args()
    if args.server:
        if args.output == REPORT or args.junit is None:
            parser.error("--server needs --junit and an --output of its own (docs/conformance.md is this repository's)")
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(render_server(args.server, args.junit, args.differential, args.reference), "utf-8")
        print(f"wrote {args.output}")
        return 0
    text = render(args.artifacts, args.venvs)
    if not args.check:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
        return 0
    committed = results_of(args.output.read_text(encoding="utf-8")) if args.output.is_file() else []
    fresh = results_of(text)
    if committed == fresh:
        print(f"{args.output}: the committed results match this run ({len(fresh) - 2} rows)")
        return 0
    diff = difflib.unified_diff(committed, fresh, "committed docs/conformance.md", "this run", n=0, lineterm="")
    print("\n".join(diff))
    print(f"{args.output} is stale: run `nox -s report` and commit it", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())

"""The end of a run: one line per failed test with its reason, and one verdict line per target.

The suite's ``conftest.py`` writes them from pytest's own results at the end of every run; ``noxfile.py``
writes them again from each target's JUnit file once all its runs are done, so a run over several
implementations ends with every failure of every one of them. Standard library only (nox imports it).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REASON_WIDTH = 240  # characters of a failure's reason on its one line


def reason(message: str) -> str:
    """The first informative line of a failure message, without pytest's ``AssertionError: `` prefix."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if not lines:
        return "(no message)"
    first = lines[0].removeprefix("AssertionError: ").removeprefix("Failed: ")
    # A count ("Schemathesis found 2 distinct failures") or a heading ("differs ... in 3 places:"): add what follows.
    if first.endswith(("failures", "failure", ":")) and len(lines) > 1:
        first = first.rstrip(":") + ": " + "; ".join(line.lstrip("-• ") for line in lines[1:4])
    return first if len(first) <= REASON_WIDTH else first[: REASON_WIDTH - 3] + "..."


# The group of checks beyond the spec (conftest.py): a JUnit test case of it carries this property.
GROUP_PROPERTY, REPOSITORY_GROUP = "group", "repository"


@dataclass
class Outcome:
    """A run's counts (``passed``, ``failed``, ``error``, ``skipped``...) and its failures as (test, reason).

    ``beyond_spec_failures`` counts the failures that are checks of the repository group, not of the spec.
    """

    counts: Counter = field(default_factory=Counter)
    failures: list[tuple[str, str]] = field(default_factory=list)
    beyond_spec_failures: int = 0


def verdict(target: str, outcome: Outcome, partial: bool = False) -> str:
    """``verdict: TARGET: FAILS the contract: 4 failed, 402 passed, 1 skipped`` (or ``passes``)."""
    counts = outcome.counts
    shown = ", ".join(
        f"{counts[key]} {key}" for key in ("failed", "error", "passed", "skipped", "deselected") if counts[key]
    )
    failed = counts["failed"] + counts["error"]
    if target.startswith("differential") and counts["failed"]:
        word = "FAILS: the servers answered differently"
    elif target.startswith("differential") and counts["passed"] and not failed:
        word = "the servers answered alike"
    elif counts["error"] and not counts["failed"] and not counts["passed"]:
        word = "FAILS: an error before any check (see above)"
    elif failed and failed == outcome.beyond_spec_failures:
        word = "FAILS the repository checks only (beyond the spec: DESIGN.md)"
    elif failed:
        word = "FAILS the contract"
    elif not any(counts[key] for key in ("passed", "skipped")):
        word = "ran no tests"
    elif not counts["passed"]:
        word = "NO RESULT (nothing passed)"
    else:
        word = "passes every check it ran" if partial or counts["deselected"] else "passes the contract suite"
    return f"verdict: {target}: {word}: {shown or 'no tests'}"


def read_junit(path: Path) -> Outcome | None:
    """The outcome a JUnit file records, or None when there is none (the run never got that far)."""
    if not path.is_file():
        return None
    outcome = Outcome()
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError:
        return None
    for case in root.iter("testcase"):
        module = case.get("classname", "").rpartition(".")[2]
        name = f"{module}.py::{case.get('name', '')}"
        beyond_spec = any(
            prop.get("name") == GROUP_PROPERTY and prop.get("value") == REPOSITORY_GROUP
            for prop in case.iterfind("properties/property")
        )
        for tag, key in (("failure", "failed"), ("error", "error"), ("skipped", "skipped")):
            found = case.find(tag)
            if found is not None:
                outcome.counts[key] += 1
                if key != "skipped":
                    group = " [repository check, beyond the spec]" if beyond_spec else ""
                    outcome.failures.append((name + group, reason(found.get("message") or found.text or "")))
                    outcome.beyond_spec_failures += beyond_spec
                break
        else:
            outcome.counts["passed"] += 1
    return outcome


def junit_lines(target: str, path: Path, partial: bool = False) -> list[str]:
    """The failure lines and the verdict line of the run whose JUnit file is ``path``.

    ``partial``: the run selected some tests only (``-k``, ``-m``), which a JUnit file does not record.
    """
    outcome = read_junit(path)
    if outcome is None:
        return [f"verdict: {target}: NO RESULT (no {path}: the run stopped before pytest wrote it)"]
    failed = [f"FAILED {target}: {test}: {why}" for test, why in outcome.failures]
    return [*failed, verdict(target, outcome, partial)]

"""The implementation's own /openapi.json describes the same contract as the shared spec.

Both documents are reduced by drift.py (``$ref``s resolved; words for people, operation ids and
component names ignored; equivalent JSON Schema spellings made one: its docstring lists each rule)
and compared operation by operation. Every difference fails the test, one line each.

``ALLOWED_DRIFT`` is the only way out: an entry names one implementation and the start of a drift
line (an operation and a place in it), with the reason its framework cannot say what the spec says.
The test reports every allowed line on every run (a warning in pytest's summary), and fails when an
entry no longer matches any drift, so that the list only ever shrinks.

The spec does not ask a server to serve /openapi.json: DESIGN.md ("Docs") asks it of this repository's
implementations, so this is the ``repository`` group, left out for --base-url unless --repository-checks.
"""

from __future__ import annotations

import warnings

import pytest
import yaml

from contract_tests.drift import differences, normalise
from contract_tests.implementations import SPEC

# (implementation, start of a drift line) -> why that framework's documented knobs cannot say it.
ALLOWED_DRIFT: dict[tuple[str, str], str] = {}


class AllowedDrift(UserWarning):
    """A difference between a served document and the spec that ALLOWED_DRIFT excuses."""


def allowed_by(line: str, prefix: str) -> bool:
    """``prefix`` names this line's place or a place that holds it (``... 201 body`` holds ``... 201 body: x``)."""
    return line.startswith(prefix) and line[len(prefix) : len(prefix) + 1] in (":", ".", "[", " ")


def sort_out(drift: list[str], allowed: dict[str, str]) -> tuple[dict[str, str], list[str], list[str]]:
    """``(allowed line -> why, lines not allowed, allowed places that match no line)``."""
    excused = {line: next((why for prefix, why in allowed.items() if allowed_by(line, prefix)), None) for line in drift}
    unused = [prefix for prefix in allowed if not any(allowed_by(line, prefix) for line in drift)]
    remaining = [line for line, why in excused.items() if why is None]
    return {line: why for line, why in excused.items() if why is not None}, remaining, unused


@pytest.mark.repository("DESIGN.md, Docs: the served /openapi.json describes the same contract as the spec")
def test_served_document_describes_the_shared_contract(client, request: pytest.FixtureRequest):
    response = client.get("/openapi.json")
    assert response.status_code == 200, f"GET /openapi.json answered {response.status_code} (DESIGN.md, Docs)"
    drift = differences(normalise(yaml.safe_load(SPEC.read_text())), normalise(response.json()))

    name = request.config.getoption("--impl")  # None for --base-url: nothing is allowed
    excused, remaining, unused = sort_out(
        drift, {prefix: why for (impl, prefix), why in ALLOWED_DRIFT.items() if impl == name}
    )
    for line, why in excused.items():
        warnings.warn(AllowedDrift(f"{name}: {line} (allowed: {why})"), stacklevel=1)
        print(f"allowed drift: {line} ({why})")
    assert not unused, f"ALLOWED_DRIFT entries for {name} that match no drift any more, remove them: {unused}"
    assert not remaining, f"/openapi.json differs from shared_spec/openapi.yaml in {len(remaining)} places:\n" + (
        "\n".join(f"  {line}" for line in remaining)
    )

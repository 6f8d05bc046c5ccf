"""The implementation's own /openapi.json describes the same contract as the shared spec.

Both documents are reduced by drift.py (``$ref``s resolved; words for people, operation ids and
component names ignored; equivalent JSON Schema spellings made one) and compared path by path.

An implementation whose framework cannot yet be made to say it all declares so in its impl.toml
(``known_drift = "why"``): its drift is then reported as an expected failure, every place listed,
and the test fails as soon as the document matches, so that the declaration is removed.
"""

from __future__ import annotations

import pytest
import yaml

from contract_tests import implementations
from contract_tests.drift import differences, normalise
from contract_tests.implementations import SPEC


def test_served_document_describes_the_shared_contract(client, request: pytest.FixtureRequest):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    drift = differences(normalise(yaml.safe_load(SPEC.read_text())), normalise(response.json()))
    name = request.config.getoption("--impl")
    known = implementations.get(name).known_drift if name else ""
    report = f"/openapi.json differs from shared_spec/openapi.yaml in {len(drift)} places:\n" + "\n".join(
        f"  {line}" for line in drift
    )
    if known and drift:
        pytest.xfail(f"known drift ({known}); {report}")
    assert drift or not known, f"{name}'s impl.toml declares known_drift, but there is none: remove it"
    assert not drift, report

"""The drift comparison must see a real difference, and only that, through any spelling."""

from __future__ import annotations

import copy

import yaml

from contract_tests.drift import differences, normalise
from contract_tests.implementations import SPEC


def spec() -> dict:
    return yaml.safe_load(SPEC.read_text())


def test_the_spec_matches_itself_respelled():
    respelled = spec()
    schemas = respelled["components"]["schemas"]
    schemas["ItemPublic"] = schemas.pop("Item")  # another component name
    text = yaml.safe_dump(respelled).replace("#/components/schemas/Item'", "#/components/schemas/ItemPublic'")
    respelled = yaml.safe_load(text.replace('#/components/schemas/Item"', '#/components/schemas/ItemPublic"'))
    # Nullable the Pydantic way, inline instead of by $ref.
    inline = {key: value for key, value in schemas["Description"].items() if key != "type"}
    respelled["components"]["schemas"]["ItemCreate"]["properties"]["description"] = {
        "anyOf": [{"type": "string", **inline}, {"type": "null"}],
        "default": None,
    }
    for item in respelled["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict):
                operation["operationId"] = "x" + operation.get("operationId", "")
                operation["summary"] = "other words"
    for link in respelled["paths"]["/items"]["post"]["responses"]["201"]["links"].values():
        link["operationId"] = "x" + link["operationId"]  # links follow the renamed operations
    assert differences(normalise(spec()), normalise(respelled)) == []


def test_a_changed_bound_and_a_missing_response_are_reported():
    drifted = spec()
    drifted["components"]["schemas"]["ItemCreate"]["properties"]["title"]["maxLength"] = 100
    del drifted["paths"]["/items"]["post"]["responses"]["415"]
    drift = differences(normalise(spec()), normalise(copy.deepcopy(drifted)))
    assert "POST /items.responses.415: spec" in "\n".join(drift)
    assert any("POST /items.requestBody.content.application/json.properties.title.maxLength" in line for line in drift)
    assert any(line.endswith("spec 200, served 100") for line in drift)

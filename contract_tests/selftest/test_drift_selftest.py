"""The drift comparison must see every real difference, and only those, through any spelling.

A comparison that cannot fail proves nothing: each test below plants differences in a copy of the
shared spec and asserts that the diff names exactly them, or respells the spec in ways drift.py
documents as equivalent and asserts that nothing is reported.
"""

from __future__ import annotations

import copy

import pytest
import yaml

from contract_tests.drift import canonical, differences, normalise, schema
from contract_tests.implementations import SPEC
from contract_tests.test_drift import allowed_by, sort_out

ITEM = "#/components/schemas/Item"


def spec() -> dict:
    return yaml.safe_load(SPEC.read_text())


def drift(served: dict) -> list[str]:
    return differences(normalise(spec()), normalise(copy.deepcopy(served)))


def test_the_spec_matches_itself():
    assert drift(spec()) == []


def test_the_spec_matches_itself_respelled():
    respelled = spec()
    schemas = respelled["components"]["schemas"]
    schemas["ItemPublic"] = schemas.pop("Item")  # another component name
    text = yaml.safe_dump(respelled).replace(f"'{ITEM}'", f"'{ITEM}Public'")
    respelled = yaml.safe_load(text)
    schemas = respelled["components"]["schemas"]
    # Nullable the Pydantic way, inline instead of by $ref, with the null member first.
    inline = {key: value for key, value in schemas["Description"].items() if key != "type"}
    schemas["ItemCreate"]["properties"]["description"] = {
        "anyOf": [{"type": "null"}, {"type": "string", **inline}],
        "default": None,
        "title": "Description",
    }
    # Bounds as floats (Pydantic), a restating numeric format (drf-spectacular), enum for const (apispec).
    schemas["Quantity"].update(maximum=1000000.0, minimum=0.0, format="int32")
    schemas["Problem"]["properties"]["type"] = {"type": "string", "enum": ["about:blank"]}
    # The page inlined, its Item wrapped in a one-member allOf, its keys and required list reordered.
    page = schemas.pop("ItemPage")
    page["properties"]["items"]["items"] = {"allOf": [{"$ref": f"{ITEM}Public"}], "description": "an item"}
    page["required"] = sorted(page["required"], reverse=True)
    listing = respelled["paths"]["/items"]["get"]["responses"]["200"]["content"]["application/json"]
    listing["schema"] = dict(reversed(list(page.items())))
    # The sort enum reordered, with a redundant minLength (drf-spectacular), and no type.
    parameters = respelled["components"]["parameters"]
    parameters["sort"]["schema"] = {
        "enum": sorted(parameters["sort"]["schema"]["enum"]),
        "minLength": 1,
        "default": "id",
    }
    parameters["limit"].update(style="form", explode=True)  # OpenAPI's defaults, written out
    for item in respelled["paths"].values():
        for method, operation in item.items():
            if method != "parameters":
                operation["operationId"] = "x" + operation["operationId"]
                operation["summary"] = "other words"
                operation["tags"] = ["other"]
                # No requirement written out; the scheme under another component name (FastAPI's default).
                operation["security"] = [
                    {"OAuth2PasswordBearer" if name == "bearerAuth" else name: scopes for name, scopes in alt.items()}
                    for alt in operation.get("security") or [{}]
                ]
    schemes = respelled["components"]["securitySchemes"]
    schemes["OAuth2PasswordBearer"] = schemes.pop("bearerAuth")
    for created in ("/items", "/users"):
        for link in respelled["paths"][created]["post"]["responses"]["201"]["links"].values():
            link["operationId"] = "x" + link["operationId"]  # links follow the renamed operations
    links = respelled["paths"]["/items"]["post"]["responses"]["201"]["links"]
    links["Read"] = {**links.pop("GetItem"), "description": "another name"}
    # One problem response flattened by hand instead of allOf (what a framework without allOf writes).
    not_found = respelled["components"]["responses"]["NotFound"]["content"]["application/problem+json"]
    flat = copy.deepcopy(schemas["Problem"])
    flat["properties"]["title"] = {"type": "string", "const": "Not Found"}
    flat["properties"]["status"] = {"type": "integer", "enum": [404]}
    flat["properties"]["errors"]["items"] = schemas["FieldError"]
    not_found["schema"] = {**flat, "not": {"required": ["errors"]}}
    assert drift(respelled) == []


def test_a_changed_bound_and_a_missing_response_are_reported():
    drifted = spec()
    drifted["components"]["schemas"]["Title"]["maxLength"] = 100
    del drifted["paths"]["/items"]["post"]["responses"]["415"]
    found = drift(drifted)
    assert "POST /items 415: spec {" in "\n".join(found)
    assert any(line.endswith(", served <absent>") and line.startswith("POST /items 415:") for line in found)
    assert "POST /items request body application/json: properties.title.maxLength: spec 200, served 100" in found
    assert "GET /items/{item_id} 200 body application/json: properties.title.maxLength: spec 200, served 100" in found
    # Title is shared by every request and answer: each place is named, nothing else.
    assert all("title.maxLength" in line or line.startswith("POST /items 415:") for line in found)


@pytest.mark.parametrize(
    ("plant", "expected"),
    [
        (
            lambda s: s["components"]["schemas"]["Price"].pop("exclusiveMinimum"),
            "POST /items 201 body application/json: properties.price.exclusiveMinimum: spec 0, served <absent>",
        ),
        (
            lambda s: s["components"]["schemas"]["ItemCreate"].pop("additionalProperties"),
            "PUT /items/{item_id} request body application/json: additionalProperties: spec false, served <absent>",
        ),
        (
            lambda s: s["paths"]["/items/{item_id}"]["patch"]["requestBody"].pop("required"),
            "PATCH /items/{item_id} request body required: spec true, served false",
        ),
        (
            lambda s: s["paths"]["/items"]["post"]["responses"]["201"].pop("headers"),
            'POST /items 201 header location: spec {"required": true, "schema": {"pattern": "^/items/[1-9][0-9]*$", '
            '"type": "string"}}, served <absent>',
        ),
        (
            lambda s: s["paths"]["/items"]["post"]["responses"]["201"]["links"]["DeleteItem"].update(
                operationId="getItem"
            ),
            'POST /items 201 link DELETE /items/{item_id}: spec [{"parameters": {"item_id": "$response.body#/id"}}], '
            "served <absent>",
        ),
        (
            lambda s: s["paths"]["/items"]["get"]["responses"].update(default={"description": "anything"}),
            'GET /items default: spec <absent>, served {"content": {}, "headers": {}, "links": {}}',
        ),
        (
            lambda s: s["components"]["parameters"]["limit"].update(required=True),
            "GET /items query limit: required: spec false, served true",
        ),
        (
            lambda s: s["components"]["parameters"]["offset"]["schema"].update(format="int32"),
            'GET /items query offset: schema.format: spec <absent>, served "int32"',
        ),
        (
            lambda s: s["components"]["schemas"]["ItemPatch"]["properties"]["quantity"].update(default=0),
            "PATCH /items/{item_id} request body application/json: properties.quantity.default: "
            "spec <absent>, served 0",
        ),
        (
            lambda s: s["components"]["responses"]["NotFound"]["content"]["application/problem+json"]["schema"][
                "allOf"
            ][1]["properties"]["title"].update(const="Gone"),
            'DELETE /items/{item_id} 404 body application/problem+json: properties.title.enum: spec ["Not Found"], '
            'served ["Gone"]',
        ),
        (
            lambda s: s["paths"]["/items/{item_id}"]["delete"]["responses"]["204"].update(
                content={"application/json": {"schema": {"type": "object"}}}
            ),
            'DELETE /items/{item_id} 204 body application/json: spec <absent>, served {"type": "object"}',
        ),
        (
            lambda s: s["paths"]["/token"]["post"].update(security=[{"basic": []}]),
            'POST /token security: spec [[]], served [[["basic", []]]]',
        ),
    ],
    ids=[
        "exclusive-minimum",
        "additional-properties",
        "patch-body-required",
        "location-header",
        "link-target",
        "default-response",
        "parameter-required",
        "unbounded-format",
        "patch-default",
        "problem-title",
        "content-on-204",
        "security",
    ],
)
def test_each_planted_difference_is_named(plant, expected):
    drifted = spec()
    plant(drifted)
    found = drift(drifted)
    assert expected in found, "\n".join(found)


def test_a_removed_operation_is_named():
    drifted = spec()
    del drifted["paths"]["/items/{item_id}"]["put"]
    link = '[{"parameters": {"item_id": "$response.body#/id"}}]'
    assert drift(drifted) == [  # and the link to it dangles
        f"POST /items 201 link PUT /items/{{item_id}}: spec {link}, served <absent>",
        f"POST /items 201 link operationId 'replaceItem' (no such operation): spec <absent>, served {link}",
        "PUT /items/{item_id}: spec defines it, served <absent>",
    ]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # A member that judges null itself is not folded into a type list.
        (
            {"anyOf": [{"type": "string"}, {"type": "null"}]},
            {"anyOf": [{"type": "string", "not": {}}, {"type": "null"}]},
        ),
        # additionalProperties sees the other member's properties: allOf is not one schema here.
        (
            {"allOf": [{"properties": {"a": {}}}, {"properties": {"b": {}}}], "additionalProperties": False},
            {"properties": {"a": {}, "b": {}}, "additionalProperties": False},
        ),
        # An integer format beyond what the bounds allow narrows the schema.
        ({"type": "integer", "minimum": 0}, {"type": "integer", "minimum": 0, "format": "int64"}),
        # true is not 1.
        ({"enum": [True]}, {"enum": [1]}),
        # minLength 2 is not implied by an enum holding a one-character value.
        ({"enum": ["a", "bb"]}, {"enum": ["a", "bb"], "minLength": 2}),
    ],
)
def test_spellings_that_differ_stay_apart(a, b):
    assert canonical(schema(a)) != canonical(schema(b))


def test_allowed_drift_matches_a_place_and_what_it_holds():
    line = "POST /items 201 body application/json: properties.price.exclusiveMinimum: spec 0, served <absent>"
    assert allowed_by(line, "POST /items 201 body application/json")
    assert allowed_by(line, "POST /items 201 body application/json: properties.price")
    assert not allowed_by(line, "POST /items 20")
    assert not allowed_by(line, "POST /items 201 body application/json: properties.pri")


def test_the_allow_list_excuses_only_its_places_and_reports_stale_entries():
    drifted = spec()
    drifted["components"]["schemas"]["Price"].pop("exclusiveMinimum")
    del drifted["paths"]["/items"]["post"]["responses"]["201"]["links"]
    found = drift(drifted)
    allowed = {"POST /items 201 link": "no links API", "GET /items q": "stale"}
    excused, remaining, unused = sort_out(found, allowed)
    assert len(excused) == 4 and set(excused.values()) == {"no links API"}
    assert remaining and all("exclusiveMinimum" in line for line in remaining)
    assert unused == ["GET /items q"]

"""Compare two OpenAPI documents by the contract they describe, not by how they are written.

``normalise`` reduces a document to what a client can rely on: per path and method, the parameters
(by location and name) with their schemas, the request body, and per status code the headers, the
content types with their schemas, and the links. ``differences`` lists what two reduced documents
disagree on, one readable line each. What is left out, and why:

- ``$ref``: resolved in place, so component names (``Item`` or ``ItemPublic``) do not matter;
- descriptions, summaries, titles, examples, operation ids, tags: words for people, not the contract
  (a link names its target by operation id: it is compared by the target's path and method instead);
- ``readOnly``/``writeOnly``: annotations that no validator applies to a response;
- ``format`` for numbers (``int64``, ``double``, ...): a restatement of ``type`` that JSON Schema
  2020-12 validators do not enforce; ``format: date-time`` and the like are kept;
- spelling: ``anyOf``/``oneOf`` with a ``null`` member is a ``type`` list, ``allOf`` of one schema is
  that schema, ``const`` is a one-member ``enum``, ``type``/``enum``/``required`` are sets,
  ``additionalProperties: true`` and ``required: false`` say what their absence says; key order
  and the order of ``allOf``/``anyOf``/``oneOf`` members do not matter.
"""

from __future__ import annotations

from typing import Any

ANNOTATIONS = {"description", "summary", "title", "example", "examples", "readOnly", "writeOnly", "$schema"}
NUMERIC_FORMATS = {"int32", "int64", "float", "double"}
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
ABSENT = "<absent>"


def resolve(node: Any, document: dict[str, Any]) -> Any:
    """``node`` with every local ``$ref`` replaced by what it points at (the documents have no cycles)."""
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            siblings = {key: value for key, value in node.items() if key != "$ref"}
            return resolve({**target, **siblings}, document)
        return {key: resolve(value, document) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve(item, document) for item in node]
    return node


def _types(schema: dict[str, Any]) -> set[str]:
    declared = schema.get("type")
    return set(declared) if isinstance(declared, list) else {declared} if declared else set()


def schema(node: Any) -> Any:
    """One JSON Schema in a canonical spelling."""
    if not isinstance(node, dict):
        return node
    node = {key: value for key, value in node.items() if key not in ANNOTATIONS}
    for combinator in ("anyOf", "oneOf"):
        members = node.get(combinator)
        if isinstance(members, list) and any(member == {"type": "null"} for member in members):
            others = [member for member in members if member != {"type": "null"}]
            node.pop(combinator)
            merged = dict(others[0]) if len(others) == 1 else {combinator: others}
            merged["type"] = sorted(_types(merged) | {"null"}) if _types(merged) else None
            if merged["type"] is None:
                merged.pop("type")
                merged = {"anyOf": [*others, {"type": "null"}]}
            node = {key: value for key, value in {**node, **merged}.items() if key not in ANNOTATIONS}
    if isinstance(node.get("allOf"), list) and len(node["allOf"]) == 1:
        node = {**{key: value for key, value in node.items() if key != "allOf"}, **node["allOf"][0]}
        node = {key: value for key, value in node.items() if key not in ANNOTATIONS}
    if "const" in node:
        node["enum"] = [node.pop("const")]
    if node.get("format") in NUMERIC_FORMATS:
        node.pop("format")
    if node.get("additionalProperties") is True:
        node.pop("additionalProperties")
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "type":
            types = _types(node)
            out[key] = sorted(types) if len(types) > 1 else next(iter(types))
        elif key in ("enum", "required"):
            out[key] = sorted(value, key=repr)
        elif key in ("properties", "patternProperties", "$defs"):
            out[key] = {name: schema(inner) for name, inner in sorted(value.items())}
        elif key in ("items", "additionalProperties", "not", "contains", "propertyNames"):
            out[key] = schema(value)
        elif key in ("anyOf", "oneOf", "allOf", "prefixItems"):
            out[key] = sorted((schema(inner) for inner in value), key=repr)
        else:
            out[key] = value
    return dict(sorted(out.items()))  # key order, so that sorting schemas by repr is stable


def _content(content: dict[str, Any]) -> dict[str, Any]:
    return {media.lower(): schema(body.get("schema", {})) for media, body in content.items()}


def normalise(document: dict[str, Any]) -> dict[str, Any]:
    """The document reduced to ``{"METHOD /path": operation}``, every operation in a canonical form."""
    document = resolve(document, document)
    targets = {
        operation["operationId"]: f"{method.upper()} {path}"
        for path, item in document.get("paths", {}).items()
        for method, operation in item.items()
        if method in METHODS and "operationId" in operation
    }
    operations: dict[str, Any] = {}
    for path, item in document.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method, operation in item.items():
            if method not in METHODS:
                continue
            parameters = {}
            for parameter in [*shared, *operation.get("parameters", [])]:
                parameters[f"{parameter['in']} {parameter['name']}"] = {
                    "required": parameter.get("required", False),
                    "schema": schema(parameter.get("schema", {})),
                    **{key: parameter[key] for key in ("style", "explode", "allowEmptyValue") if key in parameter},
                }
            reduced: dict[str, Any] = {"parameters": parameters}
            if "requestBody" in operation:
                body = operation["requestBody"]
                reduced["requestBody"] = {
                    "required": body.get("required", False),
                    "content": _content(body.get("content", {})),
                }
            reduced["responses"] = {
                str(status): {
                    "headers": {
                        name.lower(): {
                            "required": header.get("required", False),
                            "schema": schema(header.get("schema", {})),
                        }
                        for name, header in response.get("headers", {}).items()
                    },
                    "content": _content(response.get("content", {})),
                    "links": sorted(
                        (
                            targets.get(link.get("operationId", ""), link.get("operationRef", ABSENT)),
                            sorted((link.get("parameters") or {}).items()),
                        )
                        for link in response.get("links", {}).values()
                    ),
                }
                for status, response in operation.get("responses", {}).items()
            }
            operations[f"{method.upper()} {path}"] = reduced
    return operations


def _show(value: Any) -> str:
    if value is ABSENT:
        return ABSENT
    text = repr(value)
    return text if len(text) <= 160 else text[:157] + "..."


def differences(spec: Any, served: Any, where: str = "") -> list[str]:
    """``where: spec X, served Y`` for every place two normalised documents disagree."""
    if isinstance(spec, dict) and isinstance(served, dict):
        lines = []
        for key in sorted(set(spec) | set(served), key=str):
            inner = f"{where}.{key}" if where and not where.endswith(" ") else f"{where}{key}"
            if key not in served:
                lines.append(f"{inner}: spec {_show(spec[key])}, served {ABSENT}")
            elif key not in spec:
                lines.append(f"{inner}: spec {ABSENT}, served {_show(served[key])}")
            else:
                lines += differences(spec[key], served[key], inner)
        return lines
    if spec != served:
        return [f"{where}: spec {_show(spec)}, served {_show(served)}"]
    return []

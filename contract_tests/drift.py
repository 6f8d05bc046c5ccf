"""Compare two OpenAPI 3.1 documents by the contract they describe, not by how they are written.

``normalise`` reduces a document to what a client can rely on, per ``METHOD /path``: the
parameters (by location and name), the security requirements, the request body, and per status
code the headers, the content types with their schemas, and the links. ``differences`` lists
every place where two reduced documents disagree, one line each::

    POST /items 201 body application/json: properties.price.exclusiveMinimum: spec 0, served <absent>

Ignored, each for one reason:

- descriptions, summaries, titles, examples, ``$comment``, ``externalDocs``: words for people;
- operation ids: names only; a link's target is compared as ``METHOD /path`` instead;
- tags: they group operations on documentation pages and change no request or answer;
- component names: every ``$ref`` is resolved in place, so ``Item`` and ``ItemPublic`` are one;
- link names: labels, like component names (a link's target and parameters are compared);
- ``servers``: where a document is deployed, not what the API does (the suite is given the URL);
- ``readOnly``/``writeOnly``: annotations that no validator applies (the spec says the same with
  separate request and response schemas, which are compared);
- a ``Content-Type`` response header: OpenAPI says to ignore it (content types are compared).

Spellings made one, each an exact equivalence in OpenAPI 3.1 and JSON Schema 2020-12:

- key order, and the order of ``enum``, ``required``, ``type`` and of ``allOf``/``anyOf``/
  ``oneOf`` members: each is a set;
- ``1000000.0`` and ``1000000``: JSON Schema compares numbers by value (``true`` is not ``1``);
- ``const: x`` and ``enum: [x]``: both allow exactly ``x``;
- ``$ref`` with sibling keywords and ``allOf: [target, siblings]``: what 2020-12 says it means;
- ``allOf`` and one schema holding its members' keywords, when that merge is exact: no keyword
  twice with different values, except ``properties`` (merged per property), ``required``
  (united), ``type`` and ``enum`` (intersected) and the bounds (the tighter one); not when
  ``additionalProperties`` or its kin would see other properties. So ``allOf`` of one schema is
  that schema;
- ``anyOf``/``oneOf`` of a schema and ``{type: null}``, and that schema with ``"null"`` added to
  its ``type`` (and to its ``enum``), when its other keywords apply to its own types only (so they
  pass ``null`` either way): ``anyOf: [{type: string}, {type: null}]`` is ``type: [string, "null"]``;
- ``additionalProperties: true`` (or ``{}``) and ``required: []``, and their absence: the same;
- keywords that an ``enum`` makes redundant (``type: string`` or ``minLength: 1`` beside
  ``enum: [id, -id]``) and their absence: every allowed value satisfies them already;
- a numeric ``format`` (``int32``, ``int64``, ``float``, ``double``) whose range holds every value
  that the schema's own bounds allow, and its absence: even a validator that enforces formats
  then accepts the same values (an unbounded ``format: int64`` is compared);
- a parameter's or header's ``required: false``, ``deprecated: false``, ``allowEmptyValue:
  false``, ``allowReserved: false`` and its location's default ``style``/``explode``, and their
  absence: OpenAPI's defaults; header names in any case: HTTP's field names are case-insensitive;
- a request body's ``required: false`` and an operation's ``deprecated: false``, and their absence:
  OpenAPI's defaults; media types in any case (RFC 9110: case-insensitive);
- ``security: []`` and ``security: [{}]`` (no requirement), and a requirement's scheme by its
  definition rather than its component name.

Everything else is compared, ``default`` included (in a request it is what the server fills in)
and ``format: date-time`` and the like (validators may check them).
"""

from __future__ import annotations

import json
import math
from typing import Any

ABSENT = "<absent>"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

WORDS = {"description", "summary", "title", "example", "examples", "$comment", "externalDocs"}
ANNOTATIONS = WORDS | {"readOnly", "writeOnly", "$schema", "$id", "$anchor", "$dynamicAnchor"}
# An operation's keys that normalise() reduces, or ignores (see above); any other is compared as written.
OPERATION_DONE = WORDS | {"operationId", "tags", "servers", "parameters", "requestBody", "responses", "security"}

# Subschema-holding keywords, by shape.
ONE_SCHEMA = {"items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else"}
ONE_SCHEMA |= {"unevaluatedItems", "unevaluatedProperties", "contentSchema"}
SCHEMA_MAPS = {"properties", "patternProperties", "$defs", "dependentSchemas"}
SCHEMA_LISTS = {"allOf", "anyOf", "oneOf", "prefixItems"}
SETS = {"enum", "required", "type"}

# Keywords that constrain only instances of one JSON type: they pass a value of any other type.
TYPED = {
    "string": {"minLength", "maxLength", "pattern", "format", "contentEncoding", "contentMediaType"},
    "number": {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "format"},
    "object": {"properties", "required", "additionalProperties", "patternProperties", "propertyNames"},
    "array": {"items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains"},
}
TYPED["integer"] = TYPED["number"]
TYPED["object"] |= {"minProperties", "maxProperties", "dependentRequired", "dependentSchemas"}
TYPED["array"] |= {"minContains", "maxContains"}
# ``properties`` and the like see which names the others define: never merged across members.
SEES_OTHER_PROPERTIES = {"additionalProperties", "patternProperties", "unevaluatedProperties"}
TIGHTER = {"minimum": max, "exclusiveMinimum": max, "minLength": max, "minItems": max, "minProperties": max}
TIGHTER |= {"maximum": min, "exclusiveMaximum": min, "maxLength": min, "maxItems": min, "maxProperties": min}
FORMAT_RANGES = {
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "float": (-3.4028234663852886e38, 3.4028234663852886e38),
    "double": (-1.7976931348623157e308, 1.7976931348623157e308),
}
DEFAULT_STYLE = {"query": "form", "cookie": "form", "path": "simple", "header": "simple"}
# Subschemas that accept anything when empty, like their absence (``contains: {}`` and ``not: {}`` do not).
EMPTY_IS_ABSENT = {"items", "additionalProperties", "unevaluatedItems", "unevaluatedProperties", "propertyNames"}


class DriftError(ValueError):
    """A document that cannot be normalised (a ``$ref`` outside it, or a cycle)."""


def canonical(value: Any) -> str:
    """A text that two JSON values share exactly when they are equal (``1.0`` is ``1``; ``true`` is not)."""
    return json.dumps(_numbers(value), sort_keys=True, ensure_ascii=False)


def _numbers(value: Any) -> Any:
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _numbers(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_numbers(inner) for inner in value]
    return value


def _same(a: Any, b: Any) -> bool:
    return canonical(a) == canonical(b)


def resolve(node: Any, document: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """``node`` with every local ``$ref`` replaced by its target; sibling keywords join by ``allOf``."""
    if isinstance(node, list):
        return [resolve(item, document, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" not in node:
        return {key: resolve(value, document, seen) for key, value in node.items()}
    ref = node["$ref"]
    if not ref.startswith("#/") or ref in seen:
        raise DriftError(f"cannot resolve $ref {ref!r}: " + ("a cycle" if ref in seen else "not in this document"))
    target: Any = document
    for part in ref.removeprefix("#/").split("/"):
        try:
            target = target[part.replace("~1", "/").replace("~0", "~")]
        except (KeyError, IndexError, TypeError):
            raise DriftError(f"$ref {ref!r} points at nothing") from None
    target = resolve(target, document, (*seen, ref))
    siblings = {key: value for key, value in node.items() if key != "$ref" and key not in ANNOTATIONS}
    if not siblings:
        return target
    # Outside a schema the siblings are only words (summary, description); inside one, 2020-12 applies both.
    return {"allOf": [target, resolve(siblings, document, seen)]}


def schema(node: Any) -> Any:
    """One JSON Schema in the canonical spelling described above."""
    if node is True:
        return {}
    if not isinstance(node, dict):
        return _numbers(node)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ANNOTATIONS:
            continue
        if key in ONE_SCHEMA:
            out[key] = schema(value)
        elif key in SCHEMA_MAPS:
            out[key] = {name: schema(inner) for name, inner in value.items()}
        elif key in SCHEMA_LISTS:
            out[key] = [schema(inner) for inner in value]
        else:
            out[key] = _numbers(value)
    if "const" in out:
        out["enum"] = _intersect(out.get("enum"), [out.pop("const")])
    if isinstance(out.get("allOf"), list):
        out = _fold_all_of(out)
    for combinator in ("anyOf", "oneOf"):
        if isinstance(out.get(combinator), list):
            out = _fold_null(out, combinator)
    for key in EMPTY_IS_ABSENT:
        if out.get(key) == {}:
            out.pop(key)
    if out.get("required") == []:
        out.pop("required")
    _drop_implied_by_enum(out)
    _drop_numeric_format(out)
    return _sorted(out)


def _types(node: dict[str, Any]) -> set[str] | None:
    declared = node.get("type")
    if declared is None:
        return None
    return set(declared) if isinstance(declared, list) else {declared}


def _sorted(node: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in sorted(node.items()):
        if key == "type":
            types = sorted(_types(node) or ())
            out[key] = types[0] if len(types) == 1 else types
        elif key in SETS or key in ("allOf", "anyOf", "oneOf"):
            out[key] = sorted({canonical(item): item for item in value}.values(), key=canonical)
        else:
            out[key] = value
    return out


def _intersect(a: list | None, b: list) -> list:
    if a is None:
        return b
    keep = {canonical(item) for item in b}
    return [item for item in a if canonical(item) in keep]


def _merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any] | None:
    """One schema that accepts exactly what both accept, or None when that takes more than a merge."""
    # additionalProperties and its kin judge the names their own schema's properties leave out: only merged
    # when both sides would see the same names.
    watched = (*SEES_OTHER_PROPERTIES, "properties")
    for one, other in ((a, b), (b, a)):
        sees = SEES_OTHER_PROPERTIES & one.keys() and ("properties" in other or SEES_OTHER_PROPERTIES & other.keys())
        if sees and not all(_same(one.get(key), other.get(key)) for key in watched):
            return None
    out = dict(a)
    for key, value in b.items():
        if key not in out or _same(out[key], value):
            out[key] = value
        elif key == "properties":
            out[key] = {
                name: schema({"allOf": [out[key][name], inner]}) if name in out[key] else inner
                for name, inner in {**out[key], **value}.items()
            }
        elif key == "required":
            out[key] = [*out[key], *value]
        elif key == "type":
            out[key] = sorted(_types(out) & _types(b))
            if not out[key]:
                return None
        elif key == "enum":
            out[key] = _intersect(out[key], value)
        elif key in TIGHTER and all(isinstance(v, int | float) for v in (out[key], value)):
            out[key] = TIGHTER[key](out[key], value)
        else:
            return None
    return out


def _fold_all_of(node: dict[str, Any]) -> dict[str, Any]:
    merged = {key: value for key, value in node.items() if key != "allOf"}
    left = []
    for member in node["allOf"]:
        combined = _merge(merged, member)
        if combined is None:
            left.append(member)
        else:
            merged = combined
    if left:
        merged["allOf"] = left
    return schema(merged) if not left or len(left) < len(node["allOf"]) else merged


def _fold_null(node: dict[str, Any], combinator: str) -> dict[str, Any]:
    members = node[combinator]
    others = [member for member in members if member != {"type": "null"}]
    if len(others) != 1 or len(members) != 2:
        return node
    (member,) = others
    types = _types(member)
    if not types or "null" in types:
        return node
    typed = set().union(*(TYPED.get(name, set()) for name in types)) | {"type", "enum", "default"}
    if not member.keys() <= typed:
        return node  # a keyword that would judge null too (not, allOf, ...): keep the spelling
    widened = {**member, "type": sorted(types | {"null"})}
    if "enum" in widened:
        widened["enum"] = [*widened["enum"], None]
    rest = {key: value for key, value in node.items() if key != combinator}
    merged = _merge(rest, widened)
    return schema(merged) if merged is not None else node


def _satisfies(value: Any, key: str, limit: Any) -> bool:
    """Does ``value`` pass the keyword ``key: limit``? (Only for the keywords an enum can make redundant.)"""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if key == "type":
        names = set(limit) if isinstance(limit, list) else {limit}
        kinds = {
            "null": value is None,
            "boolean": isinstance(value, bool),
            "integer": number and float(value).is_integer(),
            "number": number,
            "string": isinstance(value, str),
            "array": isinstance(value, list),
            "object": isinstance(value, dict),
        }
        return any(kinds.get(name, False) for name in names)
    if key in ("minLength", "maxLength"):
        if not isinstance(value, str):
            return True
        return len(value) >= limit if key == "minLength" else len(value) <= limit
    if key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if not number:
            return True
        return {
            "minimum": value >= limit,
            "maximum": value <= limit,
            "exclusiveMinimum": value > limit,
            "exclusiveMaximum": value < limit,
        }[key]
    return False


def _drop_implied_by_enum(node: dict[str, Any]) -> None:
    if not isinstance(node.get("enum"), list):
        return
    for key in ("type", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if key in node and all(_satisfies(value, key, node[key]) for value in node["enum"]):
            node.pop(key)


def _drop_numeric_format(node: dict[str, Any]) -> None:
    bounds = FORMAT_RANGES.get(node.get("format"))
    if bounds is None or not (_types(node) or set()) & {"integer", "number"}:
        return
    low = node.get("minimum", node.get("exclusiveMinimum"))
    high = node.get("maximum", node.get("exclusiveMaximum"))
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (low, high))
    if numbers and bounds[0] <= low and high <= bounds[1]:
        node.pop("format")


def _parameter(parameter: dict[str, Any]) -> dict[str, Any]:
    location = parameter.get("in")
    style = DEFAULT_STYLE.get(location)
    out = {"required": parameter.get("required", False)}
    if "schema" in parameter:
        out["schema"] = schema(parameter["schema"])
    if "content" in parameter:
        out["content"] = _content(parameter["content"])
    for key, default in (
        ("style", style),
        ("explode", parameter.get("style", style) == "form"),  # OpenAPI: true for form, else false
        ("deprecated", False),
        ("allowEmptyValue", False),
        ("allowReserved", False),
    ):
        if key in parameter and parameter[key] != default:
            out[key] = parameter[key]
    return out


def _content(content: dict[str, Any]) -> dict[str, Any]:
    """Each media type's schema; a form body's ``encoding`` (rare) under ``MEDIA encoding``."""
    out = {}
    for media, body in content.items():
        out[media.lower()] = schema(body.get("schema", {}))
        if body.get("encoding"):
            out[f"{media.lower()} encoding"] = _numbers(body["encoding"])
    return out


def _without_words(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _without_words(value) for key, value in node.items() if key not in WORDS}
    return node


def _security(requirements: list[dict[str, list]], schemes: dict[str, Any]) -> list[list[Any]]:
    """The alternatives, each a set of ``[scheme, scopes]``: a scheme by its definition, not its name."""
    alternatives = [
        sorted(([schemes.get(name, name), sorted(scopes)] for name, scopes in alternative.items()), key=canonical)
        for alternative in requirements or [{}]  # no requirement at all is the one empty alternative
    ]
    return sorted({canonical(alternative): alternative for alternative in alternatives}.values(), key=canonical)


def normalise(document: dict[str, Any]) -> dict[str, Any]:
    """The document reduced to ``{"METHOD /path": operation}``, every operation in a canonical form."""
    document = resolve(document, document)
    schemes = {  # a scheme's description is words for people, like an operation's
        name: _numbers(_without_words(scheme))
        for name, scheme in document.get("components", {}).get("securitySchemes", {}).items()
    }
    paths = document.get("paths", {})
    targets = {
        operation["operationId"]: f"{method.upper()} {path}"
        for path, item in paths.items()
        for method, operation in item.items()
        if method in METHODS and "operationId" in operation
    }
    operations: dict[str, Any] = {}
    for path, item in paths.items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            parameters = {}
            for parameter in [*item.get("parameters", []), *operation.get("parameters", [])]:
                name = parameter["name"].lower() if parameter["in"] == "header" else parameter["name"]
                parameters[f"{parameter['in']} {name}"] = _parameter(parameter)
            reduced: dict[str, Any] = {
                "parameters": parameters,
                "security": _security(operation.get("security", document.get("security", [])), schemes),
            }
            if "requestBody" in operation:
                body = operation["requestBody"]
                reduced["request body"] = {
                    "required": body.get("required", False),
                    "content": _content(body.get("content", {})),
                }
            reduced["responses"] = {
                _status(status): _response(response, targets, paths)
                for status, response in operation.get("responses", {}).items()
            }
            for key, value in operation.items():
                if key not in OPERATION_DONE and not (key == "deprecated" and value is False):
                    reduced[key] = _numbers(value)  # deprecated, callbacks, extensions: compared as written
            operations[f"{method.upper()} {path}"] = reduced
    return operations


def _status(status: Any) -> str:
    """``"200"``, ``"default"``, or a range in capitals (``4xx`` is ``4XX``)."""
    text = str(status)
    return text.upper() if text[1:].lower() == "xx" else text


def _link_target(link: dict[str, Any], targets: dict[str, str], paths: dict[str, Any]) -> str:
    if "operationId" in link:
        return targets.get(link["operationId"], f"operationId {link['operationId']!r} (no such operation)")
    ref = link.get("operationRef", "")
    parts = [part.replace("~1", "/").replace("~0", "~") for part in ref.removeprefix("#/").split("/")]
    if len(parts) == 3 and parts[0] == "paths" and parts[1] in paths and parts[2] in METHODS:
        return f"{parts[2].upper()} {parts[1]}"
    return f"operationRef {ref!r}"


def _response(response: dict[str, Any], targets: dict[str, str], paths: dict[str, Any]) -> dict[str, Any]:
    headers = {}
    for name, header in response.get("headers", {}).items():
        if name.lower() != "content-type":  # OpenAPI: "it SHALL be ignored"
            headers[name.lower()] = _parameter({**header, "in": "header"})
    links: dict[str, list[Any]] = {}
    for link in response.get("links", {}).values():
        rest = {key: _numbers(link[key]) for key in ("parameters", "requestBody", "server") if key in link}
        links.setdefault(_link_target(link, targets, paths), []).append(rest)
    links = {target: sorted(found, key=canonical) for target, found in links.items()}
    return {"headers": headers, "content": _content(response.get("content", {})), "links": links}


def _show(value: Any) -> str:
    if value is ABSENT:
        return ABSENT
    text = canonical(value)
    return text if len(text) <= 200 else text[:197] + "..."


def _walk(spec: Any, served: Any, where: str = "") -> list[tuple[str, Any, Any]]:
    """``(dotted path, spec value, served value)`` for each place where two canonical values differ."""
    if isinstance(spec, dict) and isinstance(served, dict):
        found = []
        for key in sorted(set(spec) | set(served)):
            found += _walk(spec.get(key, ABSENT), served.get(key, ABSENT), f"{where}.{key}" if where else key)
        return found
    members = isinstance(spec, list) and isinstance(served, list) and len(spec) == len(served)
    if members and all(isinstance(item, dict) for item in (*spec, *served)):  # allOf members and the like, in order
        return [
            found for i, pair in enumerate(zip(spec, served, strict=True)) for found in _walk(*pair, f"{where}[{i}]")
        ]
    if spec is ABSENT or served is ABSENT or not _same(spec, served):
        return [(where, spec, served)]
    return []


def differences(spec: dict[str, Any], served: dict[str, Any]) -> list[str]:
    """Every place two normalised documents disagree, as readable lines (empty when they agree)."""
    lines = []
    for operation in sorted(set(spec) | set(served)):
        if operation not in served or operation not in spec:
            lines.append(
                f"{operation}: spec {'defines it' if operation in spec else ABSENT}, "
                f"served {'defines it' if operation in served else ABSENT}"
            )
            continue
        a, b = spec[operation], served[operation]
        for name in sorted(set(a["parameters"]) | set(b["parameters"])):
            lines += _part(f"{operation} {name}", a["parameters"].get(name, ABSENT), b["parameters"].get(name, ABSENT))
        lines += _part(f"{operation} security", a["security"], b["security"])
        lines += _body(f"{operation} request body", a.get("request body", ABSENT), b.get("request body", ABSENT), "")
        for status in sorted(set(a["responses"]) | set(b["responses"])):
            responses = a["responses"].get(status, ABSENT), b["responses"].get(status, ABSENT)
            lines += _body(f"{operation} {status}", *responses, "body")
        others = {key for key in (*a, *b) if key not in ("parameters", "security", "request body", "responses")}
        for key in sorted(others):
            lines += _part(f"{operation} {key}", a.get(key, ABSENT), b.get(key, ABSENT))
    return lines


def _part(where: str, spec: Any, served: Any) -> list[str]:
    if spec is ABSENT and served is ABSENT:
        return []
    return [
        f"{where}{': ' + path if path else ''}: spec {_show(a)}, served {_show(b)}"
        for path, a, b in _walk(spec, served)
    ]


def _body(where: str, spec: Any, served: Any, label: str) -> list[str]:
    """A request body or a response: its flags, then each header, each content type and each link."""
    if spec is ABSENT and served is ABSENT:
        return []
    if spec is ABSENT or served is ABSENT:
        return [f"{where}: spec {_show(spec)}, served {_show(served)}"]
    lines = []
    for key in sorted(set(spec) | set(served)):
        a, b = spec.get(key, ABSENT), served.get(key, ABSENT)
        if isinstance(a, dict) and isinstance(b, dict):
            prefix = {"content": label, "headers": "header", "links": "link"}[key]
            for name in sorted(set(a) | set(b)):
                lines += _part(
                    f"{where} {prefix}{' ' if prefix else ''}{name}", a.get(name, ABSENT), b.get(name, ABSENT)
                )
        else:
            lines += _part(f"{where} {key}", a, b)
    return lines

"""What the shared spec says about an answer, in its own words and with its line, for failure messages.

``expect(response, 201)`` passes when the answer has that status; otherwise it fails with the request,
the status it got, and the spec's clause for the status expected: the operation's documented response
(``shared_spec/openapi.yaml:116``, its description quoted), or, for a status that no operation lists (a
405, a 414, a 204 to ``OPTIONS``), the first line of the spec that names that status. A test reads
``assert 404 == 200`` no more.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import httpx
import yaml

from contract_tests.implementations import ROOT, SPEC

SPEC_NAME = SPEC.relative_to(ROOT).as_posix()
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


@dataclass(frozen=True)
class Clause:
    """A line of the spec: its number (1-based) and what it says."""

    line: int
    text: str

    def __str__(self) -> str:
        return f'"{self.text}" ({SPEC_NAME}:{self.line})'


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    operation_id: str
    pattern: re.Pattern[str]
    responses: dict[str, Clause]  # status -> the response's description, at the line of its status key


def _key_lines(node: yaml.Node, pointer: tuple[str, ...] = ()) -> dict[tuple[str, ...], int]:
    """Every mapping key of the composed spec, by its path of keys, with its 1-based line."""
    lines: dict[tuple[str, ...], int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            here = (*pointer, str(key.value))
            lines[here] = key.start_mark.line + 1
            lines.update(_key_lines(value, here))
    elif isinstance(node, yaml.SequenceNode):
        for index, value in enumerate(node.value):
            lines.update(_key_lines(value, (*pointer, str(index))))
    return lines


@functools.cache
def _spec() -> tuple[dict[str, Any], list[Operation], list[str]]:
    text = SPEC.read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    lines = _key_lines(yaml.compose(text))
    operations = []
    for template, item in document["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$")
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            responses = {}
            for status, response in operation["responses"].items():
                if "$ref" in response:
                    response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
                line = lines[("paths", template, method, "responses", str(status))]
                responses[str(status)] = Clause(line, " ".join(response.get("description", "").split()))
            operations.append(Operation(method.upper(), template, operation["operationId"], pattern, responses))
    return document, operations, text.splitlines()


def operation(method: str, path: str) -> Operation | None:
    """The spec's operation that ``method path`` reaches (``GET /items/abc`` reaches getItem), or None."""
    _, operations, _ = _spec()
    return next((op for op in operations if op.method == method.upper() and op.pattern.match(path)), None)


def mention(status: int, about: str | None = None) -> Clause | None:
    """The first line of the spec that names ``status`` as a number, or (``about``) that names ``about``.

    A line found by ``about`` is quoted with the next one, where a sentence's status usually is.
    """
    _, _, lines = _spec()
    word = re.compile(rf"(?<![\w.,]){status}(?![\w,])")
    for number, line in enumerate(lines, 1):
        if about is not None and about in line:
            return Clause(number, " ".join(part.strip() for part in lines[number - 1 : number + 1]))
        if about is None and word.search(line):
            return Clause(number, line.strip())
    return None


def saying(words: str) -> Clause:
    """The line of the spec that holds ``words``, quoted with the next one, for a rule no status expresses.

    Raises ``LookupError`` when no line holds them: a test then cites nothing rather than a stale line.
    """
    _, _, lines = _spec()
    for number, line in enumerate(lines, 1):
        if words in line:
            return Clause(number, " ".join(part.strip() for part in lines[number - 1 : number + 1]))
    raise LookupError(f"{SPEC_NAME} has no line saying {words!r}")


def requirement(method: str, path: str, status: int, about: str | None = None) -> str:
    """The spec's clause for answering ``method path`` with ``status`` (``about``: the clause naming that word)."""
    op = operation(method, path)
    if about is None and op is not None and str(status) in op.responses:
        return f"{status}, {op.operation_id}: {op.responses[str(status)]}"
    found = mention(status, about)
    return f"{status}: {found}" if found else str(status)


def expect(response: httpx.Response, *statuses: int, about: str | None = None) -> httpx.Response:
    """Fail unless ``response`` has one of ``statuses``, saying what the spec requires and where.

    ``about`` names the word of the clause that applies, where the operation's own list would mislead (a 400
    for an unconfigured ``Host`` is not the operation's "not JSON" 400).
    """
    if response.status_code in statuses:
        return response
    request = response.request
    path = request.url.raw_path.decode("latin-1").split("?")[0]
    wanted = " or ".join(requirement(request.method, path, status, about) for status in statuses)
    op = operation(request.method, path)
    documented = f"\n  {op.operation_id} documents {', '.join(op.responses)}" if op else ""
    shown = request.url.raw_path.decode("latin-1")
    shown = shown if len(shown) <= 120 else shown[:100] + f"... ({len(shown)} characters)"
    raise AssertionError(
        f"{request.method} {shown} answered {response.status_code}; the spec requires {wanted}{documented}"
        f"\n  body: {response.text[:500]}"
    )

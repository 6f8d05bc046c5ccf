"""The shared spec itself: valid OpenAPI 3.1."""

from __future__ import annotations

import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from contract_tests.implementations import SPEC


def test_spec_is_valid_openapi_3_1():
    document, _ = read_from_filename(str(SPEC))
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_operation_answers_only_with_declared_content_types():
    document = yaml.safe_load(SPEC.read_text())
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            for status, response in operation["responses"].items():
                if "$ref" in response:
                    response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
                media = set(response.get("content", {}))
                expected = (
                    {"application/problem+json"}
                    if status >= "400"
                    else (set() if status == "204" else {"application/json"})
                )
                assert media == expected, f"{method.upper()} {path} {status}: {media}"

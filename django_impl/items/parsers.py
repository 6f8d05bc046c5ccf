"""How a request body is read: a JSON object sent as ``application/json``, nothing else."""

from __future__ import annotations

import json
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.request import Request


# region: validation
class JSONObjectParser(JSONParser):
    """DRF's JSONParser (``STRICT_JSON``: no NaN, no Infinity), for a JSON object of Unicode text only."""

    def parse(self, stream, media_type=None, parser_context=None) -> dict[str, Any]:
        document = super().parse(stream, media_type, parser_context)
        try:
            # Valid JSON, but "\ud800" alone is no Unicode text, and no database would store it.
            json.dumps(document, ensure_ascii=False).encode()
        except UnicodeEncodeError:
            raise ParseError("JSON parse error - a string holds an unpaired surrogate.") from None
        if not isinstance(document, dict):  # DRF default: a list reaches the serializer (a 400 "non_field_errors")
            raise ParseError("The body must be a JSON object.")
        return document


class JSONOnlyNegotiation(DefaultContentNegotiation):
    def select_parser(self, request: Request, parsers: list) -> JSONParser | None:
        # DRF default: "*/*" or "application/*" picks the JSON parser; contract: 415 unless application/json.
        media_type = request.content_type.partition(";")[0].strip().lower()
        return next((parser for parser in parsers if parser.media_type == media_type), None)

    def select_renderer(self, request: Request, renderers: list, format_suffix: str | None = None) -> tuple:
        # DRF default: 406 when Accept names no renderer; contract: no 406, always JSON.
        return renderers[0], renderers[0].media_type


# endregion

"""How a request body is read: a JSON object sent as ``application/json``, nothing else."""

from __future__ import annotations

import json
import math
from typing import Any

from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.utils.json import strict_constant


# region: validation
def json_integer(literal: str) -> int | float:
    """An integer literal, JSON's digits (RFC 8259 §6), as an ``int``; ``±inf`` when CPython refuses it.

    CPython's ``int()`` refuses more than 4,300 digits (``sys.get_int_max_str_digits()``, its fix for
    CVE-2020-10735, kept process-wide). Such a literal is beyond every bound of the contract, so it reads as
    the infinity of its sign, as ``1e400`` does, and the field's validators answer ``too_large`` or
    ``too_small``. Used as ``json.loads(parse_int=...)`` and for the integers of the query (serializers.py).
    """
    try:
        return int(literal)
    except ValueError:  # "Exceeds the limit (4300 digits) for integer string conversion"
        return -math.inf if literal.startswith("-") else math.inf


def unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``json.loads(object_pairs_hook=...)``: an object whose member names are unique (RFC 7493 §2.3).

    Names are compared as the parser has unescaped them (``"t\\u0069tle"`` is ``title``), case included.
    Raises ``ValueError`` naming the first duplicate.
    """
    seen: set[str] = set()
    for name, _ in pairs:
        if name in seen:
            raise ValueError(f"duplicate member name {name!r}")
        seen.add(name)
    return dict(pairs)


class JSONObjectParser(JSONParser):
    """A JSON object (RFC 8259) of Unicode text, read from UTF-8 bytes; anything else is a ``ParseError`` (400).

    ``STRICT_JSON`` (DRF's default) refuses ``NaN`` and ``Infinity``; duplicate names, nesting deeper than
    Python's recursion limit and bytes that are not UTF-8 are refused too; integers of any length are numbers.
    """

    def parse(self, stream, media_type=None, parser_context=None) -> dict[str, Any]:
        try:
            # DRF default: decoded with Content-Type's charset; contract: UTF-8 whatever the label (RFC 8259 §8.1).
            text = stream.read().decode("utf-8")
            document = json.loads(
                text,
                parse_constant=strict_constant if self.strict else None,
                # Python default: int(), which refuses over 4,300 digits (a 400); contract: a number at any size.
                parse_int=json_integer,
                # Python default: the last of duplicate names wins; contract: 400 (RFC 7493 §2.3).
                object_pairs_hook=unique_members,
            )
            # Valid JSON, but "\ud800" alone is no Unicode text, and no database would store it.
            json.dumps(document, ensure_ascii=False).encode()
        except UnicodeError as error:  # UnicodeDecodeError: not UTF-8; UnicodeEncodeError: an unpaired surrogate
            raise ParseError(f"JSON parse error - the body is not UTF-8 text ({error.reason}).") from None
        except RecursionError:  # DRF default: it catches ValueError only, and json raises this when nested deep: 500
            raise ParseError("JSON parse error - the body is nested too deeply.") from None
        except ValueError as error:
            raise ParseError(f"JSON parse error - {error}") from None
        if not isinstance(document, dict):  # DRF default: a list reaches the serializer (a 400 "non_field_errors")
            raise ParseError("The body must be a JSON object.")
        return document


def content_codings(request: Request) -> list[str]:
    """The codings named by ``Content-Encoding`` (RFC 9110 §8.4), lower-cased, ``identity`` left out."""
    header = request.headers.get("Content-Encoding", "")
    return [coding for coding in (part.strip().lower() for part in header.split(",")) if coding not in {"", "identity"}]


class JSONOnlyNegotiation(DefaultContentNegotiation):
    def select_parser(self, request: Request, parsers: list) -> JSONParser | None:
        # DRF default: a Content-Encoding is ignored (a gzipped body is parsed as is); contract: 415 unless identity.
        if codings := content_codings(request):
            raise UnsupportedMediaType(request.content_type, f"Content-Encoding {', '.join(codings)} is not supported.")
        # DRF default: "*/*" or "application/*" picks the JSON parser; contract: 415 unless application/json.
        media_type = request.content_type.partition(";")[0].strip().lower()
        return next((parser for parser in parsers if parser.media_type == media_type), None)

    def select_renderer(self, request: Request, renderers: list, format_suffix: str | None = None) -> tuple:
        # DRF default: 406 when Accept names no renderer; contract: no 406, always JSON.
        return renderers[0], renderers[0].media_type


# endregion

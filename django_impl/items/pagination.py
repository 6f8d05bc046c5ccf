"""The ``ItemPage`` envelope: ``{"items", "total", "limit", "offset"}``."""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response

from .filters import list_query


# region: list
class ItemPagination(LimitOffsetPagination):
    def get_limit(self, request: Request) -> int:
        return list_query(request)["limit"]  # DRF default: a bad limit falls back, a big one is clamped; contract: 422

    def get_offset(self, request: Request) -> int:
        return list_query(request)["offset"]  # DRF default: a bad offset reads as 0; contract: 422

    def get_paginated_response(self, data: list) -> Response:
        # The ItemPage envelope; DRF default: {"count", "next", "previous", "results"}.
        return Response({"items": data, "total": self.count, "limit": self.limit, "offset": self.offset})

    # endregion
    # region: docs
    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "additionalProperties": False,
            "required": ["items", "total", "limit", "offset"],
            "properties": {
                "items": {**schema, "maxItems": 100},
                "total": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Every item that matches the filters, on any page.",
                },
                "limit": {"type": "integer", "minimum": 1, "maximum": 100},
                "offset": {"type": "integer", "minimum": 0},
            },
        }

    def get_schema_operation_parameters(self, view) -> list:
        return []  # documented by ItemQuerySerializer, with the bounds it enforces


# endregion

"""``GET /items``' query: validated once by ``ItemQuerySerializer``, then filtering and sorting."""

from __future__ import annotations

from typing import Any

from rest_framework.filters import BaseFilterBackend, OrderingFilter
from rest_framework.request import Request

from .models import ordering
from .serializers import ItemQuerySerializer


# region: list
def list_query(request: Request) -> dict[str, Any]:
    """``GET /items``' query, validated once for all three classes below: every bad parameter in one 422."""
    if not hasattr(request, "list_query"):
        serializer = ItemQuerySerializer(data=request.query_params.dict())  # a repeated parameter: its last value
        serializer.is_valid(raise_exception=True)
        request.list_query = serializer.validated_data
    return request.list_query


class ItemFilter(BaseFilterBackend):
    """``q`` (a literal substring of the title, A-Z in any case), ``min_price`` and ``max_price``, inclusive, and
    ``owner`` (the owner's exact username)."""

    def filter_queryset(self, request: Request, queryset, view):
        query = list_query(request)
        if "q" in query:
            queryset = queryset.title_contains(query["q"])
        if "min_price" in query:
            queryset = queryset.filter(price__gte=query["min_price"])
        if "max_price" in query:
            queryset = queryset.filter(price__lte=query["max_price"])
        # endregion
        # region: auth
        if "owner" in query:  # exact, case and all (= on both databases); "" and unknown names match nothing
            queryset = queryset.filter(owner__username=query["owner"])
        # endregion
        # region: list
        return queryset


class ItemOrdering(OrderingFilter):
    ordering_param = "sort"  # DRF default: "ordering"

    def get_ordering(self, request: Request, queryset, view) -> list:
        # DRF default: an unknown field is dropped silently; contract: 422 invalid_choice. Ties go by id.
        return ordering(list_query(request)["sort"])

    # endregion
    # region: docs
    def get_schema_operation_parameters(self, view) -> list:
        return []  # documented by ItemQuerySerializer, with its enum


# endregion

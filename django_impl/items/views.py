"""HTTP: ``ItemViewSet``, a ``ModelViewSet`` with the contract's status codes and headers, and ``ContractViewMixin``,
what it shares with the accounts views (auth.py): the order of the checks (405, 401, then the body), ``OPTIONS``;
and ``BrowseView``, the browse page at ``/``: ``ItemViewSet.list`` rendered by a Django template.

The classes ``REST_FRAMEWORK`` (settings.py) names for it sit in modules of their own, because DRF
imports them while ``rest_framework.views`` loads: parsers.py (request bodies), filters.py and
pagination.py (``GET /items``' query and the ``ItemPage`` envelope).
"""

from __future__ import annotations

from typing import Any

from django.db import router, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.generic import TemplateView
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import permissions, viewsets
from rest_framework.exceptions import MethodNotAllowed, ParseError, UnsupportedMediaType, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from . import problems
from .models import Item
from .permissions import IsOwnerOrReadOnly
from .serializers import ItemQuerySerializer, ItemSerializer

# region: auth
# The 401's challenge (RFC 6750 §3), on every operation that documents a 401; drf-spectacular default: no headers.
CHALLENGE = OpenApiParameter(
    "WWW-Authenticate",
    {"type": "string", "pattern": '^Bearer realm="items"(, error="invalid_token")?$'},
    OpenApiParameter.HEADER,
    required=True,
    response=[401],
)
# endregion

# region: retrieve
ITEM = OpenApiResponse(ItemSerializer, description="The item.")
# endregion
# region: create
LOCATION = OpenApiParameter(
    "Location",
    {"type": "string", "pattern": "^/items/[1-9][0-9]*$"},
    OpenApiParameter.HEADER,
    required=True,
    description="The new item's path, `/items/{id}`.",
    response=[201],
)
# endregion


# region: errors
# What every view of the contract does alike (ItemViewSet, and auth.py's UserViewSet and TokenView): the order of the
# checks, OPTIONS and Allow, and how the query and the body are read. (A comment, not a docstring: drf-spectacular
# would show a docstring as the description of every operation of the views that inherit it.)
class ContractViewMixin:
    # endregion
    # region: model
    #: The methods whose request runs in one transaction, all or nothing: those that write (RFC 9110 §9.2.1).
    atomic_methods = frozenset({"POST", "PUT", "PATCH", "DELETE"})

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Django default: autocommit, statement by statement; ATOMIC_REQUESTS would wrap reads too (on SQLite in
        # BEGIN IMMEDIATE: every GET waiting for the write lock). Here a request that writes is one transaction, and
        # one that fails (an exception, or any error answer) writes nothing; reads autocommit.
        if request.method not in self.atomic_methods:
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic(using=router.db_for_write(self.queryset.model)):  # the database its model is in
            response = super().dispatch(request, *args, **kwargs)
            if response.status_code >= 400:
                transaction.set_rollback(True)
            return response

    # endregion
    # region: validation
    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        # Django default: the query string is decoded with Content-Type's charset (request.encoding); contract: UTF-8.
        request.encoding = "utf-8"
        return super().initialize_request(request, *args, **kwargs)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # DRF default: authentication and permissions run before the method is looked up (a bad token on a PUT to
        # /items would be 401); contract: 405 first, and a 405 never looks at credentials.
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)  # authentication (401), permissions (401, 403): no body read yet
        # DRF default: an empty body is never parsed and reads as {}; contract: 415 or 400 like any body not JSON.
        if request.method in {"POST", "PUT", "PATCH"} and request.stream is None:
            parser = self.get_content_negotiator().select_parser(request, self.get_parsers())
            if parser is None:
                raise UnsupportedMediaType(request.content_type)
            if isinstance(parser, JSONParser):  # an empty form (POST /token) is a form, with nothing in it
                raise ParseError("JSON parse error - the body is empty.")

    # endregion
    # region: auth
    # DRF default: OPTIONS is authenticated and its permissions checked too (a bad token, or none on /users/me: 401);
    # contract: OPTIONS never looks at credentials.
    def perform_authentication(self, request: Request) -> None:
        if request.method != "OPTIONS":
            super().perform_authentication(request)

    def check_permissions(self, request: Request) -> None:
        if request.method != "OPTIONS":
            super().check_permissions(request)

    # endregion
    # region: errors
    @property
    def allowed_methods(self) -> list[str]:
        # DRF default: OPTIONS (always answered) is named in Allow; contract: the spec's methods only.
        return [method for method in super().allowed_methods if method != "OPTIONS"]

    @property
    def default_response_headers(self) -> dict[str, str]:
        return {}  # DRF default: Allow on every response; contract: on 405 (problems.py) and OPTIONS only

    def options(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # DRF default: 200 with the view's metadata; contract: 204, no body, Allow.
        return Response(status=204, headers={"Allow": ", ".join(self.allowed_methods)})


# endregion


@extend_schema_view(
    # region: list
    list=extend_schema(
        operation_id="listItems",
        summary="List items, filtered, sorted and paginated.",
        parameters=[ItemQuerySerializer, CHALLENGE],
        responses={200: ItemSerializer(many=True), **problems.responses(401, 422)},
    ),
    # endregion
    # region: create
    create=extend_schema(
        operation_id="createItem",
        summary="Create an item; its owner is the user the token names.",
        # drf-spectacular default: no response headers; contract: the 201's Location (get_success_headers below).
        parameters=[LOCATION, CHALLENGE],
        responses={
            201: OpenApiResponse(ItemSerializer, "The item was created."),
            **problems.responses(400, 401, 413, 415, 422),
        },
    ),
    # endregion
    # region: retrieve
    retrieve=extend_schema(
        operation_id="getItem",
        summary="Read one item.",
        parameters=[CHALLENGE],
        responses={200: ITEM, **problems.responses(401, 404)},
    ),
    # endregion
    # region: update
    update=extend_schema(
        operation_id="replaceItem",
        summary="Replace an item; optional fields left out go back to their defaults.",
        parameters=[CHALLENGE],
        responses={200: ITEM, **problems.responses(400, 401, 403, 404, 413, 415, 422)},
    ),
    partial_update=extend_schema(
        operation_id="updateItem",
        summary="Change only the fields given; `description` null clears it; `{}` changes nothing.",
        parameters=[CHALLENGE],
        responses={200: ITEM, **problems.responses(400, 401, 403, 404, 413, 415, 422)},
    ),
    # endregion
    # region: delete
    destroy=extend_schema(
        operation_id="deleteItem",
        summary="Delete an item.",
        parameters=[CHALLENGE],
        responses={
            204: OpenApiResponse(description="The item was deleted; the body is empty."),
            **problems.responses(401, 403, 404),
        },
    ),
    # endregion
)
# region: wiring
class ItemViewSet(ContractViewMixin, viewsets.ModelViewSet):
    queryset = Item.objects.select_related("owner")  # the owner's username in every answer, in the same query
    serializer_class = ItemSerializer
    lookup_url_kwarg = "item_id"
    lookup_value_converter = "item_id"  # urls.py: ASCII digits naming a positive int64, else 404
    # HEAD is answered as GET (DRF maps it to the router's "get"; wsgi.py drops the body), and Allow names it.
    # endregion
    # region: auth
    # DRF tutorial part 4: reads for anyone, writes with a token (401), changes by the owner only (403).
    permission_classes = [permissions.IsAuthenticatedOrReadOnly, IsOwnerOrReadOnly]

    # endregion
    # region: list
    def filter_queryset(self, queryset):
        # DRF default: the filter backends run for get_object() too; contract: the query is GET /items' only.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    # endregion
    # region: create
    def get_success_headers(self, data: dict[str, Any]) -> dict[str, str]:
        # DRF default: Location only from a "url" field; contract: Location: /items/{id}.
        return {"Location": reverse("item-detail", kwargs={"item_id": data["id"]})}

    # endregion
    # region: auth
    def perform_create(self, serializer: ItemSerializer) -> None:
        serializer.save(owner=self.request.user)  # DRF tutorial part 4: the owner is who asks, never the body

    # endregion
    # region: update
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # DRF default: get_object() (404, then IsOwnerOrReadOnly's 403) before validation; contract: 422 wins over an
        # unknown item and over another user's item, and 404 over 403. A PUT keeps the owner (not a field written).
        serializer = self.get_serializer(data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        serializer.instance = self.get_object()
        self.perform_update(serializer)
        return Response(serializer.data)


# endregion
# region: templates
class BrowseView(TemplateView):
    """``/``: the page of ``GET /items`` with the same query, as HTML for a browser (not part of the API).

    The rows, their order, the total and every 422 message come from ``ItemViewSet.list`` itself (its filter
    backends, pagination class and ``ItemQuerySerializer``), so the page cannot disagree with ``GET /items``. A plain
    Django view, so drf-spectacular leaves it out of ``/openapi.json``; a bad parameter is a 422 page, in HTML.
    """

    template_name = "items/browse.html"
    http_method_names = ["get", "head"]  # Django default: OPTIONS too (and 405 for the rest); a page only reads
    # Django 5.2 default: no Content-Security-Policy; here nothing but this server's style sheet, no script at all.
    content_security_policy = (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'"
    )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        api = ItemViewSet(action_map={"get": "list", "head": "list"}, args=(), kwargs={}, format_kwarg=None)
        api.request = api.initialize_request(request)  # as the API reads a query: UTF-8, whatever the labels say
        # The other parameters of the query, their last value as the API takes it; a new search starts at offset 0.
        kept = [(name, value) for name, value in request.GET.items() if name not in {"q", "offset"}]
        context = {"q": request.GET.get("q", ""), "kept": kept}
        try:
            page = api.list(api.request).data  # the ItemPage: {"items", "total", "limit", "offset"}
        except ValidationError as error:  # the API's own 422 errors, one per parameter
            context["errors"] = list(problems.field_errors(error.detail))
            response = self.render_to_response(self.get_context_data(**context), status=422)
        else:
            offset, limit, total = page["offset"], page["limit"], page["total"]
            context |= {"items": page["items"], "total": total}
            context["previous_offset"] = max(0, offset - limit) if offset > 0 else None
            context["next_offset"] = offset + limit if offset + limit < total else None
            response = self.render_to_response(self.get_context_data(**context))
        response["Content-Security-Policy"] = self.content_security_policy
        return response


# endregion
# region: docs
LINKS = {"GetItem": "getItem", "ReplaceItem": "replaceItem", "UpdateItem": "updateItem", "DeleteItem": "deleteItem"}


def complete_document(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    """A ``POSTPROCESSING_HOOKS`` entry (settings.py): what ``extend_schema`` has no argument for."""
    # drf-spectacular default: a body whose fields are all optional is optional; contract: PATCH needs one ({}).
    result["paths"]["/items/{item_id}"]["patch"]["requestBody"]["required"] = True
    # drf-spectacular default: no links (it has no API for them); contract: the 201 links to the new item.
    result["paths"]["/items"]["post"]["responses"]["201"]["links"] = {
        name: {"operationId": operation, "parameters": {"item_id": "$response.body#/id"}}
        for name, operation in LINKS.items()
    }
    # The same for the new user (auth.py's UserViewSet).
    result["paths"]["/users"]["post"]["responses"]["201"]["links"] = {
        "GetUser": {"operationId": "getUser", "parameters": {"user_id": "$response.body#/id"}}
    }
    return result


# endregion

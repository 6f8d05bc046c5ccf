"""Accounts: sign-up and the users (``UserViewSet``), and ``POST /token`` (``TokenView``).

Who is asking is ``BearerAuthentication`` (authentication.py, djangorestframework-simplejwt) and what they may do
``IsOwnerOrReadOnly`` (permissions.py); the users are ``django.contrib.auth``'s, their passwords hashed by Django's
``PASSWORD_HASHERS``; their validation is ``UserSerializer`` (serializers.py).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, get_user_model
from django.db import IntegrityError, router, transaction
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.tokens import AccessToken

from . import problems
from .serializers import ClosedSerializer, UserSerializer
from .views import CHALLENGE, ContractViewMixin

# region: auth
User = get_user_model()
USER = OpenApiResponse(UserSerializer, "The user.")
USER_LOCATION = OpenApiParameter(
    "Location",
    {"type": "string", "pattern": "^/users/[1-9][0-9]*$"},
    OpenApiParameter.HEADER,
    required=True,
    description="The new user's path, `/users/{id}`.",
    response=[201],
)


CACHE_CONTROL = OpenApiParameter(
    "Cache-Control", {"type": "string", "const": "no-store"}, OpenApiParameter.HEADER, required=True, response=[200]
)


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = "That username is taken."
    default_code = "conflict"


@extend_schema(tags=["accounts"])  # drf-spectacular default: the path's first segment, "users"
@extend_schema_view(
    create=extend_schema(
        operation_id="createUser",
        summary="Sign up.",
        parameters=[USER_LOCATION, CHALLENGE],
        responses={
            201: OpenApiResponse(UserSerializer, "The account was created."),
            **problems.responses(400, 401, 409, 413, 415, 422),
        },
    ),
    retrieve=extend_schema(
        operation_id="getUser",
        summary="Read one user.",
        parameters=[CHALLENGE],
        responses={200: USER, **problems.responses(401, 404)},
    ),
    me=extend_schema(
        operation_id="getCurrentUser",
        summary="The user the token names.",
        parameters=[CHALLENGE],
        responses={200: USER, **problems.responses(401)},
    ),
)
# POST /users (public), GET /users/{user_id} (public) and GET /users/me (a token). No docstring: drf-spectacular would
# show it as every operation's description.
class UserViewSet(ContractViewMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = User.objects.all()
    serializer_class = UserSerializer
    lookup_url_kwarg = "user_id"
    lookup_value_converter = "user_id"  # urls.py: like item_id, ASCII digits naming a positive int64, else 404
    permission_classes = [permissions.AllowAny]  # settings.py default: IsAuthenticatedOrReadOnly (POST needs a token)

    def perform_create(self, serializer: UserSerializer) -> None:
        # The database's unique constraint decides, after every 422 (a savepoint, so the request's transaction
        # goes on): two sign-ups racing for one name get 201 and 409.
        try:
            with transaction.atomic(using=router.db_for_write(User)):
                serializer.save()
        except IntegrityError:
            raise Conflict() from None

    def get_success_headers(self, data: dict[str, Any]) -> dict[str, str]:
        # DRF default: Location only from a "url" field; contract: Location: /users/{id}.
        return {"Location": reverse("user-detail", kwargs={"user_id": data["id"]})}

    @action(detail=False, permission_classes=[permissions.IsAuthenticated])
    def me(self, request: Request) -> Response:
        return Response(self.get_serializer(request.user).data)


class TokenRequestError(exceptions.APIException):
    """A 400 problem carrying RFC 6749 §5.2's ``error`` member (problems.py writes ``members`` into the body)."""

    status_code = 400

    def __init__(self, error: str, detail: str) -> None:
        super().__init__(detail, error)
        self.members = {"error": error}


TOKEN_ERRORS = ["invalid_request", "unsupported_grant_type", "invalid_grant"]
TOKEN_ERROR = problems.StatusProblemSerializer(
    400, name="TokenError", members={"error": {"type": "string", "enum": TOKEN_ERRORS}}
)


class TokenRequestSerializer(serializers.Serializer):
    """Documentation only: the form of ``POST /token`` (``TokenView.post`` reads it, to RFC 6749's rules)."""

    grant_type = serializers.ChoiceField(["password"])
    username = serializers.CharField(allow_blank=True)  # drf-spectacular: no minLength (empty is invalid_request)
    password = serializers.CharField(allow_blank=True)


class TokenSerializer(ClosedSerializer):
    """Documentation only: RFC 6749 §5.1's answer."""

    access_token = serializers.CharField(read_only=True, min_length=1, help_text="Opaque to clients.")
    token_type = serializers.ChoiceField(["Bearer"], read_only=True)
    expires_in = serializers.IntegerField(
        read_only=True, min_value=1, help_text="Seconds the token is valid for (the server's `TOKEN_TTL_SECONDS`)."
    )


def check_password(request: Request, username: str, password: str):
    """The user ``username`` names, when ``password`` is theirs; else ``None``, after the same work either way.

    Django's ``authenticate()`` (``ModelBackend``) hashes the password once for an unknown user too (Django ticket
    #20760), so neither the answer nor its time tells which usernames exist; its ``user_login_failed`` signal masks
    the password. A name holding NUL, which no user has and PostgreSQL's text cannot hold, gets the same hash.
    """
    if "\x00" in username:
        User().set_password(password)  # what ModelBackend does for an unknown user
        return None
    return authenticate(request, username=username, password=password)


# simplejwt default: TokenObtainPairView ({"access", "refresh"}; 400 by field, 401 no_active_account); contract: this.
class TokenView(ContractViewMixin, APIView):
    """``POST /token``: OAuth 2.0's password grant (RFC 6749 §4.3), for this API's own clients only.

    The answer is RFC 6749 §5.1's ``{"access_token", "token_type", "expires_in"}`` with ``Cache-Control: no-store``;
    the errors are RFC 6749 §5.2's ``error`` in a 400 problem. Not simplejwt's ``TokenObtainPairView``: it takes JSON
    or a form without ``grant_type``, answers ``{"access", "refresh"}``, a missing field as 400 by field and a wrong
    password as 401 ``no_active_account``.
    """

    authentication_classes = []  # DRF default: the Authorization header is read; contract: not on /token
    # ContractViewMixin default: a POST in a transaction (on SQLite BEGIN IMMEDIATE, the write lock); /token only
    # reads, and must hold no lock while it hashes a password on purpose slowly.
    atomic_methods = frozenset()
    permission_classes = [permissions.AllowAny]
    parser_classes = [FormParser]  # application/x-www-form-urlencoded (any charset parameter); else 415

    @extend_schema(
        operation_id="createToken",
        tags=["accounts"],
        summary="Trade a username and password for a bearer token (RFC 6749 §4.3, first-party only).",
        # drf-spectacular default: the view's docstring; here the spec's words, for the client.
        description="The form's `grant_type`, `username` and `password` are required (a parameter sent empty counts "
        "as missing, RFC 6749 §3.1; one sent twice is `invalid_request`); others, such as `scope`, are ignored. An "
        "unknown user and a wrong password get the same answer, after the same work. The `Authorization` header is "
        "not read here.",
        request={"application/x-www-form-urlencoded": TokenRequestSerializer},
        parameters=[CACHE_CONTROL],
        responses={
            200: OpenApiResponse(TokenSerializer, "A token; `Cache-Control: no-store` (RFC 6749 §5.1)."),
            (400, problems.PROBLEM_JSON): OpenApiResponse(TOKEN_ERROR, "RFC 6749 §5.2's error, or no form."),
            **problems.responses(413, 415),
        },
    )
    def post(self, request: Request) -> Response:
        form = request.data
        grant_type = self.parameter(form, "grant_type")
        if grant_type != "password":
            raise TokenRequestError("unsupported_grant_type", "Only the password grant is supported.")
        username, password = self.parameter(form, "username"), self.parameter(form, "password")
        user = check_password(request, username, password)
        if user is None:
            raise TokenRequestError("invalid_grant", "The username or password is not right.")
        token = AccessToken.for_user(user)  # simplejwt: HS256 with SECRET_KEY, exp after ACCESS_TOKEN_LIFETIME
        expires_in = int(token.lifetime.total_seconds())
        body = {"access_token": str(token), "token_type": "Bearer", "expires_in": expires_in}
        return Response(body, headers={"Cache-Control": "no-store"})  # RFC 6749 §5.1

    @staticmethod
    def parameter(form, name: str) -> str:
        """A form parameter sent exactly once and not empty (RFC 6749 §3.1), else ``invalid_request``."""
        values = form.getlist(name)
        if len(values) > 1:
            raise TokenRequestError("invalid_request", f"The parameter {name} is repeated.")
        if not values or not values[0]:
            raise TokenRequestError("invalid_request", f"The parameter {name} is missing.")
        return values[0]


# endregion

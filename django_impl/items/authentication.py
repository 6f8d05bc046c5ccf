"""Who is asking: ``BearerAuthentication``, djangorestframework-simplejwt's ``JWTAuthentication`` to the contract.

``REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]`` (settings.py) names it, so DRF imports this module while
``rest_framework.views`` is still loading: it must not import a view (the endpoints are in auth.py).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.settings import api_settings


# region: auth
class BearerAuthentication(JWTAuthentication):
    """``Authorization: Bearer <token>`` (RFC 6750 §2.1), the token a signed JWT from ``POST /token``.

    ``authenticate`` answers ``None`` (anonymous) without the header or with another scheme (Basic, ...), and
    raises ``AuthenticationFailed`` (a 401 with ``error="invalid_token"``) for a token that is malformed, expired,
    signed with another key or with another algorithm (``alg: none`` too: PyJWT accepts HS256 only), or whose user
    is gone or inactive. The session and basic authentication of DRF's defaults are not used (settings.py).
    """

    www_authenticate_realm = "items"  # simplejwt default: "api"

    def get_raw_token(self, header: bytes) -> bytes | None:
        # simplejwt default: the scheme only as AUTH_HEADER_TYPES spells it ("Bearer"); contract: any case (RFC 9110
        # §11.1: auth-schemes are case-insensitive), so "bearer" is respelled before simplejwt reads it.
        scheme, separator, credentials = header.partition(b" ")
        if scheme.lower() == self.scheme.lower().encode():
            header = self.scheme.encode() + separator + credentials
        return super().get_raw_token(header)

    def authenticate_header(self, request: Request) -> str:
        """The ``WWW-Authenticate`` of a 401 (RFC 6750 §3), which DRF asks of the first authentication class.

        ``error="invalid_token"`` when the request sent a bearer token: DRF answers 401 only to a request that did
        not authenticate, so that token was refused. Without credentials (or with another scheme) the challenge
        carries no error code, as RFC 6750 §3.1 asks. DRF default: without this method, a 403 instead of a 401.
        """
        challenge = f'{self.scheme} realm="{self.www_authenticate_realm}"'
        header = self.get_header(request)
        if header and header.partition(b" ")[0].lower() == self.scheme.lower().encode():
            challenge += ', error="invalid_token"'
        return challenge

    @property
    def scheme(self) -> str:
        return api_settings.AUTH_HEADER_TYPES[0]  # "Bearer" (settings.py SIMPLE_JWT)


class BearerAuthenticationScheme(OpenApiAuthenticationExtension):
    """The spec's one security scheme, ``bearerAuth``: OAuth 2.0's password flow, so Swagger UI's Authorize button
    posts the login form to ``/token``. drf-spectacular default (its contrib extension for simplejwt): ``jwtAuth``,
    an HTTP bearer scheme, which Swagger UI offers as a box for a token pasted from elsewhere."""

    target_class = BearerAuthentication
    name = "bearerAuth"
    priority = 1  # before drf-spectacular's own extension for JWTAuthentication and its subclasses

    def get_security_definition(self, auto_schema) -> dict[str, Any]:
        return {
            "type": "oauth2",
            "description": (
                "A bearer token from `POST /token` (OAuth 2.0's password flow, so that Swagger UI's Authorize "
                "button works), sent as `Authorization: Bearer`."
            ),
            "flows": {"password": {"tokenUrl": "/token", "scopes": {}}},
        }


# endregion

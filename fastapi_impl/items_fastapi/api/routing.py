"""What every router needs of Starlette's routing beyond its defaults: ids in paths, HEAD, 405 and OPTIONS.

Each routes module (items.py, users.py, login.py) declares its operations, then calls ``finish(router)``.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.routing import APIRoute
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send


# region: validation
def positive_integers_up_to(limit: int) -> str:
    """A regular expression for the ASCII decimal numbers 1 to ``limit`` (leading zeros allowed)."""
    digits = str(limit)
    # Fewer digits than limit has, or as many with a smaller digit where they first differ, or limit itself.
    shorter = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    smaller_at = [
        f"{digits[:at]}[{int(at == 0)}-{int(digit) - 1}][0-9]{{{len(digits) - at - 1}}}"
        for at, digit in enumerate(digits)
        if int(digit) > int(at == 0)
    ]
    return f"0*(?:{'|'.join([*shorter, *smaller_at, digits])})"


class IdConvertor(Convertor[int]):
    """``{item_id:id}``, ``{user_id:id}``: a positive int64 in ASCII digits; anything else is no route at all (404)."""

    # Starlette default (int): [0-9]+, so 0 and ids beyond int64 reach the operation; contract: 404 first.
    regex = positive_integers_up_to(2**63 - 1)

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("id", IdConvertor())


# endregion
# region: errors
class OtherMethods:
    """An ASGI app for the methods no operation on ``path`` defines: 405, or 204 for ``OPTIONS``, with ``Allow``.

    An app rather than a function, so that Starlette routes every method to it (a function gets GET only). It
    never reads ``Authorization``: an ``OPTIONS`` or a 405 answers the same with any credentials or none.
    """

    def __init__(self, router: APIRouter, path: str) -> None:
        operations = [route for route in router.routes if isinstance(route, APIRoute) and route.path == path]
        self.allow = ", ".join(sorted(method for route in operations for method in route.methods))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "OPTIONS":
            raise HTTPException(405, headers={"Allow": self.allow})
        await Response(status_code=204, headers={"Allow": self.allow})(scope, receive, send)


def finish(router: APIRouter) -> None:
    """A HEAD route beside each GET one, then, on each path, a route for every other method (405, OPTIONS)."""
    # FastAPI default: an APIRoute takes only the methods it is given, so HEAD is a 405; RFC 9110 §9.3.2 (so the
    # contract): HEAD answers as GET, without the body (uvicorn sends none). A HEAD route beside each GET one, left
    # out of the document: the spec defines no HEAD operation (methods=["GET", "HEAD"] would document one).
    for get in [route for route in router.routes if isinstance(route, APIRoute) and "GET" in route.methods]:
        router.add_api_route(
            get.path,
            get.endpoint,
            methods=["HEAD"],
            response_model=get.response_model,
            status_code=get.status_code,
            dependencies=get.dependencies,
            name=f"{get.name}_head",
            include_in_schema=False,
        )
    # Starlette default: a 405 whose Allow names the methods of the first route on the path only (GET alone
    # for /items), and OPTIONS is a 405 like any other; contract: Allow names every method, OPTIONS is a 204.
    # The router falls back on a route that takes every method, added after the operations.
    paths = dict.fromkeys(route.path for route in router.routes if isinstance(route, APIRoute))
    for path in paths:
        router.add_route(path, OtherMethods(router, path), include_in_schema=False)


# endregion

"""The request body: read as its framing says, decoded as JSON, handed to webargs only as a JSON object.

Everything that can be wrong with a body before the schema sees it, in the contract's order: 415 (media
type, content coding), 413 (size), 400 (framing, not JSON, not an object). ``Blueprint`` (the views'
flask-smorest blueprints) parses with ``JSONObjectParser``; ``POST /token``'s form goes through
``read_form`` (the same rules, then werkzeug's form parser).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import flask_smorest
from flask import Request, abort, current_app
from marshmallow import Schema
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest, ClientDisconnected, HTTPException

from . import schemas


# region: validation
def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook``: a JSON object as a dict, refusing duplicate names (RFC 7493 §2.3, I-JSON).

    Names are compared as ``json`` unescapes them (``"t\\u0069tle"`` is ``title``), and case counts.
    """
    members = dict(pairs)
    if len(members) != len(pairs):
        raise ValueError("duplicate member name")
    return members


def content_codings(req: Request) -> set[str]:
    """The codings ``Content-Encoding`` names (RFC 9110 §8.4), lowercased, ``identity`` left out."""
    return {coding.strip().lower() for coding in (req.content_encoding or "").split(",")} - {"", "identity"}


def require_media_type(req: Request, media_type: str) -> None:
    """415 unless the body is ``media_type`` (any parameter, such as ``charset``, ignored) with no content coding."""
    # (werkzeug has lowercased the media type and dropped its parameters.)
    if req.mimetype != media_type:
        abort(415, f"The body's Content-Type must be {media_type}.")
    # werkzeug default: Content-Encoding is left to the application (a gzip body reads as bytes); contract: 415.
    if content_codings(req):
        abort(415, "The body must not have a Content-Encoding (RFC 9110 §15.5.16).")


@contextlib.contextmanager
def body_timeout(environ: dict[str, Any], seconds: float) -> Iterator[None]:
    """While the body is read, a wait of more than ``seconds`` for the client's next bytes raises ``TimeoutError``.

    gunicorn gives the application its client socket (``environ["gunicorn.socket"]``) and reads the body from
    it; other servers: nothing changes.
    """
    sock = environ.get("gunicorn.socket")
    if sock is None:
        yield
        return
    previous = sock.gettimeout()
    sock.settimeout(seconds)
    try:
        yield
    finally:
        sock.settimeout(previous)


def read_body(req: Request) -> bytes:
    """The request body, as the WSGI server delivers it.

    Raises ``RequestEntityTooLarge`` (413) past ``MAX_CONTENT_LENGTH``, and ``BadRequest`` (400) when the
    body's framing is broken: the server says so by raising from ``wsgi.input.read()``, and PEP 3333 leaves
    what to the server (gunicorn: ``InvalidChunkSize``, ``ChunkMissingTerminator``...; an ``OSError``, a
    client gone or silent past ``REQUEST_BODY_TIMEOUT``, werkzeug makes ``ClientDisconnected``, a 400).
    """
    try:
        # gunicorn default: a sync worker waits for the bytes a body's framing promises (a chunk of 2**80 bytes)
        # as long as the client keeps the connection, until --timeout kills the worker, no answer; contract: 400.
        with body_timeout(req.environ, current_app.config["REQUEST_BODY_TIMEOUT"]):
            body = req.get_data(cache=True)  # a Content-Length over MAX_CONTENT_LENGTH: werkzeug raises 413 here
            # werkzeug default: a chunked body (no Content-Length) is cut at MAX_CONTENT_LENGTH silently; contract: 413.
            if req.content_length is None and len(body) == req.max_content_length and req.environ["wsgi.input"].read(1):
                abort(413)
    except ClientDisconnected as error:
        # werkzeug's own words blame "the browser (or proxy)"; the body simply stopped short.
        raise BadRequest("The body stopped before its end: the client closed its side or went silent.") from error
    except HTTPException:
        raise
    except Exception as error:
        # Flask default: the server's own parse error escapes the view as a 500; contract: framing errors are 400.
        raise BadRequest("The body's framing is broken (RFC 9112 §6, §7.1).") from error
    # werkzeug default: when the server sets wsgi.input_terminated (gunicorn always does), a body that ends before
    # its Content-Length (the client closed its side) reads as what came; contract: 400 (RFC 9112 §6.3).
    if req.content_length is not None and len(body) != req.content_length:
        raise BadRequest("The body ended before its Content-Length (RFC 9112 §6.3).")
    return body


def parse_json(body: bytes) -> Any:
    """The JSON document ``body`` holds (RFC 8259, UTF-8 whatever ``charset`` says); ``BadRequest`` (400) if none."""
    try:
        # json.loads defaults: NaN and Infinity accepted, the last duplicate name wins, ValueError past 4,300
        # digits; contract: 400, 400, and an integer of any length (``schemas.integer``: beyond the bounds, a 422).
        document = json.loads(
            body.decode("utf-8"),
            parse_constant=_refuse_constant,
            object_pairs_hook=_unique_members,
            parse_int=schemas.integer,
        )
        # Valid JSON, but "\ud800" alone is no Unicode text, and no database would store it.
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError):
        # webargs default: an empty body reads as {}; contract: 400 like any other non-JSON body.
        # json default: nesting past the recursion limit raises RecursionError (a 500); contract: 400.
        abort(400, "The body is not JSON (RFC 8259, UTF-8, unique member names).")
    return document


class JSONObjectParser(FlaskParser):
    """webargs' FlaskParser, reading a request body only when it is a JSON object sent as JSON."""

    def load_json(self, req: Request, schema: Schema) -> Any:
        # webargs default: any other content type (even none) reads as {}, so a 422, and application/*+json is
        # taken; contract: 415.
        require_media_type(req, "application/json")
        document = parse_json(read_body(req))
        # marshmallow default: [] or "x" is a 422 ("_schema": "Invalid input type."); contract: 400.
        if not isinstance(document, dict):
            abort(400, "The body must be a JSON object.")
        return document


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = JSONObjectParser()  # flask-smorest default: webargs' FlaskParser as it comes


# endregion
# region: auth
def read_form(req: Request) -> ImmutableMultiDict[str, str]:
    """An ``application/x-www-form-urlencoded`` body (the HTML form's encoding), every value of every name.

    Raises 415, 413 and 400 as ``load_json`` does. werkzeug's form parser reads the bytes ``read_body`` cached,
    as UTF-8 whatever ``charset`` says; bytes that are not UTF-8 read as an empty form.
    """
    require_media_type(req, "application/x-www-form-urlencoded")
    read_body(req)
    return req.form


# endregion

"""WSGI entry point for gunicorn: ``gunicorn items_django.wsgi``."""

import contextlib
import io
import json
import os
import socket
from collections.abc import Iterator

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "items_django.settings")


# region: wiring
@contextlib.contextmanager
def body_timeout(sock: socket.socket | None, seconds: float) -> Iterator[None]:
    """While the body is read, waiting more than ``seconds`` for the client's next bytes raises ``TimeoutError``.

    gunicorn default: a sync worker waits for every byte the framing promises (a chunk of 2**80 bytes) until
    ``--timeout`` (30 s) aborts it with a 500; gunicorn hands the application its client socket
    (``environ["gunicorn.socket"]``), whose timeout bounds the wait. Another server (``sock`` None): no change.
    """
    if sock is None:
        yield
        return
    previous = sock.gettimeout()
    sock.settimeout(seconds)
    try:
        yield
    finally:
        sock.settimeout(previous)


def read_whole_bodies(app):
    """Read each request body to its end before Django sees it, as a buffering server (waitress) does.

    Django default: it reads ``CONTENT_LENGTH`` bytes, none without it, so a chunked body (RFC 9112 §7.1)
    reads as empty (Django ticket #35838, open), and a body cut short (the client closed its side) reads as
    what came. Here a chunked body, which the server decodes and marks with ``wsgi.input_terminated``
    (gunicorn does), is read up to one byte past ``DATA_UPLOAD_MAX_MEMORY_SIZE`` and given a length, so
    that Django answers a longer one 413; a body that ends before its ``Content-Length``, and malformed
    chunked framing (the server's stream raises its own exception: gunicorn's ``InvalidChunkSize``,
    ``ChunkMissingTerminator``, ``NoMoreData``; PEP 3333 names none), are a 400 problem, and so is a body
    whose next bytes do not come within ``REQUEST_BODY_TIMEOUT`` seconds (settings.py). A declared length
    over the limit is left to Django (415 or 413, in the contract's order), unread.
    """
    from items.problems import PROBLEM_JSON, problem  # after django.setup(): the caller built ``app`` first

    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    def bad_request(start_response, detail: str) -> list[bytes]:
        body = json.dumps(problem(400, detail)).encode()
        start_response("400 Bad Request", [("Content-Type", PROBLEM_JSON), ("Content-Length", str(len(body)))])
        return [body]

    def wsgi(environ, start_response):
        declared = environ.get("CONTENT_LENGTH", "")
        terminated = bool(environ.get("wsgi.input_terminated")) and not declared  # chunked, or no body at all
        expected = limit + 1 if terminated else int(declared) if declared.isdigit() else 0
        if expected and expected <= limit + 1:
            try:
                with body_timeout(environ.get("gunicorn.socket"), settings.REQUEST_BODY_TIMEOUT):
                    body = environ["wsgi.input"].read(expected)
            except TimeoutError:
                return bad_request(start_response, "The request body stopped arriving before its end.")
            except Exception:  # the server's own exception for bad framing, or a connection lost
                return bad_request(start_response, "The request body's framing is malformed.")
            if not terminated and len(body) < expected:
                return bad_request(start_response, "The request body ended before its Content-Length.")
            environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        return app(environ, start_response)

    return wsgi


def omit_head_bodies(app):
    """Answer ``HEAD`` with the status and headers ``GET`` gets, and no body (RFC 9110 §9.3.2).

    Django default: a ``HEAD`` answer carries ``GET``'s body for the server to drop (gunicorn does, logging a
    warning for each); Werkzeug drops it itself, as here. ``Content-Length`` stays ``GET``'s.
    """

    def wsgi(environ, start_response):
        response = app(environ, start_response)
        if environ["REQUEST_METHOD"] != "HEAD":
            return response
        if hasattr(response, "close"):  # PEP 3333: the server would have called it (Django: request_finished)
            response.close()
        return []

    return wsgi


application = read_whole_bodies(omit_head_bodies(get_wsgi_application()))
# endregion

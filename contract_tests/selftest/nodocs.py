"""flask_impl without its docs pages: the spec's server that a stranger might bring, for the suite's self-test.

    gunicorn 'contract_tests.selftest.nodocs:create_app()'   # in flask_impl's folder and virtualenv

A WSGI layer in front of flask_impl's own application answers ``/openapi.json``, ``/docs`` and ``/redoc``
(and everything under them) 404 problem+json, as an unknown route; every other request reaches the
application untouched. The spec's paths name none of those pages, so this server still conforms to the
spec, and the suite at ``--base-url`` must pass it (DESIGN.md asks the pages of this repository's own
implementations only: the ``repository`` group).
"""

from __future__ import annotations

import json

HIDDEN = ("/openapi.json", "/docs", "/redoc")


def without_docs(app):
    def application(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not any(path == page or path.startswith(page + "/") for page in HIDDEN):
            return app(environ, start_response)
        body = json.dumps({"type": "about:blank", "title": "Not Found", "status": 404, "detail": "No such page."})
        start_response(
            "404 Not Found",
            [("Content-Type", "application/problem+json"), ("Content-Length", str(len(body.encode())))],
        )
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body.encode()]

    return application


def create_app():
    from items_flask.app import create_app as flask_app  # flask_impl's own factory, from its virtualenv

    return without_docs(flask_app())

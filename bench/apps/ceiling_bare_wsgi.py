"""The WSGI ceiling: a bare WSGI callable answering every request with one fixed JSON body.

No framework, no routing, no database: what the WSGI server itself can do on this machine.
"""

BODY = b'{"message":"Hello, World!"}'
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]


def app(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]

"""WSGI entry point for gunicorn: ``gunicorn items_django.wsgi``."""

import io
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "items_django.settings")


# region: wiring
def read_chunked_bodies(app):
    """Give a chunked request body (no ``Content-Length``) a length, so that Django reads it.

    Django default: it reads ``CONTENT_LENGTH`` bytes, none without it, so a chunked body is empty;
    gunicorn decodes the chunks (``wsgi.input_terminated``). One byte past the limit is enough for
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` to answer 413.
    """

    def wsgi(environ, start_response):
        if environ.get("wsgi.input_terminated") and not environ.get("CONTENT_LENGTH"):
            body = environ["wsgi.input"].read(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
            environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        return app(environ, start_response)

    return wsgi


application = read_chunked_bodies(get_wsgi_application())
# endregion

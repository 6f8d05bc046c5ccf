"""ASGI entry point (unused by impl.toml, which serves WSGI with gunicorn)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "items_django.settings")

application = get_asgi_application()

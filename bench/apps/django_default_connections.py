"""Django's own settings with the connection pool taken out, for one benchmark variant: Django's default.

items_django/settings.py gives each process a psycopg pool (``OPTIONS["pool"]``); Django's default is a new
connection for every request (``CONN_MAX_AGE = 0``). This variant measures what that default costs.
Selected with ``DJANGO_SETTINGS_MODULE=django_default_connections`` and this folder on ``PYTHONPATH``.
"""

from items_django.settings import *  # noqa: F403

DATABASES["default"].get("OPTIONS", {}).pop("pool", None)  # noqa: F405

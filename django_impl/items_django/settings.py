"""Settings for items_django, cookiecutter-django style: environment first, every DRF knob in one place.

Environment: ``DATABASE_URL`` (``sqlite:///items.db`` in the working directory when unset),
``SECRET_KEY`` (required unless ``DJANGO_DEBUG``), ``TOKEN_TTL_SECONDS`` (default 3600), ``DJANGO_DEBUG`` (off
unless "1"/"true"), ``ALLOWED_HOSTS`` (comma-separated).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

# region: settings
BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = os.environ.get("DJANGO_DEBUG", "").lower() in {"1", "true", "yes", "on"}
# endregion
# region: auth
# Signs the bearer tokens (SIMPLE_JWT below), the admin's sessions and CSRF tokens: one secret for every worker of a
# server, so it comes from the environment. startproject's default: a key written into settings.py; contract: a
# production start (DEBUG off) without SECRET_KEY stops here, and only DEBUG falls back on a development key.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY in the environment (DJANGO_DEBUG=1 uses a development key).")
    SECRET_KEY = "django-insecure-development-only-set-SECRET_KEY"
# Seconds a bearer token from POST /token is valid for (its expires_in).
TOKEN_TTL_SECONDS = int(os.environ.get("TOKEN_TTL_SECONDS", "3600"))
# Django default: no rule (startproject writes four); here POST /users' minimum, 8 characters, for the passwords the
# admin's forms and createsuperuser's prompt set (POST /users checks its own: UserSerializer).
AUTH_PASSWORD_VALIDATORS = [{"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"}]
# endregion
# region: settings
# Django default: [] (with DEBUG off, no host at all); contract: ALLOWED_HOSTS from the environment, exact names,
# any port; another Host is a DisallowedHost, answered 400 by handler400 (urls.py).
ALLOWED_HOSTS = [host.strip() for host in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc as static files: no CDN
    "items",
]

MIDDLEWARE = [
    "items.problems.DatabaseUnavailableMiddleware",  # 503 while the database cannot be reached
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files (admin, docs) under gunicorn, DEBUG off
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "items_django.urls"
WSGI_APPLICATION = "items_django.wsgi.application"
# Django default: a path that matches only with a slash added (/admin) redirects; contract: unknown routes are 404s.
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "items_django" / "templates"],  # the ReDoc page without its web fonts
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def database(url: str) -> dict[str, object]:
    """``sqlite:///relative.db``, ``sqlite:////absolute.db`` or ``postgresql://user:password@host:port/name``."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": unquote(parts.path.removeprefix("/")),
            # Django default: CONN_MAX_AGE 0, a new connection (file open, init_command) per request; a worker keeps
            # its one SQLite connection (PostgreSQL's connections come from the pool below instead).
            "CONN_MAX_AGE": None,
            "OPTIONS": {
                # Django default: DEFERRED, "database is locked" when two requests read then write; IMMEDIATE waits.
                "transaction_mode": "IMMEDIATE",
                # SQLite default: a rollback journal (readers and the writer block each other) synced at every
                # commit; WAL lets reads go on beside the writer, NORMAL syncs at checkpoints (SQLite's "WAL" page).
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    if parts.scheme in {"postgres", "postgresql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",  # psycopg 3
            "NAME": unquote(parts.path.removeprefix("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": {
                # Django default: a connection per request (per thread under ASGI: "too many clients"); a pool.
                "pool": {
                    # psycopg_pool default: 4 connections kept open; each one found broken after an outage costs the
                    # request 1, 2, 4 s more (getconn's backoff). One kept, up to 4 (ASGI) while requests wait.
                    "min_size": 1,
                    "max_size": 4,
                    # psycopg_pool default: a request waits 30 s for a connection; contract: 503 within 5 s.
                    "timeout": 3,
                    # psycopg_pool default: a failed connection is retried for 5 min with exponential backoff (the
                    # pool stays short long after the database is back); contract: retried on demand, soon.
                    "reconnect_timeout": 2,
                },
                # libpq default: no limit (psycopg 3: 130 s) on connecting to a database that never answers.
                "connect_timeout": 2,
            },
            # Django default: False; with the pool, True checks each connection as it leaves the pool
            # (psycopg_pool's check_connection), so connections cut while idle are replaced, not used.
            "CONN_HEALTH_CHECKS": True,
        }
    raise ValueError(f"DATABASE_URL: unsupported scheme {parts.scheme!r} (sqlite:/// or postgresql://)")


DATABASES = {"default": database(os.environ.get("DATABASE_URL", "sqlite:///items.db"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django default: 2.5 MiB; contract: 413 above 1 MiB (problems.py turns RequestDataTooBig into it).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# Seconds a client may leave a request body without sending its next bytes: then 400 (wsgi.py).
REQUEST_BODY_TIMEOUT = 5

# Django default: with DEBUG off, a 500's traceback is only mailed to ADMINS (none); here it goes to stderr.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django": {"handlers": ["stderr"], "level": "ERROR"},
        "items": {"handlers": ["stderr"], "level": "WARNING"},  # why a request got 503 (problems.py)
    },
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True  # aware UTC datetimes from SQLite too; DRF writes them with a "Z"

STATIC_URL = "static/"
# whitenoise default: DEBUG; here it serves the installed apps' files (admin, sidecar) as they are installed,
# so there is no STATIC_ROOT and no collectstatic step.
WHITENOISE_USE_FINDERS = True

REST_FRAMEWORK = {
    # DRF default: JSON, form and multipart parsers; contract: a JSON object only, else 415 or 400.
    "DEFAULT_PARSER_CLASSES": ["items.parsers.JSONObjectParser"],
    # DRF default: JSON and the browsable API (HTML); contract: JSON only.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "items.parsers.JSONOnlyNegotiation",
    # endregion
    # region: auth
    # DRF default: session and basic authentication (a session from /admin/ would make POSTs need a CSRF token, and a
    # 401 would be a 403: SessionAuthentication has no challenge); contract: bearer tokens only, Basic ignored.
    "DEFAULT_AUTHENTICATION_CLASSES": ["items.authentication.BearerAuthentication"],
    # DRF default: AllowAny; contract: reads are public, writes need a token (views add the owner check).
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # endregion
    # region: settings
    "DEFAULT_PAGINATION_CLASS": "items.pagination.ItemPagination",
    "DEFAULT_FILTER_BACKENDS": ["items.filters.ItemFilter", "items.filters.ItemOrdering"],
    "EXCEPTION_HANDLER": "items.problems.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
# endregion
# region: auth
# djangorestframework-simplejwt: signed, expiring JWTs for BearerAuthentication (items/authentication.py).
SIMPLE_JWT = {
    # simplejwt default: 5 minutes; contract: TOKEN_TTL_SECONDS (the token's expires_in).
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=TOKEN_TTL_SECONDS),
    "SIGNING_KEY": SECRET_KEY,  # simplejwt's default too, named here: HS256 with the server's one secret
    "AUTH_HEADER_TYPES": ("Bearer",),  # RFC 6750 §2.1 (any case: BearerAuthentication.get_raw_token)
    "USER_ID_CLAIM": "user_id",  # not "sub": PyJWT requires a string there, and simplejwt writes the integer id
}
# endregion
# region: docs
SPECTACULAR_SETTINGS = {
    "TITLE": "Items API",
    "VERSION": "1.0.0",
    "DESCRIPTION": "One CRUD contract, implemented three times and judged over HTTP: here Django REST framework.",
    "LICENSE": {"name": "MIT", "identifier": "MIT"},
    "SERVERS": [{"url": "/"}],
    "TAGS": [{"name": "items"}, {"name": "accounts"}],
    "OAS_VERSION": "3.1.0",  # drf-spectacular default: 3.0.3
    "SERVE_INCLUDE_SCHEMA": False,  # the document does not describe /openapi.json itself
    "COMPONENT_SPLIT_REQUEST": True,  # ItemRequest and PatchedItemRequest apart from Item
    # drf-spectacular default: a custom converter is documented by its regex, as a string.
    "PATH_CONVERTER_OVERRIDES": {
        "item_id": {"type": "integer", "minimum": 1},
        "user_id": {"type": "integer", "minimum": 1},
    },
    # drf-spectacular default: only the enum hook; contract: also what extend_schema cannot say (views.py).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "items.views.complete_document"],
    # drf-spectacular default: Swagger UI and ReDoc from a CDN; contract: from an installed wheel.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},  # no badge from validator.swagger.io
}
# endregion

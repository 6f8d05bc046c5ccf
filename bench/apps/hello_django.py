"""TechEmpower-style JSON endpoint in Django: one view, no middleware, no database; WSGI and ASGI entry points.

``BENCH_ASYNC_VIEW=1`` makes the view an ``async def`` (Django's way to skip the thread hop of a sync view under
ASGI), so that Django in ASGI mode is measured with the view the ASGI path favours too.
"""

import os

import django
from django.conf import settings
from django.http import JsonResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-hello-only",
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={},
)
django.setup()


def hello(request):
    return JsonResponse({"message": "Hello, World!"})


async def hello_async(request):
    return JsonResponse({"message": "Hello, World!"})


urlpatterns = [path("hello", hello_async if os.environ.get("BENCH_ASYNC_VIEW") == "1" else hello)]

from django.core.asgi import get_asgi_application  # noqa: E402  (after settings.configure)
from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
asgi_application = get_asgi_application()

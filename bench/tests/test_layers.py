"""bench/layers.py: hand-written stacks, shaped as py-spy writes them, and the layer each must get."""

from __future__ import annotations

import pytest

from bench import layers

SITE = "/venv/lib/python3.11/site-packages"
STDLIB = "/usr/lib/python3.11"
OWN = "/repo/flask_impl"


def f(function: str, path: str, line: int = 1) -> str:
    """A frame: ``path`` under site-packages, or ``stdlib:``/``own:`` for the standard library and own code."""
    if path.startswith("stdlib:"):
        path = f"{STDLIB}/{path.removeprefix('stdlib:')}"
    elif path.startswith("own:"):
        path = f"{OWN}/{path.removeprefix('own:')}"
    else:
        path = f"{SITE}/{path}"
    return f"{function} ({path}:{line})"


GUNICORN = [f("SyncWorker.handle_request", "gunicorn/workers/sync.py"), f("Flask.__call__", "flask/app.py")]
UVICORN = [f("RequestResponseCycle.run_asgi", "uvicorn/protocols/http/httptools_impl.py")]
FASTAPI = [*UVICORN, f("request_response.<locals>.app", "fastapi/routing.py")]
DJANGO = [f("WSGIHandler.__call__", "django/core/handlers/wsgi.py"), f("View.dispatch", "rest_framework/views.py")]

CASES = {
    "the database's answer, awaited in psycopg": (
        [
            *GUNICORN,
            f("get_item", "own:items_flask/views.py"),
            f("Session.get", "sqlalchemy/orm/session.py"),
            f("Cursor.execute", "psycopg/cursor.py"),
            f("Connection.wait", "psycopg/connection.py"),
        ],
        "driver",
    ),
    "psycopg waiting in a selector is still the database": (
        [
            *GUNICORN,
            f("Connection.wait", "psycopg/connection.py"),
            f("wait_selector", "psycopg/waiting.py"),
            f("DefaultSelector.select", "stdlib:selectors.py"),
        ],
        "driver",
    ),
    "SQLAlchemy's own work": (
        [
            *GUNICORN,
            f("Session.get", "sqlalchemy/orm/session.py"),
            f("HasCacheKey._generate_cache_key", "sqlalchemy/sql/cache_key.py"),
        ],
        "orm",
    ),
    "sqlite3 in C, under SQLAlchemy's do_execute": (
        [
            *GUNICORN,
            f("Session.execute", "sqlalchemy/orm/session.py"),
            f("DefaultDialect.do_execute", "sqlalchemy/engine/default.py"),
        ],
        "driver",
    ),
    "sqlite3 in C, under Django's cursor wrapper": (
        [
            *DJANGO,
            f("QuerySet.get", "django/db/models/query.py"),
            f("CursorWrapper._execute", "django/db/backends/utils.py"),
            f("SQLiteCursorWrapper.execute", "django/db/backends/sqlite3/base.py"),
        ],
        "driver",
    ),
    "Django's ORM building SQL": (
        [
            *DJANGO,
            f("QuerySet.get", "django/db/models/query.py"),
            f("SQLCompiler.as_sql", "django/db/models/sql/compiler.py"),
        ],
        "orm",
    ),
    "json.dumps, called by Flask's JSON provider": (
        [
            *GUNICORN,
            f("DefaultJSONProvider.response", "flask/json/provider.py"),
            f("dumps", "stdlib:json/__init__.py"),
            f("JSONEncoder.iterencode", "stdlib:json/encoder.py"),
        ],
        "serialisation",
    ),
    "marshmallow dumping a response": (
        [
            *GUNICORN,
            f("wrapper", "flask_smorest/response.py"),
            f("Schema.dump", "marshmallow/schema.py"),
            f("Field.serialize", "marshmallow/fields.py"),
        ],
        "serialisation",
    ),
    "marshmallow loading a body through webargs": (
        [
            *GUNICORN,
            f("Parser.parse", "webargs/core.py"),
            f("Schema.load", "marshmallow/schema.py"),
            f("Field.deserialize", "marshmallow/fields.py"),
        ],
        "validation",
    ),
    "pydantic on the request body": (
        [
            *FASTAPI,
            f("solve_dependencies", "fastapi/dependencies/utils.py"),
            f("request_body_to_args", "fastapi/dependencies/utils.py"),
            f("ModelField.validate", "fastapi/_compat/v2.py"),
            f("TypeAdapter.validate_python", "pydantic/type_adapter.py"),
        ],
        "validation",
    ),
    "pydantic checking and dumping the response (FastAPI's serialize_response)": (
        [
            *FASTAPI,
            f("serialize_response", "fastapi/routing.py"),
            f("ModelField.validate", "fastapi/_compat/v2.py"),
            f("TypeAdapter.validate_python", "pydantic/type_adapter.py"),
        ],
        "serialisation",
    ),
    "DRF's serializer producing the representation": (
        [
            *DJANGO,
            f("RetrieveModelMixin.retrieve", "rest_framework/mixins.py"),
            f("Serializer.data", "rest_framework/serializers.py"),
            f("ModelSerializer.to_representation", "rest_framework/serializers.py"),
            f("DateTimeField.to_representation", "rest_framework/fields.py"),
        ],
        "serialisation",
    ),
    "DRF's serializer validating a body": (
        [
            *DJANGO,
            f("CreateModelMixin.create", "rest_framework/mixins.py"),
            f("Serializer.is_valid", "rest_framework/serializers.py"),
            f("CharField.run_validation", "rest_framework/fields.py"),
        ],
        "validation",
    ),
    "simplejwt checking a token": (
        [
            *DJANGO,
            f("Request._authenticate", "rest_framework/request.py"),
            f("JWTAuthentication.authenticate", "rest_framework_simplejwt/authentication.py"),
        ],
        "auth",
    ),
    "the implementation's own auth.py": (
        [*GUNICORN, f("load_user_from_request", "own:items_flask/auth.py")],
        "auth",
    ),
    "the implementation's own view code": (
        [*GUNICORN, f("get_item", "own:items_flask/views.py")],
        "app",
    ),
    "the user lookup of authentication is the ORM's (the leaf-most package decides)": (
        [
            *GUNICORN,
            f("load_user_from_request", "own:items_flask/auth.py"),
            f("Session.get", "sqlalchemy/orm/session.py"),
        ],
        "orm",
    ),
    "Starlette's router": (
        [*FASTAPI, f("Router.__call__", "starlette/routing.py"), f("Route.matches", "starlette/routing.py")],
        "routing",
    ),
    "werkzeug's URL map is routing, its request object the HTTP layer": (
        [*GUNICORN, f("MapAdapter.match", "werkzeug/routing/map.py")],
        "routing",
    ),
    "werkzeug's request object": (
        [*GUNICORN, f("Request.__init__", "werkzeug/sansio/request.py")],
        "http",
    ),
    "uvicorn's protocol writing the answer": (
        [*UVICORN, f("RequestResponseCycle.send", "uvicorn/protocols/http/httptools_impl.py")],
        "http",
    ),
    "a gunicorn sync worker waiting for a connection": (
        [f("SyncWorker.run_for_one", "gunicorn/workers/sync.py"), f("SyncWorker.wait", "gunicorn/workers/sync.py")],
        "idle",
    ),
    "an asyncio loop waiting in its selector": (
        [
            f("Server.serve", "uvicorn/server.py"),
            f("BaseEventLoop._run_once", "stdlib:asyncio/base_events.py"),
            f("EpollSelector.select", "stdlib:selectors.py"),
        ],
        "idle",
    ),
    "psycopg_pool's worker thread waiting for a task": (
        [
            f("ConnectionPool.worker", "psycopg_pool/pool.py"),
            f("Queue.get", "stdlib:queue.py"),
            f("Condition.wait", "stdlib:threading.py"),
        ],
        "idle",
    ),
    "uvloop's loop in C, no Python above it": (
        [
            f("Server.run", "uvicorn/server.py"),
            f("run", "stdlib:asyncio/runners.py", 190),
            f("Runner.run", "stdlib:asyncio/runners.py", 118),
        ],
        "idle",
    ),
    "only the standard library": (
        [f("<module>", "stdlib:runpy.py"), f("spawn_main", "stdlib:multiprocessing/spawn.py")],
        "other",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_layer_of_a_stack(name: str) -> None:
    stack, expected = CASES[name]
    assert layers.classify(stack, (OWN,)) == expected


def test_a_wait_in_c_is_told_by_its_source_line(tmp_path) -> None:
    """aiosqlite's thread: the same function waits for a command (``tx.get()``, in C) or runs one (sqlite3, in C)."""
    source = tmp_path / "site-packages" / "aiosqlite" / "core.py"
    source.parent.mkdir(parents=True)
    source.write_text("def _connection_worker_thread(tx):\n    future, function = tx.get()\n    result = function()\n")
    frame = f"_connection_worker_thread ({source}:{{}})"
    assert layers.classify([frame.format(2)]) == "idle"
    assert layers.classify([frame.format(3)]) == "driver"


def test_module_paths() -> None:
    assert layers.module_path(f"{SITE}/sqlalchemy/orm/query.py") == "sqlalchemy/orm/query.py"
    assert layers.module_path(f"{STDLIB}/json/encoder.py") == "stdlib/json/encoder.py"
    assert layers.module_path("<frozen os>") == "stdlib/os.py"
    assert layers.module_path(f"{OWN}/items_flask/auth.py", (OWN,)) == "own/auth.py"
    assert layers.split_frame("Flask.wsgi_app (/x/flask/app.py:1511)") == ("Flask.wsgi_app", "/x/flask/app.py", 1511)


def test_read_raw_keeps_the_workers_and_their_busy_threads() -> None:
    master = 'process 10:"gunicorn --workers 2"'
    worker = 'process 11:"python -c from multiprocessing.spawn import spawn_main; spawn_main(tracker_fd=7)"'
    wait = f("Connection.wait", "psycopg/connection.py")
    raw = "\n".join(
        [
            f"{master};thread (10): MainThread;{f('Arbiter.sleep', 'gunicorn/arbiter.py')} 50",  # the master: dropped
            f"{master};{worker};thread (11): MainThread;{';'.join(GUNICORN)};{wait} 7",
            f"{master};{worker};thread (11): MainThread;{f('SyncWorker.wait', 'gunicorn/workers/sync.py')} 2",
            f"{master};{worker};thread (12): pool;{f('Condition.wait', 'stdlib:threading.py')} 40",  # idle helper
            f"{master};{worker};thread (12): pool;{';'.join(GUNICORN)} 1",  # a helper thread's work counts
            f"{master};{worker};thread (11): MainThread 3",  # no Python frame at that moment
        ]
    )
    found = layers.read_raw(raw, {11}, (OWN,))
    assert found["layers"] == {"driver": 7, "idle": 2, "other": 3}  # the main thread's
    assert found["threads"] == {"routing": 1}  # the other threads' work, apart
    assert sum(found["dropped"].values()) == 90
    assert sum(found["stacks"].values()) == 12

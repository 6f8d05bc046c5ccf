"""Which layer of the stack a profiler sample belongs to: the rule table, in one place.

A sample is one call stack of a server's worker (py-spy's raw format: frames root first, each
``function (path:line)``). Its layer is decided by **the leaf-most frame that belongs to a classified
package**: the frame nearest to what the CPU was doing whose module matches a rule below. Standard-library
frames match no rule (a ``json.dumps`` is serialisation when the serialiser called it), except ``sqlite3``.
Two refinements, both in the tables below:

- *driver calls*: a C driver (``sqlite3``, psycopg's C waiting) has no Python frame of its own, so the time it
  takes lands on the ORM frame that called it; ``DRIVER_CALLS`` names those call sites (SQLAlchemy's
  ``do_execute``, Django's ``SQLiteCursorWrapper.execute``...), which count as the driver's;
- *direction*: a package that both validates and serialises (pydantic, marshmallow, DRF's serializers) is
  resolved by the outermost ``DIRECTIONS`` marker on the stack, the call that says why it runs
  (``Schema.dump``: serialisation; ``Schema.load``: validation; FastAPI's ``serialize_response``, which also
  validates what the endpoint returned: serialisation), else by the rule's own default.

A sample whose leaf is a wait (``IDLE_LEAVES``: a selector, a condition variable, a queue) is *idle or waiting*,
unless a driver decides its layer: a sync worker waiting for its next request, a thread waiting for work. An
async worker's event loop counts there too when no Python runs above it (uvloop is C: it is then waiting for
sockets, clients' or the database's, or running its own C code; py-spy cannot tell which without ``--native``),
so an async worker's database waits are "idle or waiting", while a sync worker's are the driver's. Sampling
with py-spy's ``--idle`` keeps those samples, which its own idle heuristic drops only in part.

Paths are matched after ``module_path``: the part after ``site-packages/``, after ``lib/pythonX.Y/`` for the
standard library (``stdlib/`` in front), or after the implementation's folder for its own code (``own/`` in
front). ``read_raw`` reads py-spy's raw recording of a server into these layers. The test is
bench/tests/test_layers.py (``nox -s tests`` runs it).
"""

from __future__ import annotations

import linecache
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# --- the layers, in the order of a request (and of the stacked bars) -----------------------------------
LAYERS = {
    "http": "HTTP server and parsing",
    "routing": "routing and middleware",
    "auth": "authentication",
    "validation": "body parsing and validation",
    "app": "the implementation's own code",
    "orm": "ORM",
    "driver": "driver and database",
    "serialisation": "serialisation",
    "other": "interpreter and standard library",
    "idle": "idle or waiting",
}
CODEC = "codec"  # a rule's placeholder: validation or serialisation, by the direction markers on the stack


@dataclass(frozen=True)
class Rule:
    path: str  # a prefix of module_path(), e.g. "sqlalchemy/" or "fastapi/routing.py"
    layer: str  # a key of LAYERS, or CODEC
    function: str | None = None  # a regex searched in the frame's function (qualified name), or any
    default: str = "validation"  # for CODEC: the layer when no direction marker is on the stack

    def matches(self, path: str, function: str) -> bool:
        return path.startswith(self.path) and (self.function is None or re.search(self.function, function) is not None)


def _rules(layer: str, *paths: str, function: str | None = None, default: str = "validation") -> list[Rule]:
    return [Rule(path, layer, function, default) for path in paths]


# Call sites in the ORMs whose own time is a C driver's (see the module's docstring): the driver's layer.
DRIVER_CALLS = [
    *_rules("driver", "sqlalchemy/engine/default.py", function=r"\bdo_(execute|execute_no_params|executemany)$"),
    *_rules("driver", "sqlalchemy/engine/default.py", function=r"\bdo_(commit|rollback|close|ping|begin)$"),
    *_rules("driver", "sqlalchemy/engine/cursor.py", function=r"FetchStrategy\.fetch(one|many|all)$"),
    *_rules("driver", "django/db/backends/sqlite3/base.py", function=r"SQLiteCursorWrapper\.execute(many)?$"),
    *_rules("driver", "django/db/backends/base/base.py", function=r"\._(commit|rollback|close|savepoint\w*)$"),
    *_rules("driver", "django/db/models/sql/compiler.py", function=r"cursor_iter\.<locals>\.<lambda>$"),
    *_rules("driver", "django/db/backends/", function=r"DatabaseWrapper\.get_new_connection$"),
    *_rules("driver", "sqlalchemy/engine/default.py", function=r"DefaultDialect\.connect$"),
]

# Where a package works both ways, the outermost of these on the stack says which way (see the docstring).
DIRECTIONS = [
    *_rules("serialisation", "marshmallow/schema.py", function=r"Schema\.(dump|dumps|_serialize)$"),
    *_rules("validation", "marshmallow/schema.py", function=r"Schema\.(load|loads|validate|_do_load|_deserialize)$"),
    *_rules("serialisation", "rest_framework/serializers.py", function=r"\.(data|to_representation)$"),
    *_rules("validation", "rest_framework/serializers.py", function=r"\.(is_valid|run_validation|to_internal_value)$"),
    *_rules("serialisation", "pydantic/", function=r"(model_dump\w*|dump_python|dump_json)$"),
    *_rules("validation", "pydantic/", function=r"(model_validate\w*|validate_python|validate_json|__init__)$"),
    *_rules("serialisation", "fastapi/routing.py", function=r"serialize_response$"),
    *_rules("serialisation", "fastapi/encoders.py"),
    *_rules("serialisation", "fastapi/_compat", function=r"serialize"),
    *_rules("validation", "fastapi/_compat", function=r"validate"),
    *_rules("validation", "fastapi/dependencies/utils.py", function=r"request_(body|params)_to_args$"),
]

# The rule table: the first rule that matches a frame gives the frame's layer (specific rules first).
RULES = [
    *DRIVER_CALLS,
    # driver and database
    *_rules("driver", "psycopg/", "psycopg_binary/", "psycopg_c/", "psycopg2/", "psycopg_pool/", "asyncpg/"),
    *_rules("driver", "aiosqlite/", "stdlib/sqlite3/"),
    # ORM (the pool, the unit of work, the SQL compiler, the dialects' adaptation of the drivers)
    *_rules("orm", "sqlalchemy/", "flask_sqlalchemy/", "greenlet/", "django/db/"),
    # authentication (and authorisation: who may do this)
    *_rules("auth", "jwt/", "rest_framework_simplejwt/", "flask_login/", "itsdangerous/", "pwdlib/", "argon2/"),
    *_rules("auth", "rest_framework/authentication.py", "rest_framework/permissions.py", "django/contrib/auth/"),
    *_rules("auth", "fastapi/security/"),
    # body parsing and validation; serialisation; and the packages that do both (CODEC)
    *_rules("validation", "webargs/", "flask_smorest/arguments.py", "rest_framework/parsers.py"),
    *_rules("validation", "fastapi/dependencies/utils.py", function=r"(_validate_value\w*|_get_multidict_value)$"),
    *_rules("validation", "starlette/requests.py", function=r"Request\.(body|json|stream|form|_get_form)$"),
    *_rules("serialisation", "starlette/responses.py", function=r"(render|JSONResponse\.__init__)$"),
    *_rules("serialisation", "fastapi/encoders.py"),
    *_rules("serialisation", "fastapi/routing.py", function=r"serialize_response$"),
    *_rules("serialisation", "flask/json/", "flask_smorest/response.py", "rest_framework/renderers.py"),
    *_rules("serialisation", "rest_framework/utils/encoders.py", "django/core/serializers/", "orjson/", "ujson/"),
    *_rules(CODEC, "pydantic/", "pydantic_core/", "fastapi/_compat", "marshmallow/", default="validation"),
    *_rules(CODEC, "rest_framework/serializers.py", "rest_framework/fields.py", "rest_framework/relations.py"),
    *_rules(CODEC, "rest_framework/validators.py", "rest_framework/utils/serializer_helpers.py"),
    # HTTP server and parsing (and the request and response objects that the frameworks build on them)
    *_rules("http", "gunicorn/", "uvicorn/", "httptools/", "h11/", "uvloop/", "granian/", "websockets/"),
    *_rules("http", "starlette/responses.py", "django/http/"),
    *_rules("http", "django/core/handlers/wsgi.py", function=r"^(WSGIRequest|LimitedStream|get_\w+_from_environ)"),
    *_rules("routing", "werkzeug/routing/", "werkzeug/local.py"),
    *_rules("http", "werkzeug/"),
    # routing and middleware: the frameworks' dispatch, dependency solving, middleware, view classes
    *_rules("routing", "starlette/", "fastapi/", "anyio/", "sniffio/", "flask/", "flask_smorest/", "blinker/"),
    *_rules("routing", "django/core/", "django/urls/", "django/middleware/", "django/contrib/", "django/conf/"),
    *_rules("routing", "django/dispatch/", "django/views/", "rest_framework/", "django_filters/", "whitenoise/"),
    *_rules("routing", "drf_spectacular/", "asgiref/"),
    # the implementation's own code: its accounts and its schemas by file name, the rest as its own
    *[Rule(f"own/{name}", "auth") for name in ("auth.py", "authentication.py", "permissions.py")],
    Rule("own/deps.py", "auth", r"user|credential"),
    *[Rule(f"own/{name}", CODEC) for name in ("schemas.py", "serializers.py", "json_body.py", "parsers.py")],
    Rule("own/", "app"),
]
for _rule in RULES:  # a typo in the table would put samples nowhere
    assert _rule.layer in LAYERS or _rule.layer == CODEC, _rule

# The leaf frames of a thread waiting for work (see the docstring): path prefix and function. Such a sample is
# idle unless a driver decides its layer (psycopg may wait for PostgreSQL's answer in a selector: the database's
# time), except where that frame is a driver's loop waiting for its next task (``IDLE_CALLERS``: psycopg_pool's
# worker and scheduler threads).
IDLE_LEAVES = [
    Rule("stdlib/selectors.py", "idle", r"\.select$"),
    Rule("stdlib/threading.py", "idle", r"\.(wait|join|_wait_for_tstate_lock)$"),
    Rule("stdlib/queue.py", "idle", r"\.get$"),
    Rule("stdlib/multiprocessing/connection.py", "idle", r"\.(_recv\w*|recv\w*|_?poll)$"),
    Rule("stdlib/multiprocessing/resource_tracker.py", "idle", r"^main$"),
    Rule("gunicorn/workers/sync.py", "idle", r"\.wait$"),
    Rule("gunicorn/arbiter.py", "idle", r"\.(sleep|wait_for_signals)$"),
    # uvloop's loop is C: with no Python frame above it, the loop waits for sockets or runs its own C code
    Rule("stdlib/asyncio/runners.py", "idle", r"(^|\.)run$"),
    Rule("stdlib/asyncio/base_events.py", "idle", r"\.(run_until_complete|run_forever)$"),
]
IDLE_CALLERS = [Rule("psycopg_pool/", "idle", r"(ConnectionPool\.worker|Scheduler\.run|Queue\.get)$")]
# A leaf that waits in C (a ``SimpleQueue.get``, no Python frame of its own): told by its source line, read from the
# file the frame names (linecache), since the same function also runs the driver's C calls on another line.
IDLE_LINES = [(Rule("aiosqlite/core.py", "idle", r"_connection_worker_thread$"), re.compile(r"\.get\("))]


# --- frames ----------------------------------------------------------------------------------------------
FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")
STDLIB = re.compile(r"/lib/python3\.\d+/")


def split_frame(frame: str) -> tuple[str, str, int | None]:
    """``"Flask.wsgi_app (/x/site-packages/flask/app.py:1511)"`` -> ``("Flask.wsgi_app", "/x/.../app.py", 1511)``;
    a frame without a location (py-spy's ``process`` and ``thread`` frames) -> ``(frame, "", None)``."""
    found = FRAME.match(frame)
    if found is None:
        return frame, "", None
    line = found["line"]
    return found["function"], found["file"], int(line) if line else None


def module_path(file: str, own_roots: Sequence[str] = ()) -> str:
    """The path the rules match: ``sqlalchemy/orm/query.py``, ``stdlib/json/encoder.py``, ``own/views.py``.

    ``own_roots``: folders of the implementation's own code (``/work/main/flask_impl/items_flask/views.py``
    under root ``/work/main/flask_impl`` is ``own/items_flask/views.py``: only its file name counts below).
    Frozen modules (``<frozen os>``) are the standard library's; anything else unknown is returned as is.
    """
    if "/site-packages/" in file:
        return file.rsplit("/site-packages/", 1)[1]
    if file.startswith("<frozen "):
        return "stdlib/" + file.removeprefix("<frozen ").removesuffix(">").replace(".", "/") + ".py"
    for root in own_roots:
        root = root.rstrip("/") + "/"
        if file.startswith(root):
            return "own/" + file.removeprefix(root).rsplit("/", 1)[-1]
    stdlib = STDLIB.search(file)
    if stdlib:
        return "stdlib/" + file[stdlib.end() :]
    return file


def _first(rules: Iterable[Rule], path: str, function: str) -> Rule | None:
    return next((rule for rule in rules if rule.matches(path, function)), None)


def frame_rule(frame: str, own_roots: Sequence[str] = ()) -> Rule | None:
    """The rule that classifies one frame, or None (standard library, interpreter, unknown)."""
    function, file, _ = split_frame(frame)
    return _first(RULES, module_path(file, own_roots), function) if file else None


def classify(stack: Sequence[str], own_roots: Sequence[str] = ()) -> str:
    """The layer (a key of ``LAYERS``) of one sample; ``stack``: frames root first, without process/thread frames."""
    frames = [(module_path(file, own_roots), function, file, line) for function, file, line in map(split_frame, stack)]
    located = [(path, function) for path, function, file, _ in frames if file]
    deciding = next(((at, r) for at in reversed(range(len(located))) if (r := _first(RULES, *located[at]))), None)
    layer = deciding[1].layer if deciding else "other"
    if layer == CODEC:
        marker = next((m for path, function in located if (m := _first(DIRECTIONS, path, function))), None)
        layer = marker.layer if marker else deciding[1].default
    if not located:
        return layer
    path, function, file, line = next(frame for frame in reversed(frames) if frame[2])
    source = linecache.getline(file, line or 0)
    if any(rule.matches(path, function) and pattern.search(source) for rule, pattern in IDLE_LINES):
        return "idle"
    if _first(IDLE_LEAVES, path, function) and (layer != "driver" or _first(IDLE_CALLERS, *located[deciding[0]])):
        return "idle"
    return layer


# --- py-spy's raw output (--subprocesses --threads --format raw) -----------------------------------------------
# A raw line: py-spy's process frames (quoted command lines, which may hold ";"), a thread frame, the stack, a count.
RAW_LINE = re.compile(r'^(?P<processes>(?:process \d+:"[^"]*"(?:;|$))*)(?P<rest>.*) (?P<n>\d+)$')
PROCESS = re.compile(r'process (\d+):"')
THREAD = re.compile(r"^thread \((?P<tid>\d+)\)[^;]*(?:;|$)")


def read_raw(text: str, workers: set[int], own_roots: Sequence[str] = ()) -> dict:
    """The workers' samples of a raw recording (``--subprocesses --threads``), by layer, stack and leaf.

    The shares are of each worker's main thread, the one that serves requests (gunicorn's sync worker, uvicorn's
    event loop): ``layers``, ``stacks`` (frames root first, without py-spy's process and thread frames) and
    ``leaves`` count those. A worker's other threads (uvicorn's health ping, a thread pool, psycopg_pool's and
    aiosqlite's threads) run beside it: their samples that are not idle are counted apart, in ``threads``
    (per layer), and their idle ones dropped. Returns ``{"stacks": Counter, "layers": Counter[layer], "leaves":
    Counter[(leaf, layer)], "calls": Counter[function], "threads": Counter[layer], "dropped": {reason: samples}}``;
    ``calls`` counts the main threads' samples in which a function (``name (module path)``) is on the stack.
    """
    stacks: Counter[tuple[str, ...]] = Counter()
    counts: Counter[str] = Counter()
    leaves: Counter[tuple[str, str]] = Counter()
    threads: Counter[str] = Counter()
    calls: Counter[str] = Counter()
    dropped: Counter[str] = Counter()
    for line in text.splitlines():
        found = RAW_LINE.match(line)
        if found is None:
            continue
        n = int(found["n"])
        pids = PROCESS.findall(found["processes"])
        pid = int(pids[-1]) if pids else None
        if pid not in workers:
            dropped["not a worker (the server's master or a helper process)"] += n
            continue
        rest, tid = found["rest"], None
        thread = THREAD.match(rest)
        if thread:
            rest, tid = rest[thread.end() :], int(thread["tid"])
        frames = tuple(rest.split(";")) if rest else ()  # none: the thread ran no Python at that moment
        layer = classify(frames, own_roots)
        if tid is not None and tid != pid:  # on Linux a process's main thread has the process's id
            if layer == "idle":
                dropped["a worker's other thread, waiting for work"] += n
            else:
                threads[layer] += n
            continue
        stacks[frames] += n
        counts[layer] += n
        function, file, line_no = split_frame(frames[-1]) if frames else ("(no Python frame)", "", None)
        where = f" ({module_path(file, own_roots)}:{line_no})" if file else ""
        leaves[(function + where, layer)] += n
        for name in {f"{f} ({module_path(file, own_roots)})" for f, file, _ in map(split_frame, frames) if file}:
            calls[name] += n
    return {
        "stacks": stacks,
        "layers": counts,
        "leaves": leaves,
        "calls": calls,
        "threads": threads,
        "dropped": dict(dropped),
    }

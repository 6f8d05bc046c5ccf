"""The targets: an app under a server in a venv, started on a free 127.0.0.1 port.

An implementation's primary target is exactly its ``impl.toml`` (its production server, in its own venv
``.nox/impl-NAME``). Everything else is built here from a server *configuration* (which server, how many
worker processes), so that each implementation can be set against what the same configuration does at best:

- a second server: the same app under granian (or uvicorn with httptools and uvloop, or Django's ASGI app
  under uvicorn), from ``.nox/bench-NAME`` (the implementation plus those servers);
- the server ceiling: a bare ASGI or WSGI callable answering fixed JSON (``apps/ceiling_bare_*.py``);
- the raw data path: one hand-written SQL query per request through the driver (``apps/ceiling_raw_*.py``);
- the articles' "hello" endpoint in each framework (``apps/hello_*.py``).

Servers are started and stopped by ``contract_tests.server.running`` (a process group, killed at the end).
"""

from __future__ import annotations

import contextlib
import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from contract_tests import implementations, server

APPS = Path(__file__).resolve().parent / "apps"

# Where each implementation's app is, for the servers that impl.toml does not name.
APP_SPECS = {
    "fastapi": {"asgi": "items_fastapi.main:app"},
    "flask": {"wsgi": "items_flask.app:create_app()"},
    "django": {"wsgi": "items_django.wsgi:application", "asgi": "items_django.asgi:application"},
}
HELLO_SPECS = {
    "fastapi": {"asgi": "hello_fastapi:app"},
    "flask": {"wsgi": "hello_flask:app"},
    "django": {"wsgi": "hello_django:application", "asgi": "hello_django:asgi_application"},
}
# uvicorn picks httptools and uvloop when they are installed: say which, so that a venv with
# uvicorn[standard] can still run the plain configuration that the implementations' venvs have.
UVICORN_PLAIN = ("--http", "h11", "--loop", "asyncio")
UVICORN_FAST = ("--http", "httptools", "--loop", "uvloop")


@dataclass(frozen=True)
class ServerConfig:
    kind: str  # uvicorn | uvicorn-std | gunicorn | granian
    interface: str  # asgi | wsgi
    workers: int

    @property
    def key(self) -> str:
        return f"{self.kind}-w{self.workers}"

    @property
    def label(self) -> str:
        what = {
            "uvicorn": "uvicorn (h11, asyncio)",
            "uvicorn-std": "uvicorn[standard] (httptools, uvloop)",
            "gunicorn": "gunicorn (sync workers)",
            "granian": f"granian ({self.interface.upper()})",
        }[self.kind]
        return f"{what}, {self.workers} worker{'s' if self.workers > 1 else ''}"

    def command(self, spec: str) -> list[str]:
        port = ["--host", "127.0.0.1", "--port", "{port}"]
        workers = ["--workers", str(self.workers)]
        if self.kind in ("uvicorn", "uvicorn-std"):
            flags = UVICORN_PLAIN if self.kind == "uvicorn" else UVICORN_FAST
            return ["uvicorn", spec, *port, *workers, *flags, "--no-access-log", "--log-level", "warning"]
        if self.kind == "gunicorn":
            return ["gunicorn", "--bind", "127.0.0.1:{port}", *workers, spec]
        factory = ["--factory"] if spec.endswith("()") else []
        return [
            "granian",
            "--interface",
            self.interface,
            *port,
            *workers,
            *factory,
            "--log-level",
            "warning",
            spec.removesuffix("()"),
        ]


@dataclass(frozen=True)
class Target:
    key: str  # app@server-wN: the name used in filters, results and charts
    label: str
    role: str  # impl | second | hello | bare | raw
    app: str  # fastapi | flask | django | bare-asgi | raw-wsgi | ...
    server: ServerConfig
    venv: str  # folder under .nox
    folder: Path
    command: tuple[str, ...]
    prepare: tuple[tuple[str, ...], ...] = ()
    ready_path: str = "/health"
    database: bool = True
    own_table: bool = False  # the benchmark creates the table (raw ceilings)
    accounts: bool = False  # an implementation: users, tokens, owners (bench/accounts.py); not the ceilings
    env: dict[str, str] = field(default_factory=dict)

    @property
    def production(self) -> bool:
        """Exactly impl.toml's server, in the implementation's own venv."""
        return self.role == "impl" and self.venv.startswith("impl-")

    def as_implementation(self) -> implementations.Implementation:
        return implementations.Implementation(
            name=self.key.replace("@", "-"),
            folder=self.folder,
            framework=self.label,
            server=self.server.kind,
            language="Python",
            packages=(),
            install=(),
            prepare=self.prepare,
            serve=self.command,
            ready_path=self.ready_path,
            env=dict(self.env),
        )


def primary_config(impl: implementations.Implementation) -> ServerConfig:
    """The server configuration that impl.toml's serve command describes."""
    command = list(impl.serve)
    workers = int(command[command.index("--workers") + 1]) if "--workers" in command else 1
    interface = "asgi" if impl.server == "uvicorn" else "wsgi"
    kind = impl.server
    if kind == "uvicorn" and "uvloop" in command:  # uvicorn[standard]'s loop and parser, as FastAPI's docs deploy it
        kind = "uvicorn-std"
    return ServerConfig(kind, interface, workers)


def primary(impl: implementations.Implementation) -> Target:
    return Target(
        key=f"{impl.name}@{primary_config(impl).key}",
        label=f"{impl.framework} on {impl.server}",
        role="impl",
        app=impl.name,
        server=primary_config(impl),
        venv=f"impl-{impl.name}",
        folder=impl.folder,
        command=tuple(impl.serve),
        prepare=impl.prepare,
        ready_path=impl.ready_path,
        env=dict(impl.env),
        accounts=True,
    )


def variant(impl: implementations.Implementation, config: ServerConfig, role: str = "second") -> Target:
    """The implementation's app under another server configuration, from its bench venv."""
    spec = APP_SPECS[impl.name][config.interface]
    prepare = impl.prepare  # the migrations: tables made once, before any worker starts
    return Target(
        key=f"{impl.name}@{config.key}",
        label=f"{impl.framework} on {config.label}",
        role=role,
        app=impl.name,
        server=config,
        venv=f"bench-{impl.name}",
        folder=impl.folder,
        command=tuple(config.command(spec)),
        prepare=prepare,
        ready_path=impl.ready_path,
        env=dict(impl.env),
        accounts=True,
    )


def django_default_connections(impl: implementations.Implementation) -> Target:
    """Django under its production server with Django's default connections (no pool: a settings override)."""
    config = primary_config(impl)
    env = {**impl.env, "DJANGO_SETTINGS_MODULE": "django_default_connections", "PYTHONPATH": str(APPS)}
    return Target(
        key=f"{impl.name}-nopool@{config.key}",
        label=f"{impl.framework} on {impl.server}, Django's default connections (one per request, no pool)",
        role="second",
        app=impl.name,
        server=config,
        venv=f"impl-{impl.name}",
        folder=impl.folder,
        command=tuple(impl.serve),
        prepare=impl.prepare,
        ready_path=impl.ready_path,
        env=env,
        accounts=True,
    )


def hello(impl: implementations.Implementation, config: ServerConfig, async_view: bool = False) -> Target:
    """The framework's hello app (bench/apps/hello_NAME.py) under ``config``; Django's can take an async view."""
    plain = config.kind == "gunicorn" or (config.kind == "uvicorn" and impl.server == "uvicorn")
    app = f"hello-{impl.name}{'-async' if async_view else ''}"
    return Target(
        key=f"{app}@{config.key}",
        label=f"{impl.name} hello{' (async view)' if async_view else ''} on {config.label}",
        role="hello",
        app=app,
        server=config,
        venv=f"impl-{impl.name}" if plain else f"bench-{impl.name}",
        folder=APPS,
        command=tuple(config.command(HELLO_SPECS[impl.name][config.interface])),
        ready_path="/hello",
        database=False,
        env={"BENCH_ASYNC_VIEW": "1"} if async_view else {},
    )


def ceiling(kind: str, config: ServerConfig, venv: str) -> Target:
    """``kind`` bare (fixed JSON) or raw (hand-written SQL through the driver)."""
    app = f"{kind}-{config.interface}"
    return Target(
        key=f"{app}@{config.key}",
        label=f"{'bare' if kind == 'bare' else 'raw driver'} {config.interface.upper()} on {config.label}",
        role=kind,
        app=app,
        server=config,
        venv=venv,
        folder=APPS,
        command=tuple(config.command(f"ceiling_{kind}_{config.interface}:app")),
        database=kind == "raw",
        own_table=kind == "raw",
        env={"DATABASE_URL": "{database_url}", "BENCH_TABLE": "items"} if kind == "raw" else {},
    )


@contextlib.contextmanager
def running(target: Target, venv_root: Path, database_url: str, log_dir: Path) -> Iterator[str]:
    venv = (venv_root / target.venv).resolve()
    if not (venv / "bin" / "python").exists():
        raise server.ServerError(f"{target.key}: no venv at {venv} (nox -s bench builds it)")
    with server.running(target.as_implementation(), database_url, log_dir, venv) as base_url:
        yield base_url


def get_json(url: str, timeout: float = 10) -> object:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())

"""Targets, servers and the browser for the browser tests (docs pages, admins, browse pages).

pytest browser_tests --impls fastapi,flask --impl-venvs .nox   # start these implementations (default: all)
pytest browser_tests --base-url http://127.0.0.1:8000          # a server already running
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from browser_tests import browser as docs_browser
from contract_tests import databases, implementations, server

ARTIFACTS = Path(os.environ.get("CONTRACT_ARTIFACTS", implementations.ROOT / "contract-artifacts"))


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("browser", "API docs, admins and browse pages in a real browser")
    group.addoption("--impls", metavar="A,B,...", help="implementations to start (default: every *_impl/)")
    group.addoption("--impl-venvs", metavar="DIR", help="folder holding an impl-NAME virtualenv per implementation")
    group.addoption("--base-url", metavar="URL", help="test a server already running at URL instead")
    group.addoption(
        "--screenshots",
        metavar="DIR",
        default=str(ARTIFACTS / "screenshots"),
        help="where the screenshots go (default: contract-artifacts/screenshots)",
    )


def target_names(config: pytest.Config) -> list[str]:
    """``["base-url"]`` with ``--base-url``, else the implementations of ``--impls`` (default: all)."""
    if config.getoption("--base-url"):
        return ["base-url"]
    if config.getoption("--impls"):
        return config.getoption("--impls").split(",")
    return list(implementations.discover())


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "target" in metafunc.fixturenames:
        metafunc.parametrize("target", target_names(metafunc.config))


@dataclass
class Started:
    """A server the tests use: its URL and, when this run started it, how (to run commands beside it)."""

    url: str
    impl: implementations.Implementation | None = None
    database_url: str = ""
    venv: Path | None = None
    secret_key: str | None = None
    cache: dict = field(default_factory=dict)  # what fixtures set up on it once (an administrator, seed data)

    def environment(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """The environment the server runs with (same database, same secret), plus ``extra``."""
        port = urlsplit(self.url).port
        return server.impl_environment(self.impl, port, self.database_url, self.venv, extra, self.secret_key)


class Servers:
    """Servers by target and role: ``--base-url``, or an implementation started on first use on a fresh SQLite file.

    Each role ("main" for the docs and the admin, "browse" for the browse page's own seeded data) is a server
    of its own on a database of its own, so what one test writes never shows in another's listing.
    """

    def __init__(self, config: pytest.Config, stack: contextlib.ExitStack) -> None:
        self.config, self.stack = config, stack
        self.started: dict[tuple[str, str], Started] = {}
        self.failures: dict[tuple[str, str], server.ServerError] = {}
        self.base_url = (config.getoption("--base-url") or "").rstrip("/")

    def get(self, target: str, role: str = "main") -> Started:
        if target == "base-url":
            return self.started.setdefault((target, "main"), Started(self.base_url))
        key = (target, role)
        if key in self.failures:  # a server that would not start once is not started again for every test
            raise self.failures[key]
        if key not in self.started:
            impl = implementations.get(target)
            venvs = self.config.getoption("--impl-venvs")
            venv = Path(venvs).resolve() / f"impl-{target}" if venvs else None
            database = self.stack.enter_context(databases.sqlite())
            secret = secrets.token_urlsafe(32)
            log_name = f"{target}-server.log" if role == "main" else f"{target}-{role}-server.log"
            try:
                url = self.stack.enter_context(
                    server.running(impl, database, ARTIFACTS / "browser", venv, log_name=log_name, secret_key=secret)
                )
            except server.ServerError as error:
                self.failures[key] = error
                raise
            self.started[key] = Started(url, impl, database, venv, secret)
        return self.started[key]

    def url(self, target: str, role: str = "main") -> str:
        return self.get(target, role).url


@pytest.fixture(scope="session")
def servers(request: pytest.FixtureRequest) -> Iterator[Servers]:
    with contextlib.ExitStack() as stack:
        yield Servers(request.config, stack)


@pytest.fixture
def started(target: str, servers: Servers) -> Started:
    try:
        return servers.get(target)
    except server.ServerError as error:
        pytest.fail(f"{target}: {error}", pytrace=False)


@pytest.fixture
def base_url(started: Started) -> str:
    return started.url


@pytest.fixture(scope="session")
def targets(request: pytest.FixtureRequest) -> list[str]:
    """Every target of this run, for a test that compares them."""
    return target_names(request.config)


@pytest.fixture(scope="session")
def chromium():
    executable = docs_browser.chromium_executable()
    if executable is None:
        pytest.fail(
            "Chromium not found: install Debian's chromium package (apt-get install chromium; `nox -s browser` "
            "does it where it can) or set CHROMIUM to a Chromium binary",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=docs_browser.CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def screenshots(request: pytest.FixtureRequest) -> Path:
    return Path(request.config.getoption("--screenshots")).resolve()

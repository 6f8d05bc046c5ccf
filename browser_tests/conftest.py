"""Targets and the browser for the docs pages' test.

pytest browser_tests --impls fastapi,flask --impl-venvs .nox   # start these implementations (default: all)
pytest browser_tests --base-url http://127.0.0.1:8000          # a server already running
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser_tests import browser as docs_browser
from contract_tests import databases, implementations, server

ARTIFACTS = Path(os.environ.get("CONTRACT_ARTIFACTS", implementations.ROOT / "contract-artifacts"))


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("browser", "API docs in a real browser")
    group.addoption("--impls", metavar="A,B,...", help="implementations to start (default: every *_impl/)")
    group.addoption("--impl-venvs", metavar="DIR", help="folder holding an impl-NAME virtualenv per implementation")
    group.addoption("--base-url", metavar="URL", help="load the docs of a server already running at URL instead")
    group.addoption(
        "--screenshots",
        metavar="DIR",
        default=str(ARTIFACTS / "screenshots"),
        help="where the screenshots go (default: contract-artifacts/screenshots)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "target" in metafunc.fixturenames:
        config = metafunc.config
        if config.getoption("--base-url"):
            names = ["base-url"]
        elif config.getoption("--impls"):
            names = config.getoption("--impls").split(",")
        else:
            names = list(implementations.discover())
        metafunc.parametrize("target", names)


class Servers:
    """Base URL by target: ``--base-url``, or an implementation started on first use on a fresh SQLite file."""

    def __init__(self, config: pytest.Config, stack: contextlib.ExitStack) -> None:
        self.config, self.stack, self.urls = config, stack, {}
        if config.getoption("--base-url"):
            self.urls["base-url"] = config.getoption("--base-url").rstrip("/")

    def url(self, target: str) -> str:
        if target not in self.urls:
            impl = implementations.get(target)
            venvs = self.config.getoption("--impl-venvs")
            venv = Path(venvs).resolve() / f"impl-{target}" if venvs else None
            database = self.stack.enter_context(databases.sqlite())
            self.urls[target] = self.stack.enter_context(server.running(impl, database, ARTIFACTS / "browser", venv))
        return self.urls[target]


@pytest.fixture(scope="session")
def servers(request: pytest.FixtureRequest) -> Iterator[Servers]:
    with contextlib.ExitStack() as stack:
        yield Servers(request.config, stack)


@pytest.fixture
def base_url(target: str, servers: Servers) -> str:
    try:
        return servers.url(target)
    except server.ServerError as error:
        pytest.fail(f"{target}: {error}", pytrace=False)


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

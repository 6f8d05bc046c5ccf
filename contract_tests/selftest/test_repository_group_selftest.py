"""A server that follows the spec but serves no docs pages must pass the suite at --base-url.

The spec's paths name no ``/openapi.json``, ``/docs`` or ``/redoc``; DESIGN.md asks them of this
repository's implementations only, so those checks are the ``repository`` group, which a run at
``--base-url`` leaves out unless ``--repository-checks`` asks. The server here is flask_impl behind
``nodocs.py`` (those pages answer 404, every other request reaches flask_impl untouched). The suite as a
stranger runs it must pass it, saying what it left out; with ``--repository-checks`` the same server
must fail exactly the docs checks, so the pass is not owed to pages that are there after all.
Needs flask_impl installed in ``.nox/impl-flask`` (``nox -s tests`` builds it before the self-test).
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from contract_tests import databases, implementations, server

FLASK = implementations.get("flask")
VENV = implementations.ROOT / ".nox" / "impl-flask"
APP = "items_flask.app:create_app()"
DOCS_CHECKS = {
    "test_openapi_document_is_openapi_3_1",
    "test_docs_page_loads_every_asset_from_this_server[/docs]",
    "test_docs_page_loads_every_asset_from_this_server[/redoc]",
    "test_served_document_describes_the_shared_contract",
}


@pytest.fixture(scope="module")
def nodocs_server(tmp_path_factory):
    if not (VENV / "bin" / "gunicorn").exists():
        pytest.fail(f"{VENV} has no flask_impl: run `nox -s tests -- flask` first", pytrace=False)
    assert APP in FLASK.serve, f"flask_impl's serve command no longer names {APP}: {FLASK.serve}"
    impl = dataclasses.replace(
        FLASK,
        serve=tuple("contract_tests.selftest.nodocs:create_app()" if arg == APP else arg for arg in FLASK.serve),
        ready_path="/items",  # /openapi.json is hidden
        env={**FLASK.env, "PYTHONPATH": str(implementations.ROOT)},
    )
    logs = tmp_path_factory.mktemp("logs")
    with databases.sqlite() as database, server.running(impl, database, logs, VENV) as url:
        yield url


def suite(url: str, junit, *args: str) -> tuple[subprocess.CompletedProcess, dict[str, tuple[str, str]]]:
    """Run the suite at ``--base-url url``; return the run and ``{test: (outcome, message)}`` from its JUnit file."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(implementations.ROOT / "contract_tests"),
            "--ignore",
            str(implementations.ROOT / "contract_tests" / "selftest"),
            "--base-url",
            url,
            "--examples",
            "5",
            "-p",
            "no:cacheprovider",
            "-q",
            f"--junitxml={junit}",
            *args,
        ],
        cwd=implementations.ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    results = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        outcome, message = "passed", ""
        for tag in ("failure", "error", "skipped"):
            if (found := case.find(tag)) is not None:
                outcome, message = tag, (found.get("message") or "") + (found.text or "")
        results[case.get("name")] = (outcome, message)
    return done, results


def test_a_spec_conforming_server_without_docs_pages_passes(nodocs_server, tmp_path):
    done, results = suite(nodocs_server, tmp_path / "suite.xml")
    assert done.returncode == 0, f"exit {done.returncode}:\n{done.stdout[-4000:]}"
    for test in DOCS_CHECKS:
        outcome, message = results[test]
        assert outcome == "skipped" and "repository check, beyond shared_spec/openapi.yaml" in message, results[test]
    assert "left out: the repository group" in done.stdout  # said at the start...
    assert (
        "left out: 10 repository checks, beyond the spec (--repository-checks runs them)" in done.stdout
    )  # ...and end
    assert f"verdict: {nodocs_server}: passes the contract suite" in done.stdout, done.stdout[-2000:]


def test_with_repository_checks_it_fails_exactly_the_docs_checks(nodocs_server, tmp_path):
    done, results = suite(nodocs_server, tmp_path / "repository.xml", "--repository-checks", "-m", "repository")
    assert done.returncode == 1, f"exit {done.returncode}:\n{done.stdout[-4000:]}"
    failed = {test for test, (outcome, _) in results.items() if outcome in ("failure", "error")}
    assert failed == DOCS_CHECKS, done.stdout[-4000:]
    assert "FAILS the repository checks only" in done.stdout, done.stdout[-2000:]

"""The database-fault test must be able to fail: run it against servers that handle a lost database wrongly.

``test_database_faults.py`` starts an implementation from its ``impl.toml``; here the same two pieces
it runs (``server_behind_proxy``: a fresh PostgreSQL database behind the proxy, the server started by
``server.running``; ``check_database_faults``: the phases) are given a stub described in code instead,
``db_fault_server.py`` in one of its modes. A server that never reconnects fails from the cut on; one
that reconnects but answers 500 fails only while the database is away; one with no connect timeout
fails only while it is black-holed; one that answers 503 in time and reconnects passes, so the failures
come from the faults and not from the stub. Needs PostgreSQL.
"""

from __future__ import annotations

import os
import re
import sys

import pytest

from contract_tests import databases, implementations
from contract_tests.test_database_faults import check_database_faults, server_behind_proxy


def stub(mode: str) -> implementations.Implementation:
    """``db_fault_server.py --mode MODE``, described the way an ``impl.toml`` describes an implementation."""
    return implementations.Implementation(
        name=f"stub_{mode}",
        folder=implementations.ROOT,
        framework="http.server",
        server="http.server",
        language="Python",
        packages=(),
        install=(),
        prepare=(),
        serve=(sys.executable, "-m", "contract_tests.selftest.db_fault_server", "--port", "{port}", "--mode", mode),
        ready_path="/openapi.json",
        env={"DATABASE_URL": "{database_url}"},
    )


def faults_found(mode: str, logs) -> str:
    """What ``check_database_faults`` reports against the stub in ``mode`` ("" if it passes)."""
    try:
        with server_behind_proxy(stub(mode), log_dir=logs) as (base_url, proxy):
            check_database_faults(base_url, proxy)
    except databases.DatabaseUnavailable as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{error} (CI=true: PostgreSQL is required)", pytrace=False)
        pytest.skip(f"PostgreSQL SKIPPED: {error}")
    except AssertionError as failure:
        return str(failure)
    return ""


def phases(report: str) -> set[str]:
    """The phases, ``a`` to ``f``, that a report of ``check_database_faults`` names as failed."""
    return set(re.findall(r"^\s*\(([a-f])\) ", report, re.MULTILINE))


def test_a_server_that_never_reconnects_fails_from_the_cut_on(tmp_path):
    report = faults_found("stuck", tmp_path)
    assert {"b", "c", "d", "e"} <= phases(report), report
    assert "a" not in phases(report), report
    assert "500" in report, report


def test_a_server_that_answers_500_while_the_database_is_away_fails_then_only(tmp_path):
    report = faults_found("plain500", tmp_path)
    assert phases(report) == {"c", "d"}, report
    assert "500 application/problem+json" in report and "not 503" in report, report


def test_a_server_that_waits_for_a_database_that_never_answers_fails_then_only(tmp_path):
    report = faults_found("hanging", tmp_path)
    assert phases(report) == {"d"}, report
    assert "not answered within 5 s" in report, report


def test_a_server_that_answers_503_and_reconnects_passes(tmp_path):
    assert faults_found("recovering", tmp_path) == ""

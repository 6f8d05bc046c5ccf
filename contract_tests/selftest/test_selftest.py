"""The proof must be able to fail: run the whole contract suite against a deliberately wrong server.

wrong_server.py answers 200 instead of 201 on POST, accepts a negative price, refuses a write
without credentials 403 instead of 401, and never moves ``updated_at``. The suite must report exactly
those faults among its failures, and still pass what the wrong server gets right.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET

import pytest

from contract_tests.implementations import ROOT
from contract_tests.server import free_port


@pytest.fixture(scope="module")
def wrong_server():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "contract_tests.selftest.wrong_server", "--port", str(port)], cwd=ROOT
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/openapi.json", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def verdicts(wrong_server, tmp_path_factory):
    """Run the suite against the wrong server; return {test name: [(outcome, message), ...]}."""
    report = tmp_path_factory.mktemp("selftest") / "report.xml"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(ROOT / "contract_tests"),
            "--ignore",
            str(ROOT / "contract_tests" / "selftest"),
            "--base-url",
            wrong_server,
            "--examples",
            "5",
            "-p",
            "no:cacheprovider",
            "-q",
            f"--junitxml={report}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 1, f"expected pytest exit 1 (tests failed), got {done.returncode}:\n{done.stdout[-3000:]}"
    results: dict[str, list[tuple[str, str]]] = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        outcome, message = "passed", ""
        for tag in ("failure", "error", "skipped"):
            if (found := case.find(tag)) is not None:
                outcome, message = tag, (found.get("message") or "") + (found.text or "")
        results.setdefault(case.get("name"), []).append((outcome, message))
    return results


def outcomes(verdicts, test):
    return {outcome for outcome, _ in verdicts.get(test, [("not run", "")])}


@pytest.mark.parametrize(
    "test",
    [
        "test_create_returns_201_the_item_and_its_location",  # 200 instead of 201
        "test_create_refuses_with_field_and_code[price-negative]",  # price -1 accepted
        "test_refused_create_writes_nothing",  # ...and written
        "test_stateful_scenarios",
        "test_protected_operation_without_bearer_credentials_is_401_with_the_challenge[none]",  # 403, no challenge
        "test_anonymous_body_is_never_read",  # 403 again
        "test_a_change_moves_updated_at_strictly_later_and_keeps_created_at[PATCH title=T-new]",  # updated_at stays
        "test_updated_at_moves_with_each_change_and_stays_between_them",
    ],
)
def test_suite_reports_the_planted_faults(verdicts, test):
    assert outcomes(verdicts, test) == {"failure"}, f"{test}: {verdicts.get(test, 'not run')}"


def test_schemathesis_reports_the_planted_faults_on_post(verdicts):
    messages = [message for outcome, message in verdicts["test_operation_conforms"] if outcome == "failure"]
    post = [message for message in messages if re.search(r"curl -X POST .*/items$", message, re.MULTILINE)]
    assert post, "Schemathesis did not fail POST /items"
    assert any("Received: 200" in message and "Documented: 201" in message for message in post)
    assert any("Schema-violating request accepted" in message for message in post)


def test_repository_checks_are_left_out_at_a_base_url(verdicts):
    for test in (
        "test_docs_page_loads_every_asset_from_this_server[/docs]",
        "test_default_hosts_are_served[localhost]",
    ):
        [(outcome, message)] = verdicts[test]
        assert outcome == "skipped" and "repository check, beyond shared_spec/openapi.yaml" in message, verdicts[test]


def test_suite_passes_what_the_wrong_server_gets_right(verdicts):
    assert outcomes(verdicts, "test_spec_is_valid_openapi_3_1") == {"passed"}
    assert outcomes(verdicts, "test_bad_item_id_is_404_for_every_method[/items/abc]") == {"passed"}
    assert outcomes(verdicts, "test_me_is_the_user_the_token_names") == {"passed"}  # accounts work at all

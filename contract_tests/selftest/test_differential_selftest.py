"""The differential test must be able to fail: plant a one-line divergence in a copy of one implementation.

One copy of flask_impl answers a too-long title with ``invalid_value`` instead of ``too_long``; another
moves ``updated_at`` on every PUT and PATCH that names a field, a change or not (timestamps compare by
their relations, compare.py). The original and each copy run side by side under gunicorn (the copy first
on PYTHONPATH, in the same virtualenv), and the differential test must fail naming the step, with both
answers side by side.
Needs flask_impl installed in ``.nox/impl-flask`` (``nox -s tests`` builds it before the self-test).
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import subprocess
import sys

import pytest

from contract_tests import databases, implementations, server

FLASK = implementations.get("flask")
VENV = implementations.ROOT / ".nox" / "impl-flask"
# A code that generated sequences meet in almost every run (a body missing a required field), so the
# planted divergence shows whatever else the generators draw.
PLANTED = ('schemas.MISSING: "required"', 'schemas.MISSING: "invalid_value"')
# The old rule of models.Item.apply: any field given moves updated_at, even to the value it had.
STAMPED = ("        if db.session.is_modified(self):\n", "        if changes:\n")


def planted(tmp_path_factory, module: str, old: str, new: str) -> str:
    """A copy of items_flask with ``old`` replaced by ``new`` in ``module``; the folder to put on PYTHONPATH."""
    copy = tmp_path_factory.mktemp("diverged")
    shutil.copytree(FLASK.folder / "items_flask", copy / "items_flask")
    path = copy / "items_flask" / module
    source = path.read_text()
    assert source.count(old) == 1, f"the line to plant the divergence in has moved: {old}"
    path.write_text(source.replace(old, new))
    return str(copy)


@pytest.fixture(scope="module")
def flask_servers(tmp_path_factory):
    if not (VENV / "bin" / "gunicorn").exists():
        pytest.fail(f"{VENV} has no flask_impl: run `nox -s tests -- flask` first", pytrace=False)
    diverged = dataclasses.replace(
        FLASK, env={**FLASK.env, "PYTHONPATH": planted(tmp_path_factory, "problems.py", *PLANTED)}
    )
    stamped = dataclasses.replace(
        FLASK, env={**FLASK.env, "PYTHONPATH": planted(tmp_path_factory, "models.py", *STAMPED)}
    )
    logs = tmp_path_factory.mktemp("logs")
    with contextlib.ExitStack() as stack:
        urls = {}
        # A pair of servers for each comparison: the differential needs fresh ones (README, "Test your own
        # server"), and a run leaves the items of its last sequence behind.
        servers = [
            ("original", FLASK),
            ("diverged", diverged),
            ("reference", FLASK),
            ("stamped", stamped),
            ("same", FLASK),
            ("twin", FLASK),
        ]
        for label, impl in servers:
            database = stack.enter_context(databases.sqlite())
            urls[label] = stack.enter_context(server.running(impl, database, logs / label, VENV))
        yield urls


def differential(*urls: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(implementations.ROOT / "contract_tests"),
            "--base-urls",
            ",".join(urls),
            "-p",
            "no:cacheprovider",
            "-q",
        ],
        cwd=implementations.ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_differential_reports_a_one_line_divergence(flask_servers):
    done = differential(flask_servers["original"], flask_servers["diverged"])
    output = done.stdout
    assert done.returncode == 1, f"expected a failure, got exit {done.returncode}:\n{output[-3000:]}"
    assert "answered step" in output and "Sequence (on fresh state" in output, output[-3000:]
    # The reproduction shows both answers: the original's code and the planted one.
    assert '"required"]]' in output and '"invalid_value"]]' in output, output[-3000:]


def test_differential_compares_timestamps_by_their_relations(flask_servers):
    done = differential(flask_servers["reference"], flask_servers["stamped"])
    output = done.stdout
    assert done.returncode == 1, f"expected a failure, got exit {done.returncode}:\n{output[-3000:]}"
    assert "answered step" in output and '"updated_at": "<instant' in output, output[-3000:]


def test_differential_passes_two_unchanged_servers(flask_servers):
    done = differential(flask_servers["same"], flask_servers["twin"])
    assert done.returncode == 0, done.stdout[-3000:]

"""``python -m items_fastapi.cli create-admin NAME``: creates, promotes, prompts, refuses what a sign-up refuses."""

from __future__ import annotations

import os
import subprocess
import sys

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from items_fastapi import cli
from items_fastapi.main import app
from tests.databases import APP_FOLDER, on_database, stored_users
from tests.support import log_in, sign_up


def run_command(database_url: str, *arguments: str, password: str) -> subprocess.CompletedProcess:
    """``python -m items_fastapi.cli`` as impl.toml's [admin] create runs it: this folder, ADMIN_PASSWORD set."""
    env = {**os.environ, "DATABASE_URL": database_url, "ADMIN_PASSWORD": password}
    command = [sys.executable, "-m", "items_fastapi.cli", *arguments]
    return subprocess.run(command, cwd=APP_FOLDER, env=env, capture_output=True, text=True, timeout=120)


def test_create_admin_makes_an_administrator_then_promotes_an_existing_user(database_env):
    done = run_command(database_env, "create-admin", "boss", password="first password")
    assert (done.returncode, done.stdout) == (0, "boss is a new administrator.\n"), done.stderr
    with TestClient(app, base_url="http://localhost") as client:
        sign_up(client, "alice", "alice's password")
        assert log_in(client, "alice", "alice's password").status_code == 400  # not an administrator yet
    done = run_command(database_env, "create-admin", "alice", password="a new password")
    assert (done.returncode, done.stdout) == (0, "alice is now an administrator.\n"), done.stderr
    assert [row[:3] for row in on_database(database_env, stored_users)] == [(1, "boss", True), (2, "alice", True)]
    with TestClient(app, base_url="http://localhost") as client:
        assert log_in(client, "alice", "a new password").status_code == 302  # the password reset too
        assert client.get("/users/2").json() == {"id": 2, "username": "alice"}  # the flag is not the API's


def test_create_admin_prompts_twice_and_refuses_what_a_sign_up_refuses(database_env, monkeypatch):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    runner = CliRunner()
    done = runner.invoke(cli.cli, ["create-admin", "carol"], input="correct horse\ncorrect horse\n")
    assert done.exit_code == 0, done.output
    assert "carol is a new administrator." in done.output and "correct horse" not in done.output  # hidden
    assert on_database(database_env, stored_users)[0][:3] == (1, "carol", True)
    for name, password in [("a b", "correct horse"), ("dave", "short"), ("x" * 151, "correct horse")]:
        done = runner.invoke(cli.cli, ["create-admin", name], env={"ADMIN_PASSWORD": password})
        assert done.exit_code == 2 and "Invalid value" in done.output, done.output
    assert len(on_database(database_env, stored_users)) == 1

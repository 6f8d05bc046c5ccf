"""Schemathesis over the shared spec: every check, valid and invalid data, then link-following scenarios.

Deterministic by default (see conftest.py); `--examples N` runs more, `--random` explores new seeds.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import hypothesis
import pytest
import schemathesis

from contract_tests.accounts import Account
from contract_tests.implementations import SPEC

# schemathesis.toml is discovered from the working directory only: load ours by path.
CONFIG = schemathesis.Config.from_path(Path(__file__).with_name("schemathesis.toml"))
schema = schemathesis.openapi.from_path(SPEC, config=CONFIG)
# The suite user's credentials, set by the `suite_credentials` fixture before any case is sent.
CREDENTIALS: dict[str, Account] = {}


@pytest.fixture(autouse=True)
def suite_credentials(suite_account: Account) -> None:
    CREDENTIALS["suite"] = suite_account


def with_token(case, account: Account) -> None:
    """The suite user's bearer token on a case that carries no credentials of its own.

    Set on the case itself: Schemathesis asks a registered auth provider for its token while it generates
    cases, before any pytest fixture has signed the suite user up. An explicit header is what its
    ``ignored_auth`` check looks for, and it then also sends each protected operation without it.
    """
    if "authorization" not in {name.lower() for name in (case.headers or {})}:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {account.token}"}


@schema.parametrize()
def test_operation_conforms(case, base_url, case_counter, suite_account):
    case_counter["operations"] += 1
    with_token(case, suite_account)
    case.call_and_validate(base_url=base_url)


def delete_every_item(base_url: str) -> None:
    """Delete the suite user's items (only an item's owner may delete it)."""
    account = CREDENTIALS["suite"]
    with httpx.Client(base_url=base_url, timeout=30, headers=account.headers) as http:
        while items := http.get("/items", params={"limit": 100, "owner": account.username}).json()["items"]:
            for item in items:
                http.delete(f"/items/{item['id']}")


# The scenarios follow the items' links only: a user signed up in one scenario stays (there is no way to
# delete one), so a replayed createUser would answer 409 where it first answered 201 and Hypothesis would
# report the scenario flaky. /users and /token are exercised by test_operation_conforms.
class ItemsWorkflow(schema.include(tag="items").as_state_machine()):
    """createItem, then whatever its links lead to: get, replace, update, delete."""

    base_url = ""
    counter: dict = {}

    def setup(self):
        # Every scenario starts with none of the suite user's items, so Hypothesis replaying a failing
        # scenario sees the same server state (otherwise the replay passes and it reports Flaky).
        delete_every_item(self.base_url)

    def get_call_kwargs(self, case):
        with_token(case, CREDENTIALS["suite"])
        self.counter["stateful"] += 1
        return {"base_url": self.base_url}


def test_stateful_scenarios(base_url, case_counter, request: pytest.FixtureRequest):
    workflow = type("TargetWorkflow", (ItemsWorkflow,), {"base_url": base_url, "counter": case_counter})
    examples = request.config.getoption("--examples")
    workflow.run(settings=hypothesis.settings(max_examples=examples, stateful_step_count=6))

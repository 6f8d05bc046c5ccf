"""The contract suite's target: an implementation started here, or any server at a base URL.

pytest contract_tests --impl fastapi            # start fastapi_impl's production server
pytest contract_tests --impl flask --db postgres
pytest contract_tests --base-url http://127.0.0.1:8000   # judge a server already running

The ``repository`` group (the ``repository`` marker) holds what DESIGN.md asks of this repository's own
implementations beyond the spec: ``/openapi.json`` and the drift check, offline ``/docs`` and ``/redoc``,
the default ``ALLOWED_HOSTS``. The spec's paths name none of it, so a server at ``--base-url`` is not
judged on it unless ``--repository-checks`` asks; every run says what it left out.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import hypothesis
import pytest

from contract_tests import accounts, databases, implementations, server, verdicts

ARTIFACTS = Path(os.environ.get("CONTRACT_ARTIFACTS", implementations.ROOT / "contract-artifacts"))
DEFAULT_EXAMPLES = 25


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract", "items contract suite")
    group.addoption("--impl", metavar="NAME", help="start this implementation (a folder NAME_impl/ with impl.toml)")
    group.addoption("--base-url", metavar="URL", help="judge a server already running at URL (it must be disposable)")
    group.addoption("--impl-venv", metavar="DIR", help="virtualenv the implementation is installed in")
    group.addoption(
        "--db", choices=("sqlite", "postgres"), default="sqlite", help="database for --impl (default: sqlite)"
    )
    group.addoption(
        "--examples",
        type=int,
        default=int(os.environ.get("CONTRACT_EXAMPLES", DEFAULT_EXAMPLES)),
        help=f"Schemathesis examples per operation and stateful scenarios (default {DEFAULT_EXAMPLES})",
    )
    group.addoption(
        "--impls",
        metavar="A,B,...",
        help="differential test only: start these implementations and compare their answers",
    )
    group.addoption(
        "--base-urls", metavar="URL,URL,...", help="differential test only: compare servers already running"
    )
    group.addoption("--impl-venvs", metavar="DIR", help="folder holding an impl-NAME virtualenv per implementation")
    group.addoption("--thorough", action="store_true", help="differential test: many more and longer sequences")
    group.addoption(
        "--random",
        action="store_true",
        help="explore with random seeds instead of the reproducible default",
    )
    group.addoption(
        "--repository-checks",
        action="store_true",
        help="with --base-url: also run the repository group (checks beyond the spec: /openapi.json, /docs, /redoc, "
        "default hosts), which only this repository's implementations are asked to pass",
    )


REPOSITORY = (
    "repository check, beyond shared_spec/openapi.yaml (DESIGN.md asks it of this repository's implementations "
    "only; --repository-checks runs it)"
)


def repository_checks_left_out(config: pytest.Config) -> bool:
    """A server at --base-url is judged on the spec alone, unless --repository-checks asks for more."""
    return bool(config.getoption("--base-url")) and not config.getoption("--repository-checks")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        marker = item.get_closest_marker("repository")
        if marker is None:
            continue
        item.user_properties.append((verdicts.GROUP_PROPERTY, verdicts.REPOSITORY_GROUP))  # in the JUnit file
        if repository_checks_left_out(config):
            what = marker.args[0] if marker.args else "beyond the spec"
            item.add_marker(pytest.mark.skip(reason=f"{REPOSITORY}: {what}"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "repository(what): a check of this repository's implementations beyond the spec (DESIGN.md); "
        "left out for --base-url unless --repository-checks",
    )
    # Our own profile, loaded even when CI=true made Hypothesis pick its "ci" profile: deterministic
    # by default so a failure reproduces, no example database, no deadline (servers are slow to start).
    hypothesis.settings.register_profile(
        "contract",
        derandomize=not config.getoption("--random"),
        database=None,
        deadline=None,
        max_examples=config.getoption("--examples"),
        print_blob=True,
        suppress_health_check=[
            hypothesis.HealthCheck.too_slow,
            hypothesis.HealthCheck.filter_too_much,
            hypothesis.HealthCheck.data_too_large,
        ],
    )
    hypothesis.settings.load_profile("contract")


def pytest_report_header(config: pytest.Config) -> list[str]:
    target = config.getoption("--base-url") or f"implementation {config.getoption('--impl')}"
    if differential_run(config):
        target = f"differential: {config.getoption('--impls') or config.getoption('--base-urls')}"
    mode = "random" if config.getoption("--random") else "deterministic"
    return [
        f"contract target: {target} (db: {config.getoption('--db')}); {config.getoption('--examples')} examples, {mode}"
    ]


def pytest_collection_finish(session: pytest.Session) -> None:
    """Say at the start (``-q`` included) what a run at --base-url leaves out, and why."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and repository_checks_left_out(session.config):
        reporter.write_line(
            "left out: the repository group (/openapi.json and its drift, /docs, /redoc, default hosts): checks "
            "beyond the spec that only this repository's implementations must pass; --repository-checks runs them"
        )


def target_label(config: pytest.Config) -> str | None:
    if differential_run(config):
        return f"differential ({config.getoption('--impls') or config.getoption('--base-urls')})"
    if config.getoption("--base-url"):
        return config.getoption("--base-url")
    if config.getoption("--impl"):
        return f"{config.getoption('--impl')} on {config.getoption('--db')}"
    return None


@pytest.fixture(scope="session")
def base_url(request: pytest.FixtureRequest) -> Iterator[str]:
    url = request.config.getoption("--base-url")
    name = request.config.getoption("--impl")
    if url:
        yield url.rstrip("/")
        return
    if not name:
        pytest.fail("no target: give --impl NAME or --base-url URL", pytrace=False)
    impl = implementations.get(name)
    venv = request.config.getoption("--impl-venv")
    db = request.config.getoption("--db")
    try:
        database = databases.sqlite() if db == "sqlite" else databases.postgres(name)
        with (
            database as database_url,
            server.running(impl, database_url, ARTIFACTS, venv and Path(venv).resolve()) as started,
        ):
            yield started
    except databases.DatabaseUnavailable as error:
        databases.unavailable(error)
    except server.ServerError as error:
        pytest.fail(f"{impl.name}: {error}", pytrace=False)


DIFFERENTIAL = Path(__file__).parent / "differential"


def differential_run(config: pytest.Config) -> bool:
    return bool(config.getoption("--impls") or config.getoption("--base-urls"))


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """``--impls``/``--base-urls`` run the differential test alone; otherwise it is left out."""
    inside = collection_path == DIFFERENTIAL or DIFFERENTIAL in collection_path.parents
    if differential_run(config):
        return None if inside or collection_path in DIFFERENTIAL.parents else True
    return True if inside else None


@pytest.fixture(scope="session")
def differential_targets(request: pytest.FixtureRequest) -> Iterator[list[tuple[str, str]]]:
    """``[(label, base URL), ...]``: servers started here from ``--impls``, or ``--base-urls`` as given."""
    urls = request.config.getoption("--base-urls")
    if urls:
        yield [(url, url.rstrip("/")) for url in urls.split(",")]
        return
    names = request.config.getoption("--impls").split(",")
    if len(names) < 2:
        pytest.fail("the differential test compares two or more implementations: --impls a,b[,c]", pytrace=False)
    venvs = request.config.getoption("--impl-venvs")
    db = request.config.getoption("--db")
    with contextlib.ExitStack() as stack:
        targets = []
        for name in names:
            impl = implementations.get(name)
            venv = Path(venvs).resolve() / f"impl-{name}" if venvs else None
            try:
                database = stack.enter_context(databases.sqlite() if db == "sqlite" else databases.postgres(name))
                targets.append((name, stack.enter_context(server.running(impl, database, ARTIFACTS, venv))))
            except databases.DatabaseUnavailable as error:
                databases.unavailable(error)
            except server.ServerError as error:
                pytest.fail(f"{name}: {error}", pytrace=False)
        yield targets


@pytest.fixture(scope="session")
def anonymous(base_url: str) -> Iterator[httpx.Client]:
    """A client that sends no credentials. Redirects are not followed: one where the contract wants a 404 fails."""
    with httpx.Client(base_url=base_url, follow_redirects=False, timeout=30) as http:
        yield http


@pytest.fixture(scope="session")
def suite_account(anonymous: httpx.Client) -> accounts.Account:
    """The suite's own user, signed up once per run: the owner of every item the item tests create."""
    return accounts.sign_up(anonymous)


@pytest.fixture(scope="session")
def client(base_url: str, suite_account: accounts.Account) -> Iterator[httpx.Client]:
    """A client that sends the suite user's token: reads ignore it, writes need it (DESIGN.md, accounts)."""
    headers = {"authorization": f"Bearer {suite_account.token}"}
    with httpx.Client(base_url=base_url, follow_redirects=False, timeout=30, headers=headers) as http:
        yield http


@pytest.fixture
def prefix() -> str:
    """A title prefix no other test uses, so list assertions hold on a shared server."""
    return f"t{uuid.uuid4().hex[:10]}"


CASES = pytest.StashKey[dict]()


@pytest.fixture(scope="session")
def case_counter(request: pytest.FixtureRequest, record_testsuite_property) -> Iterator[dict]:
    """Counts the requests Schemathesis generates, for the summary line and the JUnit report."""
    counts = request.config.stash.setdefault(CASES, {"operations": 0, "stateful": 0})
    yield counts
    for name, value in counts.items():
        record_testsuite_property(f"schemathesis_{name}_requests", value)  # read by tools/conformance_report.py


def short_id(nodeid: str) -> str:
    """``test_crud.py::test_x[/items/abc]`` for ``contract_tests/test_crud.py::test_x[/items/abc]``."""
    path, _, name = nodeid.partition("::")
    return f"{path.rpartition('/')[2]}::{name}" if name else path


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config):
    """After pytest's own summary: the generated requests, what was left out, every failure, the verdict."""
    result = yield
    write = terminalreporter.write_line
    counts = config.stash.get(CASES, None)
    if counts:
        total = counts["operations"] + counts["stateful"]
        write(
            f"schemathesis: {total} generated requests sent "
            f"({counts['operations']} operation cases, {counts['stateful']} stateful steps)"
        )
    stats = terminalreporter.stats
    left_out = [r for r in stats.get("skipped", []) if REPOSITORY in str(getattr(r, "longrepr", ""))]
    if left_out:
        write(f"left out: {len(left_out)} repository checks, beyond the spec (--repository-checks runs them):")
        for report in left_out:
            write(f"  {short_id(report.nodeid)}: {str(report.longrepr[2]).partition(REPOSITORY + ': ')[2]}")
    outcome = verdicts.Outcome()
    for key in ("passed", "failed", "error", "skipped", "deselected"):
        outcome.counts[key] = len(stats.get(key, []))
    for key, word in (("failed", "FAILED"), ("error", "ERROR")):
        for report in stats.get(key, []):
            crash = getattr(report.longrepr, "reprcrash", None)
            message = crash.message if crash is not None else str(report.longrepr)
            beyond = verdicts.REPOSITORY_GROUP in getattr(report, "keywords", {})
            outcome.beyond_spec_failures += beyond
            group = " [repository check, beyond the spec]" if beyond else ""
            write(f"{word} {short_id(report.nodeid)}{group}: {verdicts.reason(message)}", red=True)
    target = target_label(config)
    if target is not None:  # the self-test has none
        line = verdicts.verdict(
            target, outcome, partial=bool(config.getoption("keyword") or config.getoption("markexpr"))
        )
        write(line, red="FAILS" in line, green="passes" in line, bold=True)
    return result

"""Database faults (DESIGN.md, "Schema, migrations, admin and the browse page", last bullet).

A real deployment loses its database now and then. This test starts its own instance of the
implementation on a fresh PostgreSQL database, reached through the suite's TCP proxy
(``contract_tests/dbproxy.py``), and over HTTP only:

(a) warm-up: a few creates and reads, all 2xx, so the server holds pooled connections;
(b) every connection is cut (TCP RST): the next requests, reads and creates, enough for every worker
    of the server, must all succeed (stale pooled connections are replaced: SQLAlchemy's
    ``pool_pre_ping``, Django's ``CONN_HEALTH_CHECKS``, psycopg_pool's ``check``);
(c) cut, and new connections refused (nothing listens) for a few seconds, and
(d) cut, and new connections black-holed (accepted, never answered) for as long: every answer is
    503 problem+json (title "Service Unavailable") with a ``Retry-After`` header, within 5 s: never a
    500, never a hang;
(e) the database is back: requests succeed again within 10 s, without a restart, and creates are 201;
(f) the rows (``GET /items``, through the proxy) are exactly the creates answered 201: none answered
    503 left a row, none answered 201 is lost.

It needs the suite to start the server (``--impl NAME --db postgres``); with SQLite, or ``--base-url``
(a server whose database the suite cannot reach), it is skipped, saying why. The self-test
(``selftest/test_database_faults_selftest.py``) runs the same scenario against stub servers that do not
recover, through ``server_behind_proxy`` and ``check_database_faults`` below.
"""

from __future__ import annotations

import contextlib
import dataclasses
import email.utils
import itertools
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from contract_tests import accounts, databases, dbproxy, implementations, server
from contract_tests.implementations import Implementation
from contract_tests.support import media_type, problem

ANSWER_WITHIN = 5.0  # seconds for every answer while the database is away (DESIGN.md: "within a few seconds")
CLIENT_TIMEOUT = ANSWER_WITHIN + 1.5  # seconds the client waits before it calls the request a hang
DOWN_FOR = 4.0  # seconds each fault (refused, black-holed) lasts while requests are sent
RECOVER_WITHIN = 10.0  # seconds the server has to serve again once the database is back
AFTER_CUT = 20  # requests sent after the cut: enough to reach every worker's pool
CLIENTS = 4  # concurrent clients while the database is up, so every worker gets requests
# While the database is away: no more clients than the fewest workers an implementation runs (gunicorn
# --workers 2), so an answer's time is the server's own, not time queued behind a busy worker.
CLIENTS_WHILE_DOWN = 2
PAUSE = 0.1  # seconds each client waits between two requests while the database is away
KINDS = ("list", "create", "read")  # requests sent in turn: GET /items, POST /items, GET /items/{id}
LOGS = Path(os.environ.get("CONTRACT_ARTIFACTS", implementations.ROOT / "contract-artifacts")) / "database-faults"


@contextlib.contextmanager
def server_behind_proxy(
    impl: Implementation, venv: Path | None = None, log_dir: Path = LOGS
) -> Iterator[tuple[str, dbproxy.DatabaseProxy]]:
    """Start ``impl`` on a fresh PostgreSQL database reached through a proxy; yield ``(base URL, proxy)``.

    Raises ``databases.DatabaseUnavailable`` without PostgreSQL, ``server.ServerError`` if the server
    does not start. The server's log is ``log_dir/NAME-server.log`` (apart from the suite's own server).
    """
    with (
        databases.postgres(f"faults_{impl.name}") as direct_url,
        dbproxy.DatabaseProxy(dbproxy.upstream_of(direct_url)) as proxy,
        server.running(impl, proxy.url(direct_url), log_dir, venv) as base_url,
    ):
        yield base_url, proxy


@dataclasses.dataclass
class Answer:
    """One request and what came back: ``response`` is None when no answer came (``error`` says why)."""

    request: str  # "GET /items", "POST /items", "GET /items/3"
    title: str | None  # the created title, for a POST
    response: httpx.Response | None
    elapsed: float  # seconds, from sending to the whole answer (or the error)
    error: str = ""

    @property
    def status(self) -> int | None:
        return None if self.response is None else self.response.status_code

    def __str__(self) -> str:
        if self.response is None:
            return f"{self.request}: no answer after {self.elapsed:.1f} s ({self.error})"
        text = self.response.text[:200].replace("\n", " ")
        return f"{self.request}: {self.status} {media_type(self.response)} in {self.elapsed:.1f} s: {text}"


def send(http: httpx.Client, kind: str, title: str, item_id: int) -> Answer:
    """Send one request of ``kind`` ("list", "create" or "read") and time it; never raises for HTTP."""
    method, path, body = {
        "list": ("GET", "/items", None),
        "create": ("POST", "/items", {"title": title, "price": 1.5}),
        "read": ("GET", f"/items/{item_id}", None),
    }[kind]
    created = title if kind == "create" else None
    started = time.monotonic()
    try:
        response = http.request(method, path, json=body)
        return Answer(f"{method} {path}", created, response, time.monotonic() - started)
    except httpx.HTTPError as error:
        elapsed = time.monotonic() - started
        return Answer(f"{method} {path}", created, None, elapsed, f"{type(error).__name__}: {error}")


def load(
    base_url: str,
    label: str,
    item_id: int,
    *,
    count: int = 0,
    seconds: float = 0.0,
    clients: int = CLIENTS,
    headers: dict[str, str] | None = None,
) -> list[Answer]:
    """Send requests from ``clients`` threads at once: ``count`` in all, or as many as fit in ``seconds``.

    Requests cycle through ``KINDS``; each create's title is ``label-N``, unique in the run.
    """
    numbers = itertools.count()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def one_client(_: int) -> list[Answer]:
        answers = []
        with httpx.Client(base_url=base_url, timeout=CLIENT_TIMEOUT, headers=headers) as http:
            while True:
                with lock:
                    number = next(numbers)
                if (count and number >= count) or (seconds and time.monotonic() >= deadline):
                    return answers
                answers.append(send(http, KINDS[number % len(KINDS)], f"{label}-{number}", item_id))
                if seconds:
                    time.sleep(PAUSE)

    with ThreadPoolExecutor(clients) as pool:
        return [answer for answers in pool.map(one_client, range(clients)) for answer in answers]


def unavailable(answer: Answer) -> str | None:
    """Why ``answer`` is not a 503 problem+json with ``Retry-After`` in time, or None if it is."""
    if answer.response is None or answer.elapsed >= ANSWER_WITHIN:
        return f"not answered within {ANSWER_WITHIN:g} s"
    if answer.status != 503:
        return "not 503"
    try:
        problem(answer.response, 503)
    except (AssertionError, ValueError) as wrong:
        return f"not a 503 problem ({str(wrong).splitlines()[0][:200]})"
    retry_after = answer.response.headers.get("retry-after", "").strip()
    if not (retry_after.isdigit() or email.utils.parsedate_tz(retry_after)):  # RFC 9110 §10.2.3
        return f"Retry-After is {retry_after or 'missing'}, not delay-seconds or an HTTP-date"
    return None


def rows_listed(http: httpx.Client) -> tuple[list[str], int]:
    """Every item's title, page by page, and ``total``; AssertionError if a page is not a 200 ``ItemPage``."""
    titles: list[str] = []
    while True:
        page = http.get("/items", params={"limit": 100, "offset": len(titles)})
        assert page.status_code == 200, f"GET /items answered {page.status_code}: {page.text[:200]}"
        body = page.json()
        titles += [item["title"] for item in body["items"]]
        if not body["items"] or len(titles) >= body["total"]:
            return titles, body["total"]


def check_database_faults(base_url: str, proxy: dbproxy.DatabaseProxy) -> None:
    """Run phases (a) to (f) (module docstring) against ``base_url``, whose database is behind ``proxy``.

    Every phase runs; raises AssertionError listing what went wrong in each, with the proxy's counters.
    """
    answers: list[Answer] = []  # every answer of the run, for the row count
    failures: list[str] = []

    def expect(phase: str, got: list[Answer], why_wrong: Callable[[Answer], str | None]) -> None:
        answers.extend(got)
        wrong = [f"{answer} -> {why}" for answer in got if (why := why_wrong(answer))]
        if not got:
            failures.append(f"{phase}: no request was sent")
        elif wrong:
            examples = "\n      ".join(wrong[:3])
            failures.append(f"{phase}: {len(wrong)} of {len(got)} answers wrong, e.g.\n      {examples}")

    def succeeded(answer: Answer) -> str | None:
        return None if answer.status in (200, 201) else "not 2xx"

    with httpx.Client(base_url=base_url, timeout=CLIENT_TIMEOUT) as http:
        # Writes need a token (DESIGN.md, accounts); the self-test's stub servers have no accounts and take none.
        with contextlib.suppress(AssertionError):
            http.headers.update(accounts.sign_up(http, "faults").headers)
        auth = {"authorization": http.headers["authorization"]} if "authorization" in http.headers else {}
        first = send(http, "create", "first", 0)
        item_id = first.response.json()["id"] if first.status == 201 else 1
        expect("(a) warm-up", [first, *load(base_url, "warm", item_id, count=8, headers=auth)], succeeded)

        pooled = proxy.cut()
        got = load(base_url, "cut", item_id, count=AFTER_CUT, headers=auth)
        expect(f"(b) after cutting the {pooled} open connections", got, succeeded)

        for phase, fault in [("(c) refused", proxy.refuse), ("(d) black-holed", proxy.blackhole)]:
            fault()  # first, so that no new connection gets through
            proxy.cut()
            got = load(base_url, fault.__name__, item_id, seconds=DOWN_FOR, clients=CLIENTS_WHILE_DOWN, headers=auth)
            expect(f"{phase} for {DOWN_FOR:g} s", got, unavailable)

        proxy.resume()
        deadline = time.monotonic() + RECOVER_WITHIN
        while (back := send(http, "list", "", 0)).status != 200 and time.monotonic() < deadline:
            time.sleep(0.25)
        expect(f"(e) within {RECOVER_WITHIN:g} s of the database's return", [back], succeeded)
        if back.status == 200:
            expect("(e) creates once back", [send(http, "create", f"back-{n}", 0) for n in range(5)], succeeded)

        try:
            rows, total = rows_listed(http)
        except (httpx.HTTPError, AssertionError) as error:
            failures.append(f"(f) the rows could not be listed: {error}")
            rows, total = [], None
        created = {answer.title for answer in answers if answer.title and answer.status == 201}
        refused = {answer.title for answer in answers if answer.title and answer.status == 503}
        unknown = {answer.title for answer in answers if answer.title and answer.status is None}
        if total is not None and (total != len(created) or set(rows) != created):
            failures.append(
                f"(f) {len(created)} creates answered 201 but the server lists {total} rows: "
                f"lost {sorted(created - set(rows))[:5]}, written though 503 {sorted(refused & set(rows))[:5]}, "
                f"written without an answer {sorted(unknown & set(rows))[:5]}, "
                f"others {sorted(set(rows) - created - refused - unknown)[:5]}"
            )
    assert not failures, "\n".join(failures) + f"\nproxy: {proxy.counters()}"


@pytest.fixture(scope="module")
def server_with_faulty_database(request: pytest.FixtureRequest) -> Iterator[tuple[str, dbproxy.DatabaseProxy]]:
    config = request.config
    if config.getoption("--base-url"):
        pytest.skip(
            "database faults: --base-url names a server already running, whose database the suite cannot put "
            "behind its proxy; run with --impl NAME --db postgres"
        )
    if not config.getoption("--impl"):
        pytest.skip("database faults run only when the suite starts the server itself: --impl NAME --db postgres")
    if config.getoption("--db") != "postgres":
        pytest.skip("database faults run only on PostgreSQL (--impl NAME --db postgres); this run uses SQLite")
    impl = implementations.get(config.getoption("--impl"))
    venv = config.getoption("--impl-venv")
    try:
        with server_behind_proxy(impl, venv and Path(venv).resolve()) as started:
            yield started
    except databases.DatabaseUnavailable as error:
        databases.unavailable(error)
    except server.ServerError as error:
        pytest.fail(f"{impl.name}: {error}", pytrace=False)


def test_database_faults_are_503_and_service_resumes(server_with_faulty_database):
    check_database_faults(*server_with_faulty_database)

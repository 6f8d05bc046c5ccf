"""Send the same generated request sequences to every implementation and compare the answers.

    pytest contract_tests --impls fastapi,flask,django            # starts all three (nox -s contract does)
    pytest contract_tests --base-urls http://127.0.0.1:8001,http://127.0.0.1:8002
    pytest contract_tests --impls fastapi,flask --thorough        # longer sequences, many more of them

A Hypothesis state machine makes the sequences: valid and invalid bodies, query strings, paths,
methods and content types, from up to two items made at the start; among them updates that change
values, updates that send an item's own values back, and listings by ``created_at``, so that the
timestamps' relations are put to the test. Each step goes to every server; the answers are reduced by
compare.py (DESIGN.md's "What behave identically means") and must be equal. A difference fails with the
sequence that led to it, shrunk by Hypothesis, and every server's answer side by side.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
import hypothesis
import pytest
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from contract_tests import accounts
from contract_tests.differential.compare import Names, normalise, side_by_side

SEQUENCES, STEPS = 200, 10
THOROUGH_SEQUENCES, THOROUGH_STEPS = 2000, 25
SORTS = ["id", "-id", "title", "-title", "price", "-price", "created_at", "-created_at"]
UNKNOWN_ID = 987654321  # no server in a test run gets this far


@dataclass(frozen=True)
class Call:
    """One request, with item ids by name (``ref`` 0 is ``#1``) so that it means the same on every server."""

    method: str
    path: str  # "/items/{ref}" names a created item
    ref: int | None = None
    params: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    content_type: str | None = None
    content_encoding: str | None = None
    who: str | None = None  # a user's name in USERS, BAD_TOKEN, or None for no credentials

    def send(self, client: httpx.Client, names: Names, tokens: dict[str, str]) -> httpx.Response:
        path = self.path.format(ref=names.ids[self.ref]) if self.ref is not None else self.path
        token = tokens.get(self.who, self.who)
        headers = {
            "content-type": self.content_type,
            "content-encoding": self.content_encoding,
            "authorization": None if token is None else f"Bearer {token}",
        }
        headers = {name: value for name, value in headers.items() if value is not None}
        return client.request(self.method, path, params=self.params, content=self.body, headers=headers)

    def __str__(self) -> str:
        path = self.path.format(ref=f"#{self.ref + 1}") if self.ref is not None else self.path
        query = "?" + "&".join(f"{key}={_short(value)}" for key, value in self.params) if self.params else ""
        coding = "" if self.content_encoding is None else f", content-encoding {self.content_encoding}"
        body = "" if self.body is None else f"  [{self.content_type or 'no content-type'}{coding}] {self.body[:200]!r}"
        who = "anonymous" if self.who is None else f"as {self.who}"
        return f"{self.method} {path}{query}{body}  ({who})"


def _short(value: str) -> str:
    """``'x' * 201`` rather than 201 x's, and ``'1' + '0' * 4300`` rather than a 4,301-digit number."""
    if len(value) > 20 and len(set(value)) == 1:
        return f"{value[0]!r} * {len(value)}"
    if len(value) > 40:
        return f"{value[:8]!r}... ({len(value)} characters)"
    return repr(value)


# region: generated data
def _text(alphabet: str, max_size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, min_size=1, max_size=max_size)


GOOD = {
    "title": _text("abXYé%_ ", 6),
    "description": st.none() | _text("ab ", 5),
    "price": st.sampled_from([0.01, 1, 2.5, 10, 1000000]) | st.floats(min_value=0.01, max_value=1e6),
    "quantity": st.integers(0, 1_000_000) | st.just(3.0),
}
BAD = st.sampled_from(
    [
        None,
        True,
        "",
        "\x00",
        "a\x00b",
        "x" * 201,
        "x" * 200 + "\x00",
        "d" * 2001,
        "12.5",
        0,
        -1,
        3.5,
        1e6 + 0.5,
        10**6 + 1,
        [],
        {},
    ]
)
# Number literals Python's json will not read as they stand (DESIGN.md, "Request bytes"): written into the
# JSON text in place of a placeholder string, since json.dumps cannot write them.
BIG = "1" + "0" * 4300
HUGE_LITERALS = [BIG, "-" + BIG, BIG + ".0", "1e400", "-1e400", "12345678901234567890123"]
HUGE = st.sampled_from([f"__literal_{index}__" for index in range(len(HUGE_LITERALS))])
FIELD = {name: good | BAD | HUGE for name, good in GOOD.items()}
SOMETIMES_WRONG = st.fixed_dictionaries(
    {}, optional={**FIELD, "id": st.integers(1, 3), "created_at": st.just("2020-01-01T00:00:00Z"), "colour": BAD}
)
VALID_CREATE = st.fixed_dictionaries(
    {"title": GOOD["title"], "price": GOOD["price"]},
    optional={"description": GOOD["description"], "quantity": GOOD["quantity"]},
)
NOT_JSON = st.sampled_from(
    [
        b"{bad",
        b"",
        b"[]",
        b"null",
        b'"x"',
        b'{"title": "x", "price": NaN}',
        b'{"title": "\\ud800", "price": 1}',
        b'{"title": "Caf\xe9", "price": 2}',  # Latin-1, not UTF-8
        b"[" * 5000 + b"]" * 5000,  # deeper than Python's json takes
        b'{"title": "x", "price": 1, "extra": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        b'{"title": "a", "title": "b", "price": 1}',  # duplicate member names
        b'{"title": "a", "price": 1, "extra": {"k": 1, "k": 1}}',
    ]
)
CONTENT_TYPE = st.sampled_from(["application/json", "application/json", "application/json; charset=utf-8"]) | (
    st.sampled_from(
        [
            "text/plain",
            "application/merge-patch+json",
            None,
            "application/json; charset=latin-1",
            "application/json; charset=utf-16",
        ]
    )
)
CONTENT_ENCODING = st.sampled_from([None] * 6 + ["identity", "gzip", "br"])


def _respelled(number: Any) -> Any:
    """The same JSON number written otherwise: ``5`` as ``5.0``, ``5.0`` as ``5`` (a fraction stays as it is)."""
    if isinstance(number, int) and not isinstance(number, bool):
        return float(number)
    return int(number) if isinstance(number, float) and number.is_integer() else number


def _json_text(value: dict[str, Any]) -> bytes:
    text = json.dumps(value, ensure_ascii=False)
    for index, literal in enumerate(HUGE_LITERALS):
        text = text.replace(f'"__literal_{index}__"', literal)
    return text.encode()


@st.composite
def bodies(draw: st.DrawFn, fields: st.SearchStrategy[dict[str, Any]]) -> tuple[bytes, str | None, str | None]:
    content = draw(st.builds(_json_text, fields) | NOT_JSON)
    return content, draw(CONTENT_TYPE), draw(CONTENT_ENCODING)


QUERY_VALUES = {
    "limit": ["1", "2", "5", "20", "100", "0", "101", "-1", "abc", "1.5", "", BIG, "-" + BIG],
    "offset": ["0", "1", "3", "-1", "9223372036854775808", "x", BIG, "-" + BIG],
    "sort": [*SORTS, "colour", ""],
    "q": ["", "a", "A", "x", "é", "É", "%", "_", "x" * 201, "a\x00"],
    "min_price": ["0", "1", "2.5", "10", "1000000", "1000000.5", "-1", "nan", "1e400", BIG, "-" + BIG],
    "max_price": ["0", "1", "2.5", "10", "1000000", "-1", "abc", "inf", "-1e400", BIG + ".5"],
}
# A list, not a dict: a parameter may come twice (`?limit=5&limit=abc`).
QUERIES = st.lists(st.sampled_from(sorted(QUERY_VALUES)), max_size=3).flatmap(
    lambda keys: st.tuples(*(st.tuples(st.just(key), st.sampled_from(QUERY_VALUES[key])) for key in keys))
)
BAD_ITEM_PATHS = ["/items/0", "/items/abc", f"/items/{UNKNOWN_ID}", "/items/99999999999999999999", "/items/"]
# Who sends a request: one of two users (their tokens differ per server), nobody, or a token no server issued.
USERS = ("alice", "bob")
BAD_TOKEN = "not-a-token"
WRITER = st.sampled_from(["alice", "alice", "alice", "bob", None, BAD_TOKEN])
READER = st.sampled_from([None, None, None, "alice", BAD_TOKEN])
# endregion


class Differential(RuleBasedStateMachine):
    """Every rule is one request, sent to every server and compared."""

    clients: list[tuple[str, httpx.Client]] = []  # set by the test before it runs
    tokens: list[dict[str, str]] = []  # per server, each user's token (USERS), set by the test
    usernames: dict[str, str] = {}  # each user's username, the same on every server, set by the test
    counts: dict[str, int] = {}  # sequences and requests sent, set by the test
    items = Bundle("items")

    def __init__(self) -> None:
        super().__init__()
        self.history: list[Call] = []
        self.names = [Names() for _ in self.clients]

    def exchange(self, call: Call) -> list[httpx.Response]:
        self.history.append(call)
        self.counts["requests"] += 1
        responses = [
            call.send(client, names, tokens)
            for (_, client), names, tokens in zip(self.clients, self.names, self.tokens, strict=True)
        ]
        for response, names in zip(responses, self.names, strict=True):
            if response.status_code == 201 and isinstance(body := response.json(), dict) and "id" in body:
                names.ids.append(body["id"])
        reduced = [normalise(response, names) for response, names in zip(responses, self.names, strict=True)]
        if any(other != reduced[0] for other in reduced[1:]):
            steps = "\n".join(f"  {number}. {step}" for number, step in enumerate(self.history, start=1))
            labels = [label for label, _ in self.clients]
            raise AssertionError(
                f"the servers answered step {len(self.history)} differently.\n"
                f"Sequence (on fresh state; #n is the item the n-th create made):\n{steps}\n"
                f"Answers to step {len(self.history)}:\n{side_by_side(labels, responses, reduced)}"
            )
        return responses

    def item_call(
        self, method: str, path: int | str, who: str | None, body: tuple[bytes, str | None, str | None] | None = None
    ) -> Call:
        content, content_type, coding = body if body is not None else (None, None, None)
        fields = {"body": content, "content_type": content_type, "content_encoding": coding, "who": who}
        if isinstance(path, int):
            return Call(method, "/items/{ref}", ref=path, **fields)
        return Call(method, path, **fields)

    @initialize(target=items, seeds=st.lists(st.tuples(VALID_CREATE, st.sampled_from(USERS)), max_size=2))
    def fresh_start(self, seeds: list[tuple[dict[str, Any], str]]) -> Any:
        """An empty collection, then up to two items (none, at times) made with valid creates: most sequences
        then have items to change, restate, compare the timestamps of and sort, not only refusals to compare."""
        self.counts["sequences"] += 1
        for (_, client), tokens in zip(self.clients, self.tokens, strict=True):
            for user in USERS:
                delete_every_item(client, self.usernames[user], tokens[user])
        made = [self.create((_json_text(fields), "application/json", None), who) for fields, who in seeds]
        return multiple(*(ref for ref in made if isinstance(ref, int)))

    @rule(target=items, body=bodies(VALID_CREATE | SOMETIMES_WRONG), who=WRITER)
    def create(self, body: tuple[bytes, str | None, str | None], who: str | None) -> Any:
        call = Call("POST", "/items", body=body[0], content_type=body[1], content_encoding=body[2], who=who)
        responses = self.exchange(call)
        return len(self.names[0].ids) - 1 if responses[0].status_code == 201 else multiple()

    @rule(path=items | st.sampled_from(BAD_ITEM_PATHS), method=st.sampled_from(["GET", "GET", "HEAD"]), who=READER)
    def read(self, path: int | str, method: str, who: str | None) -> None:
        self.exchange(self.item_call(method, path, who))

    @rule(path=items | st.sampled_from(BAD_ITEM_PATHS), body=bodies(VALID_CREATE | SOMETIMES_WRONG), who=WRITER)
    def replace(self, path: int | str, body: tuple[bytes, str | None, str | None], who: str | None) -> None:
        self.exchange(self.item_call("PUT", path, who, body))

    @rule(path=items | st.sampled_from(BAD_ITEM_PATHS), body=bodies(SOMETIMES_WRONG), who=WRITER)
    def update(self, path: int | str, body: tuple[bytes, str | None, str | None], who: str | None) -> None:
        self.exchange(self.item_call("PATCH", path, who, body))

    @rule(path=items, fields=st.fixed_dictionaries({}, optional=GOOD), who=st.sampled_from(["alice", "alice", "bob"]))
    def update_valid(self, path: int, fields: dict[str, Any], who: str) -> None:
        """A PATCH that passes validation (the rule above mostly draws refusals): by the owner, mostly a change."""
        self.exchange(self.item_call("PATCH", path, who, (_json_text(fields), "application/json", None)))

    @rule(
        path=items,
        method=st.sampled_from(["PUT", "PATCH"]),
        keep=st.sets(st.sampled_from(sorted(GOOD))),
        respell=st.booleans(),
        who=WRITER,
    )
    def restate(self, path: int, method: str, keep: set[str], respell: bool, who: str | None) -> None:
        """Read an item, then send it values it holds: a PATCH of ``keep``, a PUT of the required fields and
        ``keep``'s optional ones (one left out goes back to its default: a change unless it is there already).
        ``respell`` writes the numbers otherwise (``5.0`` for ``5``). Where no value changes, ``updated_at`` must
        stay; the next answers that show the item compare its timestamps' relations (compare.py)."""
        current = self.exchange(self.item_call("GET", path, None))[0]
        if current.status_code != 200:
            return
        stored = current.json()
        names = keep | {"title", "price"} if method == "PUT" else keep
        body = {name: stored[name] for name in sorted(names)}
        if respell:
            body = {name: _respelled(value) if name in ("price", "quantity") else value for name, value in body.items()}
        self.exchange(self.item_call(method, path, who, (_json_text(body), "application/json", None)))

    @rule(path=items | st.sampled_from(BAD_ITEM_PATHS), who=WRITER)
    def delete(self, path: int | str, who: str | None) -> None:
        self.exchange(self.item_call("DELETE", path, who))

    @rule(params=QUERIES, method=st.sampled_from(["GET", "GET", "HEAD"]), who=READER)
    def listing(self, params: tuple[tuple[str, str], ...], method: str, who: str | None) -> None:
        self.exchange(Call(method, "/items", params=params, who=who))

    @precondition(lambda self: len(self.names[0].ids) >= 2)
    @rule(sort=st.sampled_from(["created_at", "-created_at"]))
    def listing_by_creation(self, sort: str) -> None:
        """The order ``created_at`` induces, once two items were made: updates (of the older) must not change it."""
        self.exchange(Call("GET", "/items", params=(("sort", sort),)))

    @rule(
        method=st.sampled_from(["OPTIONS", "PUT", "PATCH", "DELETE", "POST", "TRACE"]), path=items | st.just("/items")
    )
    def other_method(self, method: str, path: int | str) -> None:
        if path == "/items" and method == "POST":
            method = "OPTIONS"
        self.exchange(self.item_call(method, path, "alice"))


def delete_every_item(client: httpx.Client, username: str, token: str) -> None:
    """Delete ``username``'s items, so that a sequence starts from an empty collection (ids go on rising:
    compare.py names them). Only an item's owner may delete it, and only the two users create any.

    Any answer but a page, or a failed delete, fails with its status and body: a server that cannot
    be emptied cannot be compared.
    """
    while True:
        page = client.get("/items", params={"limit": 100, "owner": username})
        assert page.status_code == 200 and "items" in page.json(), (
            f"{client.base_url}: GET /items?limit=100 while clearing answered {page.status_code}: {page.text[:500]}"
        )
        if not page.json()["items"]:
            return
        for item in page.json()["items"]:
            deleted = client.delete(f"/items/{item['id']}", headers={"authorization": f"Bearer {token}"})
            assert deleted.status_code == 204, (
                f"{client.base_url}: DELETE /items/{item['id']} while clearing answered "
                f"{deleted.status_code}: {deleted.text[:500]}"
            )
        if page.json()["total"] <= len(page.json()["items"]):
            return  # that page held them all: no need to ask again


def test_implementations_answer_alike(
    differential_targets: list[tuple[str, str]], request: pytest.FixtureRequest, record_testsuite_property
):
    thorough = request.config.getoption("--thorough")
    clients = [(label, httpx.Client(base_url=url, timeout=30)) for label, url in differential_targets]
    # The same two usernames on every server, new for each run (a server at --base-urls keeps older ones).
    names = {user: accounts.unique_username(user) for user in USERS}
    tokens = []
    for _, client in clients:
        signed_up = {user: accounts.sign_up_as(client, name) for user, name in names.items()}
        tokens.append({user: account.token for user, account in signed_up.items()})
    counts = {"sequences": 0, "requests": 0}
    attributes = {"clients": clients, "counts": counts, "tokens": tokens, "usernames": names}
    machine = type("Differential", (Differential,), attributes)
    settings = hypothesis.settings(
        max_examples=THOROUGH_SEQUENCES if thorough else SEQUENCES,
        stateful_step_count=THOROUGH_STEPS if thorough else STEPS,
    )
    try:
        run_state_machine_as_test(machine, settings=settings)
    finally:
        for _, client in clients:
            client.close()
        for name, value in counts.items():
            record_testsuite_property(name, value)  # read by tools/conformance_report.py

"""The bench user: signed up over HTTP at each start of an implementation, its token, and login timings.

Every write needs a bearer token and only an item's owner may change it (DESIGN.md, "Accounts, tokens
and ownership"), so each start of an implementation signs up one user of its own (a unique name), gets a
token with ``POST /token`` and reads its id back from ``GET /users/me``; the seed's 10,000 items are that
user's, so the mixed scenario's ``PATCH`` of a seeded item is the owner's (200, not 403). The ceilings
and hello apps have no accounts and get none of this.

``POST /token`` is left out of the load runs (its password check is slow on purpose); ``time_logins``
times a few sequential logins instead, one connection each, on a server that has nothing else to do.
"""

from __future__ import annotations

import json
import secrets
import statistics
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

TIMEOUT_S = 30  # a login hashes a password: generous


class AccountError(RuntimeError):
    """The bench user could not be signed up, logged in or read back."""


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    password: str = field(repr=False)  # neither is ever printed or logged
    token: str = field(repr=False)


def _call(method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple:
    """(status, parsed JSON body or None); an HTTP error status is returned, not raised."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw[:300].decode(errors="replace")


def _expect(what: str, status: int, body: object, wanted: int) -> None:
    if status != wanted:
        raise AccountError(f"{what} answered {status} (expected {wanted}): {str(body)[:300]}")


def token(base: str, username: str, password: str) -> str:
    """``POST /token`` with the password grant (a form, as the contract says); the access token."""
    form = urllib.parse.urlencode({"grant_type": "password", "username": username, "password": password})
    status, body = _call("POST", base + "/token", form.encode(), {"Content-Type": "application/x-www-form-urlencoded"})
    _expect("POST /token", status, body, 200)
    return body["access_token"]


def sign_up(base: str) -> Account:
    """A new user with a unique name (``POST /users``), its token, and its id as ``GET /users/me`` gives it."""
    username = f"bench-{secrets.token_hex(5)}"
    password = secrets.token_urlsafe(18)
    payload = json.dumps({"username": username, "password": password}).encode()
    status, body = _call("POST", base + "/users", payload, {"Content-Type": "application/json"})
    _expect("POST /users", status, body, 201)
    access = token(base, username, password)
    status, me = _call("GET", base + "/users/me", headers={"Authorization": f"Bearer {access}"})
    _expect("GET /users/me with the bench token", status, me, 200)
    if me.get("username") != username or not isinstance(me.get("id"), int):
        raise AccountError(f"GET /users/me named {me!r}, not the bench user {username!r}")
    return Account(me["id"], username, password, access)


def time_logins(base: str, account: Account, count: int) -> list[float]:
    """Milliseconds of each of ``count`` sequential ``POST /token`` (each a 200, on a new connection)."""
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        token(base, account.username, account.password)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def summary(samples: list[float]) -> dict:
    """Median and p90 (nearest rank) of login times, with the samples."""
    ordered = sorted(samples)
    p90 = ordered[max(0, -(-9 * len(ordered) // 10) - 1)]  # nearest rank: the ceil(0.9 n)-th smallest
    return {
        "logins": len(ordered),
        "median_ms": statistics.median(ordered),
        "p90_ms": p90,
        "min_ms": ordered[0],
        "max_ms": ordered[-1],
        "samples_ms": [round(x, 3) for x in samples],
    }

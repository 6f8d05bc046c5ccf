"""The scenarios, and the wrk Lua script that sends each one and counts every answer.

Against an implementation the script carries the bench user's bearer token (bench/accounts.py): on every
write (``POST``, ``PATCH``), as the contract requires, and on every request of ``get-auth``, the anonymous
``get`` with a token, whose throughput beside ``get``'s is what authenticating a request costs. Targets
without accounts (ceilings, hello apps) get no token and send none.

A scenario is a weighted mix of request kinds. The script counts every status code and every request sent
(by kind, too), and stamps the first and the last answer. When the load window closes it stops sending
(wrk's ``delay`` hook) and waits until every request sent has its answer, so that:

- the 201s counted are exactly the rows written, and the row count in the database can be checked;
- throughput is the answers divided by the time from the start to the last answer, which stays right for a
  server that shares its time among all open requests (an asyncio loop, Django's ASGI thread), where the
  answers may all arrive late and together, and few or none inside a short window.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.seeding import SEED_ITEMS


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    mix: tuple[tuple[str, int], ...]  # (kind, weight)
    writes: bool
    auth: bool = False  # every request carries the token (not only the writes): needs a target with accounts

    @property
    def static_path(self) -> str | None:
        """The one path of a scenario made of one fixed GET (no Lua ``request``, as cheap as plain wrk)."""
        if len(self.mix) == 1 and self.mix[0][0] in STATIC:
            return STATIC[self.mix[0][0]]
        return None


SEARCH_WORD = "kilo"  # one of seeding.WORDS: in ~19% of the titles (three words drawn from 15)
STATIC = {
    "list": "/items?limit=20&sort=-price",
    "list-1": "/items?limit=1&sort=-price",
    "list-100": "/items?limit=100&sort=-price",
    "search": f"/items?q={SEARCH_WORD}&limit=20",
    "hello": "/hello",
}

SCENARIOS = {
    s.name: s
    for s in (
        Scenario("get", "GET /items/{id}", (("get", 1),), writes=False),
        Scenario("get-auth", "GET /items/{id} with a bearer token", (("get-auth", 1),), writes=False, auth=True),
        Scenario("list", "GET /items?limit=20&sort=-price", (("list", 1),), writes=False),
        Scenario("list-1", "GET /items?limit=1&sort=-price", (("list-1", 1),), writes=False),
        Scenario("list-100", "GET /items?limit=100&sort=-price", (("list-100", 1),), writes=False),
        Scenario("search", f"GET /items?q={SEARCH_WORD}&limit=20", (("search", 1),), writes=False),
        Scenario("post", "POST /items", (("post", 1),), writes=True),
        Scenario(
            "mixed",
            "mixed: 70% GET one, 10% GET a page, 15% POST, 5% PATCH",
            (("get", 70), ("list", 10), ("post", 15), ("patch", 5)),
            writes=True,
        ),
        Scenario("hello", "GET /hello (fixed JSON, no database)", (("hello", 1),), writes=False),
    )
}

LUA = r"""-- Written by bench/scenarios.py for one run: scenario %(name)s.
local ffi = require("ffi")
pcall(ffi.cdef, [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]])
local ts = ffi.new("bench_timespec")
local function now()
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
end

local WINDOW = %(window)f
local MARKER = "%(marker)s"
local IDS = %(ids)d
local KINDS = {%(kinds)s}
local CUMULATIVE = {%(cumulative)s}
local TOTAL = %(total)d
local TOKEN = %(token)s  -- the bench user's bearer token, or nil for a target without accounts
local JSON_HEADERS = {["Content-Type"] = "application/json"}
local AUTH_HEADERS = {}
if TOKEN then
  JSON_HEADERS["Authorization"] = "Bearer " .. TOKEN
  AUTH_HEADERS["Authorization"] = "Bearer " .. TOKEN
end
%(static)s
local threads = {}

function setup(thread)
  thread:set("index", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  statuses, sent, in_window, received, nsent, drained = {}, {}, 0, 0, 0, false
  last = 0
  seq = 0
  -- wrk calls request() once in the first thread to check the script, and never sends that one.
  unsent = (index == 1)
  math.randomseed(index * 7919 + os.time())
  started = now()
  deadline = started + WINDOW
end

local function build(kind)
  if kind == "get" then
    return wrk.format("GET", "/items/" .. math.random(1, IDS))
  elseif kind == "get-auth" then
    return wrk.format("GET", "/items/" .. math.random(1, IDS), AUTH_HEADERS)
  elseif kind == "list" then
    return wrk.format("GET", "/items?limit=20&sort=-price")
  elseif kind == "hello" then
    return wrk.format("GET", "/hello")
  elseif kind == "post" then
    seq = seq + 1
    local body = string.format('{"title": "bench %%d-%%d", "price": %%.2f, "quantity": %%d}',
      index, seq, math.random(1, 99999) / 100, math.random(0, 100))
    return wrk.format("POST", "/items", JSON_HEADERS, body)
  else  -- patch
    local body = string.format('{"quantity": %%d}', math.random(0, 1000))
    return wrk.format("PATCH", "/items/" .. math.random(1, IDS), JSON_HEADERS, body)
  end
end

%(dynamic)s

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  received = received + 1
  last = now()
  if last <= deadline then in_window = in_window + 1 end
end

function done(summary, latency, requests)
  local all_status, all_sent, window, got, first, final, total_sent = {}, {}, 0, 0, nil, 0, 0
  for _, t in ipairs(threads) do
    local s, l = t:get("started"), t:get("last")
    if first == nil or s < first then first = s end
    if l > final then final = l end
    for k, v in pairs(t:get("statuses")) do all_status[k] = (all_status[k] or 0) + v end
    for k, v in pairs(t:get("sent")) do all_sent[k] = (all_sent[k] or 0) + v end
    window = window + t:get("in_window")
    total_sent = total_sent + t:get("nsent")
    got = got + t:get("received")
  end
  local function obj(t, quote)
    local parts = {}
    for k, v in pairs(t) do table.insert(parts, string.format('"%%s": %%d', tostring(k), v)) end
    return "{" .. table.concat(parts, ", ") .. "}"
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"window": %%f, "span": %%f, "duration_us": %%d, "requests": %%d, "in_window": %%d, ' ..
    '"received": %%d, "sent_total": %%d, ' ..
    '"statuses": %%s, "sent": %%s, "errors": {"connect": %%d, "read": %%d, "write": %%d, "timeout": %%d}, ' ..
    '"latency_us": {"p50": %%d, "p90": %%d, "p99": %%d, "max": %%d, "mean": %%f}}\n',
    WINDOW, math.max(0, final - first), summary.duration, summary.requests, window, got, total_sent,
    obj(all_status), obj(all_sent),
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""

DYNAMIC = """function request()
  local pick, kind = math.random(TOTAL), KINDS[#KINDS]
  for i = 1, #KINDS do
    if pick <= CUMULATIVE[i] then kind = KINDS[i]; break end
  end
  if unsent then unsent = false else sent[kind] = (sent[kind] or 0) + 1 end
  return build(kind)
end
"""

DRAIN = """function delay()
  -- The window is over: send nothing more, so that every request in flight is answered before wrk stops;
  -- once this thread has its answers, say so in a file (the driver then stops wrk with SIGINT).
  if now() > deadline then
    if not drained and received >= nsent then
      drained = true
      local marker = io.open(MARKER .. index, "w")
      if marker then marker:write("drained"); marker:close() end
    end
    return 3600000
  end
  nsent = nsent + 1  -- wrk asks before every request it sends, the first on each connection too
  return 0
end
"""


def lua_token(token: str | None) -> str:
    """``token`` as a Lua string literal (``nil`` for none). Tokens are printable ASCII (RFC 6750's b64token
    and more); anything that would need escaping is refused rather than escaped."""
    if token is None:
        return "nil"
    if not token or not all(0x21 <= ord(c) <= 0x7E and c not in '"\\' for c in token):
        raise ValueError("a bearer token must be printable ASCII without spaces, quotes or backslashes")
    return f'"{token}"'


def lua_script(
    scenario: Scenario, window: float, drain: bool, marker: str = "", token: str | None = None, ids: int = SEED_ITEMS
) -> str:
    """The script for one run; with ``drain``, each thread writes ``marker`` + its number once drained.

    ``token``: the bearer token sent on every write, and on every request of a scenario with ``auth``
    (which needs one); None for a target without accounts. ``ids``: the seeded items (ids 1..``ids``), from
    which GET one and PATCH pick at random.
    """
    if scenario.auth and token is None:
        raise ValueError(f"scenario {scenario.name} sends a bearer token: give one")
    kinds = [kind for kind, _ in scenario.mix]
    cumulative, total = [], 0
    for _, weight in scenario.mix:
        total += weight
        cumulative.append(total)
    static = scenario.static_path
    dynamic = "" if static else DYNAMIC
    if drain:
        dynamic += DRAIN
    return LUA % {
        "name": scenario.name,
        "window": window,
        "marker": marker,
        "ids": ids,
        "kinds": ", ".join(f'"{k}"' for k in kinds),
        "cumulative": ", ".join(str(c) for c in cumulative),
        "total": total,
        "static": f'wrk.path = "{static}"' if static else "",
        "token": lua_token(token),
        "dynamic": dynamic,
    }

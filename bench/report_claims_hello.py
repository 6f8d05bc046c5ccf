"""The articles' claims on their JSON hello endpoint (shared/CLAIMS.md) against this run: each framework's best
req/s against the claimed range, its server's bare ceiling, the ASGI servers, Django's async view, the claimed ratios.

``hello_sentences(data, r)`` gives those sentences, in the page's order, to bench/report_claims.py.
"""

from __future__ import annotations

from bench.report_common import Results, n, pct, times

# The articles' figures for a TechEmpower-style JSON endpoint (shared/CLAIMS.md), req/s.
CLAIMED_HELLO = {
    "fastapi": ("FastAPI on uvicorn", 15_000, 20_000, "asgi"),
    "flask": ("Flask on gunicorn", 2_000, 4_000, "wsgi"),
    "django": ("Django in ASGI mode", 3_000, 3_000, "asgi"),
}
ABOUT = 0.2  # "~3,000" is read as within 20 %


def _within(value: float, low: float, high: float) -> str:
    """A claimed figure is approximate ("~"): it holds within ABOUT of its range."""
    low, high = low * (1 - ABOUT), high * (1 + ABOUT)
    if value < low:
        return (
            f"**does not hold here**: {n(value)} req/s is {pct(value / low)} of {n(low)} req/s "
            f"(the claimed lower bound less {ABOUT:.0%})"
        )
    if value > high:
        return (
            f"**exceeded here**: {n(value)} req/s, {times(value / high)} {n(high)} req/s "
            f"(the claimed upper bound plus {ABOUT:.0%})"
        )
    return f"**holds**: {n(value)} req/s is within {ABOUT:.0%} of the claimed range"


def hello_sentences(data: dict, r: Results) -> list[str]:
    """Claim 1 of report_claims.claim_sentences: the hello endpoint, in absolute numbers and as an ordering."""
    out: list[str] = []
    machine_note = f"{data['machine']['cores']} cores shared with wrk"
    peaks = {}
    for app, (what, low, high, interface) in CLAIMED_HELLO.items():
        target = r.hello(app, interface)
        peak = r.peak(target, "-", "hello")
        claimed = f"{low:,}–{high:,}" if low != high else f"~{low:,}"
        if peak is None:
            out.append(f"{what}, JSON hello endpoint, claimed {claimed} req/s: not measured in this run.")
            continue
        peaks[app] = peak[0]
        bare = r.peak(r.key(role="bare", server=r.first(target=target)["server"], interface=interface), "-", "hello")
        context = ""
        if bare:
            context = (
                f" The same server serves a bare {interface.upper()} app at {n(bare[0])} req/s at best here, "
                f"so the framework keeps {pct(peak[0] / bare[0])} of its server's ceiling."
            )
        out.append(
            f"{what}, JSON hello endpoint, claimed {claimed} req/s: {_within(peak[0], low, high)}; "
            f"best of the concurrency levels run, at {peak[1]} connections, on {machine_note}.{context}"
        )
    std = r.peak(r.key(role="bare", server_kind="uvicorn-std", interface="asgi", workers=1), "-", "hello")
    granian = r.peak(r.key(role="bare", server_kind="granian", interface="asgi", workers=1), "-", "hello")
    plain = r.peak(r.key(role="bare", server_kind="uvicorn", interface="asgi", workers=1), "-", "hello")
    if plain and (std or granian):
        faster = " and ".join(
            f"{label} {n(v[0])} req/s ({times(v[0] / plain[0])})"
            for label, v in (("uvicorn[standard] (httptools, uvloop)", std), ("granian", granian))
            if v
        )
        claimed_low = CLAIMED_HELLO["fastapi"][1]
        reached = max(v[0] for v in (std, granian) if v) >= claimed_low
        out.append(
            f"The ASGI server matters as much as the framework: for the same bare app and one worker, plain uvicorn "
            f"(h11 parser, asyncio loop) serves {n(plain[0])} req/s here, {faster}. A bare server answering "
            f"{claimed_low:,}+ req/s is "
            + (
                "within reach of plain uvicorn already."
                if plain[0] >= claimed_low
                else "reached here only with such a server."
                if reached
                else "not reached here even so."
            )
            + " FastAPI's implementation starts as FastAPI's docs deploy it: uvicorn[standard] (httptools, uvloop), "
            "a worker per core."
        )
    async_view = r.peak(r.key(role="hello", app="hello-django-async"), "-", "hello")
    if async_view and "django" in peaks:
        out.append(
            f"Django in ASGI mode with an `async def` view (Django's way to skip a sync view's thread hop): "
            f"{n(async_view[0])} req/s at best, {times(async_view[0] / peaks['django'])} the sync view's. Its ASGI "
            "handler runs every request in a thread-sensitive context of its own (asgiref's "
            "`ThreadSensitiveContext`), so the request's synchronous parts (signal receivers, `response.close()`, "
            "a sync view) run on a thread made for that request and joined at its end, async view or not."
        )
    if "fastapi" in peaks and "flask" in peaks:
        measured = peaks["fastapi"] / peaks["flask"]
        low, high = 15_000 / 4_000, 20_000 / 2_000
        verdict = "holds" if low <= measured <= high else "does not hold"
        order = "FastAPI ahead of Flask" if measured > 1 else "Flask ahead of FastAPI"
        out.append(
            f"The claimed ratio FastAPI : Flask on hello ({low:.1f}–{high:.0f}×) **{verdict}** here: "
            f"{times(measured)} ({order}, each under its production server)."
        )
    if "fastapi" in peaks and "django" in peaks:
        measured = peaks["fastapi"] / peaks["django"]
        out.append(
            f"FastAPI : Django (ASGI) on hello: {times(measured)}; the articles' figures imply about 5–7×, "
            f"which **{'holds' if 5 * (1 - ABOUT) <= measured <= 7 * (1 + ABOUT) else 'does not hold'}** here."
        )
    return out

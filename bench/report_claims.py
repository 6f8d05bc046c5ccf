"""The page's section "The articles' claims against this run": each claim of the articles (shared/CLAIMS.md) as a
sentence whose verdict is a condition on this run's figures.

``verdicts(data, r)`` writes the section from ``claim_sentences(data, r)``: the hello endpoint (bench/
report_claims_hello.py), one ORM read, framework overhead against the database, async on I/O waits, p99 at the
highest concurrency, Django under ASGI, second servers, authentication.
"""

from __future__ import annotations

from bench.matrix import AUTH_SCENARIO, CONCURRENCY, SLOW_DB
from bench.report_claims_hello import hello_sentences
from bench.report_common import DB_LABEL, Results, ms, n, name, pct, ratio, times


# --- verdicts on the claims -------------------------------------------------------------------------
def verdicts(data: dict, r: Results) -> str:
    lines = ["## The articles' claims against this run", ""]
    lines += [f"- {text}" for text in claim_sentences(data, r)]
    return "\n".join(lines)


def claim_sentences(data: dict, r: Results) -> list[str]:
    # 1. The hello endpoint, in absolute numbers and as an ordering (bench/report_claims_hello.py).
    out: list[str] = hello_sentences(data, r)
    # 2. One ORM read evens them out (the prototype).
    for db in ("postgres", "sqlite"):
        gets = {app: r.rps(r.production(app), db, "get") for app in r.impls()}
        gets = {app: v for app, v in gets.items() if v}
        if len(gets) >= 2:
            top, bottom = max(gets, key=gets.get), min(gets, key=gets.get)
            spread = gets[top] / gets[bottom]
            listing = ", ".join(f"{name(a)} {n(v)}" for a, v in gets.items())
            evens = spread <= 1.5
            out.append(
                f"One ORM read (`GET /items/{{id}}`, {DB_LABEL[db]}, {r.hc} connections): {listing} req/s, "
                f"a spread of {times(spread)} ({name(top)} fastest; the issue's prototype saw about 2,000 each): the "
                "read "
                + ("**does even them out** (within 1.5×)." if evens else "**does not even them out** (over 1.5×).")
            )
    # 3. Framework overhead vs the database.
    for db in ("postgres", "sqlite"):
        parts, dominated = [], []
        for app in r.impls():
            key = r.production(app)
            mine = r.get(key, db, "get", r.hc)
            raw = r.rps(r.ceiling("raw", mine), db, "get") if mine else None
            share = ratio(mine["rps"] if mine else None, raw)
            if share is not None:
                parts.append(f"{name(app)} {pct(share)}")
                dominated.append(share < 0.5)
        if parts:
            all_stack = all(dominated)
            none_stack = not any(dominated)
            verdict = (
                "**does not hold** for any of them: the idiomatic stack costs more per request than the query"
                if all_stack
                else "**holds** for all of them: the query and the driver cost more than the stack"
                if none_stack
                else "**holds only for some**"
            )
            out.append(
                f'"Framework overhead rarely dominates; the database query does" ({DB_LABEL[db]}, GET one, '
                f"{r.hc} connections), as the share of the raw-driver path on the same server and database "
                f"that each implementation reaches ({', '.join(parts)}): {verdict}. Below 50 % the stack "
                f"(ORM, validation, serialisation, routing) costs more than the one hand-written query."
            )
    # 4. Async wins on I/O waits.
    fast = r.production("fastapi")
    syncs = [k for k in (r.production("flask"), r.production("django")) if k]
    if fast and syncs:
        rows = []
        for c in CONCURRENCY:
            a = r.rps(fast, SLOW_DB, "get", c)
            b = max((v for v in (r.rps(k, SLOW_DB, "get", c) for k in syncs) if v), default=None)
            if a and b:
                rows.append((c, a / b))
        normal_a = r.rps(fast, "postgres", "get")
        normal_b = max((v for v in (r.rps(k, "postgres", "get") for k in syncs) if v), default=None)
        if rows:
            concurrent = [x for c, x in rows if c >= 16]
            wins = bool(concurrent) and min(concurrent) >= 1.5
            listing = ", ".join(f"{times(x)} at {c}" for c, x in rows)
            text = (
                f'"Async wins when requests wait on I/O" (PostgreSQL behind a proxy adding {data["slow_ms"]:g} ms '
                f"to every answer, GET one): FastAPI over the faster sync implementation, by connections: {listing}. "
                + (
                    "**Holds**: with 16 connections or more, the async implementation serves at least 1.5× more."
                    if wins
                    else "**Does not hold** at every concurrency from 16 up (a lead under 1.5× somewhere)."
                )
            )
            if normal_a and normal_b:
                normal = normal_a / normal_b
                slow64 = dict(rows).get(r.hc)
                large_only = slow64 is not None and slow64 >= 2 * normal
                text += f" Without the delay (same scenario, {r.hc} connections) the ratio is {times(normal)}, " + (
                    "so async wins large only when requests wait, as the issue's prototype suggested."
                    if large_only
                    else f"{'not' if slow64 is None or slow64 < 2 * normal else ''} far from the waiting case."
                )
            out.append(text)
    # 5. p99 at the highest concurrency.
    levels = [c for c in CONCURRENCY if r.get(fast, "postgres", "get", c)]
    top_c = max(levels) if levels else None
    if fast and top_c and top_c < max(CONCURRENCY):
        out.append(
            f'"FastAPI holds p99 under 100 ms at very high concurrency": not judged, the highest concurrency '
            f"run here is {top_c} connections."
        )
    elif fast and top_c:
        p_fast = r.p99(fast, "postgres", "get", top_c)
        django_keys = [(k, lbl) for k, lbl in ((r.production("django"), "gunicorn"), (r.asgi_django(), "ASGI"))]
        p_django = [(lbl, r.p99(k, "postgres", "get", top_c)) for k, lbl in django_keys if k]
        p_django = [(lbl, v) for lbl, v in p_django if v is not None]
        if p_fast is not None:
            text = (
                f'"FastAPI holds p99 under 100 ms at very high concurrency": at {top_c} connections (the highest '
                f"run here; the articles speak of thousands of users), GET one on PostgreSQL, FastAPI's p99 is "
                f"{ms(p_fast)} ms: **{'holds' if p_fast < 100 else 'does not hold'}**"
            )
            p50_fast = r.get(fast, "postgres", "get", top_c)["latency_ms"]["p50"]
            text += f" (its p50 is {ms(p50_fast)} ms)"
            if p_django:
                lower = [f"{ms(v)} ms on {lbl}" for lbl, v in p_django if v < p_fast]
                higher = [f"{ms(v)} ms on {lbl}" for lbl, v in p_django if v >= p_fast]
                text += "; Django's p99 is " + "; ".join(
                    part
                    for part in (
                        f"lower, {' and '.join(lower)}: there the claimed contrast is reversed" if lower else "",
                        f"higher, {' and '.join(higher)}, as claimed" if higher else "",
                    )
                    if part
                )
            out.append(text + ".")
    # 6. Django under ASGI vs gunicorn, and the ORM in async.
    wsgi, asgi = r.production("django"), r.asgi_django()
    if wsgi and asgi:
        for db in ("postgres", "sqlite"):
            a, w = r.rps(asgi, db, "get"), r.rps(wsgi, db, "get")
            if a and w:
                hello_a = r.peak(r.hello("django", "asgi"), "-", "hello")
                hello_w = r.peak(r.hello("django", "wsgi"), "-", "hello")
                bare_a = r.peak(r.ceiling("bare", r.first(target=asgi)), "-", "hello")
                bare_w = r.peak(r.ceiling("bare", r.first(target=wsgi)), "-", "hello")
                text = (
                    f"Django under an ASGI server ({r.first(target=asgi)['server_label']}, as FastAPI's) "
                    "against gunicorn "
                    f"({DB_LABEL[db]}, GET one, {r.hc} connections): {n(a)} vs {n(w)} req/s, "
                    f"gunicorn {times(w / a)}"
                )
                if hello_a and hello_w:
                    text += f"; on the hello view {n(hello_a[0])} vs {n(hello_w[0])} ({times(hello_w[0] / hello_a[0])})"
                if bare_a and bare_w:
                    not_server = bare_a[0] >= 0.67 * bare_w[0]
                    text += (
                        f". The bare ASGI ceiling of that server is {n(bare_a[0])} req/s against {n(bare_w[0])} "
                        + (
                            "for gunicorn's, so the server is not what slows Django down: its ASGI path is."
                            if not_server
                            else "for gunicorn's, so the server accounts for part of the difference."
                        )
                    )
                slow_a, slow_f = r.rps(asgi, SLOW_DB, "get"), r.rps(fast, SLOW_DB, "get") if fast else None
                if db == "postgres" and slow_a and slow_f:
                    text += (
                        f" With the slow database, its sync views under ASGI serve {n(slow_a)} req/s against "
                        f"FastAPI's {n(slow_f)} on the same server: ASGI alone does not make Django's synchronous "
                        f"ORM wait concurrently ({times(slow_f / slow_a)})."
                    )
                out.append(text)
                break
    plain = r.peak(r.key(role="bare", server_kind="uvicorn", interface="asgi", workers=1), "-", "hello")
    two = r.peak(r.key(role="bare", server_kind="uvicorn", interface="asgi", workers=2), "-", "hello")
    if two and plain:
        slower = two[0] < plain[0]
        out.append(
            f"uvicorn with 2 workers serves the bare ASGI app at {n(two[0])} req/s, against {n(plain[0])} with one"
            + (
                ": with several workers uvicorn's accepted sockets keep Nagle's algorithm on (the asyncio loop sets "
                "TCP_NODELAY only when the listening socket says IPPROTO_TCP; uvicorn issue #3149), so each "
                "keep-alive request waits for a delayed ACK. uvloop sets TCP_NODELAY itself: that is why the project's "
                "ASGI start names uvloop (`--loop uvloop`)."
                if slower and two[0] < 0.5 * plain[0]
                else "."
            )
        )
    # 7. Second servers: how much of the gap is the server.
    for app in r.impls():
        prod = r.production(app)
        prod_r = r.get(prod, "postgres", "get", r.hc)
        seconds = [
            x
            for x in r.ok
            if x["app"] == app
            and x["role"] == "second"
            and x["db"] == "postgres"
            and x["scenario"] == "get"
            and x["concurrency"] == r.hc
        ]
        if prod_r and seconds:
            listing = "; ".join(
                f"{x['label'].removeprefix(prod_r['label'].split(' on ')[0] + ' on ')}: {n(x['rps'])} req/s "
                f"({times(x['rps'] / prod_r['rps'])})"
                for x in seconds
            )
            out.append(
                f"{name(app)} in other configurations (PostgreSQL, GET one, {r.hc} connections; against its "
                f"production server's {n(prod_r['rps'])} req/s): {listing}."
            )
    # 8. Authentication: what a token costs each framework per request, and one login.
    parts = []
    for app in r.impls():
        key = r.production(app)
        db = next((d for d in ("postgres", "sqlite") if r.get(key, d, AUTH_SCENARIO, r.hc)), None)
        login = next((x for x in data.get("logins", []) if x["target"] == key), None)
        text = ""
        if db:
            share = ratio(r.rps(key, db, AUTH_SCENARIO), r.rps(key, db, "get"))
            text = f"{name(app)} keeps {pct(share)} of its GET one throughput with a token ({DB_LABEL[db]})"
        if login:
            text = (text + ", " if text else f"{name(app)}: ") + f"one login takes {ms(login['median_ms'])} ms"
        if text:
            parts.append(text)
    if parts:
        out.append(
            f"Authentication, each framework's own way ({r.hc} connections; see "
            f'"Authentication" below): {"; ".join(parts)}.'
        )
    if not out:
        out.append("Nothing measured in this run bears on the claims.")
    return out

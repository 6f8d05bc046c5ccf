"""The benchmarks (issue 7): every implementation, its ceilings and a slow database, loaded by wrk.

``nox -s bench`` (or ``-- --quick``) runs ``python -m bench``; see ``__main__.py`` for the options and
docs/benchmarks.md for what it measured last. Modules:

- ``scenarios``: the requests (GET one, with a token too, GET a page, POST, a mix) and the wrk Lua script.
- ``wrk``: installs and runs wrk, bounded in time, and reads back the script's JSON summary.
- ``servers``: the targets, each an app under a server in a venv (implementations, ceilings, second servers).
- ``seeding``: the 10,000 items, written with SQL into whichever table a target created (owned by the bench
  user where items have owners); counts.
- ``accounts``: the bench user of an implementation (sign-up, token, id) and the timed logins.
- ``matrix``: which target runs which scenario at which concurrency on which database (full and quick).
- ``machine``: CPU, kernel, Python, load average, package versions.
- ``runner``: runs the plan and records every result; ``report`` writes docs/benchmarks.md from ``report_common``
  (results and number formats), ``report_claims``/``report_claims_hello`` (the articles' claims),
  ``report_targets`` (issue 17's targets), ``report_ratios`` (headline ratios, authentication, history),
  ``report_runs`` (ceilings, slow database, charts, correctness, every run), ``charts`` draws the PNGs.
- ``seeding``/``matrix`` also make the 1,000,000-item tables; ``sqltrace`` and ``queryplans`` record the SQL each
  ORM sent and its plan, ``memory`` each server's resident set per process, ``report_scaling`` and
  ``charts_scaling`` write the section "How cost grows".
- ``profiling``: after the loads, each implementation under load sampled by py-spy; ``layers`` puts each sample in
  a layer (HTTP server, routing, ORM, driver...), ``profile_charts`` draws the flame graphs and the stacked bars,
  ``report_layers`` writes the section "Where a request's time goes" (tests: bench/tests/, in ``nox -s tests``).

The slow database's proxy is ``contract_tests.dbproxy``, shared with the suite's database-fault test.
"""

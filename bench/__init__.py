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
- ``runner``: runs the plan and records every result; ``report`` and ``charts`` write docs/.

The slow database's proxy is ``contract_tests.dbproxy``, shared with the suite's database-fault test.
"""

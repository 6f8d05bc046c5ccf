"""Sessions for the whole repository. Install nox once (`python3 -m pip install "nox[uv]"`), then:

    nox -s contract                          # the contract suite against every implementation
    nox -s contract -- fastapi flask         # against some
    nox -s contract -- --base-url http://127.0.0.1:8000   # against any server already running
    nox -s contract -- fastapi --db postgres --examples 200
    nox -s report                            # docs/conformance.md: every implementation x SQLite, PostgreSQL
    nox -s report -- --base-url URL          # the same table for a server of yours: contract-artifacts/conformance-*.md
    nox -s tests                             # each implementation's own tests + the suite's self-test
    nox -s lint                              # ruff over the repository
    nox -s serve -- fastapi [--port 8000]    # run one implementation for a person to try
    nox -s docs [-- --check]                 # docs/side-by-side/*.html and docs/index.md from region comments
    nox -s browser                           # /docs, /admin/ and / of each implementation in headless Chromium
    nox -s bench [-- --quick]                # wrk against every implementation: docs/benchmarks.md

Every implementation gets a virtualenv of its own (.nox/impl-NAME), built by uv from the install
commands in its impl.toml, so the three never share dependencies. A warm run skips an install that
the virtualenv already had, with the same pyproject.toml and impl.toml; CONTRACT_REINSTALL=1 forces it.
"""

from __future__ import annotations

import functools
import getpass
import hashlib
import os
import re
import shutil
import sys
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from contract_tests import implementations, verdicts  # noqa: E402  (stdlib only; imports no implementation)

nox.options.default_venv_backend = "uv"
nox.options.sessions = ["lint", "tests", "contract"]
# Reuse session venvs (uv still syncs the requirements each run): warm runs start at once, and two
# nox runs at the same time no longer delete each other's environment.
nox.options.reuse_venv = "yes"
# Never let uv fetch a Python of its own: use the interpreter that runs nox.
os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never")
PYTHON = None  # nox's own interpreter

CONTRACT_REQUIREMENTS = ROOT / "contract_tests" / "requirements.txt"
ARTIFACTS = ROOT / "contract-artifacts"
CONTRACT_PYTEST = [  # the suite, without its self-test (nox -s tests runs that)
    "python",
    "-m",
    "pytest",
    str(ROOT / "contract_tests"),
    "-p",
    "no:cacheprovider",
    "-q",
    "-rs",  # name every skip, so a run without PostgreSQL says so
    "--ignore",
    str(ROOT / "contract_tests" / "selftest"),
]


def uv_binary() -> str:
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        if found is None:
            raise SystemExit('uv not found: python3 -m pip install "nox[uv]"') from None
        return found


def impl_env(venv: Path) -> dict[str, str]:
    """Environment in which an implementation's own commands run: its venv first, uv reachable."""
    path = os.pathsep.join([str(venv / "bin"), str(Path(uv_binary()).parent), os.environ.get("PATH", "")])
    # nox points UV_PYTHON (and uv's project environment) at the session's own venv; uv must use this one.
    return {
        "VIRTUAL_ENV": str(venv),
        "UV_PYTHON": str(venv),
        "UV_PROJECT_ENVIRONMENT": str(venv),
        "PATH": path,
        "UV_PYTHON_DOWNLOADS": "never",
    }


def run_in(session: nox.Session, venv: Path, command, env=None) -> None:
    """Run ``command`` in ``venv``: nox puts the session's own bin/ first, so name the program by its path."""
    program = venv / "bin" / command[0]
    program = str(program) if program.exists() else command[0]
    session.run(program, *command[1:], env={**impl_env(venv), **(env or {})}, external=True)


# A virtualenv remembers each install it has had (a digest of the commands and of the files they read) in
# this file, so a warm run does not ask uv again (about a second per install, and the differential asked twice).
# Editable installs follow source changes by themselves; a change to pyproject.toml or impl.toml installs again.
# CONTRACT_REINSTALL=1 installs anyway (a virtualenv changed by hand).
INSTALL_STAMP = ".installed-by-noxfile"
INSTALLED_THIS_RUN: set[tuple[Path, str]] = set()


def install_digest(folder: Path, commands) -> str:
    """What an install depends on: its commands, the interpreter, and the files it reads in ``folder``."""
    digest = hashlib.sha256(repr((list(commands), sys.version)).encode())
    files = {"pyproject.toml", "setup.py", "setup.cfg", "impl.toml"}
    files |= {arg for command in commands for arg in command if (folder / arg).is_file()}  # -r requirements.txt
    for name in sorted(files):
        if (folder / name).is_file():
            digest.update(name.encode() + b"\0" + (folder / name).read_bytes())
    return digest.hexdigest()


def up_to_date(venv: Path, wanted: str) -> bool:
    stamp = venv / INSTALL_STAMP
    if os.environ.get("CONTRACT_REINSTALL") == "1" or not stamp.is_file():
        return False
    return wanted in stamp.read_text().split()


def remember(venv: Path, wanted: str) -> None:
    stamp = venv / INSTALL_STAMP
    known = stamp.read_text().split() if stamp.is_file() else []
    stamp.write_text("\n".join([*known[-7:], wanted]) + "\n")


def impl_venv(session: nox.Session, impl: implementations.Implementation, commands=(), prefix="impl") -> Path:
    """Create (or reuse) the implementation's virtualenv (.nox/PREFIX-NAME) and run its install commands in it.

    Skipped when the virtualenv already had this install and nothing it reads has changed (INSTALL_STAMP).
    """
    venv = ROOT / ".nox" / f"{prefix}-{impl.name}"
    if not (venv / "bin" / "python").exists():
        session.run(uv_binary(), "venv", "--quiet", "--python", sys.executable, str(venv), external=True)
    commands = (*impl.install, *commands)
    wanted = install_digest(impl.folder, commands)
    if (venv, wanted) in INSTALLED_THIS_RUN:
        return venv
    if up_to_date(venv, wanted):
        session.log(f"{venv.name}: up to date (same pyproject.toml and impl.toml), install skipped")
    else:
        with session.chdir(impl.folder):
            for command in commands:
                run_in(session, venv, command)
        remember(venv, wanted)
    INSTALLED_THIS_RUN.add((venv, wanted))
    return venv


def install_suite(session: nox.Session) -> None:
    """The contract suite's requirements in the session's virtualenv, unless it already has exactly these."""
    location = getattr(session.virtualenv, "location", None)
    venv = Path(location) if location else None
    wanted = install_digest(CONTRACT_REQUIREMENTS.parent, [["-r", CONTRACT_REQUIREMENTS.name]])
    if venv is None:  # no virtualenv of nox's (--no-venv): nothing to remember
        session.install("-r", str(CONTRACT_REQUIREMENTS))
        return
    if up_to_date(venv, wanted):
        session.log(f"{venv.name}: up to date (same {CONTRACT_REQUIREMENTS.name}), install skipped")
        return
    session.install("-r", str(CONTRACT_REQUIREMENTS))
    remember(venv, wanted)


def split_targets(session: nox.Session) -> tuple[list[implementations.Implementation], list[str]]:
    """Leading posargs name implementations (all when none); the rest go on to pytest."""
    known = implementations.discover()
    args = list(session.posargs)
    names = []
    while args and not args[0].startswith("-"):
        names.append(args.pop(0))
    unknown = [name for name in names if name not in known]
    if unknown:
        session.error(f"unknown implementation {', '.join(unknown)}; known: {', '.join(known)}")
    return [known[name] for name in names] or list(known.values()), args


def selects(args: list[str]) -> bool:
    """Whether pytest arguments select some tests only (``-k``, ``-m``): a verdict then speaks of those."""
    return any(arg in ("-k", "-m") or arg.startswith(("-k", "-m")) for arg in args)


def attempt_steps(session: nox.Session, steps) -> list[str]:
    """Run every ``(label, step[, junit])``, log a summary, and return the labels that failed.

    A step with a JUnit file ends the run with a line per failed test and a verdict line (verdicts.py),
    so that every target's failures are at the end, not scrolled away by the next target's run.
    """
    failed = []
    for label, step, *_ in steps:
        session.log(f"==== {label} ====")
        try:
            step()
        except nox.command.CommandFailed:
            failed.append(label)
    summary = ", ".join(f"{label.split()[0]}: {'FAILED' if label in failed else 'passed'}" for label, *_ in steps)
    session.log(f"summary: {summary}")
    for label, _, *junit in steps:
        for line in verdicts.junit_lines(label, junit[0], selects(session.posargs)) if junit else []:
            session.log(line)
    return [label.split()[0] for label in failed]


def run_steps(session: nox.Session, steps) -> None:
    """Run every ``(label, step)``, then fail once, naming every failure."""
    failed = attempt_steps(session, steps)
    if failed:
        session.error(f"failed: {', '.join(failed)}")


def each(impls, run_one):
    return [(f"{impl.name} ({impl.framework} on {impl.server})", functools.partial(run_one, impl)) for impl in impls]


def option(args: list[str], name: str) -> str | None:
    """The value of ``name`` in ``args`` (``--name VALUE`` or ``--name=VALUE``), or None."""
    for at, arg in enumerate(args):
        if arg == name and at + 1 < len(args):
            return args[at + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def without(args: list[str], name: str) -> list[str]:
    """``args`` without ``name`` and its value."""
    kept, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg == name:
            skip = True
        elif not arg.startswith(name + "="):
            kept.append(arg)
    return kept


def outside_run(session: nox.Session, rest: list[str], junit: Path) -> bool:
    """The suite against servers already running (--base-url, --base-urls); its JUnit file in ``junit``."""
    junit.unlink(missing_ok=True)
    session.log(f"JUnit: {junit}")
    try:
        session.run(*CONTRACT_PYTEST, f"--junitxml={junit}", *rest, env={"CONTRACT_ARTIFACTS": str(ARTIFACTS)})
    except nox.command.CommandFailed:
        return False
    return True


@nox.session(python=PYTHON)
def contract(session: nox.Session) -> None:
    """The contract suite, over HTTP, against implementations or any --base-url."""
    install_suite(session)
    impls, rest = split_targets(session)
    if option(rest, "--base-url") or option(rest, "--base-urls"):
        differential = option(rest, "--base-urls") is not None  # the differential test alone (conftest.py)
        junit = ARTIFACTS / ("differential-base-urls.xml" if differential else "base-url.xml")
        if not outside_run(session, rest, junit):
            session.error(f"failed: see above (JUnit: {junit})")
        return
    run_steps(session, contract_steps(session, impls, rest))


def contract_steps(session: nox.Session, impls, rest: list[str]):
    """One step per implementation, then the differential test when there are several."""
    db = next((rest[i + 1] for i, arg in enumerate(rest[:-1]) if arg == "--db"), "sqlite")

    def run_one(impl):
        report = ARTIFACTS / f"{impl.name}-{db}.xml"
        report.unlink(missing_ok=True)  # a verdict only of this run
        venv = impl_venv(session, impl)
        session.run(
            *CONTRACT_PYTEST,
            "--impl",
            impl.name,
            "--impl-venv",
            str(venv),
            f"--junitxml={report}",
            *rest,
            env={"CONTRACT_ARTIFACTS": str(ARTIFACTS)},
        )

    def differential():
        report = ARTIFACTS / f"differential-{db}.xml"
        report.unlink(missing_ok=True)
        venvs = [impl_venv(session, impl) for impl in impls]
        names = ",".join(impl.name for impl in impls)
        # Exit code 5: a -k in the arguments deselected it (pytest says so); the other runs still count.
        session.run(
            *CONTRACT_PYTEST,
            "--impls",
            names,
            "--impl-venvs",
            str(venvs[0].parent),
            f"--junitxml={report}",
            *rest,
            env={"CONTRACT_ARTIFACTS": str(ARTIFACTS)},
            success_codes=[0, 5],
        )

    steps = [
        (f"{impl.name} ({impl.framework} on {impl.server}, {db})", functools.partial(run_one, impl), junit)
        for impl in impls
        for junit in [ARTIFACTS / f"{impl.name}-{db}.xml"]
    ]
    if len(impls) > 1:
        label = f"differential ({' vs '.join(impl.name for impl in impls)}, {db})"
        steps.append((label, differential, ARTIFACTS / f"differential-{db}.xml"))
    return steps


@nox.session(python=PYTHON)
def report(session: nox.Session) -> None:
    """docs/conformance.md: the suite for every implementation on SQLite and PostgreSQL, as one matrix.

    ``-- --check`` runs nothing: it compares the result cells of the contract runs already in
    contract-artifacts/ (CI runs both databases first) with the committed report.

    ``-- --base-url URL`` judges a server of yours instead and writes the same table for it alone to
    contract-artifacts/conformance-HOST-PORT.md (``--base-urls URL,REFERENCE`` adds the differential test
    against a reference server); docs/conformance.md is left alone.
    """
    install_suite(session)
    tool = ["python", str(ROOT / "tools" / "conformance_report.py"), "--artifacts", str(ARTIFACTS)]
    if "--check" in session.posargs:
        session.run(*tool, "--check")
        return
    impls, rest = split_targets(session)
    url = option(rest, "--base-url")
    if url:
        server_report(session, tool, url, rest)
        return
    failed = []
    for db in ("sqlite", "postgres"):
        for stale in ARTIFACTS.glob(f"*-{db}.xml"):
            stale.unlink()  # a report only of this run
        failed += [
            f"{name} on {db}" for name in attempt_steps(session, contract_steps(session, impls, [*rest, "--db", db]))
        ]
    session.run(*tool, "--venvs", str(ROOT / ".nox"))
    if failed:
        session.error(f"docs/conformance.md written, with failures: {', '.join(failed)}")


def server_report(session: nox.Session, tool: list[str], url: str, rest: list[str]) -> None:
    """``nox -s report -- --base-url URL [--base-urls URL,REFERENCE]``: one server's conformance, in Markdown."""
    compared = option(rest, "--base-urls")
    passed, extra = True, []
    if compared:  # first, while both servers are fresh: the suite leaves items and users behind
        junit = ARTIFACTS / "differential-base-urls.xml"
        passed = outside_run(session, without(rest, "--base-url"), junit)
        others = [other for other in compared.split(",") if other.rstrip("/") != url.rstrip("/")]
        extra = ["--differential", str(junit), "--reference", ", ".join(others)]
    passed = outside_run(session, without(rest, "--base-urls"), ARTIFACTS / "base-url.xml") and passed
    name = re.sub(r"[^A-Za-z0-9.]+", "-", url.split("://", 1)[-1]).strip("-")
    output = ARTIFACTS / f"conformance-{name}.md"
    session.run(*tool, "--server", url, "--junit", str(ARTIFACTS / "base-url.xml"), "--output", str(output), *extra)
    session.log(f"conformance report for {url}: {output}")
    if not passed:
        session.error(f"{output} written, with failures (listed above and in the report)")


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Each implementation's own tests, then the contract suite's self-test and the benchmark's unit tests."""
    impls, rest = split_targets(session)

    def run_one(impl):
        venv = impl_venv(session, impl, impl.test_install)
        with session.chdir(impl.folder):
            run_in(session, venv, [*impl.test_command, *rest])

    run_steps(session, each(impls, run_one))
    if not session.posargs:
        session.install("-r", str(CONTRACT_REQUIREMENTS))
        session.run("python", "-m", "pytest", str(ROOT / "contract_tests" / "selftest"), "-p", "no:cacheprovider", "-q")
        # The benchmark's own unit tests (stdlib only: bench/layers.py's rules on hand-written stacks).
        session.run("python", "-m", "pytest", str(ROOT / "bench" / "tests"), "-p", "no:cacheprovider", "-q")


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff over the whole repository, and the READMEs' links to overridden defaults."""
    session.install("ruff>=0.9,<1")
    session.run("ruff", "check", str(ROOT), *session.posargs)
    session.run("ruff", "format", "--check", str(ROOT))
    session.run("python", str(ROOT / "tools" / "check_default_links.py"))


@nox.session(python=PYTHON)
def serve(session: nox.Session) -> None:
    """Start one implementation for a person to try: nox -s serve -- NAME [--port P] [--admin USERNAME].

    ``--admin USERNAME`` first makes USERNAME an administrator of the admin at /admin/ with the implementation's
    own command (impl.toml's [admin] create), the password from $ADMIN_PASSWORD or asked for.
    """
    known = implementations.discover()
    args = list(session.posargs)
    options = {"--port": "8000", "--admin": None}
    for name in options:
        if name in args:
            at = args.index(name)
            if at + 1 >= len(args):
                session.error(f"{name} needs a value")
            options[name] = args[at + 1]
            del args[at : at + 2]
    port, admin = int(options["--port"]), options["--admin"]
    if len(args) != 1 or args[0] not in known:
        session.error(f"usage: nox -s serve -- NAME [--port P] [--admin USERNAME], NAME one of: {', '.join(known)}")
    impl = known[args[0]]
    data = ROOT / ".data"
    data.mkdir(exist_ok=True)
    database_url = os.environ.get("DATABASE_URL", f"sqlite:///{data / (impl.name + '.db')}")
    venv = impl_venv(session, impl)
    env = impl.serve_env(port, database_url, os.environ.get("SECRET_KEY"))  # else a new random one per start
    with session.chdir(impl.folder):
        for command in impl.prepare_commands(port, database_url):
            run_in(session, venv, command, env)
        if admin:
            make_administrator(session, impl, venv, env, admin, port)
        session.log(f"{impl.framework} on {impl.server}: http://127.0.0.1:{port}/docs  (database: {database_url})")
        run_in(session, venv, impl.serve_command(port, database_url), env)


def make_administrator(session: nox.Session, impl, venv: Path, env: dict[str, str], username: str, port: int) -> None:
    """Run the implementation's own command that makes ``username`` an administrator, in the server's environment."""
    if impl.admin is None:
        session.error(f"{impl.name} has no [admin] table in its impl.toml: it has no admin to log into")
    password = os.environ.get("ADMIN_PASSWORD") or getpass.getpass(f"password for {username} (ADMIN_PASSWORD): ")
    run_in(session, venv, impl.admin.create_command(username), {**env, **impl.admin.create_env(password)})
    session.log(f"{username} is an administrator: log in at http://127.0.0.1:{port}/admin/")


# Servers the benchmark runs besides each implementation's own (bench/servers.py): in .nox/bench-NAME.
BENCH_SERVERS = ["granian>=2.5,<3", "uvicorn[standard]>=0.35,<1"]


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Load every implementation with wrk: docs/benchmarks.md and docs/bench/*.png (-- --quick: a smoke run)."""
    session.install("-r", str(ROOT / "bench" / "requirements.txt"))
    second_servers = [["uv", "pip", "install", "--quiet", *BENCH_SERVERS]]
    for impl in implementations.discover().values():
        impl_venv(session, impl)  # its production server, exactly as impl.toml installs it
        impl_venv(session, impl, second_servers, prefix="bench")  # the same, plus the second servers
    session.run("python", "-m", "bench", "--venvs", str(ROOT / ".nox"), *session.posargs)


DOCS_REQUIREMENTS = ROOT / "tools" / "docs-requirements.txt"
BROWSER_REQUIREMENTS = ROOT / "browser_tests" / "requirements.txt"


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """docs/side-by-side/*.html and docs/index.md from the code's region comments (-- --check: fail if stale)."""
    session.install("-r", str(DOCS_REQUIREMENTS))
    session.run("python", str(ROOT / "tools" / "sidebyside.py"), *session.posargs)


def chromium(session: nox.Session) -> str:
    """The Chromium the browser test drives: $CHROMIUM, or Debian's chromium, installed with apt-get if missing."""
    found = shutil.which(os.environ.get("CHROMIUM") or "chromium")
    if found:
        return found
    apt_get = shutil.which("apt-get")
    if apt_get is None or os.geteuid() != 0:
        session.error(
            "Chromium not found and cannot be installed here (needs root and apt-get): install Debian's chromium "
            "package (apt-get install chromium) or set CHROMIUM to a Chromium binary"
        )
    session.log("Chromium not found: installing Debian's chromium package")
    apt_env = {"DEBIAN_FRONTEND": "noninteractive"}
    session.run(apt_get, "update", "-qq", external=True, env=apt_env, silent=True)  # output shown on failure only
    session.run(apt_get, "install", "-y", "-qq", "chromium", external=True, env=apt_env, silent=True)
    found = shutil.which("chromium")
    if found is None:
        session.error("apt-get installed chromium, yet no `chromium` is on PATH")
    return found


@nox.session(python=PYTHON)
def browser(session: nox.Session) -> None:
    """Every implementation's pages in headless Chromium, offline (-- NAME..., or -- --base-url URL).

    /docs and /redoc render every operation, and /docs' Authorize then "Try it out" creates an item; the admin
    at /admin/ (an administrator from [admin] create in impl.toml) refuses bad input, creates, edits and deletes
    what the API then reads, keeps ordinary accounts out and wants its CSRF token; the browse page at / lists
    what GET /items lists, the same in every implementation. Screenshots: contract-artifacts/screenshots/
    NAME-docs.png, NAME-redoc.png, NAME-docs-try-it-out.png, NAME-admin.png, NAME-browse.png.
    """
    executable = chromium(session)
    session.install("-r", str(BROWSER_REQUIREMENTS))
    impls, rest = split_targets(session)
    if not any(arg.split("=")[0] == "--base-url" for arg in rest):
        for impl in impls:
            impl_venv(session, impl)
        rest = ["--impls", ",".join(impl.name for impl in impls), "--impl-venvs", str(ROOT / ".nox"), *rest]
    pytest = ["python", "-m", "pytest", str(ROOT / "browser_tests"), "-p", "no:cacheprovider", "-q", "-rs"]
    session.run(*pytest, *rest, env={"CHROMIUM": executable, "CONTRACT_ARTIFACTS": str(ARTIFACTS)})

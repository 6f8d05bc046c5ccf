"""Side-by-side code pages, generated from the implementations' own region comments.

Every implementation marks each concern in its code with region comments, one set of names for all:

    # region: validation
    ...the code...
    # endregion

(``//``, ``--``, ``<!--``, ``{#`` and ``/*`` comments work too, for an implementation in another language or a
template). A name may appear several times in one implementation; its page shows the pieces in file order. This
tool finds the implementations through their ``*_impl/impl.toml`` (contract_tests/implementations.py), so a new
one gets a column without a change here, and writes

- ``docs/side-by-side/NAME.html``: one page per concern, a column per implementation, highlighted by Pygments,
  each piece linking back to its file and lines, with the number of lines of code per implementation;
- ``docs/index.md``: the index, with the same counts and links to every piece.

    python tools/sidebyside.py            # (re)write the pages (nox -s docs)
    python tools/sidebyside.py --check    # fail if a region is missing somewhere, or a committed page is stale

The pages are deterministic (no dates; files, names and implementations in a fixed order), and depend on the
Pygments version pinned in tools/docs-requirements.txt (nox -s docs installs it).
"""

from __future__ import annotations

import argparse
import ast
import html
import io
import os
import re
import string
import sys
import textwrap
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from contract_tests import implementations  # noqa: E402  (standard library only)

DOCS = ROOT / "docs"
PAGES = DOCS / "side-by-side"
INDEX = DOCS / "index.md"
TEMPLATE = Path(__file__).with_name("sidebyside.html")
REQUIREMENTS = Path(__file__).with_name("docs-requirements.txt")

# The concerns, in page order, each with the sentence its page opens with. A region name found in the code but
# not listed here still gets a page (after these), with no sentence.
CONCERNS = {
    "model": (
        "Model",
        "The persisted item: the table, the UTC timestamps, the database session, and the SQL that must mean the "
        "same on SQLite and PostgreSQL (ASCII-only case folding, code-point order).",
    ),
    "migrations": (
        "Migrations",
        "The schema as a versioned artefact: revision 1 is the items table as it was first created, revision 2 "
        "adds the API's bounds as `CHECK` constraints and an index per sort key; the tool that applies them "
        "before the server starts (`[serve] prepare` in `impl.toml`), and nothing that creates tables at startup.",
    ),
    "validation": (
        "Validation",
        "What a request must look like: strict JSON Schema types per field, unknown fields refused, the body read "
        "as a JSON object (415, 413, 400 before 422), the query string parsed as JSON writes numbers, and "
        "`item_id` as a positive int64.",
    ),
    "create": ("Create", "`POST /items`: 201, the item, and `Location: /items/{id}`."),
    "list": (
        "List and pagination",
        "`GET /items`: the filters (`q`, `min_price`, `max_price`), `sort` with its `id` tie-break, and the "
        "`ItemPage` envelope `{items, total, limit, offset}`.",
    ),
    "retrieve": ("Retrieve", "`GET /items/{item_id}`, and the lookup that answers 404 for an unknown item."),
    "update": (
        "Update",
        "`PUT` (full replacement: optional fields left out go back to their defaults) and `PATCH` (only the fields "
        "given; `{}` changes nothing, `updated_at` included), with 422 before 404.",
    ),
    "delete": ("Delete", "`DELETE /items/{item_id}`: 204 with an empty body and no `Content-Type`."),
    "auth": (
        "Accounts and tokens",
        "Sign-up, `POST /token` (RFC 6749's password grant and its errors), bearer tokens (RFC 6750) with the 401 "
        "challenge before any body is read, and ownership: only an item's owner may change it (403).",
    ),
    "errors": (
        "Error handling",
        "Every error as RFC 9457 `application/problem+json`, the framework's error codes mapped onto the "
        "contract's closed list, 405 with `Allow`, and `OPTIONS`.",
    ),
    "docs": (
        "Docs configuration",
        "The generated `/openapi.json` made to say what the shared spec says, and Swagger UI at `/docs` and ReDoc "
        "at `/redoc` served from installed packages (no CDN).",
    ),
    "settings": ("Settings", "`DATABASE_URL`, the 1 MiB body limit, and the framework's own settings."),
    "wiring": ("App wiring", "The application object, its routes, and how the pieces are plugged together."),
    "tests": (
        "Tests",
        "The implementation's own tests: the fixtures that give each test a client on SQLite and on PostgreSQL, "
        "and the first test, creating an item.",
    ),
}

COUNTING = (
    "Lines of code: the lines of the regions that hold code. Not counted: blank lines, lines holding only a "
    "comment, docstrings (documentation, not code: Python's are found with <code>ast</code>), and the region "
    "markers themselves. A line of code with a comment after it counts. Imports sit outside the regions, so they "
    "are not counted either."
)

_OPEN = r"^\s*(?:#|//|--|;|<!--|\{#|/\*)\s*"
_CLOSE = r"\s*(?:-->|#\}|\*/)?\s*$"
START = re.compile(_OPEN + r"region:\s*([A-Za-z0-9_-]+)" + _CLOSE)
END = re.compile(_OPEN + r"endregion" + _CLOSE)
SKIP_DIRS = {"__pycache__", "node_modules", "build", "dist", "target", "venv", "staticfiles"}


class RegionError(ValueError):
    """Region comments that do not pair up."""


@dataclass
class Piece:
    path: str  # relative to the implementation's folder, with /
    start: int  # first line shown, 1-based
    end: int  # last line shown
    text: str  # the lines start..end, dedented
    code_lines: int


@dataclass
class Column:
    impl: implementations.Implementation
    regions: dict[str, list[Piece]] = field(default_factory=dict)

    def count(self, name: str) -> int:
        return sum(piece.code_lines for piece in self.regions.get(name, []))


def source_files(folder: Path) -> list[Path]:
    found = []
    for directory, dirs, files in os.walk(folder):
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS and not d.endswith(".egg-info")
        )
        found += [Path(directory) / name for name in files if not name.startswith(".")]
    return sorted(found, key=lambda path: path.relative_to(folder).as_posix())


def read_text(path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def python_non_code_lines(source: str) -> set[int]:
    """Lines of a Python file that hold only a comment, or belong to a docstring."""
    lines: set[int] = set()
    code: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            lines.add(token.start[0])
        elif token.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER):
            code.update(range(token.start[0], token.end[0] + 1))
    lines -= code
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                lines.update(range(first.lineno, first.end_lineno + 1))
    return lines


def lexer_for(path: Path, source: str):
    from pygments.lexers import get_lexer_for_filename, guess_lexer_for_filename
    from pygments.util import ClassNotFound

    try:
        return (
            guess_lexer_for_filename(path.name, source) if path.suffix != ".py" else get_lexer_for_filename(path.name)
        )
    except ClassNotFound:
        from pygments.lexers.special import TextLexer

        return TextLexer()


def pygments_code_lines(text: str, lexer) -> int:
    """Lines holding a token that is neither whitespace, nor a comment, nor a docstring (any language)."""
    from pygments.token import Comment, String, Text

    with_code: set[int] = set()
    line = 0
    for kind, value in lexer.get_tokens(text):
        is_code = value.strip() and not (
            (kind in Comment and kind not in Comment.Preproc and kind not in Comment.PreprocFile)
            or kind in String.Doc
            or (kind in Text and not value.strip())
        )
        for offset, part in enumerate(value.split("\n")):
            if is_code and part.strip():
                with_code.add(line + offset)
        line += value.count("\n")
    return len(with_code)


def regions_of(path: Path, relative: str, source: str) -> list[tuple[str, int, int]]:
    """``(name, first line, last line)`` of every region in ``source``, the marker lines left out."""
    found, open_name, open_at = [], None, 0
    for number, line in enumerate(source.splitlines(), start=1):
        if match := START.match(line):
            if open_name is not None:
                raise RegionError(f"{relative}:{number}: region {match[1]!r} opens inside region {open_name!r}")
            open_name, open_at = match[1], number
        elif END.match(line):
            if open_name is None:
                raise RegionError(f"{relative}:{number}: endregion without a region")
            found.append((open_name, open_at + 1, number - 1))
            open_name = None
    if open_name is not None:
        raise RegionError(f"{relative}:{open_at}: region {open_name!r} is never closed")
    return found


def read_column(impl: implementations.Implementation) -> Column:
    column = Column(impl)
    for path in source_files(impl.folder):
        source = read_text(path)
        if source is None or "region:" not in source:
            continue
        relative = path.relative_to(impl.folder).as_posix()
        found = regions_of(path, f"{impl.folder.name}/{relative}", source)
        if not found:
            continue
        lines = source.splitlines()
        try:
            non_code = python_non_code_lines(source) if path.suffix == ".py" else None
        except (SyntaxError, tokenize.TokenError):  # not valid Python (yet): count as for any other language
            non_code = None
        lexer = None if non_code is not None else lexer_for(path, source)
        for name, first, last in found:
            while first <= last and not lines[first - 1].strip():
                first += 1
            while last >= first and not lines[last - 1].strip():
                last -= 1
            if first > last:
                raise RegionError(f"{impl.folder.name}/{relative}:{first - 1}: region {name!r} is empty")
            text = textwrap.dedent("\n".join(lines[first - 1 : last]))
            if non_code is not None:
                count = sum(1 for n in range(first, last + 1) if lines[n - 1].strip() and n not in non_code)
            else:
                count = pygments_code_lines(text, lexer)
            column.regions.setdefault(name, []).append(Piece(relative, first, last, text, count))
    return column


def concern_title(name: str) -> str:
    return CONCERNS.get(name, (name, ""))[0]


def concern_names(columns: list[Column]) -> list[str]:
    found = {name for column in columns for name in column.regions}
    return [name for name in CONCERNS if name in found] + sorted(found - CONCERNS.keys())


def missing_regions(columns: list[Column], names: list[str]) -> list[str]:
    return [
        f"region {name!r} is missing from {column.impl.name} ({column.impl.folder.name}/): "
        f"mark its code with `# region: {name}` ... `# endregion` (`//` etc. in other languages)"
        for name in names
        for column in columns
        if name not in column.regions
    ]


def fragment(piece: Piece) -> str:
    return f"#L{piece.start}" if piece.start == piece.end else f"#L{piece.start}-L{piece.end}"


def link(column: Column, piece: Piece, up: str) -> str:
    return f"{up}{column.impl.folder.name}/{piece.path}{fragment(piece)}"


def lines_span(piece: Piece) -> str:
    return str(piece.start) if piece.start == piece.end else f"{piece.start}-{piece.end}"


def lines_word(count: int) -> str:
    return f"{count} line{'s' if count != 1 else ''}"


def highlight(column: Column, piece: Piece) -> str:
    from pygments import highlight as pygmentize
    from pygments.formatters import HtmlFormatter

    path = column.impl.folder / piece.path
    lexer = lexer_for(path, read_text(path) or "")
    body = pygmentize(piece.text + "\n", lexer, HtmlFormatter(nowrap=True)).rstrip("\n").split("\n")
    rows = [
        f'<span class="ln">{number}</span>{line}'
        for number, line in zip(range(piece.start, piece.end + 1), body, strict=True)
    ]
    return '<pre class="highlight"><code>' + "\n".join(rows) + "</code></pre>"


def inline_markdown(text: str) -> str:
    """The concern sentences' `code` spans as HTML; everything else escaped."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text, quote=False))


def page(name: str, names: list[str], columns: list[Column]) -> str:
    from pygments import __version__ as pygments_version
    from pygments.formatters import HtmlFormatter

    title, sentence = CONCERNS.get(name, (name, ""))
    nav = " ".join(
        f'<a href="{other}.html"{" class=here" if other == name else ""}>{html.escape(concern_title(other))}</a>'
        for other in names
    )
    rows = []
    for column in columns:
        pieces = column.regions.get(name, [])
        where = ", ".join(sorted({piece.path for piece in pieces})) or "none"
        count = str(column.count(name)) if pieces else "missing"
        rows.append(
            f"<tr><th>{html.escape(column.impl.framework)}</th><td class=num>{count}</td>"
            f"<td class=num>{len(pieces)}</td><td>{html.escape(where)}</td></tr>"
        )
    summary = (
        "<table class=counts><thead><tr><th>implementation</th><th>lines of code</th><th>pieces</th>"
        "<th>files</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )
    cells = []
    for column in columns:
        impl = column.impl
        head = (
            f'<h2>{html.escape(impl.framework)} <span class="sub">{html.escape(impl.folder.name)}/ · '
            f"{html.escape(impl.server)} · {html.escape(impl.language)}</span></h2>"
            f'<p class="total">{lines_word(column.count(name))} of code</p>'
        )
        pieces = column.regions.get(name)
        if not pieces:
            body = f'<p class="missing">No <code># region: {html.escape(name)}</code> in {impl.folder.name}/.</p>'
        else:
            body = "".join(
                f'<div class="piece"><p class="where"><a href="{html.escape(link(column, piece, "../../"))}">'
                f"{html.escape(piece.path)}</a> line{'s' if piece.end > piece.start else ''} {lines_span(piece)} · "
                f"{lines_word(piece.code_lines)} of "
                f"code</p>{highlight(column, piece)}</div>"
                for piece in pieces
            )
        cells.append(f'<section class="column">{head}{body}</section>')
    values = {
        "title": html.escape(title),
        "name": html.escape(name),
        "sentence": inline_markdown(sentence),
        "nav": nav,
        "summary": summary,
        "counting": COUNTING,
        "columns": "\n".join(cells),
        "count": str(len(columns)),
        "pygments_css": HtmlFormatter().get_style_defs(".highlight"),
        "generator": f"tools/sidebyside.py with Pygments {pygments_version}",
    }
    return string.Template(TEMPLATE.read_text(encoding="utf-8")).substitute(values)


def index(names: list[str], columns: list[Column]) -> str:
    out = [
        "# Docs",
        "",
        "<!-- Written by `nox -s docs` (tools/sidebyside.py) from the region comments in the code: do not edit. -->",
        "",
        "- [comparison.md](comparison.md): the articles' feature table, answered from this repository's code.",
        "- [workshop.md](workshop.md): a half-day workshop on the repository as it stands.",
        "- [conformance.md](conformance.md): which contract tests pass, per implementation and database.",
        "- [benchmarks.md](benchmarks.md): the measurements.",
        "",
        "## The code, side by side",
        "",
        "Each concern is marked in every implementation with region comments (`# region: NAME` ... `# endregion`);",
        "`nox -s docs` collects them into one HTML page per concern, the implementations in columns (open the pages",
        "from a clone: they work offline). The numbers are lines of code: blank lines, comment-only lines,",
        "docstrings and the region markers are not counted, nor are the imports, which sit outside the regions.",
        "",
        "| concern | " + " | ".join(column.impl.framework for column in columns) + " |",
        "| --- | " + " | ".join("---:" for _ in columns) + " |",
    ]
    for name in names:
        title = concern_title(name)
        counts = " | ".join(str(column.count(name)) if name in column.regions else "missing" for column in columns)
        out.append(f"| [{title}](side-by-side/{name}.html) | {counts} |")
    totals = " | ".join(str(sum(column.count(name) for name in names)) for column in columns)
    out += [f"| all of the above | {totals} |", ""]
    for name in names:
        title, sentence = CONCERNS.get(name, (name, ""))
        out += [f"### [{title}](side-by-side/{name}.html)", ""]
        if sentence:
            out += [sentence, ""]
        for column in columns:
            pieces = column.regions.get(name, [])
            links = ", ".join(f"[`{piece.path}:{lines_span(piece)}`]({link(column, piece, '../')})" for piece in pieces)
            out.append(f"- {column.impl.framework}: {links or 'missing'}")
        out.append("")
    return "\n".join(out)


def generate(columns: list[Column]) -> dict[Path, str]:
    names = concern_names(columns)
    files = {PAGES / f"{name}.html": page(name, names, columns) for name in names}
    files[INDEX] = index(names, columns)
    return files


def pinned_pygments() -> str | None:
    for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines():
        if match := re.fullmatch(r"\s*pygments\s*==\s*([^\s#]+).*", line, re.IGNORECASE):
            return match[1]
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing: fail if a page is stale or missing")
    args = parser.parse_args(argv)

    from pygments import __version__ as pygments_version

    if pygments_version != pinned_pygments():
        print(f"warning: Pygments {pygments_version}, not the {pinned_pygments()} pinned in {REQUIREMENTS.name}")
    impls = list(implementations.discover(ROOT).values())
    try:
        columns = [read_column(impl) for impl in impls]
    except RegionError as error:
        print(f"error: {error}")
        return 1
    names = concern_names(columns)
    problems = missing_regions(columns, names)
    files = generate(columns)
    stale = sorted(path for path in PAGES.glob("*.html") if path not in files)
    if args.check:
        for path, text in sorted(files.items()):
            current = read_text(path) if path.exists() else None
            if current != text:
                problems.append(f"{path.relative_to(ROOT)} {'is missing' if current is None else 'differs'}")
        problems += [f"{path.relative_to(ROOT)} belongs to no region any more" for path in stale]
        for problem in problems:
            print(f"error: {problem}")
        verdict = "FAILED: run `nox -s docs` and commit the pages" if problems else "up to date"
        print(f"{len(impls)} implementations, {len(names)} concerns, {len(files)} pages: {verdict}")
        return 1 if problems else 0
    PAGES.mkdir(parents=True, exist_ok=True)
    for path in stale:
        path.unlink()
    for path, text in sorted(files.items()):
        if read_text(path) != text:
            path.write_text(text, encoding="utf-8")
    for problem in problems:
        print(f"warning: {problem}")
    counts = ", ".join(f"{c.impl.name} {sum(c.count(n) for n in names)}" for c in columns)
    print(f"wrote {len(files)} files under docs/ for {len(impls)} implementations ({counts} lines of code)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

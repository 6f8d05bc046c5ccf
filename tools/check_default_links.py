"""Check that every line link in an implementation's README still points at the comment it quotes.

Each `*_impl/README.md` lists the framework defaults it overrides as links such as
``[`views.py:64`](items_flask/views.py#L64)``; the linked line must carry the one-line comment
naming that default (it contains the word "default"), or sit just below it. Lines move when code is edited, and a
workshop that follows a stale link lands on the wrong line: `nox -s lint` runs this check.

    python tools/check_default_links.py        # exit 1 and list the stale links
    python tools/check_default_links.py --fix  # move each link to where its line went since a commit (HEAD)
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"\]\(([^)#\s]+)#L(\d+)\)")
SHOWN = re.compile(r"(\[`[^`:]+:)(\d+)(`\]\([^)#\s]+#L)(\d+)\)")  # [`views.py:64`](…#L64): the shown number
HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)


def stale_links(readme: Path) -> list[str]:
    problems = []
    for number, line in enumerate(readme.read_text(encoding="utf-8").splitlines(), start=1):
        for target, at in LINK.findall(line):
            path = (readme.parent / target).resolve()
            where = f"{readme.relative_to(ROOT)}:{number}: {target}#L{at}"
            if not path.is_file():
                problems.append(f"{where}: no such file")
                continue
            lines = path.read_text(encoding="utf-8").splitlines()
            index = int(at) - 1
            if index >= len(lines):
                problems.append(f"{where}: the file has {len(lines)} lines")
            elif not any("default" in text.lower() for text in lines[max(index - 1, 0) : index + 1]):
                problems.append(f"{where}: no 'default' comment on or above the line: {lines[index].strip()!r}")
    return problems


def moved_line(path: Path, line: int, since: str) -> int | None:
    """Where line ``line`` of ``path`` as of commit ``since`` is now (``git diff -U0``), None if it was edited."""
    diff = subprocess.run(
        ["git", "diff", "-U0", since, "--", str(path)], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    shift = 0
    for match in HUNK.finditer(diff):
        old_start, old_count = int(match[1]), int(match[2] or 1)
        new_count = int(match[4] or 1)
        if old_count and old_start <= line < old_start + old_count:
            return None
        if old_start + (old_count or 1) - (1 if old_count else 0) <= line:
            shift += new_count - old_count
    return line + shift


def has_default(path: Path, line: int) -> bool:
    lines = path.read_text(encoding="utf-8").splitlines()
    return 0 < line <= len(lines) and any("default" in text.lower() for text in lines[max(line - 2, 0) : line])


def fix(readme: Path, since: str) -> int:
    """Move each stale line link of ``readme`` to where its line went since commit ``since``; the count moved.

    A link's line at ``since`` is read from the same row of the README at ``since`` (rows matched by their text
    without line numbers), so running it again after more edits moves only what is stale, never twice.
    """
    relative = readme.relative_to(ROOT).as_posix()
    old_text = subprocess.run(
        ["git", "show", f"{since}:{relative}"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout
    then = {}
    for row in old_text.splitlines():
        for target, at in LINK.findall(row):
            then[(re.sub(r"\d+", "#", row), target)] = int(at)
    moved = 0
    rows = readme.read_text(encoding="utf-8").splitlines(keepends=True)
    for index, row in enumerate(rows):

        def follow(match: re.Match, key: str = re.sub(r"\d+", "#", row.rstrip("\n"))) -> str:
            nonlocal moved
            target, at = match[1], int(match[2])
            path = (readme.parent / target).resolve()
            if not path.is_file() or has_default(path, at) or (key, target) not in then:
                return match[0]
            now = moved_line(path, then[(key, target)], since)
            if now is None or not has_default(path, now):
                return match[0]
            moved += 1
            return f"]({target}#L{now})"

        rows[index] = SHOWN.sub(lambda m: f"{m[1]}{m[4]}{m[3]}{m[4]})", LINK.sub(follow, row))
    readme.write_text("".join(rows), encoding="utf-8")
    return moved


def main() -> int:
    readmes = sorted(ROOT.glob("*_impl/README.md"))
    if "--fix" in sys.argv:
        since = sys.argv[sys.argv.index("--fix") + 1] if len(sys.argv) > sys.argv.index("--fix") + 1 else "HEAD"
        for readme in readmes:
            print(f"{readme.relative_to(ROOT)}: {fix(readme, since)} links moved")
    problems = [problem for readme in readmes for problem in stale_links(readme)]
    for problem in problems:
        print(problem)
    print(f"{len(readmes)} READMEs checked, {len(problems)} stale line links")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

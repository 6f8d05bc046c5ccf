"""Check that every line link in an implementation's README still points at the comment it quotes.

Each `*_impl/README.md` lists the framework defaults it overrides as links such as
``[`views.py:64`](items_flask/views.py#L64)``; the linked line must carry the one-line comment
naming that default (it contains the word "default"), or sit just below it. Lines move when code is edited, and a
workshop that follows a stale link lands on the wrong line: `nox -s lint` runs this check.

    python tools/check_default_links.py        # exit 1 and list the stale links
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"\]\(([^)#\s]+)#L(\d+)\)")


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


def main() -> int:
    readmes = sorted(ROOT.glob("*_impl/README.md"))
    problems = [problem for readme in readmes for problem in stale_links(readme)]
    for problem in problems:
        print(problem)
    print(f"{len(readmes)} READMEs checked, {len(problems)} stale line links")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

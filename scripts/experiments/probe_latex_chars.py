"""Find the pylatexenc replacements that some TeX engine cannot set with the table preamble.

    python scripts/experiments/probe_latex_chars.py [--engines pdflatex lualatex xelatex]

Typesets every non-ASCII character of pylatexenc's table, one per page, with each engine
and the preamble the LaTeX tables name (tests/test_tables_latex_compile.py), with missing
glyphs made errors (\\tracinglostchars=3; lualatex finds them when a page is shipped out,
hence one page each). A failing line is dropped and the rest compiled
again until the document compiles. Prints the code points that failed under any engine as
ranges, for `_UNSET` in summarizer/tables/latex_text.py. Needs Debian's texlive (see
scripts/install-test-deps) and takes about ten seconds.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))

from latex_compile import PREAMBLES

from summarizer.tables.latex_text import builtin_replacements

ROUNDS = 40


def failing(engine: str, replacements: dict[int, str], folder: Path) -> set[int]:
    """Code points whose replacement stops `engine` or prints nothing."""
    bad: set[int] = set()
    for _ in range(ROUNDS):
        head = [r"\documentclass{article}", PREAMBLES[engine], r"\begin{document}"]
        head = "\n".join([*head, r"\tracinglostchars=3"]).splitlines()
        lines: dict[int, int] = {}
        body = []
        for code, latex in sorted(replacements.items()):
            if code not in bad:
                lines[len(head) + len(body) + 1] = code
                body.append(f"X{{{latex}}}X\\par\\clearpage")
        source = "\n".join([*head, *body, r"\end{document}", ""])
        (folder / "probe.tex").write_text(source, encoding="ascii")
        subprocess.run(
            [engine, "-interaction=nonstopmode", "probe.tex"],
            cwd=folder,
            capture_output=True,
            timeout=600,
            check=False,
        )
        log = (folder / "probe.log").read_text(encoding="latin-1")
        found = {lines[int(n)] for n in re.findall(r"^l\.(\d+)", log, re.M) if int(n) in lines}
        if not found:
            return bad
        bad |= found
    raise SystemExit(f"{engine}: still failing after {ROUNDS} rounds")


def ranges(codes: list[int]) -> list[tuple[int, int]]:
    """Consecutive code points as inclusive (first, last) pairs."""
    spans: list[tuple[int, int]] = []
    for code in codes:
        if spans and spans[-1][1] == code - 1:
            spans[-1] = (spans[-1][0], code)
        else:
            spans.append((code, code))
    return spans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", nargs="+", default=list(PREAMBLES))
    args = parser.parse_args()
    replacements = builtin_replacements()
    union: set[int] = set()
    with tempfile.TemporaryDirectory() as folder:
        for engine in args.engines:
            bad = failing(engine, replacements, Path(folder))
            print(f"{engine}: {len(bad)} of {len(replacements)} fail", file=sys.stderr)
            union |= bad
    for first, last in ranges(sorted(union)):
        print(f"    (0x{first:04X}, 0x{last:04X}),")


if __name__ == "__main__":
    main()

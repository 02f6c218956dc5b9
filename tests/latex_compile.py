"""Compile a LaTeX table with Debian's TeX Live, using only the packages its header names.

The preamble for each engine is read from the header comment render_latex writes, so a
compile test also checks that the header names every package the table needs.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from summarizer.tables.render_latex import HEADER

ENGINES = ("pdflatex", "lualatex", "xelatex")
_PACKAGE = re.compile(r"\\usepackage(?:\[[^\]]*\])?\{[^}]*\}")
_ENGINE_LINE = re.compile(r"% with ([a-z ]+?) also ")


def preamble_for(engine: str, header: tuple[str, ...] = HEADER) -> str:
    """The \\usepackage lines the header asks for, for `engine`."""
    lines = []
    for line in header:
        named = _ENGINE_LINE.match(line)
        if line.startswith("% needs ") or (named and engine in named.group(1).split()):
            lines += _PACKAGE.findall(line)
    return "\n".join(lines)


PREAMBLES = {engine: preamble_for(engine) for engine in ENGINES}


def installed_engines() -> list[str]:
    """The TeX engines on PATH."""
    return [engine for engine in ENGINES if shutil.which(engine)]


@dataclass(frozen=True)
class Compiled:
    """What one compilation gave: exit code, TeX's error lines and the log."""

    returncode: int
    errors: list[str]
    log: str
    pdf: Path


def compile_table(
    engine: str, table: str, folder: Path, *, preamble: str | None = None
) -> Compiled:
    """Compile a document holding `table` (a LaTeX fragment) with `engine` in `folder`.

    Missing glyphs are errors too (\\tracinglostchars=3), so a character the font lacks
    cannot vanish silently from the PDF.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "table.tex").write_text(table, encoding="utf-8")
    document = "\n".join(
        [
            r"\documentclass{article}",
            preamble if preamble is not None else PREAMBLES[engine],
            r"\begin{document}",
            r"\tracinglostchars=3",
            r"\input{table.tex}",
            r"\end{document}",
            "",
        ]
    )
    (folder / "doc.tex").write_text(document, encoding="utf-8")
    done = subprocess.run(
        [engine, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
        cwd=folder,
        capture_output=True,
        timeout=300,
        check=False,
    )
    log_path = folder / "doc.log"
    log = log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else ""
    errors = [line for line in log.splitlines() if line.startswith("!")]
    return Compiled(done.returncode, errors, log, folder / "doc.pdf")

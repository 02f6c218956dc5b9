"""LaTeX: a booktabs `longtable` (it breaks across pages), ready to paste into a document.

The text is ASCII (latex_text.py), so the table compiles with pdflatex (T1 fonts) as well
as with xelatex or lualatex (fontspec); its header comment names the packages it needs.
Titles are hyperref `\\href` links to the paper when the card has an address.
"""

from __future__ import annotations

import re

from summarizer.tables.latex_text import PACKAGES, escape_latex
from summarizer.tables.rows import Column, Row, cell_text
from summarizer.tables.table import SectionHead, Table, TableHead
from summarizer.tables.writer import render_whole

HEADER = (
    rf"% needs \usepackage{{{','.join(PACKAGES)}}}",
    r"% with pdflatex also \usepackage[T1]{fontenc} (and \usepackage{lmodern} for outline fonts)",
    r"% with xelatex or lualatex also \usepackage{fontspec}",
    "% ASCII text: other characters are LaTeX commands; [U+XXXX] marks one that has none",
)

# Share of \linewidth the wrapping columns get together; one-line columns take the rest.
_TEXT_BUDGET = 0.92
_ONE_LINE_ALLOWANCE = 0.07
_WEIGHTS = {"normal": 1.0, "wide": 2.0}


# In \href's address hyperref takes `_ ~ $` as they are and `\% \# \&` as `% # &`, so no
# bare `&` can end a cell early (links.py has already percent-encoded \ { } and spaces).
_URL_ESCAPES = str.maketrans({"%": r"\%", "#": r"\#", "&": r"\&"})


def latex_link(url: str, text: str) -> str:
    """`text` (LaTeX already) as a hyperref link to `url` (an encoded http(s) URL)."""
    return rf"\href{{{url.translate(_URL_ESCAPES)}}}{{{text}}}"


def _column_specs(columns: list[Column]) -> str:
    one_line = [column for column in columns if column.numeric or column.width == "narrow"]
    wrapping = [column for column in columns if column not in one_line]
    budget = max(0.3, _TEXT_BUDGET - _ONE_LINE_ALLOWANCE * len(one_line))
    total = sum(_WEIGHTS[column.width] for column in wrapping) or 1.0
    specs = []
    for column in columns:
        if column.numeric:
            specs.append("r")
        elif column.width == "narrow":
            specs.append("l")
        else:
            share = budget * _WEIGHTS[column.width] / total
            specs.append(rf">{{\raggedright\arraybackslash}}p{{{share:.3f}\linewidth}}")
    return "".join(specs)


# A run of text with no space (a URL, an identifier) may break after this many characters:
# it wraps inside its column instead of running over the next one, and XeTeX (TeX Live
# 2022) does not crash, as it does on a word of about a thousand characters.
_LONGEST_UNBROKEN = 40
_UNBROKEN = re.compile(rf"\S{{{_LONGEST_UNBROKEN}}}(?=\S)")


def breakable_latex(text: str) -> str:
    """`text` escaped for LaTeX, with a break allowed inside long runs without spaces."""
    pieces, start = [], 0
    for run in _UNBROKEN.finditer(text):
        pieces.append(escape_latex(text[start : run.end()]))
        start = run.end()
    pieces.append(escape_latex(text[start:]))
    return r"\allowbreak{}".join(pieces)


class LatexWriter:
    """A table as a booktabs longtable, one line per section heading and per row."""

    def __init__(self, head: TableHead) -> None:
        self.head = head
        self._pairs = head.reader_columns()
        self._links = tuple(head.view.link_position(column) for _, column in self._pairs)
        self._sections = 0

    def begin(self) -> str:
        """The header comment, the column specs and the repeated header row."""
        columns = [column for _, column in self._pairs]
        lines = [
            f"% summarizer table: {self.head.view.name} view, {self.head.papers} papers",
            *HEADER,
            rf"\begin{{longtable}}{{{_column_specs(columns)}}}",
            r"\toprule",
            " & ".join(escape_latex(column.label) for column in columns) + r" \\",
            r"\midrule",
            r"\endhead",
            r"\bottomrule",
            r"\endlastfoot",
        ]
        return "".join(line + "\n" for line in lines)

    def open_section(self, section: SectionHead) -> str:
        """A bold row spanning the table (after a rule, but for the first), when named."""
        number = self._sections
        self._sections += 1
        if section.name is None:
            return ""
        rule = r"\midrule" + "\n" if number else ""
        width = len(self._pairs)
        heading = rf"\multicolumn{{{width}}}{{l}}{{\textbf{{{escape_latex(section.name)}}}}} \\"
        return rule + heading + "\n" + r"\addlinespace" + "\n"

    def row(self, row: Row) -> str:
        """One row; a linked cell is an `\\href`."""
        cells = []
        for (position, _), link_at in zip(self._pairs, self._links, strict=True):
            text = breakable_latex(cell_text(row[position]))
            link = row[link_at] if link_at is not None else None
            cells.append(latex_link(link, text) if isinstance(link, str) and text else text)
        return " & ".join(cells) + r" \\" + "\n"

    def close_section(self) -> str:
        """Nothing ends a section."""
        return ""

    def end(self) -> str:
        """The longtable's end."""
        return r"\end{longtable}" + "\n"


def render_latex(table: Table) -> str:
    """The table as a booktabs longtable; sections start with a bold spanning row."""
    return render_whole(LatexWriter, table)

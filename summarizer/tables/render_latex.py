"""LaTeX: a booktabs `longtable` (it breaks across pages), ready to paste into a document.

The text is ASCII (latex_text.py), so the table compiles with pdflatex (T1 fonts) as well
as with xelatex or lualatex (fontspec); its header comment names the packages it needs.
Titles are hyperref `\\href` links to the paper when the card has an address.
"""

from __future__ import annotations

import re

from summarizer.tables.latex_text import PACKAGES, escape_latex
from summarizer.tables.rows import Column, Row, cell_text
from summarizer.tables.table import Table

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


def _cell(table: Table, row: Row, position: int, column: Column) -> str:
    text = breakable_latex(cell_text(row[position]))
    link_at = table.view.link_position(column)
    link = row[link_at] if link_at is not None else None
    return latex_link(link, text) if isinstance(link, str) and text else text


def render_latex(table: Table) -> str:
    """The table as a booktabs longtable; sections start with a bold spanning row."""
    pairs = table.reader_columns()
    columns = [column for _, column in pairs]
    width = len(columns)
    lines = [
        f"% summarizer table: {table.view.name} view, {table.papers} papers",
        *HEADER,
        rf"\begin{{longtable}}{{{_column_specs(columns)}}}",
        r"\toprule",
        " & ".join(escape_latex(column.label) for column in columns) + r" \\",
        r"\midrule",
        r"\endhead",
        r"\bottomrule",
        r"\endlastfoot",
    ]
    for number, section in enumerate(table.sections):
        if section.name is not None:
            if number:
                lines.append(r"\midrule")
            heading = escape_latex(section.name)
            lines.append(rf"\multicolumn{{{width}}}{{l}}{{\textbf{{{heading}}}}} \\")
            lines.append(r"\addlinespace")
        lines += [
            " & ".join(_cell(table, row, position, column) for position, column in pairs) + r" \\"
            for row in section.rows
        ]
    lines.append(r"\end{longtable}")
    return "\n".join(lines) + "\n"

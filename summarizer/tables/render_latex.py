"""LaTeX: a booktabs `longtable` (it breaks across pages), ready to paste into a document.

Needs `\\usepackage{booktabs,longtable,array,hyperref}` (titles are `\\href` links).
Every cell is escaped in one pass, so an escape's own backslash is never escaped again;
line breaks become spaces.
"""

from __future__ import annotations

import re

from summarizer.tables.rows import Column, Row, cell_text
from summarizer.tables.table import Table

_ESCAPES = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    # In the default OT1 font encoding these print as other glyphs (¡ ¿ —).
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    # After a row's `\\` these would be read as its optional arguments: braced, inert.
    "[": "{[}",
    "]": "{]}",
    "*": "{*}",
    # Arrows the tables themselves write (pipelines, headline gains): textcomp, in the kernel.
    "→": r"\textrightarrow{}",
    "↑": r"\textuparrow{}",
    "↓": r"\textdownarrow{}",
    "\r\n": " ",
    "\r": " ",
    "\n": " ",
}
_SPECIAL = re.compile("|".join(re.escape(char) for char in sorted(_ESCAPES, key=len, reverse=True)))

# Share of \linewidth the wrapping columns get together; one-line columns take the rest.
_TEXT_BUDGET = 0.92
_ONE_LINE_ALLOWANCE = 0.07
_WEIGHTS = {"normal": 1.0, "wide": 2.0}


def escape_latex(text: str) -> str:
    """Text as LaTeX that prints it literally (`& % $ # _ { } ~ ^ \\` and more escaped)."""
    return _SPECIAL.sub(lambda match: _ESCAPES[match.group(0)], text)


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


def _cell(table: Table, row: Row, position: int, column: Column) -> str:
    text = escape_latex(cell_text(row[position]))
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
        r"% needs \usepackage{booktabs,longtable,array,hyperref}",
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

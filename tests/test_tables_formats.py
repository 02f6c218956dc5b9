"""Every format, parsed back: hostile text comes out exactly as it went in, as text."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
import unicodedata
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt
from table_cards import HOSTILE_TEXTS, SCRIPT, XSS, hostile_cards, make_card, reference_cards

from summarizer.cards import PaperCard
from summarizer.errors import ConfigError
from summarizer.tables import GROUPINGS, VIEWS, build_table, render_table
from summarizer.tables.latex_text import command_for, escape_latex
from summarizer.tables.render_latex import breakable_latex
from summarizer.tables.render_md import escape_markdown
from summarizer.tables.rows import cell_text
from summarizer.tables.table import Table

CARDS = hostile_cards() + reference_cards()[:6]
VIEW_NAMES = sorted(VIEWS)
GROUP_NAMES = sorted(GROUPINGS)


def table_for(view: str, group_by: str = "none") -> Table:
    return build_table(CARDS, view=view, group_by=group_by)


def one_line_breaks(text: str) -> str:
    return re.sub(r"\r\n|\r", "\n", text)


def reader_cells(table: Table) -> list[list[str]]:
    """What a reader should see in each cell of each row, in order."""
    positions = [position for position, _ in table.reader_columns()]
    return [
        [one_line_breaks(cell_text(row[position])).strip() for position in positions]
        for section in table.sections
        for row in section.rows
    ]


class CellCollector(HTMLParser):
    """Texts of <th>/<td> cells per <tr> (a <br> read as a line break), and every tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._cell: list[str] | None = None
        self._raw: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")
        elif tag in ("script", "style"):
            self._raw = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag in ("script", "style") and self._raw is not None:
            (self.scripts if tag == "script" else self.styles).append("".join(self._raw))
            self._raw = None

    def handle_data(self, data: str) -> None:
        if self._raw is not None:
            self._raw.append(data)
        elif self._cell is not None:
            self._cell.append(data)


def parse_html(text: str) -> CellCollector:
    collector = CellCollector()
    collector.feed(text)
    collector.close()
    return collector


# --- Markdown ---------------------------------------------------------------------------


def split_markdown_row(line: str) -> list[str]:
    """Cells of a pipe-table line, honouring backslash escapes."""
    cells, current = [], ""
    for token in re.findall(r"\\.|[^\\|]+|\|", line):
        if token == "|":
            cells.append(current)
            current = ""
        else:
            current += token
    return [cell.strip() for cell in cells[1:]]  # text before the first pipe is empty


@pytest.mark.parametrize("group_by", GROUP_NAMES)
@pytest.mark.parametrize("view", VIEW_NAMES)
def test_markdown_rows_have_one_cell_per_column(view: str, group_by: str) -> None:
    table = table_for(view, group_by)
    text = render_table(CARDS, view=view, fmt="md", group_by=group_by)
    width = len(table.reader_columns())
    table_lines = [line for line in text.splitlines() if line.startswith("|")]
    assert len(table_lines) == sum(len(section.rows) + 2 for section in table.sections)
    for line in table_lines:
        assert line.endswith(" |")
        assert len(split_markdown_row(line)) == width, line


@pytest.mark.parametrize("view", VIEW_NAMES)
def test_markdown_renders_back_to_the_exact_text(view: str) -> None:
    table = table_for(view, "file")
    text = render_table(CARDS, view=view, fmt="md", group_by="file")
    html = MarkdownIt("commonmark").enable("table").render(text)
    parsed = parse_html(html)
    body_rows = [row for row in parsed.rows if row and row != parsed.rows[0]]
    assert body_rows == reader_cells(table)
    assert [tag for tag, _ in parsed.tags if tag in ("img", "script", "a", "em", "code")] == []
    headings = [tag for tag, _ in parsed.tags if tag == "h2"]
    assert len(headings) == len(table.sections)


def test_markdown_escapes_each_special_character() -> None:
    assert escape_markdown("a|b") == r"a\|b"
    assert escape_markdown("one\ntwo\r\nthree\rfour") == "one<br>two<br>three<br>four"
    assert escape_markdown(XSS) == r"\<img src=x onerror=alert(1)\>"
    assert escape_markdown(r"*_`[]~$&#\ ") == r"\*\_\`\[\]\~\$\&\#\\"


# --- CSV --------------------------------------------------------------------------------


@pytest.mark.parametrize("group_by", GROUP_NAMES)
@pytest.mark.parametrize("view", VIEW_NAMES)
def test_raw_csv_round_trips_every_cell(view: str, group_by: str) -> None:
    table = table_for(view, group_by)
    text = render_table(CARDS, view=view, fmt="csv", group_by=group_by, raw_csv=True)
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    group = ["group"] if group_by != "none" else []
    assert parsed[0] == [*group, *VIEWS[view].column_names]
    assert "title" in parsed[0]
    expected = [
        [*([section.name or ""] if group else []), *(cell_text(cell) for cell in row)]
        for section in table.sections
        for row in section.rows
    ]
    assert parsed[1:] == expected


@pytest.mark.parametrize("group_by", GROUP_NAMES)
@pytest.mark.parametrize("view", VIEW_NAMES)
def test_csv_differs_from_raw_only_by_an_apostrophe_before_formulas(
    view: str, group_by: str
) -> None:
    def cells(raw: bool) -> list[list[str]]:
        text = render_table(CARDS, view=view, fmt="csv", group_by=group_by, raw_csv=raw)
        return list(csv.reader(io.StringIO(text, newline="")))

    for safe_row, raw_row in zip(cells(False), cells(True), strict=True):
        for safe, raw in zip(safe_row, raw_row, strict=True):
            formula = raw.startswith(("=", "+", "-", "@", "\t", "\r"))
            assert safe == ("'" + raw if formula and not is_number(raw) else raw)


def is_number(text: str) -> bool:
    return re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text) is not None


FORMULA_CELLS = {
    "=1+1": "'=1+1",
    "=cmd|' /C calc'!A0": "'=cmd|' /C calc'!A0",
    "+SUM(A1:A3)": "'+SUM(A1:A3)",
    "-2+3": "'-2+3",
    "@SUM(A1)": "'@SUM(A1)",
    "\tHIDDEN": "'\tHIDDEN",
    "\rHIDDEN": "'\rHIDDEN",
    "-": "'-",
    "-3.2": "-3.2",
    "+4": "+4",
    "-1e5": "-1e5",
    "-.5": "-.5",
    "a=b": "a=b",
    " =1": " =1",
}


def test_csv_neutralises_cells_that_would_run_as_formulas() -> None:
    cards = [
        make_card(text, method_name=text, gains=[{"metric": "m", "value": -3.2, "quote": "q"}])
        for text in FORMULA_CELLS
    ]
    text = render_table(cards, view="gains", fmt="csv", group_by="file")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [row["title"] for row in rows] == list(FORMULA_CELLS.values())
    assert {row["value"] for row in rows} == {"-3.2"}
    overview = render_table(cards, view="overview", fmt="csv")
    names = [row["method_name"] for row in csv.DictReader(io.StringIO(overview, newline=""))]
    assert names == list(FORMULA_CELLS.values())


def test_a_formula_like_group_name_is_neutralised_too() -> None:
    text = render_table([make_card("T", file="=evil().txt")], fmt="csv", group_by="file")
    assert next(csv.DictReader(io.StringIO(text, newline="")))["group"].startswith("'=")


def test_raw_csv_applies_to_csv_only() -> None:
    with pytest.raises(ConfigError, match="raw-csv: applies to the csv format, not md"):
        render_table(CARDS, fmt="md", raw_csv=True)


def test_csv_follows_rfc_4180_quoting_and_line_ends() -> None:
    text = render_table(CARDS[:1], view="gains", fmt="csv")
    records = text.split("\r\n")
    assert records[-1] == ""  # every record ends with CRLF, the last one too
    assert '"a | b || c\nsecond line\r\nthird\rfourth"' in text
    assert '"\'=HYPERLINK(""http://x.test"",""click""),+1,-1,@SUM(A1)"' in text


# --- JSON -------------------------------------------------------------------------------


@pytest.mark.parametrize("group_by", GROUP_NAMES)
@pytest.mark.parametrize("view", VIEW_NAMES)
def test_json_round_trips_every_value(view: str, group_by: str) -> None:
    table = table_for(view, group_by)
    parsed = json.loads(render_table(CARDS, view=view, fmt="json", group_by=group_by))
    names = VIEWS[view].column_names
    expected = [
        {
            **({"group": section.name} if group_by != "none" else {}),
            **dict(zip(names, row, strict=True)),
        }
        for section in table.sections
        for row in section.rows
    ]
    assert parsed == expected
    assert all(
        list(record) == [*(["group"] if group_by != "none" else []), *names] for record in parsed
    )


# --- HTML -------------------------------------------------------------------------------


@pytest.mark.parametrize("group_by", GROUP_NAMES)
@pytest.mark.parametrize("view", VIEW_NAMES)
def test_html_cells_hold_the_exact_text_and_no_markup(view: str, group_by: str) -> None:
    table = table_for(view, group_by)
    text = render_table(CARDS, view=view, fmt="html", group_by=group_by)
    parsed = parse_html(text)
    header, *body = parsed.rows
    assert header == [column.label for _, column in table.reader_columns()]
    data_rows = [row for row in body if len(row) == len(header)]
    assert data_rows == [[cell.strip() for cell in row] for row in reader_cells(table)]
    group_rows = [row for row in body if len(row) == 1]
    assert len(group_rows) == (len(table.sections) if group_by != "none" else 0)
    for hostile in (XSS, SCRIPT, "<img", "<script>alert"):
        assert hostile not in text.split("<script>")[0]
    assert [tag for tag, _ in parsed.tags if tag == "img"] == []
    assert len(parsed.scripts) == 1


def test_html_is_self_contained_and_its_policy_allows_only_its_own_code() -> None:
    text = render_table(CARDS, view="overview", fmt="html")
    parsed = parse_html(text)
    for tag, attributes in parsed.tags:
        assert not {"src", "href", "srcset", "style", "onerror", "onclick"} & set(attributes), tag
        assert tag not in ("link", "iframe", "object", "embed", "img")
    assert re.search(r"https?://", text.replace("http://x.test", "")) is None
    policy = next(
        a["content"] for t, a in parsed.tags if a.get("http-equiv") == "Content-Security-Policy"
    )
    assert policy is not None
    assert "default-src 'none'" in policy

    def digest(code: str) -> str:
        return "sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()

    assert f"script-src '{digest(parsed.scripts[0])}'" in policy
    assert f"style-src '{digest(parsed.styles[0])}'" in policy


def test_html_escapes_a_hostile_section_name() -> None:
    text = render_table(CARDS, view="overview", fmt="html", group_by="file")
    assert 'scope="rowgroup">&lt;img src=x onerror=alert(1)&gt; <span' in text


# --- LaTeX ------------------------------------------------------------------------------


def non_ascii(texts: list[str]) -> set[str]:
    return {char for text in texts for char in unicodedata.normalize("NFC", text)} - {
        chr(code) for code in range(0x20, 0x7F)
    }


def card_texts(cards: list[PaperCard]) -> list[str]:
    return [json.dumps(card.model_dump(), ensure_ascii=False) for card in cards]


_UNESCAPES = {
    r"\textbackslash{}": "\\",
    r"\textasciitilde{}": "~",
    r"\textasciicircum{}": "^",
    r"\textless{}": "<",
    r"\textgreater{}": ">",
    r"\textbar{}": "|",
    r"\allowbreak{}": "",
    **{f"\\{char}": char for char in "&%$#_{}"},
    **{f"{{{char}}}": char for char in "[]*"},
    # Every other character of the test texts and of the arrows the tables write, read
    # back from its command or placeholder.
    **{
        command_for(char): char
        for char in non_ascii([*HOSTILE_TEXTS, *card_texts(CARDS), "→↑↓"]) - set("\r\n\t")
    },
}
_ESCAPE = re.compile(
    "|".join(re.escape(escape) for escape in sorted(_UNESCAPES, key=len, reverse=True))
)
_SPECIALS = set("&%$#_{}~^\\[]*<>|")


def unescape_latex(text: str) -> str:
    return _ESCAPE.sub(lambda match: _UNESCAPES[match.group(0)], text)


def as_latex_prints(text: str) -> str:
    """What a LaTeX cell should print for `text`: one line, NFC-normalised."""
    return unicodedata.normalize("NFC", re.sub(r"\r\n|\r|\n|\t", " ", text))


def latex_rows(text: str) -> list[list[str]]:
    body = text.split("\\endlastfoot\n", 1)[1].split("\\end{longtable}", 1)[0]
    rows = []
    for line in body.splitlines():
        if line.startswith(("\\midrule", "\\addlinespace", "\\multicolumn")):
            continue
        assert line.endswith(r" \\"), line
        rows.append([cell.strip() for cell in re.split(r"(?<!\\)&", line[:-3])])
    return rows


def test_latex_escape_covers_every_special_character() -> None:
    assert escape_latex(r"& % $ # _ { } ~ ^ \ ") == (
        r"\& \% \$ \# \_ \{ \} \textasciitilde{} \textasciicircum{} \textbackslash{} "
    )
    assert escape_latex("\\textbf{x}") == r"\textbackslash{}textbf\{x\}"
    assert escape_latex("[a]*\nb\tc") == "{[}a{]}{*} b c"


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        ("α", r"{\ensuremath{\alpha}}"),  # noqa: RUF001
        ("φ", r"{\ensuremath{\varphi}}"),
        ("Ω", r"{\ensuremath{\Omega}}"),
        ("≤ ≥", r"{\ensuremath{\leq}} {\ensuremath{\geq}}"),
        ("× ±", r"{\texttimes} {\ensuremath{\pm}}"),  # noqa: RUF001
        ("→ ↑ ↓", r"{\textrightarrow} {\textuparrow} {\textdownarrow}"),
        ("⇒ ∞", r"{\ensuremath{\Rightarrow}} {\ensuremath{\infty}}"),
        ("∑ ∈ ≈", r"{\ensuremath{\sum}} {\ensuremath{\in}} {\ensuremath{\approx}}"),
        ("naïve café", "na{\\\"\\i}ve caf{\\'e}"),
        ("cafe\u0301", r"caf{\'e}"),  # a combining accent is composed first (NFC)
        ("“quoted”", r"{\textquotedblleft}quoted{\textquotedblright}"),
        ("– ok…", r"{\textendash} ok{\textellipsis}"),  # noqa: RUF001
        ("ℝ", r"{\ensuremath{\mathbb{R}}}"),  # noqa: RUF001
    ],
)
def test_latex_sets_other_characters_as_commands(text: str, latex: str) -> None:
    assert escape_latex(text) == latex


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        ("東京", r"\texttt{[U+6771]}\texttt{[U+4EAC]}"),
        ("🚀", r"\texttt{[U+1F680]}"),
        ("Ж", r"\texttt{[U+0416]}"),  # Cyrillic needs T2A fonts the header does not ask for
        ("\U0001d552", r"\texttt{[U+1D552]}"),  # \mathbb has no lower-case letters
        ("⅓", r"\texttt{[U+2153]}"),
        ("\u202e", r"\texttt{[U+202E]}"),
        ("\x07\x7f", r"\texttt{[U+0007]}\texttt{[U+007F]}"),
    ],
)
def test_latex_shows_a_placeholder_for_characters_it_cannot_set(text: str, latex: str) -> None:
    assert escape_latex(text) == latex


@pytest.mark.parametrize("text", [*HOSTILE_TEXTS, "".join(sorted(_SPECIALS)) * 3])
def test_latex_escaped_text_is_ascii_with_no_bare_special_and_reads_back(text: str) -> None:
    escaped = escape_latex(text)
    assert escaped.isascii()
    assert unescape_latex(escaped) == as_latex_prints(text)
    leftover = _ESCAPE.sub("", escaped)
    assert not _SPECIALS & set(leftover), leftover
    assert "\n" not in escaped


def test_latex_lets_long_runs_without_spaces_break() -> None:
    assert breakable_latex("x" * 100) == r"\allowbreak{}".join(["x" * 40, "x" * 40, "x" * 20])
    assert breakable_latex("_" * 41) == "\\_" * 40 + r"\allowbreak{}" + "\\_"
    words = " ".join(["y" * 40] * 3)
    assert breakable_latex(words) == words


@pytest.mark.parametrize("group_by", GROUP_NAMES)
@pytest.mark.parametrize("view", VIEW_NAMES)
def test_latex_rows_read_back_cell_by_cell(view: str, group_by: str) -> None:
    table = table_for(view, group_by)
    text = render_table(CARDS, view=view, fmt="latex", group_by=group_by)
    rows = latex_rows(text)
    expected = [[as_latex_prints(cell).strip() for cell in row] for row in reader_cells(table)]
    assert [[unescape_latex(cell) for cell in row] for row in rows] == expected
    for row in rows:
        assert not _SPECIALS & set(_ESCAPE.sub("", "".join(row)))
    assert text.count(r"\begin{longtable}") == 1
    assert r"\toprule" in text and r"\bottomrule" in text
    headings = text.count(r"\multicolumn")
    assert headings == (len(table.sections) if group_by != "none" else 0)

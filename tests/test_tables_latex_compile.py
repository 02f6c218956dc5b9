"""The LaTeX tables compile: pdflatex (T1) and, where installed, lualatex and xelatex.

Each document's preamble is read from the table's own header comment, so these tests
also check that the header names every package a table needs. Missing glyphs are errors
(\\tracinglostchars=3): a character cannot vanish from the PDF unnoticed. Skipped, with
the reason, only when pdflatex is absent (scripts/install-test-deps installs Debian's
texlive-latex-base, texlive-latex-recommended and texlive-luatex).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from latex_compile import ENGINES, compile_table, installed_engines
from table_cards import hostile_cards, make_card, reference_cards, seed_cards

from summarizer.tables import VIEWS, render_table
from summarizer.tables.latex_text import builtin_replacements

if shutil.which("pdflatex") is None:
    pytest.skip(
        "pdflatex is not installed (scripts/install-test-deps installs Debian's texlive)",
        allow_module_level=True,
    )

# pdflatex always; the fontspec engines wherever they are installed (CI has lualatex).
COMPILERS = ["pdflatex", *(engine for engine in installed_engines() if engine != "pdflatex")]


def assert_compiles(engine: str, table: str, folder: Path) -> None:
    compiled = compile_table(engine, table, folder)
    assert compiled.errors == [], "\n".join(compiled.errors)
    assert compiled.returncode == 0, compiled.log[-2000:]
    assert compiled.pdf.stat().st_size > 1000


@pytest.mark.parametrize("view", sorted(VIEWS))
@pytest.mark.parametrize("engine", COMPILERS)
def test_seed_tables_compile(engine: str, view: str, tmp_path: Path) -> None:
    cards = seed_cards()
    # The titles that stopped pdflatex: U+03B1 (alpha) and U+03C6 (phi).
    assert any("\u03b1" in card.title for card in cards)
    assert any("\u03c6" in card.title for card in cards)
    table = render_table(cards, view=view, fmt="latex", group_by="file")
    assert table.isascii()
    assert_compiles(engine, table, tmp_path)


@pytest.mark.parametrize("engine", COMPILERS)
def test_hostile_and_linked_tables_compile(engine: str, tmp_path: Path) -> None:
    linked = [
        make_card("Arxiv", arxiv_id="2508.12551"),
        make_card("Doi", doi="10.1000/a(b)<c>#d%e f&g"),
        make_card("Url", url="https://x.test/p_a$t~h?q=1&r=%20z#frag ment|{x}\\^"),
        make_card("Script", url="javascript:alert(1)"),
    ]
    cards = hostile_cards() + linked + reference_cards()[:5]
    for view in VIEWS:
        table = render_table(cards, view=view, fmt="latex", group_by="file")
        assert_compiles(engine, table, tmp_path / view)


@pytest.mark.parametrize("engine", COMPILERS)
def test_every_character_the_escaper_maps_compiles(engine: str, tmp_path: Path) -> None:
    """pylatexenc's whole table, less what latex_text.py sets aside, plus placeholders."""
    characters = [chr(code) for code in sorted(builtin_replacements())]
    characters += ["東", "🚀", "\u202e", "\u200b", "\x07", "\x7f", "e\u0301"]
    titles = ["".join(characters[at : at + 40]) for at in range(0, len(characters), 40)]
    cards = [make_card(title, index=number) for number, title in enumerate(titles)]
    table = render_table(cards, view="stages", fmt="latex")
    assert table.isascii()
    assert_compiles(engine, table, tmp_path)


def test_the_engines_tried_are_the_installed_ones() -> None:
    assert COMPILERS[0] == "pdflatex"
    assert set(COMPILERS) <= set(ENGINES)

"""Titles link to the paper (arXiv, else DOI, else URL) in every format; only http(s)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from markdown_it import MarkdownIt
from table_cards import XSS, make_card
from test_tables_formats import latex_rows, parse_html, split_markdown_row

from summarizer.tables import render_table
from summarizer.tables.links import paper_url, web_url

ARXIV = make_card("Arxiv", arxiv_id="2508.12551", doi="10.1/x", url="https://x.test/a")
DOI = make_card("Doi", doi="10.1000/a(b)<c>#d%e f", url="https://x.test/b")
URL = make_card("Url", url="https://x.test/p_a$t~h?q=1&r=%20z#frag ment|{x}\\^")
SCRIPT_URL = make_card(XSS, url="javascript:alert(1)")
NONE = make_card("None")
CARDS = [ARXIV, DOI, URL, SCRIPT_URL, NONE]
EXPECTED = {
    "Arxiv": "https://arxiv.org/abs/2508.12551",
    "Doi": "https://doi.org/10.1000/a(b)%3Cc%3E%23d%25e%20f",
    "Url": "https://x.test/p_a$t~h?q=1&r=%20z#frag%20ment%7C%7Bx%7D%5C%5E",
    XSS: None,
    "None": None,
}


def test_the_link_prefers_arxiv_then_doi_then_the_url() -> None:
    assert {card.title: paper_url(card) for card in CARDS} == EXPECTED
    assert paper_url(make_card("old", arxiv_id="hep-th/9901001")) == (
        "https://arxiv.org/abs/hep-th/9901001"
    )
    assert paper_url(make_card("no source", file=None)) is None


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "ftp://x.test/paper.pdf",
        "//x.test/paper",
        "paper.pdf",
        "http:/x.test",
        "https://[::1",
        "",
    ],
)
def test_only_absolute_http_urls_are_links(url: str) -> None:
    assert web_url(url) is None


def test_http_urls_are_kept_and_encoded_where_needed() -> None:
    assert web_url(" HTTP://x.test/a b ") == "HTTP://x.test/a%20b"
    assert web_url('https://x.test/é"<>`') == "https://x.test/%C3%A9%22%3C%3E%60"


def test_html_titles_are_links_to_the_paper_and_nothing_else_is() -> None:
    parsed = parse_html(render_table(CARDS, fmt="html", group_by="file"))
    links = [attributes for tag, attributes in parsed.tags if tag == "a"]
    assert links == [
        {"href": url, "rel": "noreferrer"} for url in EXPECTED.values() if url is not None
    ]
    titles = [row[0] for row in parsed.rows[2:]]
    assert titles == [card.title for card in CARDS]


def test_markdown_titles_are_links_that_keep_the_table_intact() -> None:
    text = render_table(CARDS, fmt="md")
    lines = [line for line in text.splitlines() if line.startswith("| ")][1:]
    assert all(len(split_markdown_row(line)) == 7 for line in lines)
    html = MarkdownIt("commonmark").enable("table").render(text)
    parsed = parse_html(html)
    hrefs = [attributes["href"] for tag, attributes in parsed.tags if tag == "a"]
    assert hrefs == [url for url in EXPECTED.values() if url is not None]
    assert [row[0] for row in parsed.rows[1:]] == [card.title for card in CARDS]
    assert [tag for tag, _ in parsed.tags if tag == "img"] == []


def test_latex_titles_are_hrefs_with_percent_hash_and_ampersand_escaped() -> None:
    rows = latex_rows(render_table(CARDS, fmt="latex"))
    assert [row[0] for row in rows] == [
        r"\href{https://arxiv.org/abs/2508.12551}{Arxiv}",
        r"\href{https://doi.org/10.1000/a(b)\%3Cc\%3E\%23d\%25e\%20f}{Doi}",
        r"\href{https://x.test/p_a$t~h?q=1\&r=\%20z\#frag\%20ment\%7C\%7Bx\%7D\%5C\%5E}{Url}",
        r"\textless{}img src=x onerror=alert(1)\textgreater{}",
        "None",
    ]


def test_csv_and_json_carry_the_url_column() -> None:
    records = json.loads(render_table(CARDS, view="gains", fmt="json"))
    assert records == []  # no gains: the gains view has no rows
    records = json.loads(render_table(CARDS, view="stages", fmt="json"))
    assert {record["title"]: record["url"] for record in records} == EXPECTED
    text = render_table(CARDS, fmt="csv")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert {row["title"]: row["url"] or None for row in rows} == EXPECTED
    assert list(rows[0])[-2:] == ["paper_id", "url"]


def test_a_gains_row_links_its_title_too() -> None:
    card = make_card("G", arxiv_id="2401.00001", gains=[{"metric": "m", "quote": "q"}])
    html = render_table([card], view="gains", fmt="html")
    assert re.search(r'<a href="https://arxiv.org/abs/2401.00001" rel="noreferrer">G</a>', html)

"""The HTML table in a real browser: sorting, filtering, hostile titles shown as text.

Runs headless Debian Chromium (.ci/run installs it). Missing Chromium fails the test
rather than skipping it: this is the only check of the page's behaviour as people see it.
"""

from __future__ import annotations

import re

import pytest
from cdp import Browser
from table_cards import XSS, hostile_cards, reference_cards

from summarizer.tables import build_table, render_table

pytestmark = pytest.mark.browser

CARDS = hostile_cards() + reference_cards()
ROWS_JS = """[...document.querySelectorAll("table.cards tbody")].map((body) =>
  [...body.querySelectorAll("tr:not(.group)")].filter((row) => !row.hidden)
    .map((row) => row.querySelector("td.col-title").textContent))"""


@pytest.fixture(scope="module")
def overview_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    page = tmp_path_factory.mktemp("html") / "overview.html"
    html = render_table(CARDS, view="overview", fmt="html", group_by="file")
    page.write_text(html, encoding="utf-8")
    return page.as_uri()


def titles_by_section(view: str = "overview", sort: str | None = None) -> list[list[str]]:
    table = build_table(CARDS, view=view, group_by="file", sort=sort)
    return [[as_shown(row[0]) for row in section.rows] for section in table.sections]


def as_shown(cell: object) -> str:
    """A title as the browser holds it (HTML reads CR and CRLF as LF)."""
    return re.sub(r"\r\n?", "\n", str(cell))


def test_hostile_title_is_shown_as_text_and_runs_nothing(
    browser: Browser, overview_url: str
) -> None:
    browser.open(overview_url)
    shown = browser.evaluate(
        '[...document.querySelectorAll("td.col-title")].map(c => c.textContent)'
    )
    assert XSS in shown
    assert shown.count(XSS) == sum(card.title == XSS for card in CARDS)
    assert browser.evaluate("document.images.length") == 0
    assert browser.evaluate("document.scripts.length") == 1
    assert browser.evaluate("typeof window.alert") == "function"
    assert browser.problems() == []
    assert browser.requested_urls() == [overview_url]


def test_page_starts_in_card_order_with_every_row(browser: Browser, overview_url: str) -> None:
    browser.open(overview_url)
    assert browser.evaluate(ROWS_JS) == titles_by_section()
    total = len(CARDS)
    assert (
        browser.evaluate('document.getElementById("count").textContent')
        == f"{total} of {total} rows"
    )
    assert browser.evaluate('document.querySelector(".controls").hidden') is False


def test_clicking_a_heading_sorts_and_clicking_again_reverses(
    browser: Browser, overview_url: str
) -> None:
    browser.open(overview_url)
    browser.click("th.col-stages button")
    assert browser.evaluate(ROWS_JS) == titles_by_section(sort="stages")
    assert (
        browser.evaluate('document.querySelector("th.col-stages").getAttribute("aria-sort")')
        == "ascending"
    )
    browser.click("th.col-stages button")
    assert browser.evaluate(ROWS_JS) == titles_by_section(sort="-stages")
    assert (
        browser.evaluate('document.querySelector("th.col-stages").getAttribute("aria-sort")')
        == "descending"
    )
    browser.click("th.col-method_name button")
    names = browser.evaluate(
        '[...document.querySelectorAll("tbody")]'
        '.map(b => [...b.querySelectorAll("td.col-method_name")].map(c => c.textContent))'
    )
    for section in names:
        present = [name for name in section if name]
        assert section == present + [""] * (len(section) - len(present))  # empty cells last
        assert present == sorted(present, key=str.casefold)
    assert (
        browser.evaluate('document.querySelector("th.col-stages").getAttribute("aria-sort")')
        == "none"
    )
    assert browser.problems() == []


def titles_matching(words: list[str]) -> list[list[str]]:
    """Per section, the titles of overview rows whose shown cells hold every word."""
    table = build_table(CARDS, view="overview", group_by="file")
    shown = [position for position, _ in table.reader_columns()]
    return [
        [
            as_shown(row[0])
            for row in section.rows
            if all(
                word in " ".join(as_shown(row[at]) for at in shown if row[at] is not None).lower()
                for word in words
            )
        ]
        for section in table.sections
    ]


def test_filter_box_keeps_rows_holding_every_word(browser: Browser, overview_url: str) -> None:
    browser.open(overview_url)
    browser.type_into("#filter", "reinforcement  LEARNING")
    expected = titles_matching(["reinforcement", "learning"])
    assert sum(map(len, expected)) > 1
    shown = browser.evaluate(ROWS_JS)
    assert [titles for titles in shown if titles] == [titles for titles in expected if titles]
    hidden_sections = browser.evaluate('[...document.querySelectorAll("tbody")].map(b => b.hidden)')
    assert hidden_sections == [not titles for titles in expected]
    count = browser.evaluate('document.getElementById("count").textContent')
    assert count == f"{sum(map(len, expected))} of {len(CARDS)} rows"
    counters = browser.evaluate(
        '[...document.querySelectorAll("tbody:not([hidden]) tr.group .rows")]'
        ".map(s => s.textContent)"
    )
    assert all(re.fullmatch(r"\d+ of \d+ rows|\d+ rows?", counter) for counter in counters)


def test_filtering_on_markup_finds_the_hostile_row_as_text(
    browser: Browser, overview_url: str
) -> None:
    browser.open(overview_url)
    browser.type_into("#filter", "onerror=alert(1)>")
    shown = [title for section in browser.evaluate(ROWS_JS) for title in section]
    assert shown == [
        title for section in titles_matching(["onerror=alert(1)>"]) for title in section
    ]
    assert XSS in shown
    assert browser.problems() == []


def test_page_is_readable_without_javascript(browser: Browser, overview_url: str) -> None:
    browser.send("Emulation.setScriptExecutionDisabled", value=True)
    try:
        browser.open(overview_url)
        # Page script is off, but DevTools evaluation still runs: read what is rendered.
        visible_rows = browser.evaluate(
            '[...document.querySelectorAll("tbody tr:not(.group)")]'
            ".filter(r => r.offsetHeight > 0).length"
        )
        assert visible_rows == len(CARDS)
        assert browser.evaluate('document.querySelector(".controls").offsetHeight') == 0
        assert browser.evaluate('document.querySelectorAll("th button").length') == 0
    finally:
        browser.send("Emulation.setScriptExecutionDisabled", value=False)


def test_screenshot_of_the_reference_overview(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("shot")
    page = folder / "overview.html"
    page.write_text(
        render_table(reference_cards(), view="overview", fmt="html", group_by="file"),
        encoding="utf-8",
    )
    browser.open(page.as_uri())
    shot = folder / "overview.png"
    browser.screenshot(shot)
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert int.from_bytes(data[16:20], "big") == 1400  # the PNG header's width
    assert browser.problems() == []

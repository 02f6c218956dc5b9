"""report.html in a real browser: nothing fetched, nothing run, every gain charted.

Runs headless Debian Chromium over the DevTools protocol (tests/cdp.py), like the table
page's test, and fails rather than skips when Chromium is missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cdp import Browser
from table_cards import XSS, reference_cards, report_cards, seed_cards

from summarizer.tables import render_report, write_report

pytestmark = pytest.mark.browser

DOTS_JS = '[...document.querySelectorAll("svg.gains-chart circle.dot")]'


def page_url(folder: Path, name: str, text: str) -> str:
    page = folder / name
    page.write_text(text, encoding="utf-8")
    return page.as_uri()


@pytest.fixture(scope="module")
def seed_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("seed-report")
    return page_url(folder, "report.html", render_report(seed_cards(), group_by="file"))


@pytest.fixture(scope="module")
def linked_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("linked-report")
    return page_url(folder, "report.html", render_report(report_cards(), group_by="file"))


def test_the_seed_report_opens_clean_and_charts_every_quantified_gain(
    browser: Browser, seed_url: str
) -> None:
    browser.open(seed_url)
    assert browser.problems() == []
    assert browser.requested_urls() == [seed_url]
    quantified = [
        (card.title, gain)
        for card in seed_cards()
        for gain in card.claimed_gains
        if gain.value is not None
    ]
    drawn = browser.evaluate(
        DOTS_JS + ".map((dot) => { const box = dot.getBoundingClientRect();"
        " return [box.width, box.height, dot.querySelector('title').textContent]; })"
    )
    assert len(drawn) == len(quantified) > 50
    assert all(width > 5 and height > 5 for width, height, _ in drawn)
    tips = sorted(tip.split("\n")[0] for _, _, tip in drawn)
    assert tips == sorted(title for title, _ in quantified)
    inside = browser.evaluate(
        "(() => { const svg = document.querySelector('svg.gains-chart').getBoundingClientRect();"
        + DOTS_JS
        + ".forEach((dot) => { const b = dot.getBoundingClientRect();"
        " if (b.left < svg.left || b.right > svg.right || b.top < svg.top ||"
        " b.bottom > svg.bottom) throw new Error('dot outside the chart'); });"
        " return true; })()"
    )
    assert inside is True


def test_hostile_titles_and_abstracts_stay_text_and_nothing_leaves_the_file(
    browser: Browser, linked_url: str
) -> None:
    browser.open(linked_url)
    assert browser.evaluate("document.images.length") == 0
    assert browser.evaluate("document.scripts.length") == 1
    assert browser.evaluate("document.querySelectorAll('[onerror], [onload]').length") == 0
    titles = browser.evaluate(
        '[...document.querySelectorAll("article h4")].map((h) => h.textContent)'
    )
    assert f"2. {XSS}" in titles
    marks = browser.evaluate(
        '[...document.querySelectorAll("mark[title]")].map(m => m.textContent)'
    )
    assert XSS in marks
    assert browser.problems() == []
    assert browser.requested_urls() == [linked_url]


def test_a_chart_row_leads_to_its_paper_without_a_request(
    browser: Browser, linked_url: str
) -> None:
    browser.open(linked_url)
    row = 'document.querySelector("svg.gains-chart a.row")'
    target = browser.evaluate(f'{row}.getAttribute("href")')
    browser.evaluate(f'{row}.scrollIntoView({{block: "center"}})')
    browser.click("svg.gains-chart a.row text.label")
    browser.wait_for_event("Page.navigatedWithinDocument")
    assert browser.evaluate("location.hash") == target
    assert browser.evaluate("document.querySelector('article:target').id") == target[1:]
    assert browser.requested_urls() == [linked_url]
    assert browser.problems() == []


def test_the_overview_filter_works_in_the_report(browser: Browser, linked_url: str) -> None:
    browser.open(linked_url)
    browser.type_into("#filter", "fastnet")
    assert browser.evaluate('document.getElementById("count").textContent') == "1 of 4 rows"
    assert browser.problems() == []


def test_the_report_is_readable_without_javascript(browser: Browser, seed_url: str) -> None:
    browser.send("Emulation.setScriptExecutionDisabled", value=True)
    try:
        browser.open(seed_url)
        count = browser.evaluate(
            '[...document.querySelectorAll("table.cards tbody tr:not(.group)")]'
            ".filter((row) => row.offsetHeight > 0).length"
        )
        assert count == len(seed_cards())
        articles = browser.evaluate(
            '[...document.querySelectorAll("article.paper")].filter((a) => a.offsetHeight > 0)'
            ".length"
        )
        assert articles == len(seed_cards())
        shown_dots = browser.evaluate(
            DOTS_JS + ".filter((dot) => dot.getBoundingClientRect().width > 0).length"
        )
        assert shown_dots == sum(
            1 for card in seed_cards() for gain in card.claimed_gains if gain.value is not None
        )
        assert browser.evaluate('document.querySelector(".controls").offsetHeight') == 0
        assert browser.problems() == []
    finally:
        browser.send("Emulation.setScriptExecutionDisabled", value=False)


def test_screenshots_of_the_report(
    browser: Browser, seed_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("report-shots")
    browser.open(seed_url)
    for part in ("overview", "gains", "stages", "papers"):
        browser.evaluate(f'document.getElementById("{part}").scrollIntoView()')
        shot = folder / f"{part}.png"
        browser.screenshot(shot)
        data = shot.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
        assert int.from_bytes(data[16:20], "big") == 1400
    assert browser.problems() == []


def test_a_report_in_parts_opens_clean_and_its_links_lead_between_the_pages(
    browser: Browser, tmp_path: Path
) -> None:
    source = tmp_path / "cards.jsonl"
    source.write_text("".join(card.model_dump_json() + "\n" for card in reference_cards()))
    index, *parts = write_report(source, tmp_path / "report.html", part_size=15)
    browser.open(index.as_uri())
    assert browser.problems() == []
    assert browser.requested_urls() == [index.as_uri()]
    assert browser.evaluate("document.scripts.length") == 0
    browser.events.clear()
    browser.click('table.parts a[href$="part-002.html"]')
    browser.wait_for_event("Page.loadEventFired")
    assert browser.evaluate("location.href") == parts[1].as_uri()
    assert browser.requested_urls() == [parts[1].as_uri()]
    assert browser.problems() == []
    shown = browser.evaluate('[...document.querySelectorAll("article.paper")].map((a) => a.id)')
    assert shown == [f"paper-{number}" for number in range(16, 31)]
    browser.type_into("#filter", "zzz-no-such-words")
    assert browser.evaluate('document.getElementById("count").textContent') == "0 of 15 rows"
    browser.events.clear()
    browser.click('nav a[href="../report.html"]')
    browser.wait_for_event("Page.loadEventFired")
    assert browser.evaluate("location.href") == index.as_uri()
    assert browser.problems() == []

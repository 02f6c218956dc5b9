"""report.html: self-contained and strict, every quantified gain charted, evidence marked."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from table_cards import (
    HOSTILE_ABSTRACT,
    LINKED_ABSTRACT,
    SCRIPT,
    XSS,
    make_card,
    reference_cards,
    report_cards,
    seed_cards,
)
from test_tables_formats import CellCollector

from summarizer.cards import Span
from summarizer.errors import ConfigError
from summarizer.tables import render_report, render_table
from summarizer.tables.assets import csp_hash
from summarizer.tables.report.chart import gains_chart, linear_scale, log_scale, scale_for
from summarizer.tables.report.gather import gather_report
from summarizer.tables.report.marks import Piece, marked_pieces


class Page(CellCollector):
    """Tags, script and style texts, <mark> texts (with nesting depth) and circle titles."""

    def __init__(self) -> None:
        super().__init__()
        self.marks: list[tuple[str, dict[str, str | None]]] = []
        self.mark_depth = 0
        self.deepest_mark = 0
        self._mark_text: list[str] | None = None
        self.circle_titles: list[str] = []
        self._circle_title: list[str] | None = None
        self._in_circle = False
        self._mark_attributes: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        super().handle_starttag(tag, attrs)
        if tag == "mark":
            self.mark_depth += 1
            self.deepest_mark = max(self.deepest_mark, self.mark_depth)
            self._mark_text, self._mark_attributes = [], dict(attrs)
        elif tag == "circle":
            self._in_circle = True
        elif tag == "title" and self._in_circle:
            self._circle_title = []

    def handle_endtag(self, tag: str) -> None:
        super().handle_endtag(tag)
        if tag == "mark" and self._mark_text is not None:
            self.mark_depth -= 1
            self.marks.append(("".join(self._mark_text), self._mark_attributes))
            self._mark_text = None
        elif tag == "title" and self._circle_title is not None:
            self.circle_titles.append("".join(self._circle_title))
            self._circle_title = None
        elif tag == "circle":
            self._in_circle = False

    def handle_data(self, data: str) -> None:
        super().handle_data(data)
        if self._mark_text is not None:
            self._mark_text.append(data)
        if self._circle_title is not None:
            self._circle_title.append(data)


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


@pytest.fixture(scope="module")
def linked() -> str:
    return render_report(report_cards(), group_by="file")


def dots(page: Page) -> list[dict[str, str | None]]:
    """The chart's dots (the legend's swatches left out)."""
    return [
        attributes
        for tag, attributes in page.tags
        if tag == "circle" and str(attributes.get("class")).startswith("dot ")
    ]


# --- the page as a whole -----------------------------------------------------------------


def test_report_is_self_contained_and_its_policy_allows_only_its_own_code(linked: str) -> None:
    page = parse(linked)
    policy = next(
        attributes["content"]
        for tag, attributes in page.tags
        if tag == "meta" and attributes.get("http-equiv") == "Content-Security-Policy"
    )
    assert policy == (
        f"default-src 'none'; style-src '{csp_hash(page.styles[0])}'; "
        f"script-src '{csp_hash(page.scripts[0])}'; base-uri 'none'; form-action 'none'"
    )
    assert len(page.scripts) == 1 and len(page.styles) == 1
    for tag, attributes in page.tags:
        assert tag not in ("img", "link", "iframe", "object", "embed", "image", "use"), tag
        assert not {"src", "srcset", "style", "xlink:href"} & set(attributes), tag
        assert not any(name.startswith("on") for name in attributes), (tag, attributes)
        href = attributes.get("href")
        if href is not None:
            assert re.fullmatch(r"#(overview|gains|stages|papers|paper-\d+)|https://\S+", href)


def test_every_in_page_link_leads_to_a_paper_on_the_page(linked: str) -> None:
    page = parse(linked)
    ids = [attributes["id"] for _, attributes in page.tags if "id" in attributes]
    assert len(ids) == len(set(ids))
    targets = {href[1:] for _, a in page.tags if (href := a.get("href")) and href.startswith("#")}
    assert {f"paper-{number}" for number in range(1, 5)} <= targets
    assert targets <= set(ids)


def test_titles_link_to_the_paper_and_a_script_url_is_only_text(linked: str) -> None:
    page = parse(linked)
    external = sorted({a["href"] for tag, a in page.tags if (a.get("href") or "")[:1] == "h"})
    assert external == [
        "https://arxiv.org/abs/2508.12551",
        "https://doi.org/10.1000/xyz(1)",
        "https://x.test/paper?id=1&v=2",
    ]
    assert "javascript:" not in "".join(str(a.get("href")) for _, a in page.tags)
    assert '<span class="label">URL</span> javascript:alert(3)' in linked


def test_hostile_text_is_escaped_everywhere(linked: str) -> None:
    head, _, _ = linked.partition("<script>")
    for hostile in (XSS, SCRIPT, "<img", "<script>alert"):
        assert hostile not in head
    assert head.count("&lt;img src=x onerror=alert(1)&gt;") >= 6  # table, chart, paper, marks
    page = parse(linked)
    assert [tag for tag, _ in page.tags].count("script") == 1


def test_same_cards_give_the_same_bytes() -> None:
    cards = report_cards() + reference_cards()
    assert render_report(cards) == render_report(list(cards))
    assert render_table(cards, fmt="report", group_by="file") == render_report(cards)


def test_the_report_takes_no_view_and_no_raw_csv() -> None:
    with pytest.raises(ConfigError, match="view: the report shows every view"):
        render_table(report_cards(), fmt="report", view="overview")
    with pytest.raises(ConfigError, match="raw-csv: applies to the csv format, not report"):
        render_table(report_cards(), fmt="report", raw_csv=True)


def test_a_sort_field_that_is_not_an_overview_column_is_an_error() -> None:
    with pytest.raises(ConfigError, match="unknown field 'metric' for the overview view"):
        render_report(report_cards(), sort="metric")


# --- the chart ---------------------------------------------------------------------------


def test_the_chart_has_one_dot_per_quantified_gain_with_its_claim(linked: str) -> None:
    cards = report_cards()
    quantified = [(card, gain) for card in cards for gain in card.claimed_gains if gain.value]
    page = parse(linked)
    assert len(dots(page)) == len(quantified) == 8
    titles = page.circle_titles
    assert len(titles) == len(quantified)
    assert "FastNet: Faster Training\naccuracy ↑ 4.5 pp\nvs SlowNet" in titles
    assert f"{XSS}\nfalse alarms ↓ 40%\nvs {SCRIPT}" in titles
    assert "No abstract\naccuracy ↑ -3.2%" in titles
    directions = sorted(str(dot["class"]) for dot in dots(page))
    assert directions == ["dot down"] * 2 + ["dot up"] * 6


def test_every_quantified_gain_of_the_seed_batch_is_charted() -> None:
    cards = seed_cards()
    quantified = sum(1 for card in cards for gain in card.claimed_gains if gain.value is not None)
    assert quantified > 50  # enough to fill every panel (95 with the offline engine today)
    page = parse(render_report(cards, group_by="file"))
    assert len(dots(page)) == quantified
    chart = gains_chart([(card.paper_id, card) for card in cards])
    assert sum(len(row.dots) for panel in chart.panels for row in panel.rows) == quantified
    assert sum(panel.gains for panel in chart.panels) == quantified


def test_dots_sit_on_their_axis_in_value_order() -> None:
    chart = gains_chart([(f"p{n}", card) for n, card in enumerate(report_cards())])
    assert [panel.title for panel in chart.panels] == [
        "Relative change (%)",
        "Percentage points (pp)",
        "Factor (x)",
        "Absolute values (each metric in its own units)",
        "Values with no unit",
    ]
    for panel in chart.panels:
        lows, highs = panel.ticks[0].x, panel.ticks[-1].x
        for row in panel.rows:
            assert all(lows <= dot.x <= highs for dot in row.dots)
            assert panel.axis_top < row.y < panel.axis_bottom
            assert [dot.x for dot in row.dots] == sorted((dot.x for dot in row.dots), reverse=True)
    percent = chart.panels[0]
    assert percent.ticks[0].label == "-20%" and percent.ticks[-1].label == "100%"
    latency = chart.panels[3]
    assert latency.scale_note == "logarithmic scale"
    assert [tick.label for tick in latency.ticks] == ["0.1", "1", "10", "100", "1000", "10000"]
    assert chart.unquantified == 2


def test_scales_choose_linear_or_log_and_cover_the_values() -> None:
    linear = linear_scale([3.0, 97.0])
    assert (linear.low, linear.high, linear.log) == (0.0, 100.0, False)
    assert linear.ticks[0] == 0 and linear.ticks[-1] == 100
    negative = linear_scale([-3.2, 99.5])
    assert negative.low < -3.2 and 0.0 in negative.ticks
    factors = log_scale([1.5, 1191.0])
    assert (factors.low, factors.high) == (1.0, 10000.0)
    assert factors.ticks == (1.0, 10.0, 100.0, 1000.0, 10000.0)
    assert log_scale([1.5, 8.0]).ticks == (1.0, 2.0, 5.0, 10.0)
    assert scale_for("x", [2.0, 3.0]).log
    assert not scale_for("abs", [2.0, 30.0]).log
    assert scale_for("abs", [0.15, 1746.0]).log
    assert not scale_for("x", [-2.0, 3.0]).log  # a log axis needs positive values
    assert linear_scale([5.0]).ticks[-1] >= 5.0


# --- abstracts and their marks -----------------------------------------------------------


def test_abstracts_mark_each_quote_at_its_span_with_flat_marks(linked: str) -> None:
    page = parse(linked)
    assert page.deepest_mark == 1  # overlapping spans never nest or cross
    marks = [(text, attributes) for text, attributes in page.marks if "title" in attributes]
    texts = [text for text, _ in marks]
    assert texts == [
        "improves accuracy by ",
        "4.5 points over SlowNet",
        " and ",
        "speeds up",
        " training 3x",
        XSS,
        "blocks 99.5% of attacks",
        "cuts false alarms by 40%",
    ]
    assert "".join(texts[:5]) in LINKED_ABSTRACT
    assert all(text in HOSTILE_ABSTRACT for text in texts[5:])
    overlapped = [text for text, attributes in marks if attributes.get("class") == "overlap"]
    assert overlapped == ["4.5 points over SlowNet", "speeds up"]
    titles = [str(attributes["title"]) for _, attributes in marks]
    assert "gain 1: accuracy ↑ 4.5 pp; gain 3: overall ↑" in titles


def test_a_gain_whose_span_misses_the_abstract_says_so(linked: str) -> None:
    assert linked.count("(not found in the abstract)") == 2  # the script-link card's gains
    assert "An abstract whose gain quote is not where its span says." in linked


def test_a_card_without_an_abstract_has_no_abstract_block(linked: str) -> None:
    report = gather_report(report_cards())
    (no_abstract,) = [
        paper for _, papers in report.sections for paper in papers if paper.card.abstract is None
    ]
    assert no_abstract.abstract is None
    assert linked.count('<p class="abstract">') == 3


@pytest.mark.parametrize(
    ("spans", "expected"),
    [
        ([], [("abcdefghij", ())]),
        ([Span(start=2, end=5)], [("ab", ()), ("cde", (1,)), ("fghij", ())]),
        (
            [Span(start=0, end=6), Span(start=4, end=10)],
            [("abcd", (1,)), ("ef", (1, 2)), ("ghij", (2,))],
        ),
        (
            [Span(start=2, end=8), Span(start=4, end=6)],
            [("ab", ()), ("cd", (1,)), ("ef", (1, 2)), ("gh", (1,)), ("ij", ())],
        ),
        (
            [Span(start=3, end=6), Span(start=3, end=6)],
            [("abc", ()), ("def", (1, 2)), ("ghij", ())],
        ),
        ([None, Span(start=8, end=30), Span(start=5, end=5)], [("abcdefghij", ())]),
        ([Span(start=0, end=10)], [("abcdefghij", (1,))]),
    ],
)
def test_marked_pieces_cut_the_abstract_at_every_span_boundary(
    spans: list[Span | None], expected: list[tuple[str, tuple[int, ...]]]
) -> None:
    pieces = marked_pieces("abcdefghij", spans)
    assert pieces == [Piece(text, gains) for text, gains in expected]
    assert "".join(piece.text for piece in pieces) == "abcdefghij"


# --- overview, stage matrix, sections ----------------------------------------------------


def test_sections_papers_and_the_stage_matrix_follow_the_overview() -> None:
    report = gather_report(report_cards(), group_by="file", sort="-stages")
    assert [(name, [paper.card.title for paper in papers]) for name, papers in report.sections] == [
        ("My reading list", ["FastNet: Faster Training", XSS]),
        ("feed", ["Script link", "No abstract"]),
    ]
    assert [paper.number for _, papers in report.sections for paper in papers] == [1, 2, 3, 4]
    assert [row.title for row in report.matrix] == ["FastNet: Faster Training", XSS]
    assert report.matrix[0].cells[:4] == (None, "1", None, "2")
    assert dict(zip(report.kinds, report.kind_counts, strict=True)) == {
        "data": 1,
        "pretraining": 1,
        "midtraining": 0,
        "finetuning": 1,
        "alignment": 0,
        "rl": 1,
        "distillation": 0,
        "inference": 0,
        "evaluation": 0,
        "other": 0,
    }
    assert report.summary == (
        "4 papers from 2 inputs: My reading list, feed.",
        "10 claimed gains, 8 with a number (from 4 papers); 2 of the papers describe stages.",
    )


def test_a_repeated_card_is_shown_once() -> None:
    card = make_card("Twice", gains=[{"metric": "m", "value": 1.0, "unit": "%", "quote": "q"}])
    page = render_report([card, card])
    assert page.count('<article id="paper-') == 1
    assert len(dots(parse(page))) == 1
    assert "1 repeated card left out." in page


def test_cards_with_no_gains_or_stages_say_so() -> None:
    page = render_report([make_card("Plain")])
    assert "No card claims a gain with a number." in page
    assert "No card describes stages." in page
    assert '<svg class="gains-chart"' not in page


class _Strict(HTMLParser):
    """Fails on an end tag that does not close the innermost open element."""

    VOID = frozenset({"meta", "input", "br"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, (tag, self.open[-5:])
        self.open.pop()


def test_the_page_is_well_nested(linked: str) -> None:
    checker = _Strict()
    checker.feed(linked)
    checker.close()
    assert checker.open == []

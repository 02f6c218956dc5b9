"""Cards for table tests and benches: the hand-written reference cards, and hostile ones.

The reference cards (tests/data/reference_cards.jsonl, a copy of the seed papers' 40
reference cards) hold only the engine's fields plus title, file and index; the program's
fields are filled here the way the pipeline fills them.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from summarizer.cards import (
    CardGain,
    PaperCard,
    Provenance,
    Source,
    Stage,
    schema_version,
)
from summarizer.papers import paper_id_for

REFERENCE_CARDS = Path(__file__).parent / "data" / "reference_cards.jsonl"
SEEDS = Path(__file__).resolve().parents[1] / "seeds"

XSS = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>alert(2)</script>"
LATEX_SPECIALS = "& % $ # _ { } ~ ^ \\ \\textbf{x} \\\\"
MARKDOWN = "*bold* _it_ `code` [link](http://x.test) ~~gone~~ $x^2$ # not a heading"
PIPES_AND_LINES = "a | b || c\nsecond line\r\nthird\rfourth"
QUOTES = "\"double\" 'single' “curly” ‘curly’ ``tex''"  # noqa: RUF001
UNICODE = "Zürich → 東京 🚀 naïve ﬁ\u200bzero-width \u202ereversed\u202c"
FORMULA = '=HYPERLINK("http://x.test","click"),+1,-1,@SUM(A1)'
ENTITIES = "&amp; &lt;b&gt; &#x3C;"
HOSTILE_TEXTS = (XSS, SCRIPT, LATEX_SPECIALS, MARKDOWN, PIPES_AND_LINES, QUOTES, UNICODE, FORMULA)


@cache
def _provenance() -> Provenance:
    return Provenance(engine="reference", schema_version=schema_version())


def card_from_reference(record: dict[str, Any]) -> PaperCard:
    """A finished card from a reference record (title, file, index and engine fields)."""
    fields = {key: value for key, value in record.items() if key not in ("title", "file", "index")}
    return PaperCard(
        paper_id=paper_id_for(record["title"]),
        title=record["title"],
        source=Source(file=record["file"], index=record["index"]),
        provenance=_provenance(),
        **fields,
    )


@cache
def _reference_cards() -> tuple[PaperCard, ...]:
    lines = REFERENCE_CARDS.read_text(encoding="utf-8").splitlines()
    return tuple(card_from_reference(json.loads(line)) for line in lines if line.strip())


def reference_cards() -> list[PaperCard]:
    """The 40 reference cards, in file order (made once; do not change them)."""
    return list(_reference_cards())


def make_card(
    title: str,
    *,
    file: str | None = "hostile.txt",
    index: int = 0,
    stages: list[tuple[str, str]] | None = None,
    gains: list[dict[str, Any]] | None = None,
    url: str | None = None,
    doi: str | None = None,
    arxiv_id: str | None = None,
    collection: str | None = None,
    **fields: Any,
) -> PaperCard:
    """A card with defaults for whatever a test does not care about."""
    defaults: dict[str, Any] = {
        "problem": "A problem.",
        "method": "A method.",
        "method_name": None,
        "contribution": "method",
    }
    gain_defaults: dict[str, Any] = {
        "value": None,
        "unit": None,
        "direction": "higher",
        "baseline": None,
        "condition": None,
        "quote": "quoted",
    }
    return PaperCard(
        paper_id=paper_id_for(title),
        title=title,
        source=(
            Source(
                file=file,
                index=index,
                url=url,
                doi=doi,
                arxiv_id=arxiv_id,
                collection=collection,
            )
            if file is not None
            else None
        ),
        stages=[
            Stage(name=name, kind=kind, description=f"{name} happens")  # type: ignore[arg-type]
            for name, kind in stages or []
        ],
        claimed_gains=[CardGain(**{**gain_defaults, **gain}) for gain in gains or []],
        provenance=_provenance(),
        **{**defaults, **fields},
    )


def hostile_cards() -> list[PaperCard]:
    """Cards whose every text field tries to break out of a format, plus edge cases."""
    everything = " ".join(HOSTILE_TEXTS)
    return [
        make_card(
            XSS,
            index=0,
            method_name=SCRIPT,
            problem=PIPES_AND_LINES,
            method=LATEX_SPECIALS,
            stages=[(XSS, "data"), ("x | y", "rl"), (LATEX_SPECIALS[:60], "rl")],
            gains=[
                {
                    "metric": MARKDOWN,
                    "value": 12.5,
                    "unit": "%",
                    "baseline": QUOTES,
                    "condition": PIPES_AND_LINES,
                    "quote": everything,
                },
                {"metric": FORMULA, "quote": XSS, "direction": "lower"},
            ],
        ),
        make_card(f"{LATEX_SPECIALS} {MARKDOWN}", index=1, problem=UNICODE, method=QUOTES),
        make_card(
            f"{QUOTES} {PIPES_AND_LINES}",
            file=None,
            method_name=ENTITIES,
            problem=FORMULA,
            method=everything,
        ),
        make_card(
            "Long " + "unbroken" * 400,
            file=f"{XSS}.txt",
            problem="word " * 1500,
            method="x" * 5000,
            contribution="analysis",
        ),
        make_card(UNICODE, index=2, stages=[], gains=[]),
    ]


@cache
def _seed_cards() -> tuple[PaperCard, ...]:
    from summarizer import Summarizer, read_papers
    from summarizer.papers import unique_papers

    papers = unique_papers(read_papers([str(SEEDS)]).papers)
    with Summarizer(engine="offline", use_cache=False) as summarizer:
        return tuple(summarizer.summarize_paper(paper) for paper in papers)


def seed_cards() -> list[PaperCard]:
    """The offline engine's cards of the 296 unique seed papers, as `summarizer batch`
    makes them (made once per test session; do not change them)."""
    return list(_seed_cards())


def _gain(abstract: str, quote: str, **fields: Any) -> dict[str, Any]:
    start = abstract.index(quote)
    return {"quote": quote, "span": {"start": start, "end": start + len(quote)}, **fields}


LINKED_ABSTRACT = (
    "Training is slow. We propose FastNet, a two-stage recipe. FastNet improves accuracy "
    "by 4.5 points over SlowNet and speeds up training 3x on ImageNet."
)
HOSTILE_ABSTRACT = (
    f"We study {XSS} and {SCRIPT} in titles. Our filter blocks 99.5% of attacks "
    "and cuts false alarms by 40%."
)


def report_cards() -> list[PaperCard]:
    """Cards with links, abstracts and evidence spans (overlapping, missing, out of range),
    hostile text in titles and abstracts, and gains in every unit: the report's test set."""
    fast = LINKED_ABSTRACT
    hostile = HOSTILE_ABSTRACT
    return [
        make_card(
            "FastNet: Faster Training",
            file="reading-list.bib",
            collection="My reading list",
            arxiv_id="2508.12551",
            method_name="FastNet",
            abstract=fast,
            stages=[("pre-training", "pretraining"), ("fine-tuning", "finetuning")],
            gains=[
                _gain(
                    fast,
                    "improves accuracy by 4.5 points over SlowNet",
                    metric="accuracy",
                    value=4.5,
                    unit="pp",
                    baseline="SlowNet",
                ),
                _gain(fast, "speeds up training 3x", metric="training speed", value=3.0, unit="x"),
                # Overlaps both quotes above: the page must still mark it with flat <mark>s.
                _gain(fast, "4.5 points over SlowNet and speeds up", metric="overall"),
            ],
        ),
        make_card(
            XSS,
            file="reading-list.bib",
            index=1,
            collection="My reading list",
            doi="10.1000/xyz(1)",
            method_name=SCRIPT,
            abstract=hostile,
            stages=[(XSS, "data"), ("filter", "rl")],
            gains=[
                _gain(hostile, "blocks 99.5% of attacks", metric=XSS, value=99.5, unit="%"),
                _gain(
                    hostile,
                    "cuts false alarms by 40%",
                    metric="false alarms",
                    value=40.0,
                    unit="%",
                    direction="lower",
                    baseline=SCRIPT,
                ),
                _gain(hostile, XSS, metric="markup"),
            ],
        ),
        make_card(
            "Script link",
            file="feed.atom",
            url="javascript:alert(3)",
            abstract="An abstract whose gain quote is not where its span says.",
            gains=[
                {
                    "metric": "latency",
                    "value": 1200.0,
                    "unit": "abs",
                    "direction": "lower",
                    "quote": "elsewhere",
                    "span": {"start": 500, "end": 510},
                },
                {"metric": "latency", "value": 0.5, "unit": "abs", "quote": "q"},
            ],
        ),
        make_card(
            "No abstract",
            file="feed.atom",
            index=1,
            url="https://x.test/paper?id=1&v=2",
            gains=[
                {"metric": "accuracy", "value": -3.2, "unit": "%", "quote": "q"},
                {"metric": "speed", "value": 2.0, "unit": None, "quote": "q"},
            ],
        ),
    ]

"""Problem and method scored against ACLSum's human challenge and approach summaries.

ACLSum (Takeshita et al., NAACL 2024) gives each paper short human summaries of its
`challenge` and `approach` and the abstract as tokenized sentences. A card's `problem` is
scored against the challenge and its `method` against the approach by token F1 (as in
`summarizer eval`), beside two lead baselines on the same papers: the abstract's first
sentence and its sentences 2-3. A card that only copies the opening is no better than
the first baseline.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from summarizer.cards import CardFields, PaperCard
from summarizer.errors import InputError
from summarizer.evaluation import json_lines, token_f1
from summarizer.papers import normalize_title

ASPECTS = ("challenge", "approach")
_HINT = (
    'one paper per line, as ACLSum: {"title": ..., "summary": {"challenge": ..., '
    '"approach": ...}, "sentences": {"abstract": [...]}}'
)
# Tokenized text ("( QA ) , 20 %") back to ordinary spacing, so that the engine reads
# the abstract as a reader would.
_SPACE_BEFORE = re.compile(r" (?=[,.;:!?%)\]}]|n't\b|'(?:s|re|ve|ll|d|m)\b)")
_SPACE_AFTER = re.compile(r"(?<=[(\[{]) ")


def detokenize(text: str) -> str:
    """Tokenized text with the spaces before punctuation and inside brackets removed.

    Straight double quotes alternate: an opening quote loses the space after it, a
    closing one the space before it.
    """
    text = _SPACE_AFTER.sub("", _SPACE_BEFORE.sub("", " ".join(text.split())))
    parts = text.split('"')
    if len(parts) % 2 == 0:  # an odd number of quotes: leave them as they are
        return text
    joined = parts[0]
    for index, part in enumerate(parts[1:]):
        if index % 2 == 0:  # inside the quotes
            joined = f'{joined.rstrip()} "{part.strip()}"' if joined else f'"{part.strip()}"'
        else:
            joined += part
    return joined.strip()


@dataclass(frozen=True)
class AspectPaper:
    """One ACLSum paper: its title, abstract sentences, human summaries and highlights.

    `highlights` maps an aspect to one 0/1 label per abstract sentence (all zeros when
    the annotators highlighted nothing in the abstract for it).
    """

    paper_id: str
    title: str
    sentences: tuple[str, ...]
    challenge: str
    approach: str
    highlights: dict[str, tuple[int, ...]]

    @property
    def abstract(self) -> str:
        """The abstract as one text, its sentences joined by a space."""
        return " ".join(self.sentences)

    def summary(self, aspect: str) -> str:
        """The human summary of `aspect` ("challenge" or "approach")."""
        return self.challenge if aspect == "challenge" else self.approach


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _highlights(record: dict[str, Any], count: int) -> dict[str, tuple[int, ...]]:
    found: dict[str, tuple[int, ...]] = {}
    marks = record.get("highlights")
    for aspect in ASPECTS:
        labels = marks.get(aspect, {}).get("abstract") if isinstance(marks, dict) else None
        if isinstance(labels, list) and len(labels) == count:
            found[aspect] = tuple(1 if label else 0 for label in labels)
        else:
            found[aspect] = (0,) * count
    return found


def read_aclsum_file(path: str) -> list[AspectPaper]:
    """Papers of an ACLSum-format JSONL file; a malformed line raises InputError."""
    papers: list[AspectPaper] = []
    for number, record in json_lines(path):
        where = f"{path}:{number}"
        if not isinstance(record, dict):
            raise InputError(where, "not a JSON object", hint=_HINT)
        summary = record.get("summary")
        sections = record.get("sentences")
        title = _text(record.get("title"))
        abstract = sections.get("abstract") if isinstance(sections, dict) else None
        if not isinstance(summary, dict) or title is None or not isinstance(abstract, list):
            raise InputError(where, "not an ACLSum paper", hint=_HINT)
        challenge, approach = _text(summary.get("challenge")), _text(summary.get("approach"))
        if challenge is None or approach is None:
            raise InputError(where, "needs 'summary.challenge' and 'summary.approach'")
        sentences = tuple(detokenize(s) for s in abstract if isinstance(s, str) and s.strip())
        if not sentences or len(sentences) != len(abstract):
            raise InputError(where, "'sentences.abstract' must be a list of sentences")
        papers.append(
            AspectPaper(
                paper_id=str(record.get("id") or number),
                title=" ".join(title.split()),
                sentences=sentences,
                challenge=challenge,
                approach=approach,
                highlights=_highlights(record, len(sentences)),
            )
        )
    return papers


def papers_records(papers: Sequence[AspectPaper]) -> list[dict[str, str]]:
    """The papers as `summarizer batch` reads them from JSONL: title and abstract."""
    return [{"title": paper.title, "abstract": paper.abstract} for paper in papers]


def offline_fields(papers: Sequence[AspectPaper]) -> dict[str, CardFields]:
    """The offline engine's fields for each paper, by normalised title."""
    from summarizer.engines.offline.engine import OfflineEngine

    engine = OfflineEngine()
    return {
        normalize_title(paper.title): engine.fill(paper.title, paper.abstract).fields
        for paper in papers
    }


def card_fields(cards: Sequence[PaperCard]) -> dict[str, CardFields]:
    """Cards' engine fields by normalised title."""
    return {normalize_title(card.title): card.fields() for card in cards}


# Lead baselines: what a card that just copies the opening of the abstract would score.
_BASELINES: dict[str, Callable[[Sequence[str]], str]] = {
    "first_sentence": lambda sentences: sentences[0],
    "sentences_2_3": lambda sentences: " ".join(sentences[1:3]) or sentences[0],
}


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def score_aclsum(fields: dict[str, CardFields], papers: Sequence[AspectPaper]) -> dict[str, Any]:
    """Token F1 of problem vs challenge and method vs approach, with the lead baselines.

    `fields` are cards' fields by normalised title; papers with no card are counted as
    unmatched and left out of every mean, baselines included, so all columns are over
    the same papers.
    """
    matched: list[tuple[AspectPaper, CardFields]] = []
    unmatched: list[str] = []
    for paper in papers:
        card = fields.get(normalize_title(paper.title))
        if card is None:
            unmatched.append(paper.title)
        else:
            matched.append((paper, card))
    rows: dict[str, dict[str, float | None]] = {}
    for field, aspect in (("problem", "challenge"), ("method", "approach")):
        row: dict[str, float | None] = {
            "cards": _mean(
                [token_f1(getattr(card, field), paper.summary(aspect)) for paper, card in matched]
            )
        }
        for name, baseline in _BASELINES.items():
            row[name] = _mean(
                [token_f1(baseline(paper.sentences), paper.summary(aspect)) for paper, _ in matched]
            )
        rows[f"{field}_vs_{aspect}"] = row
    return {
        "papers": len(papers),
        "matched": len(matched),
        "unmatched": len(unmatched),
        "unmatched_titles": unmatched,
        "scores": rows,
        "problem_is_first_sentence": _mean(
            [_same_text(card.problem, paper.sentences[0]) for paper, card in matched]
        ),
        "problem_equals_method": sum(
            1 for _, card in matched if _same_text(card.problem, card.method)
        ),
    }


def _same_text(first: str, second: str) -> float:
    return float(" ".join(first.split()) == " ".join(second.split()))


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


ACLSUM_COLUMNS = ("field", "cards", "first sentence", "sentences 2-3")
_ROW_LABELS = (
    ("problem_vs_challenge", "problem ~ challenge"),
    ("method_vs_approach", "method ~ approach"),
)


def aclsum_score_lines(result: dict[str, Any]) -> tuple[str, list[tuple[str, ...]]]:
    """A heading and table rows (field, cards, the two baselines) for `score_aclsum`."""
    heading = (
        f"{result['matched']} of {result['papers']} ACLSum papers matched "
        f"({result['unmatched']} unmatched); token F1"
    )
    rows: list[tuple[str, ...]] = []
    for key, label in _ROW_LABELS:
        scores = result["scores"][key]
        rows.append(
            (
                label,
                _number(scores["cards"]),
                _number(scores["first_sentence"]),
                _number(scores["sentences_2_3"]),
            )
        )
    rows.append(("problem is the first sentence", _number(result["problem_is_first_sentence"])))
    rows.append(("problem equals method (cards)", str(result["problem_equals_method"])))
    return heading, rows


def write_papers(papers: Sequence[AspectPaper], path: str) -> None:
    """Write the papers as JSONL (title, abstract) for `summarizer batch`."""
    from pathlib import Path

    from summarizer.outputs import write_atomically

    lines = (json.dumps(record, ensure_ascii=False) + "\n" for record in papers_records(papers))
    write_atomically(Path(path), "".join(lines))

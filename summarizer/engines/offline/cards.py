"""Finished cards from the offline engine, for evaluation before the real pipeline exists.

A stopgap: summarizer.api will build cards for every engine; until then this makes
PaperCards of papers with the offline engine, spans found by exact substring search.
"""

from __future__ import annotations

from collections.abc import Iterable

from summarizer.cards import CardGain, PaperCard, Provenance, Source, Span, schema_version
from summarizer.engines.offline.engine import OfflineEngine
from summarizer.papers import Paper


def offline_card(engine: OfflineEngine, paper: Paper, version: str) -> PaperCard:
    """The card of one paper, with each gain's quote located in the abstract."""
    result = engine.fill(paper.title, paper.abstract)
    fields = result.fields
    gains = []
    for gain in fields.claimed_gains:
        start = paper.abstract.find(gain.quote)
        span = Span(start=start, end=start + len(gain.quote)) if start >= 0 else None
        gains.append(CardGain(**gain.model_dump(), span=span))
    return PaperCard(
        paper_id=paper.paper_id,
        title=paper.title,
        source=Source(file=paper.source.file, index=paper.source.index),
        problem=fields.problem,
        method=fields.method,
        method_name=fields.method_name,
        contribution=fields.contribution,
        stages=fields.stages,
        claimed_gains=gains,
        provenance=Provenance(engine=engine.name, model=engine.model, schema_version=version),
        warnings=[*paper.warnings, *result.warnings],
    )


def offline_cards(papers: Iterable[Paper]) -> list[PaperCard]:
    """Cards of the given papers, in order, made by the offline engine."""
    engine = OfflineEngine()
    version = schema_version()
    return [offline_card(engine, paper, version) for paper in papers]

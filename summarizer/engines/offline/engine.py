"""The offline engine: a card from the abstract alone, on the CPU, grounded by construction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from summarizer.cards import CardFields, Gain, Stage
from summarizer.engines.base import EngineResult
from summarizer.engines.offline.contribution import find_contribution
from summarizer.engines.offline.gains import FoundGain, find_gains
from summarizer.engines.offline.names import find_method_name
from summarizer.engines.offline.roles import shipped_model
from summarizer.engines.offline.sentences import split_sentences
from summarizer.engines.offline.stages import find_stages
from summarizer.engines.offline.summary import problem_and_method
from summarizer.errors import EmptyAbstractError
from summarizer.language import is_english
from summarizer.retries import RequestObserver


def _gain(found: FoundGain) -> Gain:
    return Gain(
        metric=found.metric,
        value=found.value,
        unit=found.unit,  # type: ignore[arg-type]
        direction=found.direction,  # type: ignore[arg-type]
        baseline=found.baseline,
        condition=found.condition,
        quote=found.quote,
    )


class OfflineEngine:
    """Fills a card with rules over sentence roles from a small shipped classifier.

    No network and no model download: the role weights ship in the package and are read
    once per process, on the first card.
    """

    name = "offline"

    def __init__(self) -> None:
        self.observers: list[RequestObserver] = []  # no requests, so never told anything

    def close(self) -> None:
        """Nothing to release: the shipped weights stay loaded for the process."""

    def fill(self, title: str | None, abstract: str) -> EngineResult:
        """The card fields of one paper."""
        text = abstract.strip()
        if not text:
            raise EmptyAbstractError(title)
        sentences = split_sentences(abstract)
        model = shipped_model()
        log_probabilities = model.log_probabilities([sentence.text for sentence in sentences])
        roles = model.decode(log_probabilities)
        # The stage and gain rules read English words; on another language they would
        # invent, so those fields stay empty (the paper carries a `not_english` warning).
        english = is_english(abstract)
        problem, method = problem_and_method(
            title, abstract, sentences, log_probabilities, roles, english=english
        )
        fields = CardFields(
            problem=problem,
            method=method,
            method_name=find_method_name(title, sentences),
            contribution=find_contribution(title, abstract),  # type: ignore[arg-type]
            stages=[
                Stage(name=stage.name, kind=stage.kind, description=stage.description)  # type: ignore[arg-type]
                for stage in (find_stages(abstract, sentences) if english else [])
            ],
            claimed_gains=[
                _gain(found)
                for found in (find_gains(abstract, sentences, roles) if english else [])
            ],
        )
        return EngineResult(fields=fields)

    async def afill(self, title: str | None, abstract: str) -> EngineResult:
        """As `fill`: the work is CPU-bound and takes well under a millisecond or two."""
        return self.fill(title, abstract)


if TYPE_CHECKING:
    from summarizer.engines.base import Engine

    _CONFORMS: Engine = OfflineEngine()

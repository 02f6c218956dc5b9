"""A third-party engine, as a plugin package would ship it: found by its entry point."""

from __future__ import annotations

from summarizer.cards import CardFields, schema_version
from summarizer.engines import EngineKind
from summarizer.engines.base import EngineResult
from summarizer.recipe import Recipe, grounding_policy
from summarizer.retries import RequestObserver
from summarizer.settings import Settings

ENGINE = EngineKind("summarizer_dummy_engine", asks_model=False, priced=False)


class DummyEngine:
    """Always the same card: the first sentence is the problem, the title the method."""

    name = "dummy"

    def __init__(self) -> None:
        self.observers: list[RequestObserver] = []
        self.closed = False

    def fill(self, title: str | None, abstract: str) -> EngineResult:
        first = abstract.split(". ")[0].rstrip(".") + "."
        fields = CardFields(
            problem=first,
            method=f"The method of {title or 'the paper'}.",
            method_name="Dummy",
            contribution="method",
            stages=[],
            claimed_gains=[],
        )
        return EngineResult(fields=fields)

    async def afill(self, title: str | None, abstract: str) -> EngineResult:
        return self.fill(title, abstract)

    def close(self) -> None:
        self.closed = True


def build(settings: Settings) -> DummyEngine:
    del settings
    return DummyEngine()


def recipe(settings: Settings) -> Recipe:
    return Recipe(
        engine="dummy",
        schema_version=schema_version(),
        grounding=grounding_policy(settings),
        engine_version="dummy-1",
    )

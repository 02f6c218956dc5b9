"""What every engine provides, so the pipeline can treat them alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from summarizer.cards import CardFields, Usage, Via
from summarizer.retries import RequestObserver


@dataclass(frozen=True)
class EngineResult:
    """An engine's answer for one paper: the fields, what they cost, and any notes."""

    fields: CardFields
    usage: Usage = field(default_factory=Usage)
    warnings: tuple[str, ...] = ()
    # How the answer came, when not online: "batch_api" (never cached: a cached card made
    # no request at all).
    via: Via | None = None


class Engine(Protocol):
    """Fills the engine part of a card from a paper's title and abstract."""

    name: str  # "offline", "llm", "local"; what its cards are made with is its recipe
    observers: list[RequestObserver]  # told of rate limits and successes, if any

    def fill(self, title: str | None, abstract: str) -> EngineResult:
        """The card fields for one paper (blocking)."""
        ...

    async def afill(self, title: str | None, abstract: str) -> EngineResult:
        """The card fields for one paper (async; concurrent calls are allowed)."""
        ...

    def close(self) -> None:
        """Release what the engine holds (HTTP clients, a loaded model)."""
        ...

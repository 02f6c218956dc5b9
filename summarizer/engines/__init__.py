"""Ways of filling a card: each engine turns a title and abstract into CardFields.

An engine module provides `build(settings) -> Engine` and `recipe(settings) -> Recipe`
(what its cards are made with, computed without building a client).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from types import ModuleType

from summarizer.engines.base import Engine
from summarizer.recipe import Recipe
from summarizer.settings import Settings


@dataclass(frozen=True)
class EngineKind:
    """What the pipeline needs to know about an engine before building it."""

    # Imported on use: the LLM engine pulls in openai and instructor (a second to import).
    module: str
    # Answers come from a language model: worth caching, counted in tokens.
    asks_model: bool
    # Billed per token by a provider, so a batch estimates its cost from the price table.
    priced: bool


ENGINE_KINDS = {
    "llm": EngineKind("summarizer.engines.llm", asks_model=True, priced=True),
    "offline": EngineKind("summarizer.engines.offline", asks_model=False, priced=False),
    "local": EngineKind("summarizer.engines.local", asks_model=True, priced=False),
}


def engine_kind(settings: Settings) -> EngineKind:
    """What kind of engine the settings name."""
    return ENGINE_KINDS[settings.engine]


def _module(settings: Settings) -> ModuleType:
    return import_module(engine_kind(settings).module)


def build_engine(settings: Settings) -> Engine:
    """The engine the settings name."""
    engine: Engine = _module(settings).build(settings)
    return engine


def engine_recipe(settings: Settings) -> Recipe:
    """The recipe of the cards the settings' engine makes."""
    recipe: Recipe = _module(settings).recipe(settings)
    return recipe

"""Ways of filling a card, behind one registry.

An engine is an `EngineKind`: a module providing `build(settings) -> Engine` and
`recipe(settings) -> Recipe` (what its cards are made with, computed without building a
client), and what the pipeline must know before building it. The built-in engines are in
`BUILTIN_ENGINES`; other packages add theirs through the `summarizer.engines` entry point
group (`name = "package.module:ENGINE_KIND"`), as simonw/llm's plugins do.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING

from summarizer.errors import EngineUnavailableError

if TYPE_CHECKING:
    from summarizer.engines.base import Engine
    from summarizer.recipe import Recipe
    from summarizer.settings import Settings

ENTRY_POINT_GROUP = "summarizer.engines"


@dataclass(frozen=True)
class EngineKind:
    """An engine as the pipeline sees it before building it."""

    # Imported on use: the LLM engine pulls in openai and instructor (a second to import).
    module: str
    # Answers come from a language model: worth caching, counted in tokens.
    asks_model: bool
    # Billed per token by a provider, so a batch estimates its cost from the price table.
    priced: bool


BUILTIN_ENGINES: dict[str, EngineKind] = {
    "llm": EngineKind("summarizer.engines.llm", asks_model=True, priced=True),
    "offline": EngineKind("summarizer.engines.offline", asks_model=False, priced=False),
    "local": EngineKind("summarizer.local.engine", asks_model=True, priced=False),
}


@cache
def registered_engines() -> dict[str, EngineKind]:
    """The built-in engines and those installed packages register (read once)."""
    from importlib.metadata import entry_points

    engines = dict(BUILTIN_ENGINES)
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        if entry.name in engines:
            continue  # a plugin never replaces a built-in engine
        try:
            kind = entry.load()
        except Exception as exc:  # a broken plugin must not break the built-in engines
            kind = EngineUnavailableError(entry.name, f"its plugin failed to load ({exc})")
        engines[entry.name] = kind
    return engines


def engine_names() -> tuple[str, ...]:
    """Every engine name a setting may give."""
    return tuple(registered_engines())


def engine_kind(name: str) -> EngineKind:
    """The registered engine of that name (EngineUnavailableError for a broken plugin)."""
    kind = registered_engines()[name]
    if isinstance(kind, EngineUnavailableError):
        raise kind
    if not isinstance(kind, EngineKind):
        raise EngineUnavailableError(name, "its entry point does not name an EngineKind")
    return kind


def _module(settings: Settings) -> ModuleType:
    return import_module(engine_kind(settings.engine).module)


def build_engine(settings: Settings) -> Engine:
    """The engine the settings name."""
    engine: Engine = _module(settings).build(settings)
    return engine


def engine_recipe(settings: Settings) -> Recipe:
    """The recipe of the cards the settings' engine makes."""
    recipe: Recipe = _module(settings).recipe(settings)
    return recipe

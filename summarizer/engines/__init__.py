"""Ways of filling a card: each engine turns a title and abstract into CardFields."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from summarizer.engines.base import Engine
from summarizer.settings import Settings

# engine name -> module with a `build(settings) -> Engine` function (imported on use:
# the LLM engine pulls in openai and instructor, which take a second to import).
ENGINE_MODULES = {
    "llm": "summarizer.engines.llm",
    "offline": "summarizer.engines.offline",
    "local": "summarizer.engines.local",
}


def build_engine(settings: Settings) -> Engine:
    """The engine the settings name."""
    builder: Callable[[Settings], Engine] = import_module(ENGINE_MODULES[settings.engine]).build
    return builder(settings)

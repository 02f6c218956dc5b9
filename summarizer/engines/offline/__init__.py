"""The offline engine: sentence roles from a small shipped classifier, then rules."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources

from summarizer.engines.offline.engine import OfflineEngine
from summarizer.engines.offline.roles import shipped_model
from summarizer.recipe import Recipe, grounding_policy
from summarizer.settings import Settings

__all__ = ["OfflineEngine", "build", "recipe"]


@cache
def engine_version() -> str:
    """A short hash of the engine's code and weights: its rules are its model, so cards
    made by another version of them are not comparable."""
    digest = hashlib.sha256()
    package = resources.files(__name__)
    for entry in sorted(package.iterdir(), key=lambda item: item.name):
        if entry.is_file() and entry.name.endswith((".py", ".json.gz")):
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def recipe(settings: Settings) -> Recipe:
    """What offline cards are made with: the role model, the rules, the grounding policy."""
    from summarizer.cards import schema_version

    return Recipe(
        engine=OfflineEngine.name,
        model=shipped_model().model_id,
        schema_version=schema_version(),
        grounding=grounding_policy(settings),
        engine_version=engine_version(),
    )


def build(settings: Settings) -> OfflineEngine:
    """The engine for `--engine offline` (it has no settings of its own)."""
    del settings
    return OfflineEngine()

"""The offline engine: sentence roles from a small shipped classifier, then rules."""

from __future__ import annotations

from summarizer.engines.offline.engine import OfflineEngine
from summarizer.settings import Settings

__all__ = ["OfflineEngine", "build"]


def build(settings: Settings) -> OfflineEngine:
    """The engine for `--engine offline` (it has no settings of its own)."""
    del settings
    return OfflineEngine()

"""The offline engine: sentence roles from a small shipped classifier, then rules."""

from __future__ import annotations

from summarizer.engines.offline.engine import OfflineEngine

__all__ = ["OfflineEngine"]

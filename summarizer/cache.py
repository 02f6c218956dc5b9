"""A content-addressed cache of engine answers, so that no paper is paid for twice.

The key hashes the card's recipe (summarizer.recipe: everything that decides a card),
the title, the abstract and a cache version. The
value is the engine's fields and token usage: never a key, a header or a URL. A corrupt
entry is a miss, not a crash.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from summarizer.cards import CardFields, Usage
from summarizer.engines.base import EngineResult
from summarizer.recipe import Recipe

if TYPE_CHECKING:
    import diskcache

# Bump when the key's material or the stored value's layout changes: old entries then
# miss instead of failing. 2: the key is the recipe (grounding policy, token limit and
# engine version joined the key).
CACHE_VERSION = 2

log = logging.getLogger(__name__)


def cache_key(recipe: Recipe, title: str | None, abstract: str) -> str:
    """The hash that names one answer: the card's recipe, the title and the abstract."""
    material = {
        "cache_version": CACHE_VERSION,
        "recipe": recipe.recipe().model_dump(mode="json"),
        "title": title,
        "abstract": abstract,
    }
    canonical = json.dumps(material, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class CacheStats:
    """What `summarizer cache stats` reports."""

    directory: Path
    entries: int
    size_bytes: int


class CardCache:
    """Engine answers on disk (diskcache: safe across threads and processes)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._store: diskcache.Cache | None = None

    def _open(self) -> diskcache.Cache:
        if self._store is None:
            import diskcache

            self.directory.mkdir(parents=True, exist_ok=True)
            self._store = diskcache.Cache(str(self.directory))
        return self._store

    def get(self, key: str) -> EngineResult | None:
        """The stored answer for a key; None when absent or unreadable (then removed)."""
        try:
            raw = self._open().get(key)
        except Exception as exc:  # a damaged database must not stop the run
            log.warning("cache read failed in %s: %s", self.directory, exc)
            return None
        if raw is None:
            return None
        try:
            return _decode(raw)
        except Exception:
            self._discard(key)
            return None

    def put(self, key: str, result: EngineResult) -> None:
        """Store an answer; a failing disk only loses the cache entry, never the card."""
        try:
            self._open().set(key, _encode(result))
        except Exception as exc:
            log.warning("cache write failed in %s: %s", self.directory, exc)

    def _discard(self, key: str) -> None:
        try:
            self._open().delete(key)
        except Exception as exc:
            log.warning("cache delete failed in %s: %s", self.directory, exc)

    def stats(self) -> CacheStats:
        """Entry count and size on disk."""
        store = self._open()
        return CacheStats(self.directory, len(store), int(store.volume()))

    def clear(self) -> int:
        """Remove every entry; returns how many there were."""
        return int(self._open().clear())

    def close(self) -> None:
        """Release the database handle."""
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> CardCache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_cache(cache_dir: str | Path | None = None) -> CardCache:
    """The cache in `cache_dir`, else SUMMARIZER_CACHE_DIR, else the user cache folder."""
    from summarizer.settings import cache_dir_setting

    return CardCache(cache_dir_setting(cache_dir))


def _encode(result: EngineResult) -> str:
    value = {
        "cache_version": CACHE_VERSION,
        "fields": result.fields.model_dump(mode="json"),
        "usage": result.usage.model_dump(mode="json"),
        "warnings": list(result.warnings),
    }
    return json.dumps(value, ensure_ascii=False)


def _decode(raw: Any) -> EngineResult:
    value = json.loads(raw) if isinstance(raw, str | bytes) else raw
    if not isinstance(value, Mapping) or value.get("cache_version") != CACHE_VERSION:
        raise ValueError("not a cache entry of this version")
    return EngineResult(
        fields=CardFields.model_validate(value["fields"]),
        usage=Usage.model_validate(value["usage"]),
        warnings=tuple(str(warning) for warning in value.get("warnings", [])),
    )

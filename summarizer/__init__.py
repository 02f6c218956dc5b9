"""summarizer: research-paper abstracts in, structured and grounded cards out.

The public API is imported lazily, so that `import summarizer` (and the command line)
stays fast until a card is actually made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from summarizer.api import (
        Summarizer,
        SummaryResult,
        asummarize,
        asummarize_many,
        summarize,
        summarize_many,
    )
    from summarizer.cards import CardFields, PaperCard
    from summarizer.papers import Paper, read_papers

_EXPORTS = {
    "Summarizer": "summarizer.api",
    "SummaryResult": "summarizer.api",
    "summarize": "summarizer.api",
    "asummarize": "summarizer.api",
    "summarize_many": "summarizer.api",
    "asummarize_many": "summarizer.api",
    "PaperCard": "summarizer.cards",
    "CardFields": "summarizer.cards",
    "Paper": "summarizer.papers",
    "read_papers": "summarizer.papers",
}

__all__ = [
    "CardFields",
    "Paper",
    "PaperCard",
    "Summarizer",
    "SummaryResult",
    "asummarize",
    "asummarize_many",
    "read_papers",
    "summarize",
    "summarize_many",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'summarizer' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(module), name)

"""Problem and method: spans of the abstract picked by the learned selector (selection.py).

The method is the best-scoring candidate span for the method; the problem the
best-scoring one for the problem among those that share no text with the method, so the
two never repeat each other. Where nothing apart from the method can state the problem
(a one-sentence abstract), the problem says so (docs/CARD_SPEC.md).
"""

from __future__ import annotations

from collections.abc import Sequence

from summarizer.engines.offline.selection import Candidate, select, shipped_selector
from summarizer.engines.offline.sentences import Sentence

MAX_CHARS = 400
NO_PROBLEM = "Not stated in the abstract."


def clip(text: str, limit: int = MAX_CHARS) -> str:
    """The text, cut at a word boundary with '...' when longer than `limit` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 3].rsplit(" ", 1)[0].rstrip(",;:") + "..."


def _capitalised(text: str) -> str:
    # A span cut after a lead-in ("However, current models ...") starts mid-sentence.
    return text[:1].upper() + text[1:]


def span_text(abstract: str, candidate: Candidate) -> str:
    """The candidate's units, each capitalised, joined by a space and clipped."""
    parts = [_capitalised(abstract[unit.start : unit.end].strip()) for unit in candidate.units]
    return clip(" ".join(parts))


def problem_and_method(
    title: str | None,
    abstract: str,
    sentences: Sequence[Sentence],
    log_probabilities: Sequence[Sequence[float]],
    roles: Sequence[str],
) -> tuple[str, str]:
    """The card's problem and method texts."""
    chosen = select(shipped_selector(), title, sentences, log_probabilities, roles)
    method = span_text(abstract, chosen.method)
    problem = span_text(abstract, chosen.problem) if chosen.problem else NO_PROBLEM
    return problem, method

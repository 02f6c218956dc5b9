"""Problem and method: spans of the abstract picked by the learned selector (selection.py).

The method is the best-scoring candidate span for the method; the problem the
best-scoring one for the problem among those that share no text with the method, so the
two never repeat each other. Where nothing apart from the method states a gap (the
method opens the abstract and no later sentence states one), the problem says so and
gives the aim the method's own words state ("... approach to improve X"); where
no sentence proposes or does anything (an abstract cut after its background), the
method says so (docs/CARD_SPEC.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from summarizer.engines.offline.selection import (
    Candidate,
    SelectorModel,
    select,
    shipped_selector,
)
from summarizer.engines.offline.sentences import Sentence

MAX_CHARS = 400
_CJK_ENDS = ("\u3002", "\uff01", "\uff1f")
NOT_STATED = "Not stated in the abstract."
NO_PROBLEM = NOT_STATED
# The aim a proposal states: "a novel approach to improve SMT via paraphrase rules", "a
# new model for unsupervised POS tagging", "the task of predicting adverbial triggers".
_AIM = re.compile(
    r"\b(?:(?:in order )?to (?!this\b|be\b|the\b|a\b|an\b)(?P<action>[a-z]\w+\b[^,;:.]*)|"
    r"for (?P<object>(?!example|instance|each|all|the first)[^,;:.]{6,}?)"
    r"(?=\s+(?:based|that|which|using|by|with|via|and)\b|[,;:.]|$)|"
    r"(?:task|problem) of (?P<task>[^,;:.]+))",
    re.I,
)


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
    *,
    english: bool = True,
    selector: SelectorModel | None = None,
) -> tuple[str, str]:
    """The card's problem and method texts (`selector`: the shipped one by default).

    The selector's features and the no-gap rules read English; for an abstract in
    another language (`english=False`) the problem is its first sentence and the method
    the one or two after it, the lead that a reader would skim.
    """
    if not english:
        return _lead(sentences)
    model = selector or shipped_selector()
    chosen = select(model, title, sentences, log_probabilities, roles)
    method = span_text(abstract, chosen.method) if chosen.method else NOT_STATED
    if chosen.problem is not None:
        return span_text(abstract, chosen.problem), method
    return no_gap(method), method


def _joined(texts: Sequence[str]) -> str:
    """Sentences in order: a space after a Latin one, none after a CJK full stop."""
    joined = ""
    for text in texts:
        text = " ".join(text.split())
        joined += text if not joined or joined.endswith(_CJK_ENDS) else f" {text}"
    return joined


def _lead(sentences: Sequence[Sentence]) -> tuple[str, str]:
    texts = [sentence.text for sentence in sentences]
    if len(texts) < 2:
        return NOT_STATED, clip(_joined(texts))
    method = _joined(texts[1:3])
    return clip(texts[0]), method if len(method) <= MAX_CHARS else clip(texts[1])


def no_gap(method: str) -> str:
    """The problem of an abstract that states no gap: it says so, with the aim that the
    method's own words give, if any ("Not stated in the abstract (aim: improve SMT via
    paraphrase rules)."; docs/CARD_SPEC.md)."""
    found = _AIM.search(method)
    if found is None:
        return NOT_STATED
    aim = " ".join((found.group("action") or found.group("object") or found.group("task")).split())
    return clip(f"{NOT_STATED[:-1]} (aim: {aim}).")

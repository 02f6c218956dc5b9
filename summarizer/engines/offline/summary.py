"""Problem and method: one or two sentences of the abstract, picked by role and cue words."""

from __future__ import annotations

import re
from collections.abc import Sequence

from summarizer.engines.offline.sentences import Sentence

MAX_CHARS = 400
_PROBLEM_CUES = re.compile(
    r"\b(however|but|challeng\w*|limit\w*|suffer\w*|remain\w*|fail\w*|lack\w*|costly|"
    r"expensive|difficult\w*|problem\w*|issues?|gap|bottleneck\w*|struggl\w*|inefficien\w*|"
    r"unclear|unknown|open question|hinder\w*|prohibitive|insufficient|poorly|hard|"
    r"unstable|vulnerab\w*|bias\w*|yet)\b",
    re.I,
)
_PROPOSAL = re.compile(
    r"\b(we|this (?:paper|work))\s+(?:\w+\s+)?(propose|present|introduce|develop|design|"
    r"describe|build|train|construct|release|take|leverage|use|study|investigate|explore)s?\b|"
    r"\b(our (?:method|approach|framework|model|system|key idea|main idea))\b",
    re.I,
)
_ADDITION = re.compile(
    r"(?:furthermore|moreover|additionally|in addition|besides|we also|we further)\b", re.I
)
_PROBLEM_ROLES = ("background", "objective")
_METHOD_ROLES = ("method", "objective")


def clip(text: str, limit: int = MAX_CHARS) -> str:
    """The text, cut at a word boundary with '...' when longer than `limit` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 3].rsplit(" ", 1)[0].rstrip(",;:") + "..."


def _join(parts: Sequence[Sentence]) -> str:
    """One or two sentences, the second only if both fit in the limit."""
    first = " ".join(parts[0].text.split())
    if len(parts) > 1:
        both = f"{first} {' '.join(parts[1].text.split())}"
        if len(both) <= MAX_CHARS:
            return both
    return clip(first)


def find_method(sentences: Sequence[Sentence], roles: Sequence[str]) -> int:
    """Index of the sentence that best states what the paper does."""
    proposals = [index for index, s in enumerate(sentences) if _PROPOSAL.search(s.text)]
    for index in proposals:
        if roles[index] in _METHOD_ROLES:
            # "Furthermore, we propose a training schedule" adds to the main proposal,
            # which came earlier (even when the classifier calls it background).
            if _ADDITION.match(sentences[index].text) and proposals[0] < index:
                return proposals[0]
            return index
    if proposals:
        return proposals[0]
    for wanted in _METHOD_ROLES:
        if wanted in roles:
            return roles.index(wanted)
    return min(1, len(sentences) - 1)


def method_text(sentences: Sequence[Sentence], roles: Sequence[str], index: int) -> str:
    """The method sentence, with the next one when it is a method sentence too."""
    parts = [sentences[index]]
    following = index + 1
    if following < len(sentences) and roles[following] == "method":
        parts.append(sentences[following])
    return _join(parts)


def problem_text(sentences: Sequence[Sentence], roles: Sequence[str], method_index: int) -> str:
    """The sentence that states the gap: a background or objective sentence before the
    method with a problem cue, else the last one before the method, else the first."""
    before = [index for index in range(len(sentences)) if index < method_index] or [0]
    scored = [
        index
        for index in before
        if roles[index] in _PROBLEM_ROLES and _PROBLEM_CUES.search(sentences[index].text)
    ]
    if scored:
        chosen = scored[0]
        # "X is hard. However, Y fails": the cue often needs the sentence before it, but
        # only as context: when both do not fit, the gap itself is what stays.
        if chosen > 0 and re.match(r"(however|but|yet)\b", sentences[chosen].text, re.I):
            pair = _join([sentences[chosen - 1], sentences[chosen]])
            if len(pair) > len(" ".join(sentences[chosen - 1].text.split())):
                return pair
        return _join([sentences[chosen]])
    candidates = [index for index in before if roles[index] in _PROBLEM_ROLES]
    return _join([sentences[candidates[-1] if candidates else before[0]]])

"""The main kind of contribution, from cue phrases of the title and abstract."""

from __future__ import annotations

import re

# "we introduce", "this paper presents": what follows is what the paper contributes.
_PROPOSE = re.compile(
    r"\b(?:we|this (?:paper|work)|here we)\s+(?:\w+\s+)?(?:introduce|present|propose|release|"
    r"construct|build|create|curate|collect|develop)s?\b"
)
_WINDOW = 90  # characters after a proposal verb where its object is looked for
# The noun ends its phrase ("a new dataset, ..."), so "dataset distillation" is no dataset.
_NOUN_END = (
    r"(?=\s*[,.;:(]|\s+(?:of|for|with|that|which|containing|comprising|called|named|to|in|and)\b|$)"
)
_OBJECT = r"\s*(?:[\w-]+,?\s+){0,6}?"  # the object's head noun comes within a few words
_OBJECTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("benchmark", re.compile(rf"{_OBJECT}(?:benchmark|leaderboard)s?\b{_NOUN_END}")),
    ("dataset", re.compile(rf"{_OBJECT}(?:dataset|corpus)\b{_NOUN_END}")),
    ("system", re.compile(rf"{_OBJECT}(?:system|library|toolkit|platform)\b{_NOUN_END}")),
)
# Decision list for kinds named anywhere, tried before the proposal's object.
_ANYWHERE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("report", re.compile(r"\btechnical report\b|\bthis report\b")),
    (
        "survey",
        re.compile(
            r"\b(?:survey|systematic review|literature review|we review|comprehensive review|"
            r"overview of (?:the|recent))\b"
        ),
    ),
)
_THEORY = re.compile(
    r"\bwe (?:\w+ )?(?:prove|derive|establish)\b|\btheorem\b|\bsample complexity\b|"
    r"\b(?:upper|lower) bounds?\b"
)
_METHOD = re.compile(
    r"\bwe (?:\w+ )?propose\b|\bnovel\b|\bour (?:method|approach)\b|"
    r"\b(?:we|this (?:paper|work))\s+(?:\w+\s+)?(?:introduce|present|develop)s?\s+"
    r"(?:\w+[\s-]+){0,6}?(?:method|framework|approach|model|algorithm|architecture|technique|"
    r"strategy|scheme|paradigm|recipe|pipeline|loss|objective|module|mechanism|network|agent)"
)
_ANALYSIS = re.compile(
    r"\bwe (?:\w+ )?(?:study|investigate|analy[sz]e|examine|explore|ask|characteri[sz]e|"
    r"measure|revisit|probe|uncover|find)\b|\bempirical (?:study|analysis|investigation)\b|"
    r"\b(?:this|our) (?:study|analysis)\b|\bwe take a\b"
)
_ORDERED: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("theory", _THEORY),
    ("method", _METHOD),
    ("analysis", _ANALYSIS),
)
_TITLE_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("report", re.compile(r"\btechnical report\b")),
    ("survey", re.compile(r"\bsurvey\b|\ba review\b")),
    ("benchmark", re.compile(r"bench(?:mark)?\b")),
)


def find_contribution(title: str | None, abstract: str) -> str:
    """One of the card's contribution kinds; 'method' when nothing more specific shows."""
    lowered_title = (title or "").lower()
    for kind, cue in _TITLE_CUES:
        if cue.search(lowered_title):
            return kind
    text = abstract.lower()
    for kind, cue in _ANYWHERE:
        if cue.search(text):
            return kind
    for proposal in _PROPOSE.finditer(text):
        window = text[proposal.end() : proposal.end() + _WINDOW]
        for kind, noun in _OBJECTS:
            if noun.match(window):
                return kind
    # Theory, method and analysis papers share words: the authors' first cue decides.
    found = [
        (match.start(), kind) for kind, cue in _ORDERED if (match := cue.search(text)) is not None
    ]
    return min(found)[1] if found else "method"

"""Sentence splitting that keeps each sentence's offsets in the abstract.

A period ends a sentence unless it closes a known abbreviation (e.g., i.e., et al., vs.),
an initial, or sits inside a number or a URL; a CJK full stop (。) always ends one. Offsets
let quotes stay verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words that end in a period without ending the sentence (lowercased, without the period).
ABBREVIATIONS = frozenset(
    {
        "e.g", "i.e", "et al", "al", "etc", "vs", "cf", "resp", "approx", "fig", "figs",
        "eq", "eqs", "sec", "no", "dr", "mr", "ms", "prof", "inc", "ltd", "st", "w.r.t",
        "i.i.d", "u.s", "viz", "ca", "ref", "refs", "tab",
    }
)  # fmt: skip
# A sentence end: terminal punctuation, optional closing quotes/brackets, then a space and
# an upper-case letter, digit, quote or bracket; or glued to a capitalised word
# ("convergence.Our"), a common PDF extraction artefact.
# A CJK full stop, exclamation or question mark ends a sentence whatever follows it.
_CJK_END = "\u3002\uff01\uff1f"
_BOUNDARY = re.compile(
    r"[.!?][\"'\u201d\u2019)\]]*(?:\s+(?=[A-Z0-9\"'\u201c(\[])|(?=[A-Z][a-z]{2,}\b))|"
    rf"[{_CJK_END}][\u300d\u300f\uff09\"\u201d]*\s*"
)
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")


@dataclass(frozen=True)
class Sentence:
    """A sentence of the abstract and its [start, end) offsets in it."""

    text: str
    start: int
    end: int


def _is_abbreviation(text: str, period: int) -> bool:
    """True when the period at `period` closes an abbreviation or an initial."""
    found = _WORD_BEFORE.search(text, max(0, period - 12), period + 1)
    if not found:
        return False
    word = found.group(1).lower()
    if word in ABBREVIATIONS or word.rstrip(".") in ABBREVIATIONS:
        return True
    # "et al." is two words; a single capital is an initial ("J. Smith").
    if text[max(0, period - 6) : period].lower().endswith("et al"):
        return True
    return len(word) == 1 and word.isalpha() and text[period - 1].isupper()


def _is_glued(match: re.Match[str]) -> bool:
    return not any(char.isspace() for char in match.group(0))


def _inside_link(text: str, match: re.Match[str]) -> bool:
    """A glued boundary inside a URL or path ("github.com/Org.Repo") is not an end."""
    if not _is_glued(match):
        return False
    token_start = max(text.rfind(" ", 0, match.start()), text.rfind("\n", 0, match.start())) + 1
    token = text[token_start : match.start()]
    return "/" in token or "www" in token or "@" in token


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of `text` in order, with offsets; whitespace around them dropped."""
    sentences: list[Sentence] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        if text[match.start()] == "." and _is_abbreviation(text, match.start()):
            continue
        if text[match.start()] not in _CJK_END and _inside_link(text, match):
            continue
        end = match.start() + len(match.group(0).rstrip())
        _append(sentences, text, start, end)
        start = match.end()
    _append(sentences, text, start, len(text))
    return sentences


def _append(sentences: list[Sentence], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        sentences.append(Sentence(text[start:end], start, end))

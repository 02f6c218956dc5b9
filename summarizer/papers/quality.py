"""Quality flags: text that is not a clean, whole abstract (a PDF fragment, a cut)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

from summarizer.language import is_english

# Warning codes a paper can carry.
NOT_ABSTRACT = "not_abstract"
STARTS_MID_SENTENCE = "starts_mid_sentence"
TRUNCATED = "truncated"
NOT_ENGLISH = "not_english"

# Line numbers of a PDF's text layer run into the words ("have453 incorrect"); the
# lookbehinds keep decimals ("3.08", "0.81") and names ("CIFAR-100") out.
_GLUED_NUMBER = re.compile(r"(?<=[A-Za-z,.;:)\]])(?<!\d[.,])(\d{2,4})(?=\s|$)")
_NOT_ABSTRACT_TITLE = re.compile(
    r"^(?:(?:appendix|supplementary material)(?![a-z]).*|table of contents|contents|"
    r"references|bibliography|acknowledg(?:e)?ments)$",
    re.I,
)
_CONNECTIVE_START = re.compile(
    r"^(?:however|moreover|furthermore|therefore|thus|hence|additionally|consequently|"
    r"nevertheless|nonetheless|meanwhile|in addition|in contrast(?!\s+(?:to|with)\b)|"
    r"on the other hand|and|but|or|yet|also|which|whereas|while this)\b",
    re.I,
)
# A plain lower-case word: "and", "models", "state-of-the-art". Not "mRNA", "k-means",
# "word2vec" or "iPhone", which abstracts do start with.
_LOWERCASE_WORD = re.compile(r"[a-z]{2,}(?:[-'\u2019][a-z]+)*")
# A sentence ends with . ! or ? (or their CJK forms), perhaps followed by a closing quote
# or bracket.
SENTENCE_END = re.compile(r"[.!?\u3002\uff01\uff1f][\"'\u201d\u2019)\]\u300d\u300f\uff09]*$")
# Abbreviations that end in a period but never end a sentence.
_OPEN_ABBREVIATION_END = re.compile(r"\b(?:e\.g|i\.e|cf|vs|w\.r\.t|fig|figs|eq|eqs|sec)\.$", re.I)
# "i.i.d." ends a sentence as a predicate ("samples are i.i.d.") but not after a
# preposition or article ("the risks posed by non-i.i.d.").
_DANGLING_IID = re.compile(
    r"\b(?:by|of|for|with|to|in|on|from|under|over|between|the|a|an|and|or)\s+"
    r"(?:non-?)?i\.i\.d\.$",
    re.I,
)
# A closing "Code is at https://..." sentence often lacks a final period.
_URL = re.compile(r"://|\bwww\.|\b[\w-]+\.[a-z]{2,}/\S", re.I)


def _has_line_numbers(text: str, run: int = 3) -> bool:
    """True when numbers glued to words count upwards, as a PDF's line numbers do."""
    numbers = [int(found) for found in _GLUED_NUMBER.findall(text)]
    longest = current = 1
    for previous, number in itertools.pairwise(numbers):
        current = current + 1 if 0 < number - previous <= 3 else 1
        longest = max(longest, current)
    return len(numbers) >= run and longest >= run


def _starts_mid_sentence(text: str) -> bool:
    first = text[:1]
    if first in (",", ";", ":", ")", "]", "}"):
        return True
    first_word = text.split(maxsplit=1)[0].rstrip(",;:.") if text else ""
    return bool(_LOWERCASE_WORD.fullmatch(first_word) or _CONNECTIVE_START.match(text))


def _is_truncated(text: str) -> bool:
    # Only the end matters; looking at the tail keeps very long texts fast.
    tail = text[-500:]
    if tail.endswith(("...", "\u2026")):
        return True
    if _OPEN_ABBREVIATION_END.search(tail) or _DANGLING_IID.search(tail):
        return True
    last_sentence = re.split(r"[.!?]\s+(?=[A-Z])", tail)[-1]
    return not (SENTENCE_END.search(tail) or _URL.search(last_sentence))


def quality_warnings(title: str, abstract: str) -> tuple[str, ...]:
    """Warning codes for text that is not a clean, whole abstract."""
    text = " ".join(abstract.split())
    checks: tuple[tuple[str, Callable[[], bool]], ...] = (
        (NOT_ABSTRACT, lambda: bool(_NOT_ABSTRACT_TITLE.match(title.strip()))),
        (NOT_ABSTRACT, lambda: _has_line_numbers(text)),
        (STARTS_MID_SENTENCE, lambda: _starts_mid_sentence(text)),
        (TRUNCATED, lambda: bool(text) and _is_truncated(text)),
        (NOT_ENGLISH, lambda: not is_english(text)),
    )
    codes: list[str] = []
    for code, check in checks:
        if code not in codes and check():
            codes.append(code)
    return tuple(codes)

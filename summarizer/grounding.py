"""Check a card against its abstract (CARD_SPEC "Grounding") and locate its evidence.

A card is grounded when every gain's quote occurs in the abstract (after normalising
whitespace, hyphenation and quote marks), every number of a gain occurs in its quote,
and every stage name's content words occur in the abstract.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from summarizer.cards import CardFields, CardGain, Gain, Span, Stage

_QUOTE_MARKS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
    }
)
# Characters ignored when comparing a quote with the abstract: spacing and the hyphens
# that line breaks and spelling variants add or drop ("pre- training", "pretraining").
_IGNORED = frozenset(" \t\r\n\u00a0\u00ad-\u2010\u2011\u2012\u2013\u2014\u2212")
_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_NUMBER_WORDS = {
    "twice": 2.0,
    "double": 2.0,
    "doubles": 2.0,
    "doubling": 2.0,
    "triple": 3.0,
    "triples": 3.0,
    "half": 0.5,
    "halves": 0.5,
    "two": 2.0,
    "three": 3.0,
    "four": 4.0,
    "five": 5.0,
    "six": 6.0,
    "seven": 7.0,
    "eight": 8.0,
    "nine": 9.0,
    "ten": 10.0,
    "hundred": 100.0,
}
_WORD = re.compile(r"[^\W_]+")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "or",
        "the",
        "to",
        "via",
        "with",
        "without",
        "using",
        "based",
        "stage",
        "step",
        "phase",
        "its",
        "their",
        "our",
        "we",
    ]
)


@dataclass(frozen=True)
class GroundingProblem:
    """One item of a card that its abstract does not support."""

    kind: str  # "gain_quote", "gain_number" or "stage_name"
    index: int  # position of the gain or stage in its list
    detail: str

    def __str__(self) -> str:
        item = "claimed_gains" if self.kind.startswith("gain") else "stages"
        return f"{item}[{self.index}]: {self.detail}"


@dataclass(frozen=True)
class _Normalized:
    text: str
    offsets: tuple[int, ...]  # offsets[i] = position in the original of text[i]


def _fold(char: str) -> str:
    return unicodedata.normalize("NFKC", char).translate(_QUOTE_MARKS)


@lru_cache(maxsize=1024)
def _normalize(original: str) -> _Normalized:
    if original.isascii():
        # ASCII is its own NFKC form, and the quote-mark table maps its one ASCII key
        # (the backtick) to one character: fold the whole string at once, then drop the
        # ignored characters (most abstracts; a third of grounding's time otherwise).
        folded = original.translate(_QUOTE_MARKS)
        offsets = tuple(index for index, char in enumerate(folded) if char not in _IGNORED)
        return _Normalized("".join([folded[index] for index in offsets]), offsets)
    chars: list[str] = []
    kept: list[int] = []
    for position, char in enumerate(original):
        if char in _IGNORED:
            continue
        for folded in _fold(char):
            if folded not in _IGNORED:
                chars.append(folded)
                kept.append(position)
    return _Normalized("".join(chars), tuple(kept))


def find_span(quote: str, abstract: str) -> Span | None:
    """Offsets of `quote` in `abstract`, tolerant of spacing, hyphens and quote marks."""
    needle = _normalize(quote).text
    if not needle:
        return None
    haystack = _normalize(abstract)
    start = haystack.text.find(needle)
    if start < 0:
        return None
    end = start + len(needle) - 1
    return Span(start=haystack.offsets[start], end=haystack.offsets[end] + 1)


def clear_caches() -> None:
    """Forget the normalised abstracts kept between cards (for timing cold passes)."""
    _normalize.cache_clear()
    _abstract_stems.cache_clear()


def numbers_in(text: str) -> set[float]:
    """The numeric values written in a text, digits or common number words."""
    values = {float(found.replace(",", "")) for found in _NUMBER.findall(text)}
    for word in _WORD.findall(text.lower()):
        if word in _NUMBER_WORDS:
            values.add(_NUMBER_WORDS[word])
    return values


def _gain_numbers(gain: Gain) -> set[float]:
    values = {float(gain.value)} if gain.value is not None else set()
    for text in (gain.metric, gain.baseline or "", gain.condition or ""):
        values |= {float(found.replace(",", "")) for found in _NUMBER.findall(text)}
    return values


def _stem(word: str) -> str:
    for suffix in ("ations", "ation", "ings", "ing", "ies", "es", "ed", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _content_stems(text: str) -> set[str]:
    folded = _fold_text(text).lower()
    return {_stem(word) for word in _WORD.findall(folded) if word not in _STOPWORDS}


def _fold_text(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_QUOTE_MARKS)


@lru_cache(maxsize=256)
def _abstract_stems(abstract: str) -> frozenset[str]:
    folded = _fold_text(abstract).lower()
    stems = {_stem(word) for word in _WORD.findall(folded)}
    # "pre-training" also counts as "pretraining" and as "pre" + "training".
    stems |= {_stem(joined.replace("-", "")) for joined in re.findall(r"\w+(?:-\w+)+", folded)}
    return frozenset(stems)


def gain_problems(gain: Gain, index: int, abstract: str) -> list[GroundingProblem]:
    """Why a gain is not grounded in the abstract (empty when it is)."""
    if find_span(gain.quote, abstract) is None:
        return [GroundingProblem("gain_quote", index, f"quote not in the abstract: {gain.quote!r}")]
    in_quote = numbers_in(gain.quote)
    missing = sorted(value for value in _gain_numbers(gain) if value not in in_quote)
    if missing:
        shown = ", ".join(f"{value:g}" for value in missing)
        return [
            GroundingProblem(
                "gain_number", index, f"number {shown} not in its quote {gain.quote!r}"
            )
        ]
    return []


def stage_problems(stage: Stage, index: int, abstract: str) -> list[GroundingProblem]:
    """Why a stage's name is not grounded in the abstract (empty when it is)."""
    known = _abstract_stems(abstract)
    missing = sorted(stem for stem in _content_stems(stage.name) if stem not in known)
    if missing:
        return [
            GroundingProblem(
                "stage_name",
                index,
                f"stage name {stage.name!r} has words not in the abstract: {', '.join(missing)}",
            )
        ]
    return []


def check(fields: CardFields, abstract: str) -> list[GroundingProblem]:
    """Every grounding problem of a card's fields against its abstract."""
    problems: list[GroundingProblem] = []
    for index, gain in enumerate(fields.claimed_gains):
        problems.extend(gain_problems(gain, index, abstract))
    for index, stage in enumerate(fields.stages):
        problems.extend(stage_problems(stage, index, abstract))
    return problems


@dataclass(frozen=True)
class GroundedFields:
    """Fields after grounding: gains with spans, stages, and what was dropped or flagged."""

    stages: list[Stage]
    claimed_gains: list[CardGain]
    warnings: list[str]


def ground(fields: CardFields, abstract: str, *, keep_ungrounded: bool = False) -> GroundedFields:
    """Apply the grounding policy: drop ungrounded items, or keep them flagged.

    Either way each problem becomes a warning on the card, so an ungrounded item is
    never passed off as grounded.
    """
    warnings: list[str] = []
    gains: list[CardGain] = []
    for index, gain in enumerate(fields.claimed_gains):
        problems = gain_problems(gain, index, abstract)
        if problems and not keep_ungrounded:
            warnings.extend(f"dropped ungrounded {problem}" for problem in problems)
            continue
        warnings.extend(f"ungrounded {problem}" for problem in problems)
        gains.append(CardGain(**gain.model_dump(), span=find_span(gain.quote, abstract)))
    stages: list[Stage] = []
    for index, stage in enumerate(fields.stages):
        problems = stage_problems(stage, index, abstract)
        if problems and not keep_ungrounded:
            warnings.extend(f"dropped ungrounded {problem}" for problem in problems)
            continue
        warnings.extend(f"ungrounded {problem}" for problem in problems)
        stages.append(stage)
    return GroundedFields(stages=stages, claimed_gains=gains, warnings=warnings)

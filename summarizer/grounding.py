"""Check a card against its abstract (CARD_SPEC "Grounding") and locate its evidence.

A card is grounded when every gain's quote occurs in the abstract (after normalising
whitespace, hyphenation and quote marks), every number of a gain is a whole number of the
abstract's own text where the quote was found (never of the quote, whose normalising
would fuse "3-5%" into "35%"), and every stage name's content words occur in the abstract.
A grounded gain's stored quote is that text of the abstract, character for character.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable
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
# The numbers written in a text, each a whole token: "3-5%" is 3 and 5, "Llama-2 7B" is 2
# and 7, "3.5" is 3.5 alone, "3,5 and 7" is 3, 5 and 7. Only groups of exactly three
# digits after a comma or a thin space make one number ("1,000", "1\u2009000"); a plain
# space never does ("top 1 000" may be two numbers). Signs are not part of a token: a
# gain's size is compared by magnitude, its direction says which way it went.
_NUMBER_TOKEN = re.compile(
    r"(?P<grouped>(?<!\d)\d{1,3}(?P<sep>[,\u2009\u202f])\d{3}(?:(?P=sep)\d{3})*(?:\.\d+)?)"
    r"(?!\d|(?P=sep)\d)"
    # 3 or 3.5; a version (1.2.3) is no decimal number but its parts, 1, 2 and 3.
    r"|(?P<number>(?<!\d\.)\d+\.\d+(?!\.\d)|\d+)"
    r"|(?P<bare_decimal>(?<![\w.])\.\d+)"  # .5
    r"|(?P<superscript>[\u207a\u207b]?[\u2070\u00b9\u00b2\u00b3\u2074-\u2079]+)"
    r"|(?P<subscript>[\u2080-\u2089]+)"
    r"|(?P<fraction>[\u00bc-\u00be\u2150-\u215e])"
)
# Where numbers can be: digit-like characters and what joins them. Finding these runs
# first lets one character-class scan skip the prose between numbers (most of the text).
_DIGIT_LIKE = "\\d\u00b2\u00b3\u00b9\u2070\u2074-\u2079\u2080-\u2089\u00bc-\u00be\u2150-\u215e"
_NUMBER_RUN = re.compile(f"[{_DIGIT_LIKE}][{_DIGIT_LIKE}.,\u2009\u202f\u207a\u207b]*")
_GROUP_SEPARATOR = re.compile(r"[,\u2009\u202f]")
_SUPERSCRIPT_DIGITS = str.maketrans(
    "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079", "0123456789"
)
_SUBSCRIPT_DIGITS = str.maketrans(
    "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089", "0123456789"
)
# The value of each kind of token the tokenizer finds.
_TOKEN_VALUE: dict[str, Callable[[str], float]] = {
    "grouped": lambda text: float(_GROUP_SEPARATOR.sub("", text)),
    "number": float,
    "bare_decimal": float,
    "superscript": lambda text: float(text.lstrip("\u207a\u207b").translate(_SUPERSCRIPT_DIGITS)),
    "subscript": lambda text: float(text.translate(_SUBSCRIPT_DIGITS)),
    "fraction": unicodedata.numeric,
}
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
_NUMBER_WORD = re.compile(
    r"(?<![^\W_])(?:" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")(?![^\W_])",
    re.IGNORECASE,
)
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
    """Forget what is kept per abstract between cards (for timing cold passes)."""
    _normalize.cache_clear()
    _abstract_numbers.cache_clear()
    _abstract_stems.cache_clear()


@dataclass(frozen=True)
class NumberToken:
    """One number written in a text: its offsets and its magnitude."""

    start: int
    end: int
    value: float
    # False for a value read from the notation rather than written: 10² as 100.
    written: bool = True
    word: bool = False  # "twice", "half", "ten"


def _digit_tokens(text: str) -> list[NumberToken]:
    tokens: list[NumberToken] = []
    for run in _NUMBER_RUN.finditer(text):
        start = run.start()
        if start and text[start - 1] == ".":
            start -= 1  # a bare decimal, ".5"
        for match in _NUMBER_TOKEN.finditer(text, start, run.end()):
            kind = match.lastgroup or ""
            token = NumberToken(match.start(), match.end(), _TOKEN_VALUE[kind](match.group()))
            if kind == "superscript" and tokens:
                base = tokens[-1]
                if base.end == token.start and text[base.start : base.end] == "10":
                    sign = "-" if match.group().startswith("\u207b") else ""
                    power = float(f"1e{sign}{token.value:.0f}")
                    tokens.append(NumberToken(base.start, token.end, power, written=False))
            tokens.append(token)
    return tokens


def _word_tokens(text: str, start: int = 0, end: int | None = None) -> list[NumberToken]:
    """The number words wholly inside text[start:end] (whole words of the text)."""
    end = len(text) if end is None else end
    tokens = []
    for match in _NUMBER_WORD.finditer(text, start):
        if match.start() >= end:
            break
        if match.end() <= end:
            value = _NUMBER_WORDS[match.group().lower()]
            tokens.append(NumberToken(match.start(), match.end(), value, word=True))
    return tokens


def number_tokens(text: str, *, words: bool = True) -> list[NumberToken]:
    """Every number written in a text, as whole tokens in text order.

    "3-5%" gives 3 and 5, never 35; "Llama-2 7B" gives 2 and 7; "3.5" gives 3.5 alone;
    "1,000" gives 1000 but "3,5" gives 3 and 5. A power of ten written with a superscript
    ("10²", "10⁻³") gives its base and its exponent, and also its value (100, 0.001),
    marked as not written; never the digits run together (102). With `words`, also the
    number words of `_NUMBER_WORDS` ("twice" is 2).
    """
    tokens = _digit_tokens(text)
    if words:
        tokens = sorted([*tokens, *_word_tokens(text)], key=lambda token: token.start)
    return tokens


def numbers_in(text: str) -> set[float]:
    """The numeric values written in a text, digits or common number words."""
    return {token.value for token in number_tokens(text)}


@dataclass(frozen=True)
class _NumberIndex:
    tokens: tuple[NumberToken, ...]
    starts: tuple[int, ...]


@lru_cache(maxsize=1024)
def _abstract_numbers(abstract: str) -> _NumberIndex:
    tokens = tuple(_digit_tokens(abstract))
    return _NumberIndex(tokens, tuple(token.start for token in tokens))


def span_numbers(abstract: str, span: Span, *, words: bool = True) -> list[NumberToken]:
    """The abstract's number tokens that lie wholly inside a span of it.

    A token the span cuts ("5" of "15%", "85.3" of "85.37", "ten" of "often") is not a
    number of the span.
    """
    index = _abstract_numbers(abstract)
    inside = []
    for position in range(bisect_left(index.starts, span.start), len(index.tokens)):
        token = index.tokens[position]
        if token.start >= span.end:
            break
        if token.end <= span.end:
            inside.append(token)
    if words:
        # Looked up only when asked: most gains are grounded by their digits alone.
        found = _word_tokens(abstract, span.start, span.end)
        inside = sorted([*inside, *found], key=lambda token: token.start)
    return inside


def _gain_numbers(gain: Gain) -> list[tuple[str, float]]:
    """Each number a gain states, with the field it is in: the value and every number
    written in its metric, baseline and condition."""
    numbers = [("value", abs(gain.value))] if gain.value is not None else []
    for name, text in (
        ("metric", gain.metric),
        ("baseline", gain.baseline),
        ("condition", gain.condition),
    ):
        numbers.extend(
            (f"{name} number", token.value)
            for token in number_tokens(text or "", words=False)
            if token.written
        )
    return numbers


def _shown(value: float) -> str:
    written = repr(value)
    return written[:-2] if written.endswith(".0") else written


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
    return _gain_problems(gain, index, abstract, find_span(gain.quote, abstract))


def _gain_problems(
    gain: Gain, index: int, abstract: str, span: Span | None
) -> list[GroundingProblem]:
    if span is None:
        return [GroundingProblem("gain_quote", index, f"quote not in the abstract: {gain.quote!r}")]
    numbers = _gain_numbers(gain)
    there = span_numbers(abstract, span, words=False)
    known = {token.value for token in there}
    if any(value not in known for _, value in numbers):
        there = span_numbers(abstract, span)
        known = {token.value for token in there}
    missing = [(name, value) for name, value in numbers if value not in known]
    if not missing:
        return []
    listed = ", ".join(dict.fromkeys(f"{name} {_shown(value)}" for name, value in missing))
    written = sorted({token.value for token in there if token.written})
    shown = ", ".join(_shown(value) for value in written) or "none"
    return [
        GroundingProblem(
            "gain_number",
            index,
            f"{listed} not a number of the abstract where its quote is, "
            f"{abstract[span.start : span.end]!r} (numbers there: {shown})",
        )
    ]


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

    A grounded gain's quote becomes the abstract's text at its span; a kept ungrounded
    one keeps the engine's quote. Either way each problem becomes a warning on the card,
    so an ungrounded item is never passed off as grounded.
    """
    warnings: list[str] = []
    gains: list[CardGain] = []
    for index, gain in enumerate(fields.claimed_gains):
        span = find_span(gain.quote, abstract)
        problems = _gain_problems(gain, index, abstract, span)
        if problems and not keep_ungrounded:
            warnings.extend(f"dropped ungrounded {problem}" for problem in problems)
            continue
        warnings.extend(f"ungrounded {problem}" for problem in problems)
        # The evidence is the abstract's own text, not the engine's copy of it.
        quote = gain.quote if problems or span is None else abstract[span.start : span.end]
        gains.append(CardGain(**{**gain.model_dump(), "quote": quote}, span=span))
    stages: list[Stage] = []
    for index, stage in enumerate(fields.stages):
        problems = stage_problems(stage, index, abstract)
        if problems and not keep_ungrounded:
            warnings.extend(f"dropped ungrounded {problem}" for problem in problems)
            continue
        warnings.extend(f"ungrounded {problem}" for problem in problems)
        stages.append(stage)
    return GroundedFields(stages=stages, claimed_gains=gains, warnings=warnings)

"""Features of a sentence in its abstract, shared by the role classifier and its trainer.

The trainer (scripts/train_roles.py) and the runtime both call `abstract_features`, so the
shipped weights always see the features they were trained on. Features are binary: each
sentence gets a set of names. The names made from a word or a word pair are built once
per process and reused (abstracts share most of their words), which keeps this fast.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

# Words, numbers (with decimals) and percent signs, lowercased.
_TOKEN = re.compile(r"[a-z][a-z\-']*|\d+(?:[.,]\d+)?|%")
_NUMBER = re.compile(r"\d")
POSITION_BINS = 10
STEM_LENGTH = 5  # a crude stem: shares "propos(e|ed|al)", "evalu(ate|ation)"
EDGE_DISTANCE = 6  # sentence index from either end, capped
THIRDS = 3
_CACHE_LIMIT = 200_000  # names cached per process, at most (then the cache starts over)

# word -> (unigram, stem, word in each third of the abstract..., previous, next)
_WORD_NAMES: dict[str, tuple[str, ...]] = {}
# (word, word) -> (bigram, stem bigram)
_PAIR_NAMES: dict[tuple[str, str], tuple[str, str]] = {}


def tokens(sentence: str) -> list[str]:
    """Lowercased word tokens; every number becomes '<num>' so values do not matter."""
    return [
        "<num>" if _NUMBER.match(token) else token for token in _TOKEN.findall(sentence.lower())
    ]


def _word_names(word: str) -> tuple[str, ...]:
    names = _WORD_NAMES.get(word)
    if names is None:
        if len(_WORD_NAMES) > _CACHE_LIMIT:
            _WORD_NAMES.clear()
        thirds = tuple(f"b{third}:{word}" for third in range(THIRDS))
        names = (word, f"s:{word[:STEM_LENGTH]}", *thirds, f"p:{word}", f"n:{word}")
        _WORD_NAMES[word] = names
    return names


_UNIGRAM, _STEM, _THIRD, _PREVIOUS, _NEXT = 0, 1, 2, 2 + THIRDS, 3 + THIRDS


def _pair_names(pair: tuple[str, str]) -> tuple[str, str]:
    names = _PAIR_NAMES.get(pair)
    if names is None:
        if len(_PAIR_NAMES) > _CACHE_LIMIT:
            _PAIR_NAMES.clear()
        first, second = pair
        names = (f"{first} {second}", f"s:{first[:STEM_LENGTH]} {second[:STEM_LENGTH]}")
        _PAIR_NAMES[pair] = names
    return names


# The authors speaking ("we", "this paper") and results being reported: where a sentence
# stands relative to the first of each is a strong hint of its role (the objective is
# most often the first sentence where the authors speak).
_AUTHORS = re.compile(r"\b(?:we|our|us)\b|\bthis (?:paper|work|study|article)\b")
_RESULTS = re.compile(
    r"\b(?:results?|experiments?|outperform\w*|show|shows|demonstrate\w*|achiev\w*|"
    r"evaluat\w*)\b"
)
AUTHOR_OPENING_WORDS = 4  # words of the authors' first sentence crossed with that fact


def _first(flags: Sequence[bool]) -> int | None:
    return next((index for index, flag in enumerate(flags) if flag), None)


def _structure_features(sentences: Sequence[str], words: Sequence[list[str]]) -> list[set[str]]:
    """Each sentence's place relative to the authors' first and the first results sentence."""
    lowered = [sentence.lower() for sentence in sentences]
    speaking = [bool(_AUTHORS.search(text)) for text in lowered]
    reporting = [bool(_RESULTS.search(text)) for text in lowered]
    first_speaking, first_reporting = _first(speaking), _first(reporting)
    features: list[set[str]] = []
    spoken_before = 0
    for index, own in enumerate(words):
        names: set[str] = {f"wecount:{min(spoken_before, 3)}"}
        if first_speaking is None:
            names.add("we:none")
        elif index < first_speaking:
            names.add(f"we:before{min(first_speaking - index, 3)}")
        elif index == first_speaking:
            names.add("we:first")
            names.update(f"wefirst:{word}" for word in own[:AUTHOR_OPENING_WORDS])
        else:
            names.add(f"we:after{min(index - first_speaking, 4)}")
        if first_reporting is not None:
            relation = (
                "before"
                if index < first_reporting
                else "at"
                if index == first_reporting
                else "after"
            )
            names.add(f"res:{relation}")
        spoken_before += speaking[index]
        features.append(names)
    return features


def _length_bin(count: int) -> str:
    return "len:short" if count < 10 else "len:mid" if count < 30 else "len:long"


def abstract_features(sentences: Sequence[str]) -> list[set[str]]:
    """The feature names of each sentence: its n-grams, position, length and neighbours.

    Lexical: unigrams, bigrams, 5-letter stems and stem bigrams, the opening word and
    word pair. Position: a relative bin, the distance from each end, and each word
    crossed with the third of the abstract it occurs in (so "propose" can weigh
    differently early and late). Neighbours: their words and opening word, prefixed
    'p:' (previous) or 'n:' (next). Structure: the place relative to the first sentence
    where the authors speak and the first that reports results.
    """
    words = [tokens(sentence) for sentence in sentences]
    named = [[_word_names(word) for word in dict.fromkeys(own)] for own in words]
    count = len(sentences)
    structure = _structure_features(sentences, words)
    features: list[set[str]] = []
    for index, own in enumerate(words):
        bucket = min(POSITION_BINS - 1, index * POSITION_BINS // max(count, 1))
        third = _THIRD + bucket * THIRDS // POSITION_BINS
        names: set[str] = set()
        for word_names in named[index]:
            names.add(word_names[_UNIGRAM])
            names.add(word_names[_STEM])
            names.add(word_names[third])
        for pair in itertools.pairwise(own):
            names.update(_pair_names(pair))
        if own:
            names.add(f"^{own[0]}")
            if len(own) > 1:
                names.add(f"^{own[0]} {own[1]}")
        names.add(f"pos:{bucket}")
        names.add(f"idx:{min(index, EDGE_DISTANCE)}")
        names.add(f"rev:{min(count - 1 - index, EDGE_DISTANCE)}")
        names.add(_length_bin(len(own)))
        if index == 0:
            names.add("pos:first")
        if index == count - 1:
            names.add("pos:last")
        for slot, neighbour, prefix in ((_PREVIOUS, index - 1, "p:"), (_NEXT, index + 1, "n:")):
            if 0 <= neighbour < count:
                names.update(word_names[slot] for word_names in named[neighbour])
                if words[neighbour]:
                    names.add(f"{prefix}^{words[neighbour][0]}")
            else:
                names.add(f"{prefix}<none>")
        names |= structure[index]
        features.append(names)
    return features

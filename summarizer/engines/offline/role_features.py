"""Features of a sentence in its abstract, shared by the role classifier and its trainer.

The trainer (scripts/train_roles.py) and the runtime both call `abstract_features`, so the
shipped weights always see the features they were trained on.
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
CONTEXT_PREFIXES = ("p:", "n:")


def tokens(sentence: str) -> list[str]:
    """Lowercased word tokens; every number becomes '<num>' so values do not matter."""
    return [
        "<num>" if _NUMBER.match(token) else token for token in _TOKEN.findall(sentence.lower())
    ]


def _lexical(words: list[str]) -> list[str]:
    """Unigrams, bigrams, stem unigrams and bigrams, and the opening word(s)."""
    stems = [word[:STEM_LENGTH] for word in words]
    names = list(words)
    names.extend(f"{a} {b}" for a, b in itertools.pairwise(words))
    names.extend(f"s:{stem}" for stem in stems)
    names.extend(f"s:{a} {b}" for a, b in itertools.pairwise(stems))
    if words:
        names.append(f"^{words[0]}")
        if len(words) > 1:
            names.append(f"^{words[0]} {words[1]}")
    return names


def _length_bin(count: int) -> str:
    return "len:short" if count < 10 else "len:mid" if count < 30 else "len:long"


def abstract_features(sentences: Sequence[str]) -> list[list[str]]:
    """The feature names of each sentence: its n-grams, position, length and neighbours.

    Position enters as a relative bin, the distance from each end, and words crossed with
    the third of the abstract they occur in (so "propose" can weigh differently early and
    late). Neighbours contribute their unigrams and opening word under a prefix.
    """
    words = [tokens(sentence) for sentence in sentences]
    count = len(sentences)
    features: list[list[str]] = []
    for index, own in enumerate(words):
        bucket = min(POSITION_BINS - 1, index * POSITION_BINS // max(count, 1))
        third = bucket * 3 // POSITION_BINS
        names = _lexical(own)
        names.append(f"pos:{bucket}")
        names.append(f"idx:{min(index, EDGE_DISTANCE)}")
        names.append(f"rev:{min(count - 1 - index, EDGE_DISTANCE)}")
        names.extend(f"b{third}:{word}" for word in set(own))
        names.append(_length_bin(len(own)))
        if index == 0:
            names.append("pos:first")
        if index == count - 1:
            names.append("pos:last")
        for prefix, neighbour in zip(CONTEXT_PREFIXES, (index - 1, index + 1), strict=True):
            if 0 <= neighbour < count:
                context = words[neighbour]
                names.extend(f"{prefix}{word}" for word in set(context))
                if context:
                    names.append(f"{prefix}^{context[0]}")
            else:
                names.append(f"{prefix}<none>")
        features.append(names)
    return features

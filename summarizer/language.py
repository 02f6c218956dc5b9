"""Whether a text is English: enough English function words, and mostly Latin letters.

A cheap check with no model, meant for abstracts: English prose is about a third
function words ("the", "of", "and", "we"), other languages written in Latin letters
(German, French, Spanish, ...) have few of them, and Chinese, Japanese, Russian or Arabic
text is mostly letters outside the Latin alphabet. Short texts are given the benefit of
the doubt.
"""

from __future__ import annotations

import re

MIN_WORDS = 12  # fewer words than this say too little to judge
MIN_FUNCTION_SHARE = 0.12  # English abstracts run at 0.3-0.45; German or French at < 0.08
MAX_FOREIGN_LETTERS = 0.3  # share of letters outside the Latin alphabet

_LATIN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_FUNCTION_WORDS = frozenset(
    {
        "the", "of", "and", "to", "in", "a", "an", "is", "are", "we", "that", "for", "on",
        "with", "as", "by", "this", "our", "be", "from", "which", "it", "its", "or", "can",
        "these", "their", "than", "at", "such", "not", "has", "have", "was", "were", "also",
        "how", "into", "both", "while", "when", "but", "show", "propose", "using", "based",
    }
)  # fmt: skip


_LETTER = re.compile(r"[^\W\d_]")
# Letters outside the Latin alphabet (basic, Latin-1, Extended-A/B, Extended Additional).
_FOREIGN_LETTER = re.compile(r"[^\W\d_a-zA-Z\u00c0-\u024f\u1e00-\u1eff]")


def _foreign_letter_share(text: str) -> float:
    if text.isascii():
        return 0.0
    letters = len(_LETTER.findall(text))
    return len(_FOREIGN_LETTER.findall(text)) / letters if letters else 0.0


def is_english(text: str) -> bool:
    """True unless the text is clearly in another language (see the module docstring)."""
    if _foreign_letter_share(text) > MAX_FOREIGN_LETTERS:
        return False
    words = _LATIN_WORD.findall(text.lower())
    if len(words) < MIN_WORDS:
        return True
    function = sum(1 for word in words if word in _FUNCTION_WORDS)
    return function / len(words) >= MIN_FUNCTION_SHARE

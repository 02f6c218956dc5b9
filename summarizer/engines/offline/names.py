"""The method's name, from the title's "Name: subtitle" pattern or the abstract's wording."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from summarizer.engines.offline.sentences import Sentence

# A name-like token: has a capital after its first character, a digit or a hyphen joining
# capitalised parts ("OS-R1", "ThinkDial", "EDTalk", "Adapt-infty", "GPT-4o").
_NAME_TOKEN = r"[A-Za-z][\w]*(?:[-+.][\w]+)*"
_NAMING = re.compile(
    rf"\b(?:called|named|dubbed|termed|coined|namely)\s+(?P<name>{_NAME_TOKEN})", re.I
)
_PROPOSAL = re.compile(
    rf"\b(?:we|this (?:paper|work)|here we)\s+(?:\w+\s+)?"
    rf"(?:propose|present|introduce|develop|design|build|release|create|establish)s?\s+"
    rf"(?:a\s+|an\s+|the\s+)?(?P<name>{_NAME_TOKEN})",
    re.I,
)
_ACRONYM = re.compile(
    r"(?P<long>(?:[A-Z][\w-]*\s+){1,7}?[A-Z][\w-]*)\s+\((?P<short>[A-Z][A-Za-z0-9-]{1,11})\)"
)
# An acronym names the method only when a proposal word governs it closely:
# "we propose Progressive Dataset Distillation (PDD)", not "we study MCTS (...)".
_PROPOSAL_BEFORE = re.compile(
    r"\b(?:propose|proposes|introduce|introduces|present|presents|develop|develops|called|"
    r"named|dubbed|termed|coined)\s+(?:(?:a|an|the|our|new|novel|simple|general)\s+)*$",
    re.I,
)
# Words that are capitalised at a sentence start or are common acronyms, never names.
_NOT_NAMES = frozenset(
    {
        "a", "an", "the", "this", "that", "these", "novel", "new", "simple", "general",
        "llm", "llms", "ai", "ml", "nlp", "rl", "gpu", "gpus", "cnn", "rnn", "gan", "gans",
        "vlm", "vlms", "mllm", "mllms", "api", "sota", "it", "we", "our", "in", "on",
    }
)  # fmt: skip


def looks_like_name(token: str) -> bool:
    """A coined name: inner capitals, digits or hyphen-joined parts, not a common acronym."""
    bare = token.strip(".,;:()")
    if len(bare) < 2 or bare.lower() in _NOT_NAMES:
        return False
    inner_capital = any(char.isupper() for char in bare[1:])
    has_digit = any(char.isdigit() for char in bare) and any(char.isalpha() for char in bare)
    hyphen_capital = "-" in bare and bare[0].isupper()
    return inner_capital or has_digit or hyphen_capital


def _from_title(title: str, sentences: Sequence[Sentence]) -> str | None:
    """'Name: subtitle' where Name is one coined word, or several if the abstract says it."""
    head, colon, _ = title.partition(":")
    head = head.strip()
    if not colon or not head:
        return None
    if " " not in head and (looks_like_name(head) or head.isupper() or head[0].isupper()):
        return head if head.lower() not in _NOT_NAMES else None
    words = head.split()
    capitalised = all(word[0].isupper() for word in words if word[0].isalpha())
    if len(words) <= 4 and capitalised and any(head in s.text for s in sentences):
        return head
    return None


def _from_naming_words(title: str, sentences: Sequence[Sentence]) -> str | None:
    del title
    for sentence in sentences:
        for match in _NAMING.finditer(sentence.text):
            # "called Two-Stage Joint-Training (TSJT)": the acronym is the handle.
            defined = _ACRONYM.match(sentence.text, match.start("name"))
            if defined and _initials_match(defined.group("long"), defined.group("short")):
                return defined.group("short")
            name = match.group("name")
            if looks_like_name(name) or name.isupper():
                return name
    return None


def _from_proposal(title: str, sentences: Sequence[Sentence]) -> str | None:
    del title
    for sentence in sentences:
        for match in _PROPOSAL.finditer(sentence.text):
            name = match.group("name").rstrip(".,;:")
            if looks_like_name(name):
                return name
    return None


def _initials_match(long: str, short: str) -> bool:
    """True when the acronym's capitals spell the long form's initials (loosely)."""
    parts = re.split(r"[\s-]+", long)
    initials = "".join(part[0] for part in parts if part).upper()
    letters = "".join(char for char in short if char.isupper())
    mostly_capitals = len(letters) * 2 >= len(short.replace("-", ""))
    return len(letters) >= 2 and mostly_capitals and letters in initials


def _from_acronym(title: str, sentences: Sequence[Sentence]) -> str | None:
    """An acronym defined in a sentence where the authors propose or name something."""
    del title
    for sentence in sentences:
        for match in _ACRONYM.finditer(sentence.text):
            short = match.group("short")
            if short.lower().rstrip("s") in _NOT_NAMES or short.lower() in _NOT_NAMES:
                continue
            before = sentence.text[max(0, match.start() - 60) : match.start()]
            if _PROPOSAL_BEFORE.search(before) and _initials_match(match.group("long"), short):
                return short
    return None


_FINDERS: tuple[Callable[[str, Sequence[Sentence]], str | None], ...] = (
    _from_title,
    _from_naming_words,
    _from_proposal,
    _from_acronym,
)


def find_method_name(title: str | None, sentences: Sequence[Sentence]) -> str | None:
    """The name the paper gives its method, model, dataset or framework, or None."""
    for finder in _FINDERS:
        name = finder(title or "", sentences)
        if name:
            return name
    return None

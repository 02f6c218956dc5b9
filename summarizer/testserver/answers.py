"""The test server's answer: a deterministic, schema-valid, grounded card for a paper.

The heuristic reads the abstract the way a careful but simple-minded model would: the
first sentence is the problem, the "we propose" sentence the method, each sentence with a
percentage one gain quoted verbatim. It exists so the LLM engine can be tested offline
against a server that answers like a real one; it is not a summarizer. Any callable with
the `Answerer` signature can replace it (`ServerConfig.answerer`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MAX_SENTENCE_FIELD = 400
MAX_QUOTE = 120
MAX_STAGE_NAME_WORDS = 6
MAX_STAGE_DESCRIPTION = 200


@dataclass(frozen=True)
class PaperText:
    """The paper a chat request asks about, as the prompt gave it."""

    title: str
    abstract: str


Answerer = Callable[[PaperText], dict[str, Any]]
"""Turns a paper into the JSON object of a card (CardFields' shape)."""


def heuristic_card(paper: PaperText) -> dict[str, Any]:
    """A CardFields-shaped dict made from the paper by fixed rules (see module doc)."""
    text = paper.abstract
    spans = sentence_spans(text)
    sentences = [text[start:end] for start, end in spans]
    first = sentences[0] if sentences else (paper.title.strip() or "No abstract was given.")
    return {
        "problem": _clip(first, MAX_SENTENCE_FIELD),
        "method": _clip(_method_sentence(sentences) or first, MAX_SENTENCE_FIELD),
        "method_name": _method_name(paper.title),
        "contribution": _contribution(paper.title, text),
        "stages": _stages(sentences),
        "claimed_gains": _gains(text, spans),
    }


# --- sentences -------------------------------------------------------------------------

_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'`\[])")
_ABBREVIATIONS = ("e.g.", "i.e.", "et al.", "vs.", "Fig.", "Eq.", "cf.", "resp.", "approx.")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) offsets of the sentences of `text`, whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_BREAK.finditer(text):
        if text[start : match.start()].endswith(_ABBREVIATIONS):
            continue
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [trimmed for span in spans if (trimmed := _trim(text, *span))]


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _clip(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") or text[:limit]


# --- problem, method, name, kind ------------------------------------------------------

_METHOD_CUE = re.compile(
    r"\bwe (?:propose|introduce|present|develop)\b"
    r"|\b(?:this|the) (?:paper|work) (?:proposes|introduces|presents|develops)\b",
    re.IGNORECASE,
)


def _method_sentence(sentences: list[str]) -> str | None:
    found = _METHOD_CUE.search(" ".join(sentences))
    if found is not None:
        start = 0
        for sentence in sentences:  # the sentence holding the cue
            start += len(sentence) + 1
            if found.start() < start:
                return sentence
    return sentences[1] if len(sentences) > 1 else None


def _method_name(title: str) -> str | None:
    """The part of a 'Name: what it does' title before the colon, when it is short."""
    head, colon, _ = title.partition(":")
    head = head.strip()
    if colon and head and len(head) <= 40 and len(head.split()) <= 4:
        return head
    return None


# Checked in order: (kind, keyword, title cue, abstract cue); the abstract cue is only
# tried when the keyword occurs in it (regexes over whole abstracts cost).
_CONTRIBUTION_CUES: tuple[tuple[str, str, re.Pattern[str], re.Pattern[str]], ...] = (
    (
        "survey",
        "survey",
        re.compile(r"\bsurvey\b", re.IGNORECASE),
        re.compile(r"\b(?:this|our|we) survey\b", re.IGNORECASE),
    ),
    (
        "benchmark",
        "benchmark",
        re.compile(r"bench(?:mark)?\b", re.IGNORECASE),
        re.compile(r"\bwe (?:introduce|present|propose) \w+,? an? (?:new )?benchmark\b", re.I),
    ),
    (
        "report",
        "technical report",
        re.compile(r"\btechnical report\b", re.IGNORECASE),
        re.compile(r"\bthis technical report\b", re.IGNORECASE),
    ),
)


def _contribution(title: str, abstract: str) -> str:
    lowered = abstract.lower()
    for kind, keyword, title_cue, abstract_cue in _CONTRIBUTION_CUES:
        if title_cue.search(title) or (keyword in lowered and abstract_cue.search(abstract)):
            return kind
    return "method"


# --- stages -----------------------------------------------------------------------------

_STAGE_WORD = r"(?:stage|phase|step)"
_FIRST_MARK = re.compile(
    rf"^(?:First(?:ly)?|In the first {_STAGE_WORD}|The first {_STAGE_WORD})\b,?\s*"
)
_NEXT_MARK = re.compile(
    r"^(?:Second(?:ly)?|Third(?:ly)?|Then|Next|Finally|Subsequently|Lastly"
    rf"|In the (?:second|third|final) {_STAGE_WORD}|The (?:second|third|final) {_STAGE_WORD})"
    r"\b,?\s*"
)
_INLINE_FIRST_THEN = re.compile(
    r"\bfirst (?!and\b)(?P<first>[^.;:]+?),? (?:and )?then (?P<then>[^.;:]+)"
)
_NAME_DROPS = str.maketrans("", "", '"`')
_LEADING_SUBJECT = re.compile(r"^(?:we|it|they|our (?:method|model|framework))\s+", re.I)

# Keyword -> stage kind, checked in order on the stage's text.
_STAGE_KINDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:DPO|RLHF|preference)", re.IGNORECASE), "alignment"),
    (re.compile(r"\breinforcement|\bRL(?:VR)?\b|\bGRPO\b|\bPPO\b"), "rl"),
    (re.compile(r"\bdistill", re.IGNORECASE), "distillation"),
    (re.compile(r"\bmid-?training", re.IGNORECASE), "midtraining"),
    (re.compile(r"\bpre-?train", re.IGNORECASE), "pretraining"),
    (re.compile(r"\bfine-?tun|\binstruction[- ]tun|\bSFT\b", re.IGNORECASE), "finetuning"),
    (re.compile(r"\b(?:collect|curat|filter|synthesi[sz]|annotat)", re.IGNORECASE), "data"),
    (re.compile(r"\bevaluat", re.IGNORECASE), "evaluation"),
    (re.compile(r"\binference|\bdecoding", re.IGNORECASE), "inference"),
)


def _stages(sentences: list[str]) -> list[dict[str, str]]:
    """Stages only for an explicit 'First ... Second/Then ...' sequence; else none."""
    for index, sentence in enumerate(sentences):
        if "irst" not in sentence:  # both patterns need a "first"
            continue
        if _FIRST_MARK.match(sentence):
            clauses = [_FIRST_MARK.sub("", sentence, count=1)]
            for following in sentences[index + 1 :]:
                if not _NEXT_MARK.match(following):
                    break
                clauses.append(_NEXT_MARK.sub("", following, count=1))
            if len(clauses) >= 2:
                return [_stage(clause) for clause in clauses]
        inline = _INLINE_FIRST_THEN.search(sentence)
        if inline:
            return [_stage(inline["first"]), _stage(inline["then"])]
    return []


def _stage(clause: str) -> dict[str, str]:
    words = _LEADING_SUBJECT.sub("", clause.strip()).translate(_NAME_DROPS).split()
    name = " ".join(words[:MAX_STAGE_NAME_WORDS]).strip(" ,;:.")
    if name.count("(") > name.count(")"):  # a name cut inside a parenthesis
        name = name[: name.rindex("(")].strip(" ,;:.")
    kind = next((kind for cue, kind in _STAGE_KINDS if cue.search(clause)), "other")
    return {
        "name": _clip(name or clause, 80),
        "kind": kind,
        "description": _clip(clause, MAX_STAGE_DESCRIPTION),
    }


# --- gains ------------------------------------------------------------------------------

_PERCENT = re.compile(r"(?<![\w.])(?P<number>\d+(?:\.\d+)?)\s?%")
_REDUCTION = re.compile(r"\b(?:reduc|decreas|lower|fewer|less\b|cut)", re.IGNORECASE)

# Metric keyword -> whether a higher number is better, checked in order on the quote.
_METRICS: tuple[tuple[str, str], ...] = (
    ("attack success rate", "lower"),
    ("error rate", "lower"),
    ("error", "lower"),
    ("latency", "lower"),
    ("memory", "lower"),
    ("cost", "lower"),
    ("accuracy", "higher"),
    ("success rate", "higher"),
    ("win rate", "higher"),
    ("throughput", "higher"),
    ("speed", "higher"),
    ("f1", "higher"),
    ("bleu", "higher"),
    ("recall", "higher"),
    ("precision", "higher"),
)


def _gains(text: str, spans: list[tuple[int, int]]) -> list[dict[str, Any]]:
    """One gain per sentence with a percentage: its first one, quoted verbatim."""
    gains = []
    for start, end in spans:
        if text.find("%", start, end) == -1:
            continue
        match = _PERCENT.search(text, start, end)
        if match is None:
            continue
        quote = _quote_around(text, start, end, match.start(), match.end())
        metric, direction = _metric(quote)
        gains.append(
            {
                "metric": metric,
                "value": float(match["number"]),
                "unit": "%",
                "direction": direction,
                "baseline": None,
                "condition": None,
                "quote": quote,
            }
        )
    return gains


def _quote_around(text: str, start: int, end: int, hit_start: int, hit_end: int) -> str:
    """An exact slice of `text` within [start, end) around the hit, <= ~MAX_QUOTE chars."""
    left = max(start, hit_start - MAX_QUOTE // 2)
    right = min(end, max(hit_end, left + MAX_QUOTE))
    if left > start:
        space = text.find(" ", left, hit_start)
        left = space + 1 if space != -1 else left
    if right < end:
        space = text.rfind(" ", hit_end, right)
        right = space if space != -1 else right
    return text[left:right].strip().rstrip(".,;:")


def _metric(quote: str) -> tuple[str, str]:
    lowered = quote.lower()
    for keyword, direction in _METRICS:
        if keyword in lowered:
            return keyword, direction
    return "performance", "lower" if _REDUCTION.search(quote) else "higher"

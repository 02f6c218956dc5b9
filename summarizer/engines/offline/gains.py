"""Claimed gains: every quantified claim and every explicit comparison, with a verbatim quote.

A quantified claim is a number with a unit of improvement (%, percentage points, a factor)
or a "from A to B" change; an unquantified one is an explicit comparison ("outperforms X").
Sizes of models or data ("7B parameters", "600 billion tokens") are never gains. The quote
is the clause that states the claim, cut from the abstract, so it contains every number
of the gain by construction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from summarizer.engines.offline.metrics import (
    GENERIC,
    KNOWN_METRIC,
    comparison_metric,
    lead_in_task,
    lower_is_better,
    named_in_sentence,
    paired_metrics,
    qualified,
    quantified_metric,
    task_performance,
)
from summarizer.engines.offline.sentences import Sentence

_NUMBER = r"(?<![\w.\-+/@])\+?(\d+(?:,\d{3})*(?:\.\d+)?)"
_TIMES_AFTER = (
    r"faster|slower|more|less|fewer|higher|lower|larger|smaller|better|speed-?ups?|"
    r"improvement|reduction|acceleration|cheaper|as\b"
)
# Unit words after a number, mapped to the card's units.
_UNIT = (
    r"(?P<unit>\s?\\?%|[\s-]?percentage[ -]points?\b|\s?percent(?:age)?\b|\s?per\s?cent\b|"
    r"\s?pp\b|\s?p\.p\.|[\s-]?points?\b|\s?pts\b|\s?absolute\b|\s?[x\u00d7](?![\w\d])|\*(?=\s?[A-Za-z])|-?\s?fold\b|"
    rf"[\s-]?times\b(?=\s+(?:{_TIMES_AFTER})|[\s,.;)]*(?:without|with|while|and|using|"
    r"compared|over|than|when|across|$)))"
)
_QUANTITY = re.compile(_NUMBER + _UNIT, re.I)
_FROM_TO = re.compile(
    rf"\bfrom\s+{_NUMBER}\s?(?P<unit_a>\\?%|percent\b|points?\b)?\s+to\s+{_NUMBER}"
    r"\s?(?P<unit_b>\\?%|percent\b|points?\b)?",
    re.I,
)
_BY_AMOUNT = re.compile(
    r"\bby\s+(?:up\s+to\s+|about\s+|over\s+|nearly\s+|roughly\s+|almost\s+|around\s+|"
    rf"approximately\s+|more\s+than\s+|at\s+least\s+|an\s+average\s+of\s+|on\s+average\s+)?"
    rf"{_NUMBER}"
)
_SIGNED = re.compile(r"(?<![\w.])\+(\d+(?:\.\d+)?)(?![\d%])")
# What follows a number that makes it a size, a count or a date, not a gain.
_SIZE_AFTER = re.compile(
    r"\s?(?:[BMKT]\b|k\b|billion|million|thousand|trillion|parameters|params|tokens|layers|"
    r"gpus?|hours?|days?|images|samples|examples|languages|tasks|datasets|benchmarks|"
    r"models|papers|users|steps|epochs|seconds)",
    re.I,
)
# A comparison word followed by a size ("exceeding 600 billion tokens") states a size.
_SIZE_AFTER_CUE = re.compile(rf"\s+{_NUMBER}{_SIZE_AFTER.pattern}", re.I)
_UNIT_NAMES: dict[str, str] = {
    "%": "%",
    "percent": "%",
    "percentage": "%",
    "per cent": "%",
    "percentcent": "%",
    "pp": "pp",
    "p.p.": "pp",
    "point": "pp",
    "points": "pp",
    "pts": "pp",
    "absolute": "abs",
    "percentage point": "pp",
    "percentage points": "pp",
    "x": "x",
    "\u00d7": "x",
    "*": "x",
    "fold": "x",
    "-fold": "x",
    "times": "x",
}
# A bound or a cost, not a gain: "<10 percent performance degradation".
_BOUND_BEFORE = re.compile(r"(?:<|≤|less than|under|below|within|at most|no more than)\s*$", re.I)
_COST_AFTER = re.compile(r"^\W*(?:\w+\W+){0,2}?(?:degradation|drop|decline|loss)\b", re.I)
# "8 times without performance drop": the drop is denied, so the number is still a gain.
_NO_COST_AFTER = re.compile(
    r"^\W*(?:without|with\s+(?:no|little|negligible|minimal|marginal)|no)\b", re.I
)
# "10% of the training data": a share of the data used, not a gain.
# "a small fraction (1%) of her training run": the bracket closes before "of".
_FRACTION_AFTER = re.compile(
    r"^\)?\s+(?:or (?:less|more|fewer)\s+)?of\s+"
    r"(?:(?:the|its|their|all|our|each|her|his|a|an)\s+)?"
    r"(?:[\w-]+\s+){0,2}?(?:data|dataset|datasets|parameters|params|tokens|samples|examples|"
    r"labels|images|questions|queries|cases|instances|corpus|weights|neurons|layers|"
    r"training runs?)\b",
    re.I,
)
# "the 600x larger PaLM-540B", "10x fewer parameters": the size of a model, not a gain.
_COMPARATIVE_WORDS = r"(?:fewer|less|more|lower|higher|smaller|larger|bigger|better|worse)"
_SIZE_COMPARISON_AFTER = re.compile(
    r"^\s*(?:(?:larger|bigger|smaller)\s+(?:[\w-]+\s+){0,2}?(?:models?|networks?|LLMs?|LMs?|"
    r"teachers?|students?|counterparts?|baselines?|[A-Z][\w.-]*)\b|"
    r"(?:more|fewer|less)\s+(?:trainable\s+)?(?:parameters|params)\b)"
)
# "80% of the way through pre-training": a point in training, not a gain.
_PROGRESS_AFTER = re.compile(
    r"^\s+(?:of\s+the\s+way\b|(?:of|through|into)\s+(?:the\s+)?(?:pre-?)?training\b)", re.I
)
# "with 1% and 10% labeled data", "39% non-English data": a share of the data used.
_DATA_SHARE_AFTER = re.compile(
    r"^(?:\s*(?:,|and|or)\s*\d+(?:\.\d+)?\s?\\?%)*\s+"
    rf"(?:(?!{_COMPARATIVE_WORDS}\b)[\w'-]+\s+){{0,2}}?"
    r"(?:data|dataset|labels|labell?ed|tokens|samples|examples|parameters|params|corpus|"
    r"annotations)\b",
    re.I,
)
# What makes a number a claim of improvement (in its clause or earlier in its sentence):
# an improvement word, a comparative, or a comparison with something.
_CLAIM_CUE = re.compile(
    r"\b(?:improv\w*|outperform\w*|surpass\w*|exceed\w*|boost\w*|increas\w*|rais\w*|"
    r"lift\w*|gain\w*|reduc\w*|decreas\w*|lower\w*|cut\w*|accelerat\w*|speed\w*|faster|"
    r"better|higher|fewer|less|sav\w*|beat\w*|advanc\w*|enhanc\w*|halv\w*|doubl\w*|"
    r"over|than|compared|relative to|versus|vs|drop\w*|shrink\w*|smaller|cheaper|"
    r"superior|advantage|margin|up to)\b|\(\+|\+\d",
    re.I,
)
# "3x3 kernels", "8x A100 GPUs", "4x H100": a shape or hardware count, not a factor.
_NOT_A_FACTOR = re.compile(r"\s?\d|\s+(?:[A-Z]+\d+\w*|(?:\w+\s+)?(?:GPUs?|TPUs?|nodes|cards)\b)")
_GAIN_VERB = re.compile(
    r"\b(improv\w*|outperform\w*|surpass\w*|exceed\w*|boost\w*|increas\w*|rais\w*|lift\w*|"
    r"gain\w*|reduc\w*|decreas\w*|lower\w*|cut\w*|accelerat\w*|speed\w*|faster|better|"
    r"higher|fewer|less|sav\w*|beat\w*|advanc\w*|enhanc\w*)\b",
    re.I,
)
# Explicit comparisons that make an unquantified claim wherever the authors speak.
_STRONG_COMPARISON = re.compile(
    r"\b(outperform\w*|surpass\w*|better than|superior (?:\w+ )?to|superiority|beats?|"
    r"exceed\w*|more \w+(?: and \w+)? than|(?:faster|cheaper|stronger) than|"
    # State of the art is a claim when reached or when it qualifies the results; as the
    # name of what others did ("issues in the state-of-the-art", "against ten
    # state-of-the-art algorithms") it claims nothing.
    r"(?:achiev\w*|sets?|setting|reach\w*|establish\w*|attain\w*|obtain\w*|deliver\w*|"
    r"yield\w*|new|match\w*|rival\w*|near|is|are)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:state[- ]of[- ]the[- ]art|sota)|"
    r"(?:state[- ]of[- ]the[- ]art|sota)(?=\s+(?:performance|results?|accuracy|quality|"
    r"capabilit\w*|level|in terms|on|across|among|for)\b)|"
    r"improves? (?:up)?on|compared favorably)\b",
    re.I,
)
# Weaker improvement words: a claim only in a result sentence.
_WEAK_COMPARISON = re.compile(
    r"\b(improv(?:es|ed|ing|ement|ements)|faster|fewer|boost\w*|enhanc(?:es|ed|ing)|"
    r"reduc(?:es|ed|ing)|gains?|more efficient)\b",
    re.I,
)
# A comparison word after these is a purpose, a possibility or a topic, not a claim:
# "to improve X", "for more efficient training", "the goal of reducing loss".
_PURPOSE = re.compile(
    r"\b(to(?: keep| continue| further)?|aims? to|in order to|can|could|may|might|should|for|"
    r"of|in|towards?|without|not(?: necessarily)?|no|never)\s+$",
    re.I,
)
# Lead-ins that a quote does not need ("Experiments show that ...").
_LEAD_IN = re.compile(
    r"^.*?\b(?:show|shows|showed|shown|demonstrate|demonstrates|demonstrated|indicate|"
    r"indicates|reveal|reveals|confirm|confirms|suggest|suggests|find|finds|found)\s+that\s+",
    re.I,
)
_LOWER_CUES = re.compile(
    r"\b(error|errors|latency|loss|perplexity|cost|costs|memory|time|runtime|overhead|energy|"
    r"attack success|hallucinations?|toxicity|fid|wer|cer|reduc\w*|decreas\w*|lower\w*|"
    r"fewer|less|cut\w*|sav\w*|smaller|shorter|cheaper)\b",
    re.I,
)
_HIGHER_CUES = re.compile(
    r"\b(accuracy|speed-?ups?|faster|throughput|improv\w*|increas\w*|higher|gain\w*|boost\w*|"
    r"better|outperform\w*|surpass\w*|success rate|win rate|score|f1|bleu|rouge|recall|"
    r"precision|performance|efficiency|reward)\b",
    re.I,
)
_BASELINE = re.compile(
    r"\b(?:over|than|compared (?:to|with)|relative to|against|versus|vs\.?)\s+"
    r"(?P<what>[^,;()]{3,80}?)(?=\s+(?:on|in|at|across|while|with|by|and|when|despite|"
    r"although|though|even|for|under|using|without)\b|\s+of\s+(?:up\s+to\s+)?\d|[,;()]|$)",
    re.I,
)
# "surpasses the data-free merging method by 32.8%", "outperforms ORM by 5.0% and PRM by
# 3.8%": the baseline sits between the verb (or "and") and the "by" before the number.
_BEAT = r"\b(?:outperform\w*|surpass\w*|beat\w*|exceed\w*)\s+"
_BASELINE_WORDS = r"(?P<what>(?:(?!\bby\b)[^,;()]){2,80}?)"
_BY_BEFORE_NUMBER = (
    r"\s+by\s+(?:(?:up to|an average of|on average|about|around|roughly|over|more than|"
    r"nearly|almost|at least|as much as)\s+)?$"
)
_BEATEN_BY = re.compile(rf"{_BEAT}{_BASELINE_WORDS}{_BY_BEFORE_NUMBER}", re.I)
_ALSO_BEATEN_BY = re.compile(
    rf"{_BEAT}(?:(?!\bby\b)[^,;()])+?\s+by\s+[^,;()]*?\band\s+"
    rf"{_BASELINE_WORDS}{_BY_BEFORE_NUMBER}",
    re.I,
)
# "and outperforms X by 8.39%": where one clause holds a second claim with its own verb.
_SECOND_CLAIM = re.compile(
    r"\s+and\s+(?=(?:\w+\s+)?(?:outperform\w*|surpass\w*|improv\w*|reduc\w*|achiev\w*|"
    r"boost\w*|increas\w*|decreas\w*|exceed\w*|beat\w*|cut\w*|accelerat\w*|lower\w*|"
    r"rais\w*|yield\w*|deliver\w*|speed\w*)\b)",
    re.I,
)
# "compared to X, our model is simpler": a comparative word makes the next clause a claim.
_COMPARATIVE = re.compile(
    r"\b(?:more|fewer|less|better|higher|lower|faster|cheaper|simpler|smaller|stronger|"
    r"easier|superior)\b",
    re.I,
)
# "explain why hard negatives perform better than random ones": a question, not a claim.
_EMBEDDED_QUESTION = re.compile(r"\b(?:why|whether|how|if)\b", re.I)
# "only slightly better than random chance": a comparison with chance is no improvement.
_CHANCE = re.compile(r"\bthan\s+(?:random\s+)?(?:chance|guess\w*)\b", re.I)
_OWN_WORK = re.compile(r"\b(?:our|ours|the proposed)\b", re.I)
# "Compared with the state-of-the-art approaches, X surpasses ...": only a lead-in.
_COMPARISON_LEAD_IN = re.compile(
    r"^\s*(?:when\s+)?(?:compared (?:to|with)|in comparison (?:to|with)|relative to|"
    r"against|versus)\b[^,;:]*$",
    re.I,
)
_CONDITION = re.compile(
    r"\b(?:on|in|across)\s+(?P<what>(?:the\s+)?[A-Z][\w\-.+@]*(?:\s+[\w\-.+@]+){0,5}?)"
    r"(?=\s+(?:from|by|with|while|and|to|over|compared)\b|[,;()]|$)"
)
# ", both in terms of diversity and human preferences": a clause that only says what the
# claim before it is measured in belongs to that claim.
_METRIC_TAIL = re.compile(
    r"(?:(?:both|especially|particularly|mainly|notably|primarily)\s+)?"
    r"(?:in terms of|with respect to|with regard to)\s+\S",
    re.I,
)
_DENIED_TAIL = re.compile(r"\b(?:without|with\s+no)\b", re.I)
_DIGIT = re.compile(r"\d")
_CLAUSE_BREAK = re.compile(r",\s+|;\s+|\s+[\u2013\u2014]\s+|:\s+")
_MIN_QUOTE_WORDS = 4


_WHOLE_NUMBER = re.compile(r"(?<![\d.,])\d+(?:,\d{3})*(?:\.\d+)?(?![\d])")


def _numbers(text: str) -> set[float]:
    return {float(found.replace(",", "")) for found in _WHOLE_NUMBER.findall(text)}


def _fits_quote(text: str | None, quote: str) -> str | None:
    """The field when each of its numbers is a whole number of the quote, else None
    (grounding checks that every number of a gain is in its quote)."""
    if text is None or _numbers(text) <= _numbers(quote):
        return text
    return None


def _metric_for_quote(metric: str, quote: str) -> str:
    """The metric, without its words that carry a number the quote lacks ("top-1
    accuracies" quoted from "74.4 (+2.0)" becomes "accuracies")."""
    if _fits_quote(metric, quote) is not None:
        return metric
    kept = [word for word in metric.split() if _fits_quote(word, quote) is not None]
    return " ".join(kept) or GENERIC


@dataclass(frozen=True)
class FoundGain:
    """A gain found in the abstract, with the quote's offsets in it."""

    metric: str
    value: float | None
    unit: str | None
    direction: str
    baseline: str | None
    condition: str | None
    quote: str
    start: int
    end: int


@dataclass(frozen=True)
class _Clause:
    start: int
    end: int


def _clauses(sentence: Sentence) -> list[_Clause]:
    """Comma-, semicolon- and colon-separated parts of a sentence, as abstract offsets."""
    parts: list[_Clause] = []
    cursor = 0
    text = sentence.text
    depth_breaks = [
        match for match in _CLAUSE_BREAK.finditer(text) if _paren_depth(text, match.start()) == 0
    ]
    for match in depth_breaks:
        parts.append(_Clause(sentence.start + cursor, sentence.start + match.start()))
        cursor = match.end()
    parts.append(_Clause(sentence.start + cursor, sentence.start + len(text.rstrip(".!?"))))
    return [part for part in parts if part.end > part.start]


def _paren_depth(text: str, position: int) -> int:
    return max(0, text.count("(", 0, position) - text.count(")", 0, position))


def _split_claims(
    abstract: str, clauses: Sequence[_Clause], mentions: Sequence[_Mention]
) -> list[_Clause]:
    """Clauses holding two quantified claims, cut before the second claim's "and <verb>",
    so that each claim gets the shortest quote that states it."""
    parts: list[_Clause] = []
    for clause in clauses:
        starts = [m.start for m in mentions if clause.start <= m.start < clause.end]
        cursor = clause.start
        if len(starts) > 1:
            for cut in _SECOND_CLAIM.finditer(abstract, clause.start, clause.end):
                if any(start < cut.start() for start in starts if start >= cursor) and any(
                    start > cut.end() for start in starts
                ):
                    parts.append(_Clause(cursor, cut.start()))
                    cursor = cut.end()
        parts.append(_Clause(cursor, clause.end))
    return parts


def _with_metric_tail(abstract: str, clauses: Sequence[_Clause], clause: _Clause) -> _Clause:
    """The clause, with the next one when that only names what was measured (", in terms
    of X")."""
    for part in clauses:
        if part.start >= clause.end:
            if _METRIC_TAIL.match(abstract, part.start, part.end):
                return _Clause(clause.start, part.end)
            break
    return clause


def _overlaps(clause: _Clause, spans: Sequence[tuple[int, int]]) -> bool:
    return any(start < clause.end and clause.start < end for start, end in spans)


def _clause_of(clauses: Sequence[_Clause], position: int) -> _Clause:
    for clause in clauses:
        if clause.start <= position < clause.end:
            return clause
    return clauses[-1]


def _quote_bounds(
    abstract: str,
    clauses: Sequence[_Clause],
    clause: _Clause,
    inner_start: int,
    inner_end: int,
) -> _Clause:
    """The clause, widened to the clause before it when too short to read, lead-in dropped."""
    start, end = clause.start, max(clause.end, inner_end)
    if len(abstract[start:end].split()) < _MIN_QUOTE_WORDS:
        earlier = [part.start for part in clauses if part.start < clause.start]
        if earlier:
            start = earlier[-1]
    lead = _LEAD_IN.match(abstract, start, inner_start)
    if lead:
        start = lead.end()
    return _Clause(min(start, inner_start), end)


def _nearest(pattern: re.Pattern[str], text: str, position: int) -> re.Match[str] | None:
    found = list(pattern.finditer(text))
    return min(found, key=lambda match: abs(match.start() - position), default=None)


def _direction(clause_text: str, position: int) -> str:
    # "... by 8 times without performance drop": a denied side effect says nothing of
    # which way the number goes.
    denied = _DENIED_TAIL.search(clause_text, position)
    if denied is not None:
        clause_text = clause_text[: denied.start()]
    lower = _nearest(_LOWER_CUES, clause_text, position)
    higher = _nearest(_HIGHER_CUES, clause_text, position)
    if lower is None:
        return "higher"
    if higher is None:
        return "lower"
    return "lower" if abs(lower.start() - position) <= abs(higher.start() - position) else "higher"


_BEATEN = re.compile(
    r"\b(?:outperform\w*|surpass\w*|beat\w*|exceed\w*)\s+(?P<what>[^,;()]{2,80}?)"
    r"(?=\s+(?:on|in|at|across|by|with|while|and|when|over|for|without|under|using|"
    r"despite|although|though|even|substantially|significantly|greatly|consistently|"
    r"considerably|by)\b|[,;()]|$)",
    re.I,
)


def _beaten(clause_text: str) -> str | None:
    """The object of "outperforms X" in a comparison with no number."""
    found = _BEATEN.search(clause_text)
    what = found.group("what").strip() if found else ""
    return what if _is_system(what) else None


def _is_system(what: str) -> bool:
    """A baseline names a system or a setting, never a number ("50% better ... than") nor
    a bare pronoun ("surpasses it")."""
    return (
        bool(what)
        and not re.match(r"[\d+~<>.\u2248]|(?:up to|about|around|nearly)\b", what)
        and what.lower() not in {"it", "them", "this", "that", "these", "those", "others"}
        and not re.match(r"by\b", what, re.I)
    )


def _baseline(clause_text: str, number_position: int | None = None) -> str | None:
    """What the claim compares with: "outperforms X by" before the number, else
    "over/than/compared to X" (never a number phrase such as "over 50% better")."""
    if number_position is not None:
        before = clause_text[:number_position]
        beaten = _BEATEN_BY.search(before) or _ALSO_BEATEN_BY.search(before)
        if beaten and _is_system(beaten.group("what").strip()):
            return beaten.group("what").strip()
    position = 0
    while (found := _BASELINE.search(clause_text, position)) is not None:
        what = found.group("what").strip()
        if _is_system(what):
            return what
        # "over 50% better optimality than GD": look again inside the rejected phrase.
        position = found.start("what")
    return None


def _condition(clause_text: str) -> str | None:
    """The benchmark or setting ("on GSM8K"); a metric ("on BLEU@4") is not one."""
    for found in _CONDITION.finditer(clause_text):
        what = found.group("what").strip()
        if not KNOWN_METRIC.match(what):
            return what
    return None


def _unit_name(raw: str | None) -> str:
    if not raw:
        return "abs"
    key = " ".join(raw.lower().replace("-", " ").replace("\\", "").split())
    key = {"fold": "fold", "percentage point": "pp", "percentage points": "pp"}.get(key, key)
    return _UNIT_NAMES.get(key, _UNIT_NAMES.get(key.replace(" ", ""), "abs"))


def _value(raw: str) -> float:
    return float(raw.replace(",", ""))


def _is_year(raw: str) -> bool:
    return raw.isdigit() and 1900 <= int(raw) <= 2100


@dataclass(frozen=True)
class _Mention:
    value: float
    unit: str
    start: int  # offsets of the whole mention in the abstract
    end: int
    number_start: int
    context_end: int  # where the words before the claim end ("... reduces MBE by |50%")
    kind: str  # "from_to", "quantity", "by" or "signed"
    baseline: str | None = None
    direction: str | None = None  # known from the text itself ("from 8.3 to 1.4")


def _mentions(abstract: str, sentence: Sentence) -> list[_Mention]:
    """Quantified claims of one sentence, in order, without overlaps."""
    text = sentence.text
    base = sentence.start
    found: list[_Mention] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    for match in _FROM_TO.finditer(text):
        first, second = match.group(1), match.group(3)
        unit = _unit_name(match.group("unit_b") or match.group("unit_a"))
        if unit == "abs" and (
            _is_year(first)
            or _is_year(second)
            or _SIZE_AFTER.match(text, match.end())
            or not _GAIN_VERB.search(text)
        ):
            continue
        if _SIZE_AFTER.match(text, match.end(1)) and unit == "abs":
            continue
        before, after = _value(first), _value(second)
        moved = None if before == after else "higher" if after > before else "lower"
        found.append(
            _Mention(
                _value(second),
                unit,
                base + match.start(),
                base + match.end(),
                base + match.start(3),
                base + match.start(),
                "from_to",
                direction=moved,
            )
        )
        taken.append((match.start(), match.end()))
    for match in _QUANTITY.finditer(text):
        if not free(match.start(), match.end()) or _not_a_gain(text, match):
            continue
        found.append(
            _Mention(
                _value(match.group(1)),
                _unit_name(match.group("unit")),
                base + match.start(),
                base + match.end(),
                base + match.start(1),
                base + match.start(),
                "quantity",
            )
        )
        taken.append((match.start(), match.end()))
    for pattern in (_BY_AMOUNT, _SIGNED):
        for match in pattern.finditer(text):
            if not free(match.start(), match.end()):
                continue
            if _SIZE_AFTER.match(text, match.end()) or _is_year(match.group(1)):
                continue
            if pattern is _BY_AMOUNT and not _GAIN_VERB.search(text, 0, match.start()):
                continue
            found.append(
                _Mention(
                    _value(match.group(1)),
                    "abs",
                    base + match.start(1),
                    base + match.end(),
                    base + match.start(1),
                    base + (match.start(1) if pattern is _BY_AMOUNT else match.start()),
                    "by" if pattern is _BY_AMOUNT else "signed",
                )
            )
            taken.append((match.start(), match.end()))
    del abstract
    return sorted(found, key=lambda mention: mention.start)


def _not_a_gain(text: str, match: re.Match[str]) -> bool:
    """A bound, a cost, a fraction of something, or a kernel size: not a claimed gain."""
    before = text[max(0, match.start() - 20) : match.start()]
    after = text[match.end() : match.end() + 40]
    if _BOUND_BEFORE.search(before):
        return True
    if _COST_AFTER.match(after) and not _NO_COST_AFTER.match(after):
        return True
    if _FRACTION_AFTER.match(after) and not _GAIN_VERB.search(before):
        return True
    if _DATA_SHARE_AFTER.match(after) and not _GAIN_VERB.search(before):
        return True
    if _SIZE_COMPARISON_AFTER.match(after) or _PROGRESS_AFTER.match(after):
        return True
    unit = match.group("unit").strip().lower()
    return unit in {"x", "\u00d7"} and bool(_NOT_A_FACTOR.match(after))


def _is_authors_sentence(sentence: Sentence, role: str) -> bool:
    """Background sentences report others' numbers, unless the authors speak in them."""
    if role != "background":
        return True
    return bool(re.search(r"\b(we|our|ours|us)\b", sentence.text, re.I))


_LIST_ITEM = re.compile(r"(?:and\s+|or\s+)?\+?\d")


def _states_a_claim(abstract: str, clauses: Sequence[_Clause], mention: _Mention) -> bool:
    """A bare number with a unit of improvement ("42.76% win rate") is a claim only when
    its clause compares or improves something, or, for an item of a list ("by 7.56%,
    11.00%, ..."), the clause that opens the list does; "from A to B", "by N" and "(+N)"
    say so themselves, and a factor is a comparison."""
    if mention.kind != "quantity" or mention.unit == "x":
        return True
    index = next(
        (i for i, c in enumerate(clauses) if c.start <= mention.start < c.end), len(clauses) - 1
    )
    while True:
        clause = clauses[index]
        text = abstract[clause.start : clause.end]
        if _CLAIM_CUE.search(text):
            return True
        if index == 0 or not _LIST_ITEM.match(text):
            return False
        index -= 1


def quantified_gains(
    abstract: str, sentences: Sequence[Sentence], roles: Sequence[str]
) -> list[FoundGain]:
    """Every quantified claim of the abstract, in order."""
    gains: list[FoundGain] = []
    for sentence, role in zip(sentences, roles, strict=True):
        if not _DIGIT.search(sentence.text) or not _is_authors_sentence(sentence, role):
            continue
        whole_clauses = _clauses(sentence)
        mentions = [
            mention
            for mention in _mentions(abstract, sentence)
            if _states_a_claim(abstract, whole_clauses, mention)
        ]
        if not mentions:
            continue
        clauses = _split_claims(abstract, whole_clauses, mentions)
        paired = _paired_metrics(abstract, whole_clauses, mentions)
        for mention in mentions:
            clause = _with_metric_tail(abstract, clauses, _clause_of(clauses, mention.start))
            bounds = _quote_bounds(abstract, clauses, clause, mention.start, mention.end)
            quote = abstract[bounds.start : bounds.end]
            clause_text = abstract[clause.start : max(clause.end, mention.end)]
            position = mention.number_start - clause.start
            metric = paired.get(mention.start) or quantified_metric(
                sentence.text,
                mention.context_end - sentence.start,
                mention.end - sentence.start,
                clause.start - sentence.start,
                max(clause.end, mention.end) - sentence.start,
            )
            metric = named_in_sentence(qualified(metric, clause_text, position), sentence.text)
            metric = lead_in_task(task_performance(metric), sentence.text)
            metric = _metric_for_quote(metric, quote)
            gains.append(
                FoundGain(
                    metric=metric,
                    value=mention.value,
                    unit=mention.unit,
                    direction=mention.direction
                    or ("lower" if lower_is_better(metric) else _direction(clause_text, position)),
                    baseline=_fits_quote(_baseline(clause_text, position), quote),
                    condition=_fits_quote(_condition(clause_text), quote),
                    quote=quote,
                    start=bounds.start,
                    end=bounds.end,
                )
            )
    return gains


def _paired_metrics(
    abstract: str, clauses: Sequence[_Clause], mentions: Sequence[_Mention]
) -> dict[int, str]:
    """Metrics paired value by value where a clause lists as many metrics as values."""
    paired: dict[int, str] = {}
    for clause in clauses:
        inside = [m for m in mentions if clause.start <= m.start < clause.end]
        metrics = paired_metrics(abstract[clause.start : clause.end], len(inside))
        if metrics:
            paired.update((m.start, metric) for m, metric in zip(inside, metrics, strict=True))
    return paired


def comparison_gains(
    abstract: str,
    sentences: Sequence[Sentence],
    roles: Sequence[str],
    quantified: Sequence[FoundGain],
) -> list[FoundGain]:
    """Explicit comparisons with no number, one per clause, outside quantified clauses."""
    covered = [(gain.start, gain.end) for gain in quantified]
    gains: list[FoundGain] = []
    for sentence, role in zip(sentences, roles, strict=True):
        if not _is_authors_sentence(sentence, role):
            continue
        cues = _WEAK_COMPARISON if role == "result" else None
        if not (
            _STRONG_COMPARISON.search(sentence.text)
            or (cues and cues.search(sentence.text))
            or _COMPARATIVE.search(sentence.text)
        ):
            continue
        if sentence.text.rstrip().endswith("?"):
            continue  # a question the paper asks claims nothing
        clauses = _clauses(sentence)
        for clause, following in zip(clauses, [*clauses[1:], None], strict=True):
            text = abstract[clause.start : clause.end]
            lead_in = _COMPARISON_LEAD_IN.match(text)
            cue = _STRONG_COMPARISON.search(text)
            if cue is None and role == "result":
                cue = _WEAK_COMPARISON.search(text)
            if cue is None and following is not None:
                after = abstract[following.start : following.end]
                # Only a claim about the authors' own work ("our model is simpler").
                if _COMPARATIVE.search(after) and _OWN_WORK.search(after):
                    cue = lead_in
            if cue is None or _PURPOSE.search(text[: cue.start()]):
                continue
            if _EMBEDDED_QUESTION.search(text[: cue.start()]) or _CHANCE.search(text):
                continue
            if _SIZE_AFTER_CUE.match(text, cue.end()):  # "exceeding 600 billion tokens"
                continue
            if _overlaps(clause, covered):
                continue
            claim_end = _with_metric_tail(abstract, clauses, clause).end
            if lead_in:
                # "compared to X, our model is simpler": the claim is the next clause.
                if following is None or _overlaps(following, covered):
                    continue
                claim_end = following.end
            bounds = _quote_bounds(abstract, clauses, clause, clause.start + cue.start(), claim_end)
            claim = abstract[clause.start : claim_end]
            quote = abstract[bounds.start : bounds.end]
            baseline = _beaten(text) or _baseline(text)
            if baseline:
                # "exceed those of the best strategy": the strategy is the baseline.
                baseline = re.sub(r"^(?:those|that)\s+of\s+", "", baseline, flags=re.I)
            task_from = cue.end()
            if baseline and baseline in text[task_from:]:
                task_from = text.index(baseline, task_from) + len(baseline)
            metric = comparison_metric(claim, cue.group(0))
            metric = named_in_sentence(qualified(metric, claim, task_from), sentence.text)
            metric = lead_in_task(task_performance(metric), sentence.text)
            metric = _metric_for_quote(metric, quote)
            gains.append(
                FoundGain(
                    metric=metric,
                    value=None,
                    unit=None,
                    direction="lower" if lower_is_better(metric) else _direction(text, cue.start()),
                    baseline=_fits_quote(baseline, quote),
                    condition=_fits_quote(_condition(text), quote),
                    quote=quote,
                    start=bounds.start,
                    end=bounds.end,
                )
            )
    return gains


def find_gains(
    abstract: str, sentences: Sequence[Sentence], roles: Sequence[str]
) -> list[FoundGain]:
    """Quantified and unquantified claimed gains of an abstract, in text order."""
    quantified = quantified_gains(abstract, sentences, roles)
    compared = comparison_gains(abstract, sentences, roles, quantified)
    return sorted([*quantified, *compared], key=lambda gain: (gain.start, gain.value is None))

"""Which span states the problem and which the method: a small learned selector.

Candidates are spans of the abstract: a sentence, the sentence without its lead-in, the
goal and proposal halves of "To build X, we introduce Y", and two such units of
neighbouring sentences. Each sentence gets a few dense features (role log-probabilities
from the role classifier, place in the abstract and relative to the authors' first
proposal, cue words for a gap, a contrast, a proposal or results, overlap with the
title, centrality); one linear score per aspect ranks the candidates. The weights are
learnt by scripts/train_selector.py from ACLSum's human challenge/approach summaries and
the dev half of the reference cards, and ship in `selector_model.json`; the trainer and
the runtime share `sentence_features` and `candidate_vector`, so they always agree.
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from summarizer.engines.offline.sentences import Sentence
from summarizer.errors import EngineUnavailableError

MODEL_FILE = "selector_model.json"
ASPECTS = ("problem", "method")

# Cue words, matched in one pass over the lowercased sentence: each match counts for the
# group it belongs to (the groups share no word).
_CUE_GROUPS = {
    "gap": (
        r"challeng\w*|limit\w*|suffer\w*|remain\w*|fail\w*|lack\w*|costly|expensive|"
        r"difficult\w*|problem\w*|issues?|gap|bottleneck\w*|struggl\w*|inefficien\w*|unclear|"
        r"unknown|open question|hinder\w*|prohibitive|insufficient|poorly|hard|unstable|"
        r"vulnerab\w*|bias\w*|neglect\w*|ignor\w*|overlook\w*|rarely|little|few|only|"
        r"requir\w*|rely|relies|depend\w*|error-prone|noisy|sparse|scarce\w*|cannot|not"
    ),
    "results": (
        r"results?|experiment\w*|outperform\w*|achiev\w*|evaluat\w*|significant\w*|"
        r"improv\w*|accuracy|state[- ]of[- ]the[- ]art|baselines?|show|shows|demonstrat\w*"
    ),
    "prior": (
        r"existing|previous|prior|current|traditional|conventional|standard|recent|"
        r"typical\w*|most|many|usually|often|commonly|widely"
    ),
    "method": (
        r"method|approach|model|framework|algorithm|technique|architecture|system|"
        r"mechanism|strategy|network|objective|loss|module"
    ),
    "novel": r"novel|new|first|simple|effective|efficient",
    "this_paper": r"this (?:paper|work|study|article)",
    "authors": r"we|our|us",
}
_CUES = re.compile(
    r"\b(?:" + "|".join(f"(?P<{name}>{words})" for name, words in _CUE_GROUPS.items()) + r")\b"
)
_CONTRAST = re.compile(
    r"(?:however|but|yet|although|though|while|whereas|despite|unfortunately|"
    r"nevertheless|nonetheless|still)\b"
)
_PROPOSAL = re.compile(
    r"\b(?:we|this (?:paper|work|study|article))\s+(?:\w+\s+)?(?:propose|present|introduce|"
    r"develop|design|describe|build|construct|release|devise|formulate|offer)s?\b|"
    r"\b(?:is|are) (?:proposed|presented|introduced)\b"
)
_ADDITION = re.compile(
    r"(?:furthermore|moreover|additionally|in addition|besides|we also|we further|finally)\b"
)
_PURPOSE = re.compile(
    r"(?:to (?:address|tackle|solve|overcome|alleviate|mitigate|remedy|bridge|fill|"
    r"handle|deal|this)|in order to|toward|towards|motivated by|inspired by)\b"
)
_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"[a-z][a-z0-9\-]+")
_STOPWORDS = frozenset(
    {
        "the", "a", "an", "of", "for", "in", "on", "to", "and", "or", "with", "by", "from",
        "as", "at", "is", "are", "was", "were", "be", "been", "this", "that", "these",
        "those", "we", "our", "us", "it", "its", "their", "they", "which", "using", "based",
        "via", "into", "than", "then", "also", "can", "such", "both", "each", "more", "most",
        "other", "not", "only", "new", "paper", "work", "study", "approach", "method",
        "model", "models", "methods", "propose", "proposed", "present", "show",
    }
)  # fmt: skip


def content_words(text: str) -> set[str]:
    """Words of three letters or more that are not function words, of lowercased text."""
    return {w for w in _WORD.findall(text) if len(w) > 2 and w not in _STOPWORDS}


ROLE_NAMES = ("background", "objective", "method", "result", "other")
FEATURES: tuple[str, ...] = (
    *(f"logp_{role}" for role in ROLE_NAMES),
    *(f"role_{role}" for role in ROLE_NAMES),
    "first",
    "second",
    "third",
    "last",
    "relative_position",
    "before_proposal",
    "is_proposal",
    "after_proposal",
    "next_after_proposal",
    "no_proposal",
    "gap_words",
    "contrast_opening",
    "proposal",
    "addition_opening",
    "authors",
    "this_paper",
    "results_words",
    "prior_work",
    "purpose_opening",
    "method_words",
    "novel",
    "digits",
    "length",
    "short",
    "question",
    "title_overlap",
    "centrality",
)


_COUNT_CAP = 3


def _cue_counts(lowered: str) -> dict[str, int]:
    counts = dict.fromkeys(_CUE_GROUPS, 0)
    for match in _CUES.finditer(lowered):
        counts[match.lastgroup or ""] += 1
    return counts


def _capped(count: int) -> float:
    return min(_COUNT_CAP, count) / _COUNT_CAP


def sentence_features(
    title: str | None,
    sentences: Sequence[Sentence],
    log_probabilities: Sequence[Sequence[float]],
    roles: Sequence[str],
) -> list[list[float]]:
    """One dense row per sentence, in the order of FEATURES."""
    count = len(sentences)
    title_words = content_words((title or "").lower())
    lowered = [sentence.text.lower() for sentence in sentences]
    bags = [content_words(text) for text in lowered]
    proposing = [bool(_PROPOSAL.search(text)) for text in lowered]
    centrality = _centralities(bags)
    proposal = proposing.index(True) if any(proposing) else None
    rows: list[list[float]] = []
    for index, (text, logs, role) in enumerate(zip(lowered, log_probabilities, roles, strict=True)):
        size = len(text.split())
        cues = _cue_counts(text)
        row = [max(-10.0, value) / 10.0 for value in logs]
        row.extend(1.0 if role == name else 0.0 for name in ROLE_NAMES)
        row.extend(
            [
                float(index == 0),
                float(index == 1),
                float(index == 2),
                float(index == count - 1 and count > 1),
                index / (count - 1) if count > 1 else 0.0,
                float(proposal is not None and index < proposal),
                float(proposal == index),
                float(proposal is not None and index > proposal),
                float(proposal is not None and index == proposal + 1),
                float(proposal is None),
                _capped(cues["gap"]),
                float(bool(_CONTRAST.match(text))),
                float(proposing[index]),
                float(bool(_ADDITION.match(text))),
                float(bool(cues["authors"] or cues["this_paper"])),
                float(bool(cues["this_paper"])),
                _capped(cues["results"]),
                _capped(cues["prior"]),
                float(bool(_PURPOSE.match(text))),
                _capped(cues["method"]),
                float(bool(cues["novel"])),
                float(bool(_DIGIT.search(text))),
                min(size, 60) / 60,
                float(size < 8),
                float(text.rstrip().endswith("?")),
                len(bags[index] & title_words) / len(title_words) if title_words else 0.0,
                centrality[index],
            ]
        )
        rows.append(row)
    return rows


def _centralities(bags: Sequence[set[str]]) -> list[float]:
    """Each sentence's mean Jaccard overlap of content words with the other sentences'
    (0 for a sentence with no content words, or alone); each pair is computed once."""
    count = len(bags)
    totals = [0.0] * count
    for first in range(count):
        own = bags[first]
        if not own:
            continue
        for second in range(first + 1, count):
            other = bags[second]
            if other:
                shared = len(own & other)
                if shared:
                    overlap = shared / (len(own) + len(other) - shared)
                    totals[first] += overlap
                    totals[second] += overlap
    return [
        total / (count - 1) if bags[index] and count > 1 else 0.0
        for index, total in enumerate(totals)
    ]


# --- candidate spans ----------------------------------------------------------------

# A short opening phrase that says nothing of the problem or the method. Not "However,"
# nor "In contrast,": beside a context sentence, they are what marks the gap.
_LEAD_IN = re.compile(
    r"(?:in this (?:paper|work|study|article)|here|hence|thus|therefore|to this end|"
    r"in particular|specifically|concretely|moreover|furthermore|in addition|additionally|"
    r"finally|as a result|consequently|instead|recently|nowadays|"
    r"currently|in practice|in summary|overall)\s*,\s*",
    re.I,
)
# "To build X, we introduce Y": the goal and the proposal in one sentence.
_PURPOSE_CLAUSE = re.compile(
    r"(?:to|in order to|towards?)\s[^,;:]{5,250}?,\s+(?=(?:we|this|our|the|a|an|[A-Z])\w*\b)",
    re.I,
)
KINDS = ("full", "no_lead_in", "proposal_part", "purpose_part")
MAX_CHARS = 400


@dataclass(frozen=True)
class Unit:
    """A span of one sentence that can state the problem or the method."""

    sentence: int
    start: int  # offsets in the abstract
    end: int
    kind: str
    words: int


@dataclass(frozen=True)
class Candidate:
    """One unit, or two from different sentences, read in order."""

    units: tuple[Unit, ...]

    @property
    def words(self) -> int:
        return sum(unit.words for unit in self.units)

    def overlaps(self, other: Candidate) -> bool:
        return any(a.start < b.end and b.start < a.end for a in self.units for b in other.units)


def _unit(sentence: Sentence, index: int, start: int, end: int, kind: str) -> Unit:
    text = sentence.text[start:end]
    return Unit(index, sentence.start + start, sentence.start + end, kind, len(text.split()))


def sentence_units(sentences: Sequence[Sentence]) -> list[Unit]:
    """Each sentence whole, without its lead-in ("In this paper, "), and, when it opens
    with a purpose ("To build X, we introduce Y"), its purpose and its proposal apart."""
    units: list[Unit] = []
    for index, sentence in enumerate(sentences):
        text = sentence.text.rstrip()
        units.append(_unit(sentence, index, 0, len(text), "full"))
        lead = _LEAD_IN.match(text)
        core = lead.end() if lead else 0
        if lead and core < len(text):
            units.append(_unit(sentence, index, core, len(text), "no_lead_in"))
        purpose = _PURPOSE_CLAUSE.match(text, core)
        if purpose and purpose.end() < len(text):
            goal_end = text.rindex(",", core, purpose.end())
            units.append(_unit(sentence, index, purpose.end(), len(text), "proposal_part"))
            units.append(_unit(sentence, index, core, goal_end, "purpose_part"))
    return units


MAX_GAP = 1


def candidates(units: Sequence[Unit], max_gap: int = MAX_GAP) -> list[Candidate]:
    """Every unit alone, and every two units of sentences at most `max_gap` apart (in
    order) that fit together."""
    found = [Candidate((unit,)) for unit in units]
    for first in units:
        for second in units:
            if (
                0 < second.sentence - first.sentence <= max_gap
                and (first.end - first.start) + (second.end - second.start) + 1 <= MAX_CHARS
            ):
                found.append(Candidate((first, second)))
    return found


def candidate_vector(rows: Sequence[Sequence[float]], candidate: Candidate) -> list[float]:
    """The candidate's full feature vector (for training; the runtime scores by parts).

    Layout: the first unit's sentence features, the second's (zeros when alone), the
    first unit's kind, the second's, then pair, adjacent pair, words/30, (words/30)^2.
    """
    first = candidate.units[0]
    second = candidate.units[1] if len(candidate.units) > 1 else None
    vector = list(rows[first.sentence])
    vector.extend(rows[second.sentence] if second else [0.0] * len(FEATURES))
    vector.extend(float(first.kind == kind) for kind in KINDS)
    vector.extend(float(second is not None and second.kind == kind) for kind in KINDS)
    scaled = candidate.words / 30
    vector.extend(
        [
            float(second is not None),
            float(second is not None and second.sentence == first.sentence + 1),
            scaled,
            scaled * scaled,
        ]
    )
    return vector


VECTOR_SIZE = 2 * len(FEATURES) + 2 * len(KINDS) + 4


@dataclass(frozen=True)
class AspectWeights:
    """The weights of one aspect, split as the candidate vector is laid out."""

    bias: float
    first: tuple[float, ...]
    second: tuple[float, ...]
    first_kind: tuple[float, ...]
    second_kind: tuple[float, ...]
    pair: float
    adjacent: float
    length: float
    length_squared: float

    @classmethod
    def from_vector(cls, bias: float, vector: Sequence[float]) -> AspectWeights:
        """Weights from one flat vector in `candidate_vector`'s layout."""
        if len(vector) != VECTOR_SIZE:
            raise ValueError("feature names and weights differ in number")
        size, kinds = len(FEATURES), len(KINDS)
        tail = 2 * size + 2 * kinds
        return cls(
            bias=float(bias),
            first=tuple(vector[:size]),
            second=tuple(vector[size : 2 * size]),
            first_kind=tuple(vector[2 * size : 2 * size + kinds]),
            second_kind=tuple(vector[2 * size + kinds : tail]),
            pair=float(vector[tail]),
            adjacent=float(vector[tail + 1]),
            length=float(vector[tail + 2]),
            length_squared=float(vector[tail + 3]),
        )


def _dot(weights: Sequence[float], row: Sequence[float]) -> float:
    total: float = sum(map(operator.mul, weights, row))
    return total


@dataclass(frozen=True)
class SelectorModel:
    """Linear scores of candidate spans for each aspect (problem, method)."""

    model_id: str
    aspects: dict[str, AspectWeights]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SelectorModel:
        """The model from its JSON form (as written by scripts/train_selector.py)."""
        if tuple(data["features"]) != FEATURES or tuple(data["kinds"]) != KINDS:
            raise ValueError("the weights were trained on other features")
        return cls(
            model_id=str(data["model_id"]),
            aspects={
                aspect: AspectWeights.from_vector(
                    data["bias"][aspect], [float(v) for v in data["weights"][aspect]]
                )
                for aspect in ASPECTS
            },
        )

    def scores(
        self, rows: Sequence[Sequence[float]], found: Sequence[Candidate], aspect: str
    ) -> list[float]:
        """Each candidate's score for `aspect` (higher states it better), by parts: the
        sentence terms are computed once per sentence, not once per candidate."""
        weights = self.aspects[aspect]
        as_first = [_dot(weights.first, row) for row in rows]
        as_second = [_dot(weights.second, row) for row in rows]
        first_kind = dict(zip(KINDS, weights.first_kind, strict=True))
        second_kind = dict(zip(KINDS, weights.second_kind, strict=True))
        scores: list[float] = []
        for candidate in found:
            first = candidate.units[0]
            score = weights.bias + as_first[first.sentence] + first_kind[first.kind]
            if len(candidate.units) > 1:
                second = candidate.units[1]
                score += as_second[second.sentence] + second_kind[second.kind] + weights.pair
                if second.sentence == first.sentence + 1:
                    score += weights.adjacent
            scaled = candidate.words / 30
            scores.append(score + weights.length * scaled + weights.length_squared * scaled**2)
        return scores


_GAP_WORDS = FEATURES.index("gap_words")
_CONTRAST_OPENING = FEATURES.index("contrast_opening")
_PROPOSING = FEATURES.index("proposal")
_AUTHORS_SPEAK = FEATURES.index("authors")


def _states_a_gap(rows: Sequence[Sequence[float]], candidate: Candidate) -> bool:
    """Every sentence of the candidate has gap words or opens with a contrast, and none
    proposes anything or speaks for the authors."""
    return all(
        (rows[unit.sentence][_GAP_WORDS] > 0 or rows[unit.sentence][_CONTRAST_OPENING] > 0)
        and not rows[unit.sentence][_PROPOSING]
        and not rows[unit.sentence][_AUTHORS_SPEAK]
        for unit in candidate.units
    )


def _states_a_method(rows: Sequence[Sequence[float]], roles: Sequence[str]) -> bool:
    """Some sentence proposes, speaks for the authors, or is a method or objective."""
    return any(row[_PROPOSING] or row[_AUTHORS_SPEAK] for row in rows) or any(
        role in ("method", "objective") for role in roles
    )


@dataclass(frozen=True)
class Selection:
    """The chosen problem and method spans. The problem is None when nothing apart from
    the method states a gap; the method is None when no sentence proposes or does
    anything (an abstract cut after its background)."""

    problem: Candidate | None
    method: Candidate | None


def select(
    model: SelectorModel,
    title: str | None,
    sentences: Sequence[Sentence],
    log_probabilities: Sequence[Sequence[float]],
    roles: Sequence[str],
) -> Selection:
    """The best method span, then the best problem span that shares no text with it."""
    rows = sentence_features(title, sentences, log_probabilities, roles)
    found = candidates(sentence_units(sentences))
    problem_scores = model.scores(rows, found, "problem")
    if not _states_a_method(rows, roles):
        best = max(range(len(found)), key=problem_scores.__getitem__)
        return Selection(problem=found[best], method=None)
    method_scores = model.scores(rows, found, "method")
    method = found[max(range(len(found)), key=method_scores.__getitem__)]
    allowed = [index for index, candidate in enumerate(found) if not candidate.overlaps(method)]
    # The gap comes before what the paper does about it; after the method, only a
    # sentence that states a gap ("Existing methods fail ...") and proposes nothing can.
    before = [index for index in allowed if found[index].units[-1].end <= method.units[0].start]
    allowed = before or [index for index in allowed if _states_a_gap(rows, found[index])]
    problem = found[max(allowed, key=problem_scores.__getitem__)] if allowed else None
    return Selection(problem=problem, method=method)


@cache
def shipped_selector() -> SelectorModel:
    """The selector shipped in the package, loaded once per process."""
    resource = resources.files("summarizer.engines.offline").joinpath(MODEL_FILE)
    try:
        with resource.open("r", encoding="utf-8") as handle:
            return SelectorModel.from_dict(json.load(handle))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EngineUnavailableError(
            "offline",
            f"cannot read the sentence-selector weights {MODEL_FILE} ({exc})",
            hint="reinstall summarizer, or run scripts/train_selector.py",
        ) from None

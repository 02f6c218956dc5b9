"""Scores of engines against references: sentence roles and card fields (pure functions)."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

from summarizer.cards import CardFields, Gain, PaperCard
from summarizer.errors import InputError
from summarizer.papers import normalize_title


def role_scores(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro-F1 and per-label F1 of predicted sentence roles.

    Labels are those that occur in either sequence, sorted; the macro average is over them.
    """
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted roles differ in length")
    labels = sorted(set(gold) | set(predicted))
    per_label: dict[str, float] = {}
    for label in labels:
        true_positive = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p == label)
        predicted_count = sum(1 for p in predicted if p == label)
        gold_count = sum(1 for g in gold if g == label)
        per_label[label] = _f1(true_positive, predicted_count, gold_count)
    correct = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p)
    return {
        "sentences": len(gold),
        "accuracy": correct / len(gold) if gold else 0.0,
        "macro_f1": sum(per_label.values()) / len(per_label) if per_label else 0.0,
        "per_label_f1": per_label,
    }


def _f1(true_positive: float, predicted_count: float, gold_count: float) -> float:
    if predicted_count == 0 or gold_count == 0:
        return 0.0
    precision = true_positive / predicted_count
    recall = true_positive / gold_count
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


# --- files ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleAbstract:
    """One abstract of a CSAbstruct-format file: its sentences and their gold roles."""

    sentences: list[str]
    labels: list[str]


@dataclass(frozen=True)
class ReferenceCard:
    """A hand-written card: the paper's title and the fields an engine fills."""

    title: str
    fields: CardFields


def json_lines(path: str | Path) -> Iterator[tuple[int, Any]]:
    """(line number, parsed JSON) of each non-blank line; unreadable files raise InputError."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(name, "no such file") from None
    except IsADirectoryError:
        raise InputError(name, "is a folder, not a file") from None
    except OSError as exc:
        raise InputError(name, f"cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise InputError(name, "not UTF-8 text") from None
    found = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}:{number}", f"not JSON ({exc.msg})") from None
        found = True
    if not found:
        raise InputError(name, "no records in the file")


def read_role_file(path: str | Path) -> list[RoleAbstract]:
    """Abstracts of a CSAbstruct-format JSONL file (sentences and labels per line)."""
    abstracts: list[RoleAbstract] = []
    for number, record in json_lines(path):
        where = f"{path}:{number}"
        if not isinstance(record, dict):
            raise InputError(where, "not a JSON object", hint=_ROLE_HINT)
        sentences, labels = record.get("sentences"), record.get("labels")
        if not _strings(sentences) or not _strings(labels):
            raise InputError(where, "needs 'sentences' and 'labels' lists of text", hint=_ROLE_HINT)
        if len(sentences) != len(labels):
            raise InputError(where, "'sentences' and 'labels' differ in length")
        abstracts.append(RoleAbstract(list(sentences), list(labels)))
    return abstracts


_ROLE_HINT = 'one abstract per line: {"sentences": [...], "labels": [...]}'


def _strings(value: object) -> TypeGuard[list[str]]:
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)


def read_reference_cards(path: str | Path) -> list[ReferenceCard]:
    """Reference cards: one JSON object per line with a title and the engine's fields."""
    from pydantic import ValidationError

    references: list[ReferenceCard] = []
    for number, record in json_lines(path):
        where = f"{path}:{number}"
        if not isinstance(record, dict) or not isinstance(record.get("title"), str):
            raise InputError(where, "not a reference card (needs a 'title')")
        values = {name: record.get(name) for name in CardFields.model_fields}
        try:
            fields = CardFields.model_validate(values)
        except ValidationError as exc:
            problem = exc.errors()[0]
            field = ".".join(str(part) for part in problem["loc"]) or "card"
            raise InputError(where, f"not a reference card ({field}: {problem['msg']})") from None
        references.append(ReferenceCard(title=record["title"], fields=fields))
    return references


# --- card scores ----------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")
QUOTE_OVERLAP = 0.5  # token F1 at which two quotes of unquantified gains are the same claim


def words(text: str) -> list[str]:
    """Lowercased word tokens."""
    return _WORD.findall(text.casefold())


def token_f1(predicted: str, reference: str) -> float:
    """Token-overlap F1 of two texts (bag of words, as in SQuAD)."""
    guess, truth = Counter(words(predicted)), Counter(words(reference))
    common = sum((guess & truth).values())
    return _f1(common, sum(guess.values()), sum(truth.values()))


def _same_name(predicted: str | None, reference: str | None) -> bool:
    if predicted is None or reference is None:
        return predicted is reference
    return words(predicted) == words(reference)


def _gain_matches(predicted: Gain, reference: Gain) -> bool:
    if reference.value is not None:
        return predicted.value is not None and math.isclose(
            predicted.value, reference.value, rel_tol=1e-6, abs_tol=1e-9
        )
    return predicted.value is None and token_f1(predicted.quote, reference.quote) >= QUOTE_OVERLAP


def match_gains(predicted: Sequence[Gain], reference: Sequence[Gain]) -> list[tuple[int, int]]:
    """Pairs (reference index, predicted index), each gain used once, in reference order."""
    used: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for ref_index, truth in enumerate(reference):
        for pred_index, guess in enumerate(predicted):
            if pred_index not in used and _gain_matches(guess, truth):
                used.add(pred_index)
                pairs.append((ref_index, pred_index))
                break
    return pairs


@dataclass
class _Tally:
    """Running counts behind the card scores."""

    cards: int = 0
    predicted_gains: int = 0
    reference_gains: int = 0
    matched_gains: int = 0
    reference_quantified: int = 0
    predicted_quantified: int = 0
    matched_quantified: int = 0
    unit_correct: int = 0
    grounded: int = 0
    name_correct: int = 0
    contribution_correct: int = 0
    has_stages_correct: int = 0
    stage_count_correct: int = 0
    with_stages: int = 0
    kinds_correct: int = 0
    problem_f1: float = 0.0
    method_f1: float = 0.0

    def add(self, card: PaperCard, reference: CardFields) -> None:
        predicted = card.fields()
        self.cards += 1
        pairs = match_gains(predicted.claimed_gains, reference.claimed_gains)
        self.predicted_gains += len(predicted.claimed_gains)
        self.reference_gains += len(reference.claimed_gains)
        self.matched_gains += len(pairs)
        self.grounded += sum(1 for gain in card.claimed_gains if gain.span is not None)
        for ref_index, pred_index in pairs:
            truth = reference.claimed_gains[ref_index]
            if truth.value is not None:
                self.matched_quantified += 1
                self.unit_correct += predicted.claimed_gains[pred_index].unit == truth.unit
        self.reference_quantified += sum(
            1 for gain in reference.claimed_gains if gain.value is not None
        )
        self.predicted_quantified += sum(
            1 for gain in predicted.claimed_gains if gain.value is not None
        )
        self.name_correct += _same_name(predicted.method_name, reference.method_name)
        self.contribution_correct += predicted.contribution == reference.contribution
        self.has_stages_correct += bool(predicted.stages) == bool(reference.stages)
        self.stage_count_correct += len(predicted.stages) == len(reference.stages)
        if reference.stages:
            self.with_stages += 1
            self.kinds_correct += [stage.kind for stage in predicted.stages] == [
                stage.kind for stage in reference.stages
            ]
        self.problem_f1 += token_f1(predicted.problem, reference.problem)
        self.method_f1 += token_f1(predicted.method, reference.method)


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def score_cards(cards: Sequence[PaperCard], references: Sequence[ReferenceCard]) -> dict[str, Any]:
    """Per-field scores of cards against reference cards matched by normalised title.

    Gains are matched one to one: a quantified reference gain by value, an unquantified
    one by token F1 of the quotes >= 0.5. Quantified-gain precision is the share of the
    cards' gains with a value that match a reference gain. Shares are None when nothing
    was counted.
    """
    by_title = {normalize_title(card.title): card for card in cards}
    tally = _Tally()
    unmatched: list[str] = []
    for reference in references:
        card = by_title.get(normalize_title(reference.title))
        if card is None:
            unmatched.append(reference.title)
        else:
            tally.add(card, reference.fields)
    precision = _share(tally.matched_gains, tally.predicted_gains)
    recall = _share(tally.matched_gains, tally.reference_gains)
    gains_f1 = (
        _f1(tally.matched_gains, tally.predicted_gains, tally.reference_gains)
        if tally.predicted_gains and tally.reference_gains
        else None
    )
    return {
        "cards": len(cards),
        "references": len(references),
        "matched": tally.cards,
        "unmatched": len(unmatched),
        "unmatched_titles": unmatched,
        "scores": {
            "gains_precision": precision,
            "gains_recall": recall,
            "gains_f1": gains_f1,
            "quantified_gain_precision": _share(
                tally.matched_quantified, tally.predicted_quantified
            ),
            "quantified_gain_recall": _share(tally.matched_quantified, tally.reference_quantified),
            "unit_accuracy": _share(tally.unit_correct, tally.matched_quantified),
            "method_name_accuracy": _share(tally.name_correct, tally.cards),
            "contribution_accuracy": _share(tally.contribution_correct, tally.cards),
            "has_stages_accuracy": _share(tally.has_stages_correct, tally.cards),
            "stage_count_accuracy": _share(tally.stage_count_correct, tally.cards),
            "stage_kinds_exact": _share(tally.kinds_correct, tally.with_stages),
            "problem_token_f1": _share(tally.problem_f1, tally.cards),
            "method_token_f1": _share(tally.method_f1, tally.cards),
            "quotes_grounded": _share(tally.grounded, tally.predicted_gains),
        },
        "counts": {
            "predicted_gains": tally.predicted_gains,
            "reference_gains": tally.reference_gains,
            "matched_gains": tally.matched_gains,
            "reference_quantified_gains": tally.reference_quantified,
            "predicted_quantified_gains": tally.predicted_quantified,
            "matched_quantified_gains": tally.matched_quantified,
            "references_with_stages": tally.with_stages,
        },
    }


# --- roles ----------------------------------------------------------------------------


def score_role_file(abstracts: Sequence[RoleAbstract]) -> dict[str, Any]:
    """Scores of the shipped sentence-role classifier on gold-labelled abstracts."""
    from summarizer.engines.offline.roles import shipped_model

    model = shipped_model()
    gold: list[str] = []
    predicted: list[str] = []
    for abstract in abstracts:
        gold.extend(abstract.labels)
        predicted.extend(model.predict(abstract.sentences))
    return {"model": model.model_id, "abstracts": len(abstracts), **role_scores(gold, predicted)}


# --- rendering ------------------------------------------------------------------------

_CARD_ROWS = (
    ("gains_precision", "gains precision"),
    ("gains_recall", "gains recall"),
    ("gains_f1", "gains F1"),
    ("quantified_gain_precision", "quantified-gain precision"),
    ("quantified_gain_recall", "quantified-gain recall"),
    ("unit_accuracy", "unit accuracy"),
    ("method_name_accuracy", "method_name accuracy"),
    ("contribution_accuracy", "contribution accuracy"),
    ("has_stages_accuracy", "has-stages accuracy"),
    ("stage_count_accuracy", "stage-count accuracy"),
    ("stage_kinds_exact", "stage kinds exact match"),
    ("problem_token_f1", "problem token F1"),
    ("method_token_f1", "method token F1"),
    ("quotes_grounded", "quotes grounded"),
)


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def card_score_lines(result: dict[str, Any]) -> tuple[str, list[tuple[str, str]]]:
    """A heading and (metric, value) rows for a human-readable report of `score_cards`."""
    heading = (
        f"{result['matched']} of {result['references']} reference cards matched "
        f"({result['unmatched']} unmatched), {result['cards']} cards read"
    )
    rows = [(label, _number(result["scores"][key])) for key, label in _CARD_ROWS]
    return heading, rows


def role_score_lines(result: dict[str, Any]) -> tuple[str, list[tuple[str, str]]]:
    """A heading and (metric, value) rows for a human-readable report of role scores."""
    heading = (
        f"model {result['model']}: {result['sentences']} sentences "
        f"in {result['abstracts']} abstracts"
    )
    rows = [("accuracy", _number(result["accuracy"])), ("macro-F1", _number(result["macro_f1"]))]
    rows.extend((f"F1 {label}", _number(f1)) for label, f1 in result["per_label_f1"].items())
    return heading, rows

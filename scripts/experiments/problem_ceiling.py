"""Experiment (not shipped): how far above the first sentence can an abstract span get?

    python scripts/experiments/problem_ceiling.py [--data data/aclsum/train.jsonl]

Issue 13 asks the card's problem to beat ACLSum's first-sentence baseline by 0.05 token
F1 against the human `challenge`. On the development split (ACLSum train; never val) this
prints, per group of papers (where the authors first speak: "we", "this paper"):

1. ceilings: the first sentence, the best single sentence chosen by looking at the
   human summary (an oracle), the best two neighbouring sentences, the best run of
   clauses inside one sentence;
2. the learned selector under 5-fold cross-validation (scripts/train_selector.py's folds
   and settings): the problem aspect alone (its best-scoring candidate, no rules), the
   shipped whole selection (method first, problem apart from it), and a joint choice of
   the pair;
3. the same with one more problem feature: a bag-of-words logistic regression over the
   sentences ACLSum's annotators highlighted as challenge in the abstract, the
   introduction and the conclusion (cross-fitted inside each training fold).

Needs the `train` extra (numpy, scipy, scikit-learn). About a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import statistics
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

import train_selector as trainer  # noqa: E402

from summarizer.engines.offline.selection import (  # noqa: E402
    _states_a_gap,
    _states_a_method,
    sentence_features,
)
from summarizer.engines.offline.summary import (  # noqa: E402
    NOT_STATED,
    no_gap,
    span_text,
)
from summarizer.evaluation import token_f1  # noqa: E402
from summarizer.evaluation_aclsum import detokenize, read_aclsum_file  # noqa: E402

SETTINGS = {"problem": (10.0, 0.1), "method": (3.0, 0.8)}  # what train_selector.py chose
_SPEAKS = re.compile(r"\b(?:we|our|this (?:paper|work|article))\b", re.I)
_CLAUSE_END = re.compile(r"(?<=[,;:])\s+")
Scores = Callable[[trainer.Prepared, np.ndarray, np.ndarray], tuple[str, str]]


def group_of(sentences: Sequence[str]) -> str:
    """Where the authors first speak: sentence 1, after one sentence, or later."""
    first = next((i for i, text in enumerate(sentences) if _SPEAKS.search(text)), len(sentences))
    return {0: "authors speak first", 1: "one background sentence"}.get(first, "two or more")


def ceilings(rows: Sequence[dict[str, object]]) -> None:
    """Mean token F1 of the first sentence and of oracle spans, per group."""
    table: dict[str, dict[str, list[float]]] = {}
    for row in rows:
        sentences_by_section = row["sentences"]
        assert isinstance(sentences_by_section, dict)
        sentences = [detokenize(text) for text in sentences_by_section["abstract"]]
        summary = row["summary"]
        assert isinstance(summary, dict)
        challenge = summary["challenge"]
        scores = [token_f1(text, challenge) for text in sentences]
        pairs = [token_f1(" ".join(sentences[i : i + 2]), challenge) for i in range(len(sentences))]
        clause_runs = [
            token_f1(" ".join(parts[i:j]), challenge)
            for text in sentences
            for parts in [_CLAUSE_END.split(text)]
            for i in range(len(parts))
            for j in range(i + 1, len(parts) + 1)
        ]
        for name in (group_of(sentences), "all"):
            into = table.setdefault(name, {})
            for key, value in (
                ("first sentence", scores[0]),
                ("best sentence", max(scores)),
                ("best 1-2 sentences", max(pairs + scores)),
                ("best clause run", max(clause_runs)),
            ):
                into.setdefault(key, []).append(value)
    for name, into in table.items():
        means = ", ".join(f"{key} {statistics.mean(values):.3f}" for key, values in into.items())
        print(f"  {name} ({len(next(iter(into.values())))} papers): {means}")


def _shipped(item: trainer.Prepared, problem: np.ndarray, method: np.ndarray) -> tuple[str, str]:
    """The runtime's rules (selection.select) over the given candidate scores."""
    rows = sentence_features(item.paper.title, item.sentences, item.log_probabilities, item.roles)
    found, abstract = item.found, item.paper.abstract
    if not _states_a_method(rows, item.roles):
        return span_text(abstract, found[int(np.argmax(problem))]), NOT_STATED
    chosen = found[int(np.argmax(method))]
    allowed = [i for i, candidate in enumerate(found) if not candidate.overlaps(chosen)]
    before = [i for i in allowed if found[i].units[-1].end <= chosen.units[0].start]
    allowed = before or [i for i in allowed if _states_a_gap(rows, found[i])]
    method_text = span_text(abstract, chosen)
    if not allowed:
        return no_gap(method_text), method_text
    return span_text(abstract, found[max(allowed, key=lambda i: problem[i])]), method_text


def _alone(item: trainer.Prepared, problem: np.ndarray, method: np.ndarray) -> tuple[str, str]:
    """Each aspect's best candidate, with no rule between them."""
    abstract, found = item.paper.abstract, item.found
    return (
        span_text(abstract, found[int(np.argmax(problem))]),
        span_text(abstract, found[int(np.argmax(method))]),
    )


def _log_softmax(scores: np.ndarray) -> np.ndarray:
    shifted = scores - scores.max()
    result: np.ndarray = shifted - np.log(np.exp(shifted).sum())
    return result


def _joint(item: trainer.Prepared, problem: np.ndarray, method: np.ndarray) -> tuple[str, str]:
    """The most probable (problem, method) pair that shares no text, problem first."""
    p, m, found = _log_softmax(problem), _log_softmax(method), item.found
    pairs = [
        (float(p[i] + m[j]), i, j)
        for i, first in enumerate(found)
        for j, second in enumerate(found)
        if not first.overlaps(second) and first.units[-1].end <= second.units[0].start
    ]
    if not pairs:
        return _alone(item, problem, method)
    _, i, j = max(pairs)
    return span_text(item.paper.abstract, found[i]), span_text(item.paper.abstract, found[j])


def _lexical(
    rows: Sequence[dict[str, object]], indices: Sequence[int]
) -> Callable[..., np.ndarray]:
    """A bag-of-words challenge-sentence scorer trained on the papers at `indices`."""
    texts: list[str] = []
    labels: list[int] = []
    for index in indices:
        row = rows[index]
        sentences, highlights = row["sentences"], row["highlights"]
        assert isinstance(sentences, dict) and isinstance(highlights, dict)
        for section in ("abstract", "introduction", "conclusion"):
            for text, label in zip(
                sentences[section], highlights["challenge"][section], strict=True
            ):
                texts.append(detokenize(text).lower())
                labels.append(int(label))
    vectorizer = CountVectorizer(
        ngram_range=(1, 2), min_df=2, binary=True, token_pattern=r"[a-z][a-z\-]+"
    )
    model = LogisticRegression(C=1.0, max_iter=2000).fit(vectorizer.fit_transform(texts), labels)

    def column(item: trainer.Prepared) -> np.ndarray:
        margins = model.decision_function(
            vectorizer.transform([sentence.text.lower() for sentence in item.sentences])
        )
        return np.array([np.mean([margins[unit.sentence] for unit in c.units]) for c in item.found])

    return column


def cross_validated(
    rows: Sequence[dict[str, object]],
    items: Sequence[trainer.Prepared],
    with_lexical: bool,
) -> None:
    """Problem and method token F1 on ACLSum under 5-fold CV, for each way of choosing."""
    ways: dict[str, Scores] = {"problem alone": _alone, "shipped rules": _shipped}
    ways["joint pair"] = _joint
    totals = {name: [0.0, 0.0] for name in ways}
    count = len(rows)
    for fold in trainer.folds(len(items)):
        held = set(fold)
        train = [i for i in range(len(items)) if i not in held]
        vectors = {i: items[i].vectors for i in range(len(items))}
        if with_lexical:
            aclsum_train = [i for i in train if i < count]
            inner = [aclsum_train[k::4] for k in range(4)]
            for part in inner:
                column = _lexical(rows, [i for i in aclsum_train if i not in set(part)])
                for i in part:
                    vectors[i] = np.hstack([items[i].vectors, column(items[i])[:, None]])
            column = _lexical(rows, aclsum_train)
            for i in [*fold, *(i for i in train if i >= count)]:
                vectors[i] = np.hstack([items[i].vectors, column(items[i])[:, None]])
        weights = {}
        for aspect in trainer.ASPECTS:
            fitted = []
            for i in train:
                item = copy.copy(items[i])
                item.vectors = vectors[i] if aspect == "problem" else items[i].vectors
                fitted.append(item)
            weights[aspect] = trainer.fit(fitted, aspect, *SETTINGS[aspect], "f1")[1]
        for i in (i for i in fold if i < count):
            item = items[i]
            problem, method = vectors[i] @ weights["problem"], item.vectors @ weights["method"]
            for name, way in ways.items():
                problem_text, method_text = way(item, problem, method)
                totals[name][0] += token_f1(problem_text, item.paper.challenge)
                totals[name][1] += token_f1(method_text, item.paper.approach)
    label = "with the challenge-sentence feature" if with_lexical else "shipped features"
    for name, (problem, method) in totals.items():
        print(f"  {label}, {name}: problem {problem / count:.4f}, method {method / count:.4f}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=trainer.DEFAULT_DATA)
    args = parser.parse_args(argv)
    with args.data.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    print(f"ACLSum {args.data}: {len(rows)} papers; token F1 against the human challenge")
    print("Ceilings (oracle spans chosen by looking at the summary):")
    ceilings(rows)
    papers = read_aclsum_file(str(args.data))
    extra = trainer.reference_papers(trainer.DEFAULT_REFERENCES, trainer.DEFAULT_PAPERS, "odd")
    items = trainer.prepare([*papers, *extra])
    print("Learned selector, 5-fold CV (ACLSum papers only; ref_dev cards train too):")
    cross_validated(rows, items, with_lexical=False)
    cross_validated(rows, items, with_lexical=True)


if __name__ == "__main__":
    main()

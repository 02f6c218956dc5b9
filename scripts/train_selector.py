"""Train the offline engine's problem/method selector on ACLSum and write its weights.

    python scripts/train_selector.py [--data data/aclsum/train.jsonl] [--out PATH]
                                     [--references tests/data/reference_cards.jsonl]
                                     [--papers seeds/] [--reference-half odd|even|all]
                                     [--no-references] [--heldout FILE]
                                     [--target f1|highlights]

With no options it writes the shipped weights, byte for byte.

Needs the `train` extra (numpy, scipy). Deterministic: no randomness, folds in file order
(paper i is in fold i mod 5), a fixed grid, L-BFGS from zero weights.

What is learnt: for each aspect (problem ~ ACLSum's `challenge`, method ~ `approach`), a
linear score over candidate spans of the abstract (a sentence, the sentence without its
lead-in, the two halves of "To build X, we introduce Y", or two such units of different
sentences; summarizer/engines/offline/selection.py builds them and their features). The
model is a softmax over an abstract's candidates (a conditional logit). Its target, with
`--target f1` (the default), is a softmax of each candidate's token F1 against the human
summary at temperature tau, so a near-miss counts almost as much as the best span; with
`--target highlights` it is the candidates made only of sentences the annotators
highlighted for that aspect (papers with no highlight in the abstract are left out).

The reference cards (--references, docs/CARD_SPEC.md; by default the odd-line half,
the one kept for development) with their abstracts from --papers are a second source of
summaries, in the same folds; the cross-validated scores are printed per source.
--no-references trains on ACLSum alone.

The L2 strength and tau are chosen per aspect by 5-fold cross-validation on --data: the
score is the mean token F1 of the chosen span against the summary. The cross-validated
score of the whole selection (method first, then the best problem that shares no text
with it) is printed next to the two lead baselines. --heldout scores a held-out file
once with the shipped runtime, after the weights are written.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from summarizer.engines.offline.roles import shipped_model  # noqa: E402
from summarizer.engines.offline.selection import (  # noqa: E402
    ASPECTS,
    FEATURES,
    KINDS,
    MODEL_FILE,
    Candidate,
    SelectorModel,
    candidate_vector,
    candidates,
    sentence_features,
    sentence_units,
)
from summarizer.engines.offline.sentences import Sentence, split_sentences  # noqa: E402
from summarizer.engines.offline.summary import problem_and_method  # noqa: E402
from summarizer.evaluation import read_reference_cards, token_f1  # noqa: E402
from summarizer.evaluation_aclsum import AspectPaper, read_aclsum_file  # noqa: E402
from summarizer.papers import normalize_title, read_papers, unique_papers  # noqa: E402

DEFAULT_DATA = REPO / "data" / "aclsum" / "train.jsonl"  # not in git: docs/offline-engine.md
DEFAULT_OUT = REPO / "summarizer" / "engines" / "offline" / MODEL_FILE
DEFAULT_REFERENCES = REPO / "tests" / "data" / "reference_cards.jsonl"
DEFAULT_PAPERS = REPO / "seeds"
FOLDS = 5
L2_GRID = (1.0, 3.0, 10.0)
TAU_GRID = (0.05, 0.1, 0.2, 0.4, 0.8)
DECIMALS = 4
SUMMARY_OF = {"problem": "challenge", "method": "approach"}

Matrix = NDArray[np.float64]


def reference_papers(references: Path, papers: Path, half: str) -> list[AspectPaper]:
    """Reference cards as ACLSum-like papers: problem as the challenge, method as the
    approach, the abstract from the papers whose title matches (no highlights). `half`
    keeps the odd (1st, 3rd, ...) or even cards, or all of them."""
    by_title = {
        normalize_title(paper.title): paper
        for paper in unique_papers(read_papers([str(papers)]).papers)
    }
    found: list[AspectPaper] = []
    cards = read_reference_cards(references)
    chosen = {"odd": cards[0::2], "even": cards[1::2], "all": cards}[half]
    for card in chosen:
        paper = by_title[normalize_title(card.title)]
        sentences = tuple(sentence.text for sentence in split_sentences(paper.abstract))
        found.append(
            AspectPaper(
                paper_id=paper.paper_id,
                title=paper.title,
                sentences=sentences,
                challenge=card.fields.problem,
                approach=card.fields.method,
                highlights={aspect: (0,) * len(sentences) for aspect in SUMMARY_OF.values()},
            )
        )
    return found


@dataclass
class Prepared:
    """One paper: its sentences, candidates, their vectors and per-aspect targets."""

    paper: AspectPaper
    sentences: list[Sentence]
    log_probabilities: list[list[float]]
    roles: list[str]
    found: list[Candidate]
    vectors: Matrix
    f1: dict[str, Matrix]  # token F1 of each candidate against the aspect's summary
    highlighted: dict[str, Matrix]  # 1 where every unit's sentence is highlighted


def _sentence_labels(paper: AspectPaper, sentences: Sequence[Sentence], aspect: str) -> list[int]:
    """ACLSum's highlight of the given sentence that overlaps each runtime sentence most."""
    spans: list[tuple[int, int]] = []
    position = 0
    for text in paper.sentences:
        spans.append((position, position + len(text)))
        position += len(text) + 1
    marks = paper.highlights[SUMMARY_OF[aspect]]
    labels: list[int] = []
    for sentence in sentences:
        overlaps = [min(sentence.end, end) - max(sentence.start, start) for start, end in spans]
        labels.append(marks[overlaps.index(max(overlaps))])
    return labels


def prepare(papers: Sequence[AspectPaper]) -> list[Prepared]:
    """Candidates, vectors and targets of each paper, with the runtime's own functions."""
    roles_model = shipped_model()
    prepared: list[Prepared] = []
    for paper in papers:
        abstract = paper.abstract
        sentences = split_sentences(abstract)
        logs = roles_model.log_probabilities([sentence.text for sentence in sentences])
        roles = roles_model.decode(logs)
        rows = sentence_features(paper.title, sentences, logs, roles)
        found = candidates(sentence_units(sentences))
        vectors = np.array([candidate_vector(rows, candidate) for candidate in found])
        f1: dict[str, Matrix] = {}
        highlighted: dict[str, Matrix] = {}
        for aspect in ASPECTS:
            summary = paper.summary(SUMMARY_OF[aspect])
            f1[aspect] = np.array(
                [token_f1(_text(abstract, candidate), summary) for candidate in found]
            )
            labels = _sentence_labels(paper, sentences, aspect)
            highlighted[aspect] = np.array(
                [float(all(labels[unit.sentence] for unit in c.units)) for c in found]
            )
        prepared.append(Prepared(paper, sentences, logs, roles, found, vectors, f1, highlighted))
    return prepared


def _text(abstract: str, candidate: Candidate) -> str:
    return " ".join(abstract[unit.start : unit.end] for unit in candidate.units)


def _target(item: Prepared, aspect: str, target: str, tau: float) -> Matrix | None:
    if target == "highlights":
        marks = item.highlighted[aspect]
        return marks / marks.sum() if marks.sum() else None
    scores = item.f1[aspect]
    weights = np.exp((scores - scores.max()) / tau)
    result: Matrix = weights / weights.sum()
    return result


def fit(
    items: Sequence[Prepared], aspect: str, l2: float, tau: float, target: str
) -> tuple[float, Matrix]:
    """(bias, weights) of the conditional logit; the bias is 0 (a softmax ignores it)."""
    pairs = [
        (item.vectors, wanted)
        for item in items
        if (wanted := _target(item, aspect, target, tau)) is not None
    ]
    size = pairs[0][0].shape[1]

    def objective(weights: Matrix) -> tuple[float, Matrix]:
        loss = 0.5 * l2 * float(weights @ weights)
        gradient = l2 * weights
        for vectors, wanted in pairs:
            scores = vectors @ weights
            scores = scores - scores.max()
            probabilities = np.exp(scores)
            probabilities /= probabilities.sum()
            loss -= float(wanted @ np.log(probabilities + 1e-12))
            gradient = gradient + vectors.T @ (probabilities - wanted)
        return loss, gradient

    result = minimize(objective, np.zeros(size), jac=True, method="L-BFGS-B")
    return 0.0, np.asarray(result.x, dtype=np.float64)


def folds(count: int) -> list[list[int]]:
    """Paper indices of each fold: paper i is in fold i mod FOLDS."""
    return [[index for index in range(count) if index % FOLDS == fold] for fold in range(FOLDS)]


def cross_validate(
    items: Sequence[Prepared], aspect: str, l2: float, tau: float, target: str
) -> float:
    """Mean token F1 of the chosen candidate on held-out folds (the aspect alone)."""
    total = 0.0
    for fold in folds(len(items)):
        held = set(fold)
        _, weights = fit([x for i, x in enumerate(items) if i not in held], aspect, l2, tau, target)
        for index in fold:
            item = items[index]
            total += float(item.f1[aspect][int(np.argmax(item.vectors @ weights))])
    return total / len(items)


def to_model(weights: dict[str, Matrix]) -> dict[str, object]:
    """The JSON form the runtime reads, with a model id that is a hash of the weights."""
    rounded = {aspect: [round(float(v), DECIMALS) for v in weights[aspect]] for aspect in ASPECTS}
    data: dict[str, object] = {
        "features": list(FEATURES),
        "kinds": list(KINDS),
        "bias": {aspect: 0.0 for aspect in ASPECTS},
        "weights": rounded,
    }
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:8]
    return {"model_id": f"aclsum-selector-{digest}", **data}


def joint_scores(model: SelectorModel, items: Sequence[Prepared]) -> dict[str, float]:
    """Mean token F1 of the runtime's problem and method texts and of the baselines."""
    totals = dict.fromkeys(
        ("problem", "method", "first_problem", "first_method", "lead23_problem", "lead23_method"),
        0.0,
    )
    for item in items:
        problem, method = problem_and_method(
            item.paper.title,
            item.paper.abstract,
            item.sentences,
            item.log_probabilities,
            item.roles,
            selector=model,
        )
        first = item.paper.sentences[0]
        lead23 = " ".join(item.paper.sentences[1:3]) or first
        for aspect, text in (("problem", problem), ("method", method)):
            summary = item.paper.summary(SUMMARY_OF[aspect])
            totals[aspect] += token_f1(text, summary)
            totals[f"first_{aspect}"] += token_f1(first, summary)
            totals[f"lead23_{aspect}"] += token_f1(lead23, summary)
    return {name: round(value / len(items), 4) for name, value in totals.items()}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--references", type=Path, default=DEFAULT_REFERENCES)
    parser.add_argument("--no-references", action="store_true")
    parser.add_argument(
        "--reference-half",
        choices=("odd", "even", "all"),
        default="odd",
        help="which reference cards to learn from: the 1st, 3rd, ... (odd), 2nd, 4th, ...",
    )
    parser.add_argument("--papers", type=Path, default=DEFAULT_PAPERS)
    parser.add_argument("--heldout", type=Path, default=None)
    parser.add_argument("--target", choices=("f1", "highlights"), default="f1")
    args = parser.parse_args(argv)

    papers = read_aclsum_file(str(args.data))
    sources = {"aclsum": len(papers)}
    if not args.no_references:
        extra = reference_papers(args.references, args.papers, args.reference_half)
        sources["references"] = len(extra)
        papers = [*papers, *extra]
    items = prepare(papers)
    print(f"{len(items)} papers {sources}, {sum(len(x.found) for x in items)} candidates")
    chosen: dict[str, tuple[float, float]] = {}
    for aspect in ASPECTS:
        grid = [(l2, tau) for l2 in L2_GRID for tau in TAU_GRID]
        if args.target == "highlights":
            grid = [(l2, 1.0) for l2 in L2_GRID]
        results = {
            setting: cross_validate(items, aspect, *setting, args.target) for setting in grid
        }
        for (l2, tau), score in results.items():
            print(f"  {aspect}: l2={l2:g} tau={tau:g} CV token F1 {score:.4f}")
        chosen[aspect] = max(results, key=lambda setting: results[setting])
        print(f"{aspect}: chose l2={chosen[aspect][0]:g} tau={chosen[aspect][1]:g}")

    # Cross-validated score of the whole selection, with the chosen settings, per source.
    source_of = [name for name, count in sources.items() for _ in range(count)]
    for source, count in sources.items():
        totals: dict[str, float] = {}
        for fold in folds(len(items)):
            held = set(fold)
            train = [x for i, x in enumerate(items) if i not in held]
            weights = {a: fit(train, a, *chosen[a], args.target)[1] for a in ASPECTS}
            fold_model = SelectorModel.from_dict(to_model(weights))
            tested = [items[i] for i in fold if source_of[i] == source]
            if tested:
                for name, value in joint_scores(fold_model, tested).items():
                    totals[name] = totals.get(name, 0.0) + value * len(tested)
        means = {name: round(value / count, 4) for name, value in totals.items()}
        print(f"5-fold CV, whole selection, {source}:", means)

    final = {aspect: fit(items, aspect, *chosen[aspect], args.target)[1] for aspect in ASPECTS}
    data = to_model(final)
    args.out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({data['model_id']})")
    if args.heldout is not None:
        held_items = prepare(read_aclsum_file(str(args.heldout)))
        scores = joint_scores(SelectorModel.from_dict(data), held_items)
        print(f"held out ({args.heldout}):", scores)


if __name__ == "__main__":
    main()

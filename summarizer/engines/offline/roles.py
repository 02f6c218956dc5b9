"""Sentence roles (background, objective, method, result, other) from shipped weights.

A linear model scores each sentence from its features (role_features.py); a Viterbi pass
over the label-transition log-probabilities learnt from CSAbstruct then picks the most
likely sequence for the whole abstract. Pure Python: the weights are a gzip'd JSON file
inside the package, read once per process.
"""

from __future__ import annotations

import base64
import gzip
import json
import math
import sys
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from summarizer.engines.offline.role_features import abstract_features
from summarizer.errors import EngineUnavailableError

MODEL_FILE = "roles_model.json.gz"
LABELS = ("background", "objective", "method", "result", "other")


@dataclass(frozen=True)
class RoleModel:
    """Weights of the role classifier and the label transitions of its sequence pass."""

    model_id: str
    labels: tuple[str, ...]
    bias: tuple[float, ...]
    weights: dict[str, tuple[float, ...]]
    start: tuple[float, ...]  # log P(first label)
    transitions: tuple[tuple[float, ...], ...]  # log P(next label | label)
    end: tuple[float, ...]  # log P(last label)
    transition_weight: float

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RoleModel:
        """The model from its JSON form (as written by scripts/train_roles.py).

        Weights are stored compactly: feature names joined by newlines, and one float32
        row per name (little-endian, base64), which loads in a fraction of a second.
        """
        labels = tuple(data["labels"])
        names = data["feature_names"].split("\n") if data["feature_names"] else []
        values = array("f")
        values.frombytes(base64.b64decode(data["feature_weights"]))
        if sys.byteorder != "little":
            values.byteswap()
        columns = [iter(values)] * len(labels)
        rows = list(zip(*columns, strict=True))
        if len(rows) != len(names):
            raise ValueError("feature names and weights differ in number")
        return cls(
            model_id=str(data["model_id"]),
            labels=labels,
            bias=tuple(data["bias"]),
            weights=dict(zip(names, rows, strict=True)),
            start=tuple(data["start"]),
            transitions=tuple(tuple(row) for row in data["transitions"]),
            end=tuple(data["end"]),
            transition_weight=float(data["transition_weight"]),
        )

    def log_probabilities(self, sentences: Sequence[str]) -> list[list[float]]:
        """log P(label | sentence, neighbours) for each sentence, from the linear model."""
        rows: list[list[float]] = []
        weights = self.weights
        for names in abstract_features(sentences):
            found = [weights[name] for name in names if name in weights]
            # Column sums in C; fsum is exact, so the order of the set does not matter.
            scores = [math.fsum(column) for column in zip(self.bias, *found, strict=True)]
            top = max(scores)
            total = math.log(sum(math.exp(score - top) for score in scores)) + top
            rows.append([score - total for score in scores])
        return rows

    def predict(self, sentences: Sequence[str]) -> list[str]:
        """The most likely role sequence of an abstract's sentences (Viterbi)."""
        return self.decode(self.log_probabilities(sentences))

    def decode(self, emissions: Sequence[Sequence[float]]) -> list[str]:
        """The most likely role sequence given each sentence's label log-probabilities."""
        if not emissions:
            return []
        width = range(len(self.labels))
        weight = self.transition_weight
        moves = [[weight * step for step in row] for row in self.transitions]
        best = [emissions[0][j] + weight * self.start[j] for j in width]
        back: list[list[int]] = []
        for row in emissions[1:]:
            pointers: list[int] = []
            scores: list[float] = []
            for j in width:
                origin, top = 0, best[0] + moves[0][j]
                for i in width:
                    candidate = best[i] + moves[i][j]
                    if candidate > top:
                        origin, top = i, candidate
                pointers.append(origin)
                scores.append(top + row[j])
            back.append(pointers)
            best = scores
        ends = [best[j] + weight * self.end[j] for j in width]
        last = ends.index(max(ends))
        path = [last]
        for pointers in reversed(back):
            path.append(pointers[path[-1]])
        path.reverse()
        return [self.labels[j] for j in path]


def read_model(path: str | Path) -> RoleModel:
    """A role model from a gzip'd JSON file."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return RoleModel.from_dict(json.load(handle))


@cache
def shipped_model() -> RoleModel:
    """The role model shipped in the package, loaded once per process."""
    resource = resources.files("summarizer.engines.offline").joinpath(MODEL_FILE)
    try:
        with resource.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:
            return RoleModel.from_dict(json.load(handle))
    except (OSError, ValueError, KeyError) as exc:
        raise EngineUnavailableError(
            "offline",
            f"cannot read the sentence-role weights {MODEL_FILE} ({exc})",
            hint="reinstall summarizer, or run scripts/train_roles.py",
        ) from None

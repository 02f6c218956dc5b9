"""Score the cards' `contribution` against hand labels of development seed papers.

    python scripts/experiments/score_contribution.py \
        scripts/experiments/contribution_labels_dev.jsonl /tmp/contrib/off/cards.jsonl

The labels (contribution_labels_dev.jsonl) cover the seed papers that are not among the
held-out reference cards; each row has title, label, sure (False when a careful reader
could argue for another kind), half and a one-line reason. The halves are fixed by the
title: half A when the first byte of sha1(lower-cased, whitespace-collapsed title) is
even, else B. Cues were written from half A's errors only; half B is the check.
Prints accuracy and a confusion matrix (rows: label, columns: card) per half.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import Counter
from pathlib import Path

KINDS = ("method", "dataset", "benchmark", "analysis", "theory", "survey", "system", "report")


def normalise(title: str) -> str:
    """The title as labels and cards are matched: lower case, whitespace collapsed."""
    return " ".join(title.lower().split())


def half_of(title: str) -> str:
    """'A' (tuning) or 'B' (check), from the parity of sha1(normalised title)[0]."""
    return "A" if hashlib.sha1(normalise(title).encode()).digest()[0] % 2 == 0 else "B"


def read_jsonl(path: Path) -> list[dict[str, object]]:
    """Rows of a JSON-lines file."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def report(name: str, pairs: list[tuple[str, str]]) -> None:
    """Print accuracy and the confusion matrix of (label, predicted) pairs."""
    if not pairs:
        print(f"{name}: no papers")
        return
    right = sum(gold == pred for gold, pred in pairs)
    print(f"{name}: {right}/{len(pairs)} = {right / len(pairs):.3f}")
    counts = Counter(pairs)
    used = [k for k in KINDS if any(k in pair for pair in counts)]
    print("  label \\ card " + " ".join(f"{k[:6]:>6}" for k in used))
    for gold in used:
        cells = " ".join(f"{counts[(gold, pred)] or '.':>6}" for pred in used)
        print(f"  {gold:<13} {cells}")


def main() -> None:
    """Match cards to labels by title and print the scores per half."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("labels", type=Path)
    parser.add_argument("cards", type=Path)
    parser.add_argument("--errors", action="store_true", help="list half A's errors")
    args = parser.parse_args()
    cards = {normalise(str(c["title"])): str(c["contribution"]) for c in read_jsonl(args.cards)}
    rows = read_jsonl(args.labels)
    missing = [r["title"] for r in rows if normalise(str(r["title"])) not in cards]
    if missing:
        print(f"{len(missing)} labelled papers have no card: {missing[:3]}")
    scored = [
        (str(r["title"]), str(r["label"]), cards[normalise(str(r["title"]))], bool(r["sure"]))
        for r in rows
        if normalise(str(r["title"])) in cards
    ]
    for title, *_ in scored:
        # The half is recomputed so a hand-edited file cannot drift from the stated rule.
        assert half_of(title) == next(str(r["half"]) for r in rows if r["title"] == title)
    for half, name in (("A", "half A (tuned)"), ("B", "half B (checked)")):
        report(name, [(g, p) for t, g, p, _ in scored if half_of(t) == half])
        report(
            f"{name}, sure labels only",
            [(g, p) for t, g, p, sure in scored if half_of(t) == half and sure],
        )
    report("all", [(g, p) for _, g, p, _ in scored])
    if args.errors:
        for title, gold, pred, sure in scored:
            if half_of(title) == "A" and gold != pred:
                print(f"  A error: label={gold} card={pred} sure={sure} | {title}")


if __name__ == "__main__":
    main()

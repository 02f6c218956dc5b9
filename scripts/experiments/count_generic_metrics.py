"""How many claimed gains of a batch's cards name no real metric.

Two readings of "generic": bare (the offline engine's own `is_generic`: "performance",
"results", "capabilities") and wide (bare, or a generic word followed by on, in, across,
of or for and where it was measured: "performance on MATH-500", "results on four
benchmarks"), and a third, stricter line that also counts a generic word behind a hollow
adjective ("average performance"). Prints the total gains and the counts with their
shares, optionally for some seed files only.

    python scripts/experiments/count_generic_metrics.py /tmp/x/off/cards.jsonl
    python scripts/experiments/count_generic_metrics.py cards.jsonl \
        --file 000_7a3839734a59cdb6.txt --file 002_b05ba6ffc89c73b9.txt \
        --exclude-titles tests/data/reference_cards.jsonl --exclude-lines even

`--before OTHER.jsonl` also lists every gain (same title, quote and value) whose metric
differs between OTHER and CARDS, as `before -> after | quote`; with `--sample N` only N of
them, drawn with `random.Random(--seed)` (default 7), for a precision check by reading.

`--exclude-titles` drops the cards whose title is in a reference file (`--exclude-lines`
even keeps to the held-out half of it, odd to the development half), so that a count can
leave the held-out papers out. `--list` prints each generic gain's metric and quote (the
held-out papers' are never printed: use it only with `--exclude-titles` on them).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from summarizer.engines.offline.metrics import is_generic

_QUALIFIED = re.compile(r"^(?P<head>\w+)\s+(?:on|in|across|of|for)\s+\S", re.S)
# "average performance", "overall results": no more specific than the bare word.
_HOLLOW = re.compile(
    r"^(?:average|overall|mean|total|general|better|improved)\s+(?P<rest>.+)$", re.I
)


def is_wide_generic(metric: str) -> bool:
    """Generic, or a generic head qualified only by a place ("performance on X")."""
    if is_generic(metric):
        return True
    found = _QUALIFIED.match(metric)
    return found is not None and is_generic(found.group("head"))


def is_strict_generic(metric: str) -> bool:
    """Wide generic, or a generic one behind a hollow adjective ("average performance")."""
    found = _HOLLOW.match(metric)
    return is_wide_generic(found.group("rest") if found else metric)


def _titles(path: Path, lines: str) -> set[str]:
    titles: set[str] = set()
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if lines == "even" and number % 2:
                continue
            if lines == "odd" and not number % 2:
                continue
            if line.strip():
                titles.add(" ".join(str(json.loads(line)["title"]).lower().split()))
    return titles


def _cards(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _gain_keys(
    cards: Iterator[dict[str, Any]], excluded: set[str]
) -> dict[tuple[str, str, Any, int], str]:
    """Each gain's metric by (title, quote, value, repeat), for cards not excluded."""
    keyed: dict[tuple[str, str, Any, int], str] = {}
    for card in cards:
        title = " ".join(str(card["title"]).lower().split())
        if title in excluded:
            continue
        for gain in card["claimed_gains"]:
            repeat = 0
            while (title, gain["quote"], gain.get("value"), repeat) in keyed:
                repeat += 1
            keyed[(title, gain["quote"], gain.get("value"), repeat)] = str(gain["metric"])
    return keyed


def changed_metrics(before: Path, after: Path, excluded: set[str]) -> list[tuple[str, str, str]]:
    """(metric before, metric after, quote) of the gains found in both files whose metric
    changed, in file order."""
    old = _gain_keys(_cards(before), excluded)
    new = _gain_keys(_cards(after), excluded)
    return [
        (old[key], metric, key[1])
        for key, metric in new.items()
        if key in old and old[key] != metric
    ]


def main(argv: list[str] | None = None) -> int:
    """Count the gains and the generic ones; print the counts and shares."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cards", type=Path)
    parser.add_argument("--file", action="append", default=[], help="seed file name to keep")
    parser.add_argument("--exclude-titles", type=Path, help="reference cards whose papers to drop")
    parser.add_argument("--exclude-lines", choices=("all", "odd", "even"), default="all")
    parser.add_argument("--list", action="store_true", help="print each generic gain")
    parser.add_argument("--before", type=Path, help="older cards: list the changed metrics")
    parser.add_argument("--sample", type=int, help="list only this many changed metrics")
    parser.add_argument("--seed", type=int, default=7, help="seed of the sample")
    args = parser.parse_args(argv)
    excluded = _titles(args.exclude_titles, args.exclude_lines) if args.exclude_titles else set()
    papers = total = bare = wide = strict = 0
    for card in _cards(args.cards):
        if args.file and card["source"]["file"] not in args.file:
            continue
        if " ".join(str(card["title"]).lower().split()) in excluded:
            continue
        papers += 1
        for gain in card["claimed_gains"]:
            total += 1
            metric = str(gain["metric"])
            bare += is_generic(metric)
            wide += is_wide_generic(metric)
            strict += is_strict_generic(metric)
            if args.list and is_strict_generic(metric) and args.exclude_titles:
                print(f"{metric!r:45} | {gain['quote']}")
    share = (lambda n: 100.0 * n / total) if total else (lambda n: 0.0)
    print(f"papers {papers}  gains {total}")
    print(f"bare generic {bare} ({share(bare):.1f}%)")
    print(f"generic or 'performance on X' {wide} ({share(wide):.1f}%)")
    print(f"... or 'average performance' {strict} ({share(strict):.1f}%)")
    if args.before:
        changed = changed_metrics(args.before, args.cards, excluded)
        print(f"gains whose metric changed: {len(changed)}")
        if args.sample is not None and args.sample < len(changed):
            changed = random.Random(args.seed).sample(changed, args.sample)
        for old, new, quote in changed:
            print(f"{old!r} -> {new!r} | {quote}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""An abstract cut into pieces, each marked with the gains whose evidence it is.

Spans may overlap (two claims quoting the same words): the text is cut at every span's
start and end, so each piece is covered by a fixed set of gains and the page can mark it
with one flat `<mark>`, never a nested or crossing one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from summarizer.cards import Span


@dataclass(frozen=True)
class Piece:
    """A run of the abstract and the 1-based numbers of the gains it is evidence for."""

    text: str
    gains: tuple[int, ...]


def usable(span: Span | None, length: int) -> bool:
    """Whether `span` is a non-empty range inside a text of `length` characters."""
    return span is not None and 0 <= span.start < span.end <= length


def marked_pieces(abstract: str, spans: Sequence[Span | None]) -> list[Piece]:
    """`abstract` in pieces; `spans[i]` is gain i+1's evidence (None or out of range: none)."""
    ranges = [
        (number, span.start, span.end)
        for number, span in enumerate(spans, start=1)
        if span is not None and usable(span, len(abstract))
    ]
    cuts = sorted(
        {0, len(abstract), *(start for _, start, _ in ranges), *(end for *_, end in ranges)}
    )
    pieces: list[Piece] = []
    for start, end in pairwise(cuts):
        gains = tuple(number for number, first, last in ranges if first <= start and end <= last)
        if pieces and pieces[-1].gains == gains:
            pieces[-1] = Piece(pieces[-1].text + abstract[start:end], gains)
        else:
            pieces.append(Piece(abstract[start:end], gains))
    return pieces

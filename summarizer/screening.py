"""Which records a batch cards: not page fragments, not texts far beyond an abstract.

A reader flags a record that is not an abstract (a table of contents, a PDF page with
line numbers); a text of hundreds of thousands of characters is a whole paper or a
scrape, not an abstract. Carding either costs time or money and gives a card nobody can
use, so a batch lists them as skipped with the reason instead (`--no-skip` cards them).
"""

from __future__ import annotations

from summarizer.papers import NOT_ABSTRACT, Paper

# Abstracts run to a few thousand characters (arXiv allows 1,920; long structured
# abstracts reach about 5,000): ten times a long one is no abstract.
MAX_ABSTRACT_CHARACTERS = 20_000
TOO_LONG = "too_long"


def skip_reason(paper: Paper) -> tuple[str, str] | None:
    """Why a batch does not card this paper by default, as (kind, reason); None when it
    should be carded."""
    if NOT_ABSTRACT in paper.warnings:
        return NOT_ABSTRACT, "not an abstract (flagged not_abstract by the reader)"
    size = len(paper.abstract)
    if size > MAX_ABSTRACT_CHARACTERS:
        reason = (
            f"{size:,} characters, far beyond an abstract (more than {MAX_ABSTRACT_CHARACTERS:,})"
        )
        return TOO_LONG, reason
    return None

"""Write what `summarizer batch` leaves beside its cards: every view, and the report."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from summarizer.errors import SummarizerError
from summarizer.outputs import write_atomically
from summarizer.tables.render import EXTENSIONS, FORMATS
from summarizer.tables.report import render_report
from summarizer.tables.rows import VIEWS
from summarizer.tables.table import build_table

if TYPE_CHECKING:
    from summarizer.cards import PaperCard

BATCH_FORMATS = ("md", "html", "csv")


def write_batch_tables(cards: Sequence[PaperCard], out_dir: Path) -> list[Path]:
    """Write every view as Markdown, HTML and CSV into `out_dir`; the paths written.

    Files are named `VIEW.EXT` (overview.md, overview.html, overview.csv, stages.md, ...);
    rows are grouped by input (a section per input in md/html, a `group` column in CSV).
    Each file is written atomically; `out_dir` is created if missing.
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SummarizerError(f"{out_dir}: cannot create the folder ({exc.strerror})") from None
    written = []
    for view in VIEWS:
        table = build_table(cards, view=view, group_by="file")
        for fmt in BATCH_FORMATS:
            path = out_dir / f"{view}.{EXTENSIONS[fmt]}"
            write_atomically(path, FORMATS[fmt](table))
            written.append(path)
    return written


def write_batch_report(cards: Sequence[PaperCard], path: Path) -> Path:
    """Write the one-page report of a batch's cards (grouped by input) to `path`."""
    write_atomically(path, render_report(cards, group_by="file"))
    return path

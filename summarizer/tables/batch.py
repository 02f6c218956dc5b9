"""Write every view in the formats `summarizer batch` leaves beside its cards."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from summarizer.errors import SummarizerError
from summarizer.tables.render import EXTENSIONS, FORMATS
from summarizer.tables.rows import VIEWS
from summarizer.tables.table import build_table

if TYPE_CHECKING:
    from summarizer.cards import PaperCard

BATCH_FORMATS = ("md", "html", "csv")


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` (UTF-8, newlines untouched) to `path` so readers never see half a file.

    The text goes to a temporary file beside `path`, then replaces it in one step. A
    failure raises SummarizerError naming the path.
    """
    try:
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
    except OSError as exc:
        raise SummarizerError(f"{path}: cannot write ({exc.strerror})") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise SummarizerError(f"{path}: cannot write ({exc.strerror})") from None


def write_batch_tables(cards: Sequence[PaperCard], out_dir: Path) -> list[Path]:
    """Write every view as Markdown, HTML and CSV into `out_dir`; the paths written.

    Files are named `VIEW.EXT` (overview.md, overview.html, overview.csv, stages.md, ...);
    rows are grouped by input file (a section per file in md/html, a `group` column in
    CSV). Each file is written atomically; `out_dir` is created if missing.
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
            write_text_atomic(path, FORMATS[fmt](table))
            written.append(path)
    return written

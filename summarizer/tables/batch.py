"""Write what `summarizer batch` leaves beside its cards: every view, and the report.

Both read the batch's cards file with bounded memory (card_file.py): one pass indexes it
(offsets per input, and counts), a second reads the cards input by input and writes each
row into every file as it comes, so memory stays flat however many cards there are.
"""

from __future__ import annotations

from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from summarizer.errors import SummarizerError
from summarizer.outputs import REPORT_FILE, atomic_text_file
from summarizer.tables.card_file import Place, index_cards
from summarizer.tables.render import EXTENSIONS, WRITERS
from summarizer.tables.report.parts import write_report
from summarizer.tables.rows import VIEWS
from summarizer.tables.table import SectionHead, TableHead

if TYPE_CHECKING:
    from typing import TextIO

    from summarizer.cards import PaperCard
    from summarizer.tables.writer import TableWriter

BATCH_FORMATS = ("md", "html", "csv")
BATCH_GROUPING = "file"


def write_batch_tables(cards_path: Path, out_dir: Path) -> list[Path]:
    """Write every view of a cards file as Markdown, HTML and CSV into `out_dir`.

    Files are named `VIEW.EXT` (overview.md, overview.html, overview.csv, stages.md, ...);
    rows are grouped by input (a section per input in md/html, a `group` column in CSV).
    A paper_id seen twice keeps its first card. The bytes are those `render_table` gives
    for the file's unique cards. Each file is written atomically (a bad card leaves every
    old table as it was); `out_dir` is created if missing. Returns the paths written.
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SummarizerError(f"{out_dir}: cannot create the folder ({exc.strerror})") from None
    rows: dict[Place, Counter[str]] = {}

    def count_rows(place: Place, card: PaperCard) -> None:
        counts = rows.setdefault(place, Counter())
        for name, view in VIEWS.items():
            counts[name] += sum(1 for _ in view.rows(card))

    index = index_cards(cards_path, group_by=BATCH_GROUPING, visit=count_rows)
    paths = [out_dir / f"{view}.{EXTENSIONS[fmt]}" for view in VIEWS for fmt in BATCH_FORMATS]
    with ExitStack() as stack:
        outputs: dict[str, list[tuple[TableWriter, TextIO]]] = {}
        for view in VIEWS:
            total = sum(counts[view] for counts in rows.values())
            head = TableHead(VIEWS[view], BATCH_GROUPING, index.papers, total)
            outputs[view] = [
                (
                    WRITERS[fmt](head),
                    stack.enter_context(atomic_text_file(out_dir / f"{view}.{EXTENSIONS[fmt]}")),
                )
                for fmt in BATCH_FORMATS
            ]
        every = [pair for pairs in outputs.values() for pair in pairs]
        for writer, out in every:
            out.write(writer.begin())
        for section in index.sections:
            for view, pairs in outputs.items():
                head_of = SectionHead(section.name, rows[section.place][view])
                for writer, out in pairs:
                    out.write(writer.open_section(head_of))
            for card in index.read(section.offsets):
                for view, pairs in outputs.items():
                    for row in VIEWS[view].rows(card):
                        for writer, out in pairs:
                            out.write(writer.row(row))
            for writer, out in every:
                out.write(writer.close_section())
        for writer, out in every:
            out.write(writer.end())
    return paths


def write_batch_report(
    cards_path: Path, out_dir: Path, *, part_size: int | None = None
) -> list[Path]:
    """Write `out_dir/report.html` for a cards file, grouped by input; the pages written.

    Up to `part_size` papers (default REPORT_PART_PAPERS) it is one page; beyond, an
    index page and its parts in `out_dir/report-parts/` (summarizer/tables/report/parts.py).
    """
    return write_report(
        cards_path, out_dir / REPORT_FILE, group_by=BATCH_GROUPING, part_size=part_size
    )

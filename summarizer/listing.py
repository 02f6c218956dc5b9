"""Render Paper records for `summarizer papers`: JSONL, CSV or a terminal table."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from typing import TextIO

from summarizer.papers import Paper

CSV_COLUMNS = ("paper_id", "title", "abstract", "file", "index", "warnings", "duplicate_of")


def write_jsonl(papers: Sequence[Paper], out: TextIO) -> None:
    """One JSON object per paper, keys in a fixed order."""
    for paper in papers:
        out.write(json.dumps(paper.to_dict(), ensure_ascii=False) + "\n")


def write_csv(papers: Sequence[Paper], out: TextIO) -> None:
    """RFC 4180 CSV with a header; warnings joined by ';'."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for paper in papers:
        writer.writerow(
            [
                paper.paper_id,
                paper.title,
                paper.abstract,
                paper.source.file,
                paper.source.index,
                ";".join(paper.warnings),
                paper.duplicate_of or "",
            ]
        )
    out.write(buffer.getvalue())


def write_table(papers: Sequence[Paper], out: TextIO) -> None:
    """A readable terminal table (rich), one row per paper; 160 columns when not a terminal."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=False, header_style="bold")
    table.add_column("#", justify="right")
    table.add_column("paper_id", no_wrap=True)
    table.add_column("title", overflow="fold")
    table.add_column("source", no_wrap=True)
    table.add_column("chars", justify="right")
    table.add_column("flags")
    for number, paper in enumerate(papers, start=1):
        flags = list(paper.warnings)
        if paper.duplicate_of:
            flags.append(f"duplicate of {paper.duplicate_of}")
        # Text cells, not strings: a title like "[MASK] tokens" is not rich markup.
        table.add_row(
            Text(str(number)),
            Text(paper.paper_id),
            Text(paper.title),
            Text(f"{paper.source.file}#{paper.source.index}"),
            Text(str(len(paper.abstract))),
            Text(", ".join(flags)),
        )
    console = Console(file=out, width=None if out.isatty() else 160)
    console.print(table)
    unique = sum(paper.duplicate_of is None for paper in papers)
    console.print(Text(f"{len(papers)} papers, {unique} unique"))


WRITERS: dict[str, Callable[[Sequence[Paper], TextIO], None]] = {
    "table": write_table,
    "jsonl": write_jsonl,
    "csv": write_csv,
}

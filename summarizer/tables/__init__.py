"""Comparison tables made from cards alone (no LLM call), in several formats, and a report.

`render_table` turns cards into one view in one format, or into report.html;
`write_batch_tables` writes every view of a cards file as Markdown, HTML and CSV, and
`write_batch_report` its report, for `summarizer batch`, with memory that stays flat
however big the file; `write_report` writes the report of any cards file (one page, or an
index page and parts). See docs/tables.md.
"""

from summarizer.tables.batch import BATCH_FORMATS, write_batch_report, write_batch_tables
from summarizer.tables.render import EXTENSIONS, FORMATS, OUTPUT_FORMATS, REPORT, render_table
from summarizer.tables.report import render_report
from summarizer.tables.report.parts import (
    REPORT_PART_PAPERS,
    parts_folder,
    render_report_file,
    write_report,
)
from summarizer.tables.rows import VIEWS, headline_gain
from summarizer.tables.table import GROUPINGS, build_table

__all__ = [
    "BATCH_FORMATS",
    "EXTENSIONS",
    "FORMATS",
    "GROUPINGS",
    "OUTPUT_FORMATS",
    "REPORT",
    "REPORT_PART_PAPERS",
    "VIEWS",
    "build_table",
    "headline_gain",
    "parts_folder",
    "render_report",
    "render_report_file",
    "render_table",
    "write_batch_report",
    "write_batch_tables",
    "write_report",
]

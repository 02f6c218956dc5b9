"""Comparison tables made from cards alone (no LLM call), in several formats, and a report.

`render_table` turns cards into one view in one format, or into report.html;
`write_batch_tables` writes every view as Markdown, HTML and CSV, and `write_batch_report`
the report, for `summarizer batch`. See docs/tables.md.
"""

from summarizer.tables.batch import BATCH_FORMATS, write_batch_report, write_batch_tables
from summarizer.tables.render import EXTENSIONS, FORMATS, OUTPUT_FORMATS, REPORT, render_table
from summarizer.tables.report import render_report
from summarizer.tables.rows import VIEWS, headline_gain
from summarizer.tables.table import GROUPINGS, build_table

__all__ = [
    "BATCH_FORMATS",
    "EXTENSIONS",
    "FORMATS",
    "GROUPINGS",
    "OUTPUT_FORMATS",
    "REPORT",
    "VIEWS",
    "build_table",
    "headline_gain",
    "render_report",
    "render_table",
    "write_batch_report",
    "write_batch_tables",
]

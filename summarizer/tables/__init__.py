"""Comparison tables made from cards alone (no LLM call), in several formats.

`render_table` turns cards into one view in one format; `write_batch_tables` writes every
view as Markdown, HTML and CSV for `summarizer batch`. See docs/tables.md.
"""

from summarizer.tables.batch import BATCH_FORMATS, write_batch_tables
from summarizer.tables.render import EXTENSIONS, FORMATS, render_table
from summarizer.tables.rows import VIEWS, headline_gain
from summarizer.tables.table import GROUPINGS, build_table

__all__ = [
    "BATCH_FORMATS",
    "EXTENSIONS",
    "FORMATS",
    "GROUPINGS",
    "VIEWS",
    "build_table",
    "headline_gain",
    "render_table",
    "write_batch_tables",
]

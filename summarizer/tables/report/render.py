"""report.html: the report's content in its template, one self-contained page.

Like the HTML tables: every value autoescaped, inline CSS and JS allowed by hash in a
strict Content-Security-Policy (nothing else runs or loads), readable without JS; the
chart is SVG drawn here, on the server side.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from summarizer.tables.assets import asset, inline_assets
from summarizer.tables.render_html import HtmlCells, page_columns
from summarizer.tables.report import chart
from summarizer.tables.report.gather import Report

if TYPE_CHECKING:
    import jinja2

_GEOMETRY = {
    "plot_left": chart.PLOT_LEFT,
    "plot_right": chart.PLOT_RIGHT,
    "label_right": chart.LABEL_RIGHT,
    "values_left": chart.VALUES_LEFT,
    "row": chart.ROW,
    "dot_radius": chart.DOT_RADIUS,
}


@cache
def _page() -> tuple[jinja2.Template, dict[str, str]]:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FunctionLoader(asset),
        autoescape=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    template = environment.get_template("report.html.j2")
    style = asset("table.css") + asset("report.css")
    return template, inline_assets(style, asset("table.js"))


def _overview(report: Report) -> list[dict[str, Any]]:
    table = report.overview
    id_at = table.view.column_names.index("paper_id")
    cells = HtmlCells(table.view)
    return [
        {
            "name": section.name,
            "rows": [(report.anchors[str(row[id_at])], cells(row)) for row in section.rows],
        }
        for section in table.sections
    ]


def report_page_chunks(report: Report) -> Iterator[str]:
    """The report as one HTML page, in pieces as the template makes them."""
    template, assets = _page()
    return template.generate(
        report=report,
        columns=page_columns(report.overview.view),
        overview=_overview(report),
        chart=report.chart,
        geometry=_GEOMETRY,
        **assets,
    )


def render_report_page(report: Report) -> str:
    """The report as one HTML page."""
    return "".join(report_page_chunks(report))

"""The command line: parse arguments, call the library, turn its errors into one line.

Heavy libraries (pydantic, openai, instructor, rich) are imported inside the commands
that need them, so `summarizer --help` starts fast.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from summarizer.errors import SummarizerError

EXIT_PROBLEMS = 1  # the command finished, but some inputs or papers failed
EXIT_INTERRUPTED = 130

# Names of the table options, known here without importing summarizer.tables (a test
# checks they match its dispatch tables).
TABLE_FORMATS = ("md", "csv", "html", "latex", "json")
TABLE_VIEWS = ("overview", "stages", "gains")
TABLE_GROUPINGS = ("file", "contribution", "none")


def _report(message: str) -> None:
    click.echo(f"summarizer: {message}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="summarizer")
def cli() -> None:
    """Turn paper abstracts into structured, grounded cards and comparison tables."""


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "jsonl", "csv"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option("--strict", is_flag=True, help="Stop at the first unreadable input.")
def papers(paths: tuple[str, ...], output_format: str, strict: bool) -> int:
    """Read papers from files, folders (*.txt, *.jsonl, *.csv) or - (stdin).

    Prints one record per paper, in input order, with quality warnings and
    duplicates marked. Exit code 1 when some inputs could not be read.
    """
    from summarizer.listing import WRITERS
    from summarizer.papers import read_papers

    result = read_papers(paths, strict=strict)
    for problem in result.problems:
        _report(str(problem))
    if not result.papers:
        raise result.problems[0] if result.problems else SummarizerError("no papers found")
    WRITERS[output_format](result.papers, sys.stdout)
    return EXIT_PROBLEMS if result.problems else 0


@cli.command()
@click.option(
    "--part",
    type=click.Choice(["card", "fields"]),
    default="card",
    show_default=True,
    help="'card': a finished card (a line of cards.jsonl); 'fields': what an engine fills.",
)
def schema(part: str) -> None:
    """Print the card's JSON Schema (the copy in schemas/ must match it)."""
    from summarizer.cards import render_schema

    click.echo(render_schema(part), nl=False)


@cli.command()
@click.argument("cards_path", metavar="CARDS.jsonl")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(TABLE_FORMATS),
    default="md",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--view",
    type=click.Choice(TABLE_VIEWS),
    default="overview",
    show_default=True,
    help="overview: a row per paper; stages: papers against stage kinds; gains: a row per gain.",
)
@click.option(
    "--group-by",
    type=click.Choice(TABLE_GROUPINGS),
    default="none",
    show_default=True,
    help="Split rows into sections by input file or contribution kind.",
)
@click.option("--sort", metavar="FIELD", help="Sort rows by a column of the view; -FIELD reverses.")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout.")
def table(
    cards_path: str,
    output_format: str,
    view: str,
    group_by: str,
    sort: str | None,
    output: str | None,
) -> None:
    """Make a comparison table from a cards file, with no LLM call.

    The same cards always give the same bytes, so tables can be regenerated at will.
    """
    from pathlib import Path

    from summarizer.cards import read_cards
    from summarizer.tables import render_table, write_text_atomic

    text = render_table(
        read_cards(cards_path), view=view, fmt=output_format, group_by=group_by, sort=sort
    )
    if output is None or output == "-":
        click.echo(text, nl=False)
    else:
        write_text_atomic(Path(output), text)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the CLI; errors become one line on stderr and an exit code."""
    code: Any
    try:
        code = cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except SummarizerError as error:
        _report(str(error))
        code = error.exit_code
    except click.exceptions.Exit as done:
        code = done.exit_code
    except click.ClickException as error:
        error.show()
        code = error.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt):
        _report("interrupted")
        code = EXIT_INTERRUPTED
    except BrokenPipeError:
        code = 0
    sys.exit(code if isinstance(code, int) else 0)

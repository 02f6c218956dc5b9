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


def _print_scores(heading: str, rows: list[tuple[str, str]]) -> None:
    from rich.console import Console
    from rich.table import Table

    click.echo(heading)
    table = Table(show_edge=False)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for metric, value in rows:
        table.add_row(metric, value)
    Console(width=100).print(table)


def _print_json(result: dict[str, Any]) -> None:
    import json

    click.echo(json.dumps(result, indent=2, ensure_ascii=False))


@cli.command("eval")
@click.argument("cards_path", metavar="CARDS.jsonl")
@click.option(
    "--reference",
    "reference_path",
    metavar="REF.jsonl",
    required=True,
    help="Reference cards (title and engine fields per line), matched to cards by title.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def eval_cards(cards_path: str, reference_path: str, as_json: bool) -> None:
    """Score cards against reference cards, field by field."""
    from summarizer.cards import read_cards
    from summarizer.evaluation import card_score_lines, read_reference_cards, score_cards

    references = read_reference_cards(reference_path)
    result = score_cards(read_cards(cards_path), references)
    if as_json:
        _print_json(result)
    else:
        _print_scores(*card_score_lines(result))


@cli.command("eval-roles")
@click.argument("path", metavar="FILE.jsonl")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def eval_roles(path: str, as_json: bool) -> None:
    """Score the offline engine's sentence-role classifier on a CSAbstruct-format file."""
    from summarizer.evaluation import read_role_file, role_score_lines, score_role_file

    result = score_role_file(read_role_file(path))
    if as_json:
        _print_json(result)
    else:
        _print_scores(*role_score_lines(result))


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

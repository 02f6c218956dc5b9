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
@click.option("--strict", is_flag=True, help="Stop at the first unreadable input (exit 2).")
def papers(paths: tuple[str, ...], output_format: str, strict: bool) -> int:
    """Read papers from files, folders (*.txt, *.jsonl, *.csv) or - (stdin).

    Prints one record per paper, in input order, with quality warnings
    (not_abstract, starts_mid_sentence, truncated) and duplicates marked.
    Each input that cannot be read gets one line on stderr.

    \b
    Exit codes:
      0  every input was read
      1  some inputs could not be read, the others were listed
      2  nothing could be read, bad usage, or --strict and a bad input
    """
    from summarizer.listing import WRITERS
    from summarizer.papers import read_papers

    result = read_papers(paths, strict=strict)
    for problem in result.problems:
        _report(str(problem))
    if not result.papers:
        if not result.problems:
            _report("no papers found")
        return SummarizerError.exit_code
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

"""The command line: parse arguments, call the library, turn its errors into one line.

Heavy libraries (pydantic, openai, instructor, rich) are imported inside the commands
that need them, so `summarizer --help` starts fast.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

from summarizer.errors import SummarizerError

if TYPE_CHECKING:
    from summarizer.settings import Option, Settings

F = TypeVar("F", bound=Callable[..., Any])

EXIT_PROBLEMS = 1  # the command finished, but some inputs or papers failed
EXIT_INTERRUPTED = 130

# Names of the table options, known here without importing summarizer.tables (a test
# checks they match its dispatch tables).
TABLE_FORMATS = ("md", "csv", "html", "latex", "json", "report")
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
@click.option(
    "--strict", is_flag=True, help="Stop at the first unreadable input or bad record (exit 2)."
)
def papers(paths: tuple[str, ...], output_format: str, strict: bool) -> int:
    """Read papers from files, folders, - (stdin) or references.

    PATHS are files (.txt page dumps, .jsonl, .csv, .bib, .ris, .json CSL-JSON,
    .atom/.xml arXiv API feeds), folders of them, -, arxiv:ID, arxiv:FILE (one id
    a line) or hf-daily:YYYY-MM-DD (fetched, cached). Prints one record per paper,
    in input order, with quality warnings (not_abstract, starts_mid_sentence,
    truncated) and duplicates (same title, DOI or arXiv id) marked. Each input that
    cannot be read, and each entry skipped (no abstract, a bad record), gets one
    line on stderr.

    \b
    Exit codes:
      0  every input was read (entries without an abstract are skipped)
      1  some inputs or records could not be read, the others were listed
      2  nothing could be read, bad usage, or --strict and a bad input
    """
    from summarizer.listing import WRITERS
    from summarizer.papers import BAD_RECORD, read_papers

    result = read_papers(paths, strict=strict)
    for problem in result.problems:
        _report(str(problem))
    for skipped in result.skipped:
        _report(str(skipped))
    if not result.papers:
        if not result.problems:
            _report("no papers found")
        return SummarizerError.exit_code
    WRITERS[output_format](result.papers, sys.stdout)
    bad_records = any(skipped.kind == BAD_RECORD for skipped in result.skipped)
    return EXIT_PROBLEMS if result.problems or bad_records else 0


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


def _click_option(option: Option) -> Callable[[F], F]:
    """The click option of a declared setting (summarizer.settings)."""
    spec = option.spec
    notes = [f"env: {spec.env}"] if spec.env else []
    if spec.default_note is not None:
        notes.append(f"default: {spec.default_note}")
    elif option.default is not None and option.kind is not bool:
        notes.append(
            f"default: {option.default:g}" if option.kind is float else f"default: {option.default}"
        )
    help_text = spec.help + (f" [{'; '.join(notes)}]" if notes else "")
    kind: Any
    if option.kind is bool:  # a flag: given, it sets the opposite of the default
        return click.option(option.flag, option.name, is_flag=True, default=False, help=help_text)
    if spec.choices is not None:
        kind = click.Choice(spec.choices)
    elif option.kind is int:
        kind = click.IntRange(min=None if spec.minimum is None else int(spec.minimum))
    elif option.kind is float:
        kind = click.FloatRange(min=spec.minimum, min_open=spec.minimum_open)
    else:
        kind = click.STRING
    metavar = "NAME" if option.name == "engine" else None
    return click.option(option.flag, option.name, type=kind, metavar=metavar, help=help_text)


def engine_options(command: F) -> F:
    """The options that choose and tune the engine, shared by summarize and batch: one
    per declared setting that may be a flag."""
    from summarizer.settings import options

    for option in reversed(options()):
        if option.spec.cli:
            command = _click_option(option)(command)
    return command


def settings_from(options: dict[str, Any], *, quiet: bool = False) -> Settings:
    """Resolve the engine options of a command (flags, then environment, then defaults);
    the options are taken out of `options`."""
    from summarizer.settings import options as declared
    from summarizer.settings import resolve_settings

    given: dict[str, Any] = {}
    for option in declared():
        if not option.spec.cli:
            continue
        value = options.pop(option.name)
        if option.kind is bool:
            value = (not option.default) if value else None
        given[option.name] = value
    settings = resolve_settings(**given)
    if settings.engine_note and not quiet:
        _report(settings.engine_note)
    return settings


def _read_abstract(source: str | None, abstract: str | None) -> str:
    if abstract is not None:
        if source is not None:
            raise click.UsageError("give FILE or --abstract, not both")
        return abstract
    if source is None:
        if sys.stdin.isatty():
            raise click.UsageError("give FILE, - (stdin) or --abstract TEXT")
        source = "-"
    from summarizer.papers import decode_text

    if source == "-":
        return decode_text(sys.stdin.buffer.read(), "<stdin>")
    from pathlib import Path

    from summarizer.errors import InputError

    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        raise InputError(source, f"cannot read ({exc.strerror})") from None
    return decode_text(data, source)


@cli.command()
@click.argument("source", required=False, metavar="[FILE|-]")
@click.option("--title", help="The paper's title (helps the engine name the method).")
@click.option("--abstract", help="The abstract's text, instead of FILE.")
@click.option("--json", "as_json", is_flag=True, help="Print the card as one JSON object.")
@engine_options
def summarize(
    source: str | None, title: str | None, abstract: str | None, as_json: bool, **options: Any
) -> None:
    """Summarize one abstract (FILE, - for stdin, or --abstract) into a card."""
    from summarizer.api import Summarizer
    from summarizer.card_view import write_card

    text = _read_abstract(source, abstract)
    with Summarizer(settings_from(options)) as summarizer:
        card = summarizer.summarize(text, title)
    if as_json:
        click.echo(card.model_dump_json())
    else:
        write_card(card, sys.stdout)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "-o", "--out-dir", default="out", show_default=True, help="Folder for cards, errors, tables."
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=8,
    show_default=True,
    help="Requests in flight at most (fewer while the endpoint answers 429).",
)
@click.option("--limit", type=click.IntRange(min=0), help="Summarize only the first N papers.")
@click.option(
    "--dry-run", is_flag=True, help="Count papers, cache hits, tokens and cost; no request."
)
@click.option("--quiet", is_flag=True, help="No progress output.")
@click.option("--strict", is_flag=True, help="Stop at the first unreadable input or bad record.")
@click.option(
    "--start-over",
    is_flag=True,
    help="Move OUT_DIR's earlier cards, errors, run.json and tables into "
    "OUT_DIR/previous-TIME/ first (never deleted), e.g. to change the model or mode.",
)
@click.option(
    "--no-skip",
    is_flag=True,
    help="Card records flagged as not abstracts, and texts far longer than an abstract, "
    "too (skipped by default).",
)
@click.option("--prices", type=click.Path(dir_okay=False), help="A price table (TOML) to use.")
@click.option(
    "--batch-api",
    is_flag=True,
    help="Send the papers through the provider's Batch API: about half the price, "
    "answers within 24 h (docs/batch-api.md).",
)
@click.option(
    "--no-wait",
    is_flag=True,
    help="With --batch-api: submit, collect batches that have ended, and exit; run the "
    "same command again to collect the rest.",
)
@click.option(
    "--batch-retry",
    type=click.Choice(["online", "batch"]),
    help="With --batch-api: ask lines that failed in a batch again online (with the "
    "normal re-ask) or in a follow-up batch. [default: online]",
)
@click.option(
    "--cancel-batches",
    is_flag=True,
    help="Cancel OUT_DIR's batches still running at the provider, and exit; the next "
    "--batch-api run collects what they finished.",
)
@click.option(
    "--batch-max-requests",
    type=click.IntRange(min=1),
    metavar="N",
    help="With --batch-api: requests per batch at most. [default: 50000]",
)
@click.option(
    "--batch-max-bytes",
    type=click.IntRange(min=1),
    metavar="N",
    help="With --batch-api: bytes per batch input file at most. [default: 200000000]",
)
@click.option(
    "--batch-max-tokens",
    type=click.IntRange(min=1),
    metavar="N",
    help="With --batch-api: estimated prompt tokens per batch at most (for an "
    "enqueued-token limit). [default: none]",
)
@click.option(
    "--poll-interval",
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    help="With --batch-api: seconds before the first poll; slower, up to 2 minutes, "
    "while nothing changes. [default: 10]",
)
@click.option(
    "--ray",
    "use_ray",
    is_flag=True,
    help="Summarize on Ray (the `ray` extra): the cluster --ray-address or RAY_ADDRESS "
    "names, else a local Ray. --concurrency is then the total over all actors.",
)
@click.option("--ray-address", metavar="ADDRESS", help="Join this Ray cluster (implies --ray).")
@click.option("--actors", type=click.IntRange(min=1), help="Ray actors [default: one per CPU].")
@click.option(
    "--actor-concurrency",
    type=click.IntRange(min=1),
    help="Requests in flight per Ray actor [default: --concurrency split over the actors].",
)
@click.option(
    "--actor-cpus",
    type=click.FloatRange(min=0, min_open=True),
    help="CPUs each Ray actor reserves [default: 1].",
)
@engine_options
def batch(
    paths: tuple[str, ...],
    out_dir: str,
    concurrency: int,
    limit: int | None,
    dry_run: bool,
    quiet: bool,
    strict: bool,
    start_over: bool,
    no_skip: bool,
    prices: str | None,
    batch_api: bool,
    no_wait: bool,
    batch_retry: str | None,
    cancel_batches: bool,
    batch_max_requests: int | None,
    batch_max_bytes: int | None,
    batch_max_tokens: int | None,
    poll_interval: float | None,
    use_ray: bool,
    ray_address: str | None,
    actors: int | None,
    actor_concurrency: int | None,
    actor_cpus: float | None,
    **options: Any,
) -> int:
    """Summarize every paper of files, folders or references into cards and tables.

    PATHS are read as by `summarizer papers`: files, folders, -, arxiv:ID,
    arxiv:FILE or hf-daily:YYYY-MM-DD. Outputs go to OUT_DIR.

    Each unique paper is summarized once; a re-run with the same OUT_DIR resumes, making
    no request for papers already in OUT_DIR/cards.jsonl. One run at a time uses an
    OUT_DIR, and all its cards share one recipe (engine, model, mode, prompt, ...): a
    run with other settings stops before any request (exit 2). Exit code 1 when some
    papers or inputs failed (see OUT_DIR/errors.jsonl), 130 when interrupted.

    With --batch-api the papers go through the provider's Batch API; batches still
    running when the command ends (--no-wait, Ctrl-C) are listed in
    OUT_DIR/batch-api.json and collected by the same command run again.

    With --ray, actors on a Ray cluster make the cards (docs/scale-out.md); the outputs
    are the same.
    """
    from pathlib import Path

    from summarizer import batch as batch_runner
    from summarizer.progress import progress_for
    from summarizer.scaleout.options import RayOptions

    batch_only = {
        "--no-wait": no_wait,
        "--batch-retry": batch_retry is not None,
        "--batch-max-requests": batch_max_requests is not None,
        "--batch-max-bytes": batch_max_bytes is not None,
        "--batch-max-tokens": batch_max_tokens is not None,
        "--poll-interval": poll_interval is not None,
    }
    given = [name for name, present in batch_only.items() if present]
    if given and not batch_api:
        raise click.UsageError(f"{given[0]} needs --batch-api")
    use_ray = use_ray or ray_address is not None
    ray_only = {
        "--actors": actors,
        "--actor-concurrency": actor_concurrency,
        "--actor-cpus": actor_cpus,
    }
    given = [name for name, value in ray_only.items() if value is not None]
    if given and not use_ray:
        raise click.UsageError(f"{given[0]} needs --ray")
    if use_ray and batch_api:
        raise click.UsageError("--ray and --batch-api do not go together")
    ray = RayOptions(ray_address, actors, actor_concurrency, actor_cpus) if use_ray else None
    settings = settings_from(options, quiet=quiet)
    prices_file = Path(prices) if prices else None
    if cancel_batches:
        from summarizer.batch_api import cancel_batches as cancel

        done = cancel(Path(out_dir), settings)
        batches = "batch" if done.cancelled == 1 else "batches"
        click.echo(
            f"cancelled {done.cancelled} {batches} holding {done.papers} papers in {out_dir}"
            + (f" ({done.ended} had ended already)" if done.ended else "")
            + "; the next run with --batch-api collects what they finished and asks "
            "again for the rest"
        )
        return 0
    if dry_run:
        plan = batch_runner.dry_run(
            paths,
            Path(out_dir),
            settings,
            limit=limit,
            strict=strict,
            no_skip=no_skip,
            prices_file=prices_file,
            batch_api=batch_api,
        )
        click.echo(plan.summary())
        return 0
    options_for_batch_api = None
    if batch_api:
        from summarizer.batch_api import BatchAPIOptions, BatchLimits

        defaults = BatchLimits()
        options_for_batch_api = BatchAPIOptions(
            wait=not no_wait,
            retry="batch" if batch_retry == "batch" else "online",
            limits=BatchLimits(
                max_requests=batch_max_requests or defaults.max_requests,
                max_bytes=batch_max_bytes or defaults.max_bytes,
                max_tokens=batch_max_tokens,
            ),
            poll_seconds=BatchAPIOptions().poll_seconds if poll_interval is None else poll_interval,
        )
    report = batch_runner.run_batch(
        paths,
        Path(out_dir),
        settings,
        concurrency=concurrency,
        limit=limit,
        strict=strict,
        no_skip=no_skip,
        start_over=start_over,
        progress=progress_for(quiet),
        prices_file=prices_file,
        batch_api=options_for_batch_api,
        ray=ray,
    )
    for problem in [*report.unreadable_inputs, *report.bad_records]:
        _report(problem)
    if report.moved_aside:
        _report(f"moved the earlier run's outputs to {report.moved_aside}")
    click.echo(report.summary())
    if report.interrupted:
        return EXIT_INTERRUPTED
    if report.stopped_by:
        raise SummarizerError(report.stopped_by)
    return EXIT_PROBLEMS if report.failed or report.unreadable_inputs or report.bad_records else 0


@cli.group()
def cache() -> None:
    """Inspect or empty the cache of cards."""


_CACHE_DIR_OPTION = click.option("--cache-dir", help="Cache folder [env: SUMMARIZER_CACHE_DIR].")


@cache.command("stats")
@_CACHE_DIR_OPTION
def cache_stats(cache_dir: str | None) -> None:
    """Show where the cache is, how many answers it holds and its size.

    A damaged, locked or unusable cache is one line on stderr and exit code 2.
    """
    from summarizer.cache import open_cache

    with open_cache(cache_dir) as store:
        stats = store.stats()
    click.echo(f"folder: {stats.directory}")
    click.echo(f"entries: {stats.entries}")
    click.echo(f"size: {stats.size_bytes / 1024:.1f} KiB")


@cache.command("clear")
@_CACHE_DIR_OPTION
def cache_clear(cache_dir: str | None) -> None:
    """Remove every cached answer (cards already written are kept).

    A damaged cache database is rebuilt: diskcache's files are removed (nothing else in
    the folder) and an empty cache is made.
    """
    from summarizer.cache import open_cache

    with open_cache(cache_dir) as store:
        cleared = store.clear()
    if cleared.damage is None:
        click.echo(f"removed {cleared.removed} cached answers from {store.directory}")
    else:
        click.echo(
            f"rebuilt the damaged cache in {store.directory} ({cleared.damage}); "
            "its answers could not be read and are gone"
        )


@cli.command()
@click.argument("cards_path", metavar="CARDS.jsonl")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(TABLE_FORMATS),
    default="md",
    show_default=True,
    help="Output format; report: one HTML page with the overview, a chart of the gains, "
    "the stage matrix and every paper's card and abstract.",
)
@click.option(
    "--view",
    type=click.Choice(TABLE_VIEWS),
    help="overview (the default): a row per paper; stages: papers against stage kinds; "
    "gains: a row per gain. Not with --format report, which shows them all.",
)
@click.option(
    "--group-by",
    type=click.Choice(TABLE_GROUPINGS),
    default="none",
    show_default=True,
    help="Split rows into sections by input file or contribution kind.",
)
@click.option("--sort", metavar="FIELD", help="Sort rows by a column of the view; -FIELD reverses.")
@click.option(
    "--raw-csv",
    is_flag=True,
    help="CSV: keep cells starting with = + - @ exactly (spreadsheets may run them as "
    "formulas; by default they get a leading ').",
)
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout.")
def table(
    cards_path: str,
    output_format: str,
    view: str | None,
    group_by: str,
    sort: str | None,
    raw_csv: bool,
    output: str | None,
) -> None:
    """Make a comparison table, or the report page, from a cards file, with no LLM call.

    The same cards always give the same bytes, so tables can be regenerated at will.
    """
    from pathlib import Path

    from summarizer.cards import read_cards
    from summarizer.outputs import write_atomically
    from summarizer.tables import REPORT, render_report_file, render_table, write_report
    from summarizer.tables.render import check_format_options

    to_stdout = output is None or output == "-"
    if output_format == REPORT:
        # Read from the file with bounded memory; a big report is written in parts.
        check_format_options(REPORT, view=view, raw_csv=raw_csv)
        if to_stdout:
            text = render_report_file(Path(cards_path), group_by=group_by, sort=sort)
            click.echo(text, nl=False)
        else:
            write_report(Path(cards_path), Path(str(output)), group_by=group_by, sort=sort)
        return
    text = render_table(
        read_cards(cards_path),
        view=view,
        fmt=output_format,
        group_by=group_by,
        sort=sort,
        raw_csv=raw_csv,
    )
    if to_stdout:
        click.echo(text, nl=False)
    else:
        write_atomically(Path(str(output)), text)


@cli.command("serve-local")
@click.option(
    "--model-path",
    metavar="FILE.gguf",
    help="A GGUF model file. Default: SmolLM2-135M-Instruct, bundled by the 'local' extra.",
)
@click.option(
    "--alias",
    metavar="NAME",
    help="The model name clients pass as --model. Default: smollm2 for the bundled "
    "model, else the file's name without .gguf.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8080,
    show_default=True,
    help="Port to listen on; 0 picks a free one.",
)
@click.option(
    "--n-ctx",
    type=click.IntRange(min=256),
    default=8192,
    show_default=True,
    help="Context window in tokens (prompt and answer together).",
)
@click.option("--threads", type=click.IntRange(min=1), help="CPU threads [default: all cores].")
@click.option(
    "--startup-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=120.0,
    show_default=True,
    help="Seconds to wait for the model to load.",
)
def serve_local(
    model_path: str | None,
    alias: str | None,
    host: str,
    port: int,
    n_ctx: int,
    threads: int | None,
    startup_timeout: float,
) -> int:
    """Serve a local GGUF model through llama.cpp's OpenAI-compatible server.

    Needs the 'local' extra (pip install -e '.[local]'). Prints the --base-url and
    --model to give summarize and batch, then serves until Ctrl-C.
    """
    from pathlib import Path

    from summarizer.local import server as local_server

    settings = local_server.resolve_settings(
        model_path=Path(model_path) if model_path is not None else None,
        alias=alias,
        host=host,
        port=port,
        n_ctx=n_ctx,
        threads=threads,
        startup_timeout=startup_timeout,
    )
    return local_server.serve(settings, announce=click.echo)


def _print_scores(
    heading: str,
    rows: Sequence[tuple[str, ...]],
    columns: Sequence[str] = ("metric", "value"),
) -> None:
    from rich.console import Console
    from rich.table import Table

    click.echo(heading)
    table = Table(show_edge=False)
    table.add_column(columns[0])
    for column in columns[1:]:
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(*row)
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


@cli.command("eval-aclsum")
@click.argument("path", metavar="ACLSUM.jsonl")
@click.option(
    "--cards",
    "cards_path",
    metavar="CARDS.jsonl",
    help="Cards to score, matched by title (default: run the offline engine on the papers).",
)
@click.option(
    "--write-papers",
    "papers_path",
    metavar="PAPERS.jsonl",
    help="Also write the papers (title, abstract) for `summarizer batch`.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def eval_aclsum(path: str, cards_path: str | None, papers_path: str | None, as_json: bool) -> None:
    """Score problem and method against ACLSum's human challenge and approach summaries."""
    from summarizer import evaluation_aclsum as aclsum
    from summarizer.cards import read_cards

    papers = aclsum.read_aclsum_file(path)
    if papers_path is not None:
        aclsum.write_papers(papers, papers_path)
    fields = (
        aclsum.card_fields(read_cards(cards_path))
        if cards_path is not None
        else aclsum.offline_fields(papers)
    )
    result = aclsum.score_aclsum(fields, papers)
    if as_json:
        _print_json(result)
    else:
        _print_scores(*aclsum.aclsum_score_lines(result), columns=aclsum.ACLSUM_COLUMNS)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the CLI; errors become one line on stderr and an exit code."""
    # Like other Unix tools, end quietly when the reader of our output goes away
    # (`summarizer papers seeds/ | head`), instead of reporting a broken pipe.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    code: Any
    try:
        code = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="summarizer",
            standalone_mode=False,
        )
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

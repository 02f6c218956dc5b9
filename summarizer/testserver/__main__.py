"""`python -m summarizer.testserver`: serve until Ctrl-C or SIGTERM.

The first line on stdout is the base URL (e.g. http://127.0.0.1:PORT/v1), flushed, so a
script can start the server with --port 0 and read where it listens.
"""

from __future__ import annotations

import asyncio
import importlib
import signal
import sys
from collections.abc import Callable
from typing import Any

import click

from summarizer.testserver import MISSING_AIOHTTP, require_aiohttp
from summarizer.testserver.answers import Answerer
from summarizer.testserver.config import (
    BATCH_FAULTS,
    COMPLETION_WINDOW_SECONDS,
    DEFAULT_BATCH_FAULTS,
    DEFAULT_FAULTS,
    OPENAI_MAX_BATCH_FILE_BYTES,
    OPENAI_MAX_BATCH_REQUESTS,
    BatchConfig,
    ServerConfig,
    parse_fault_list,
)

_SECONDS = click.FloatRange(min=0)


def _faults(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    try:
        return parse_fault_list(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _batch_faults(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    try:
        return parse_fault_list(value, allowed=BATCH_FAULTS)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


# The Batch API's options; each is a BatchConfig field with a "batch_" prefix.
_BATCH_OPTIONS = (
    click.option("--batch-validation-seconds", type=_SECONDS, default=0.0, show_default=True),
    click.option(
        "--batch-seconds", type=_SECONDS, default=0.0, show_default=True, help="Run time."
    ),
    click.option(
        "--batch-seconds-per-request",
        type=_SECONDS,
        default=0.0,
        show_default=True,
        help="Run time added per line.",
    ),
    click.option("--batch-finalizing-seconds", type=_SECONDS, default=0.0, show_default=True),
    click.option("--batch-cancelling-seconds", type=_SECONDS, default=0.0, show_default=True),
    click.option(
        "--batch-expiry-seconds",
        type=click.FloatRange(min=0, min_open=True),
        default=float(COMPLETION_WINDOW_SECONDS),
        show_default=True,
        help="Seconds from creation until an unfinished batch expires.",
    ),
    click.option(
        "--batch-fault-rate", type=click.FloatRange(0, 1), default=0.0, help="Line fault rate."
    ),
    click.option(
        "--batch-faults",
        default=",".join(DEFAULT_BATCH_FAULTS),
        show_default=True,
        callback=_batch_faults,
        help="Comma-separated faults a line can meet.",
    ),
    click.option(
        "--batch-max-requests",
        type=click.IntRange(min=1),
        default=OPENAI_MAX_BATCH_REQUESTS,
        show_default=True,
    ),
    click.option(
        "--batch-max-file-bytes",
        type=click.IntRange(min=1),
        default=OPENAI_MAX_BATCH_FILE_BYTES,
        show_default=True,
    ),
    click.option(
        "--batch-enqueued-token-limit",
        type=click.IntRange(min=1),
        default=None,
        help="Prompt tokens one model's running batches may hold.",
    ),
    click.option(
        "--batch-shuffle-output/--batch-keep-order",
        default=True,
        show_default=True,
        help="Shuffle output lines, as OpenAI does not promise their order.",
    ),
)


def _with_batch_options(command: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(_BATCH_OPTIONS):
        command = option(command)
    return command


def _answerer(ctx: click.Context, param: click.Parameter, value: str | None) -> Answerer | None:
    if value is None:
        return None
    module_name, _, attribute = value.partition(":")
    try:
        found: Any = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError, ValueError):
        raise click.BadParameter(f"cannot import {value!r} (expected module:function)") from None
    if not callable(found):
        raise click.BadParameter(f"{value!r} is not callable")
    answerer: Answerer = found
    return answerer


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="0 picks a free port.")
@click.option("--latency", type=click.FloatRange(min=0), default=0.0, help="Seconds per answer.")
@click.option("--jitter", type=click.FloatRange(min=0), default=0.0, help="Latency +/- this.")
@click.option("--fault-rate", type=click.FloatRange(0, 1), default=0.0, help="Fault probability.")
@click.option(
    "--faults",
    default=",".join(DEFAULT_FAULTS),
    show_default=True,
    callback=_faults,
    help="Comma-separated faults to draw from.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the fault draws.")
@click.option("--stall-seconds", type=click.FloatRange(min=0), default=30.0, show_default=True)
@click.option("--retry-after", type=click.FloatRange(min=0), default=1.0, show_default=True)
@click.option("--max-concurrent", type=click.IntRange(min=1), default=None, help="429 beyond.")
@click.option("--require-key", default=None, help="Demand 'Authorization: Bearer KEY'.")
@click.option("--context-tokens", type=click.IntRange(min=1), default=None, help="Context size.")
@click.option("--model", "models", multiple=True, help="Model listed by /v1/models (repeatable).")
@click.option("--answerer", default=None, callback=_answerer, help="module:function answerer.")
@_with_batch_options
def main(
    host: str,
    port: int,
    latency: float,
    jitter: float,
    fault_rate: float,
    faults: tuple[str, ...],
    seed: int,
    stall_seconds: float,
    retry_after: float,
    max_concurrent: int | None,
    require_key: str | None,
    context_tokens: int | None,
    models: tuple[str, ...],
    answerer: Answerer | None,
    **batch_options: Any,
) -> None:
    """Run the OpenAI-compatible test server (see docs/test-server.md)."""
    config = ServerConfig(
        host=host,
        port=port,
        latency=latency,
        jitter=jitter,
        fault_rate=fault_rate,
        faults=faults,
        seed=seed,
        stall_seconds=stall_seconds,
        retry_after=retry_after,
        max_concurrent=max_concurrent,
        require_key=require_key,
        context_tokens=context_tokens,
        batch=BatchConfig(
            **{name.removeprefix("batch_"): value for name, value in batch_options.items()}
        ),
    )
    if models:
        config.models = models
    if answerer is not None:
        config.answerer = answerer
    try:
        asyncio.run(_serve(config))
    except OSError as exc:
        click.echo(f"testserver: cannot listen on {host}:{port} ({exc.strerror})", err=True)
        sys.exit(2)


async def _serve(config: ServerConfig) -> None:
    from summarizer.testserver.app import Server

    server = Server(config)
    print(await server.start(), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    try:
        await stop.wait()
    finally:
        await server.stop()


if __name__ == "__main__":
    try:
        require_aiohttp()
    except ImportError:
        print(f"testserver: {MISSING_AIOHTTP}", file=sys.stderr)
        sys.exit(2)
    main()

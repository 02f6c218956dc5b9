"""`python -m summarizer.testserver`: serve until Ctrl-C or SIGTERM.

The first line on stdout is the base URL (e.g. http://127.0.0.1:PORT/v1), flushed, so a
script can start the server with --port 0 and read where it listens.
"""

from __future__ import annotations

import asyncio
import importlib
import signal
import sys
from typing import Any

import click

from summarizer.testserver.answers import Answerer
from summarizer.testserver.app import Server
from summarizer.testserver.config import DEFAULT_FAULTS, ServerConfig, parse_fault_list


def _faults(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    try:
        return parse_fault_list(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


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
    main()

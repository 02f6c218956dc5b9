"""Run the real entry point (`summarizer.cli.main`) in-process, as a user would."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

import click
from click.testing import CliRunner, Result

from summarizer.cli import main

# A fixed, colourless terminal, so outputs are exact.
TERMINAL_ENV: dict[str, str | None] = {
    "COLUMNS": "160",
    "LINES": "50",
    "NO_COLOR": "1",
    "FORCE_COLOR": None,
    "TTY_COMPATIBLE": None,
    "TTY_INTERACTIVE": None,
}


class _MainEntry:
    """Lets CliRunner drive `summarizer.cli.main`, the real entry point (errors, exit codes)."""

    name = "summarizer"

    def main(self, args: Sequence[str], prog_name: str | None = None, **extra: Any) -> None:
        main(list(args))


def run_cli(
    *args: str, stdin: str | bytes | None = None, env: Mapping[str, str | None] | None = None
) -> Result:
    """Exit code, stdout and stderr of `summarizer ARGS...`."""
    return CliRunner().invoke(
        cast(click.Command, _MainEntry()),
        list(args),
        input=stdin,
        env={**TERMINAL_ENV, **(env or {})},
        catch_exceptions=False,
    )

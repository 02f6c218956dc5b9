"""A local OpenAI-compatible chat-completions and Batch API server for tests and benchmarks.

It answers the requests instructor sends in its tools, json_schema, json and md_json
modes with a deterministic card of the paper in the prompt, and injects latency and
faults (HTTP errors, dropped connections, stalls, broken answers) on demand, seeded or
scripted. Its Files and Batches endpoints run the same answers as OpenAI batches do, on
a clock a test can move. See docs/test-server.md.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, Any

from summarizer.testserver.answers import Answerer, PaperText, heuristic_card
from summarizer.testserver.clock import ManualClock
from summarizer.testserver.config import (
    BATCH_FAULTS,
    CONTENT_FAULTS,
    DEFAULT_BATCH_FAULTS,
    DEFAULT_FAULTS,
    FAULTS,
    OUTCOMES,
    BatchConfig,
    ServerConfig,
    parse_fault_list,
)
from summarizer.testserver.stats import ServerStats, StatsSnapshot

if TYPE_CHECKING:
    from summarizer.testserver.app import Server, running_server

# The web framework is a development tool, not a dependency of summarizer itself.
MISSING_AIOHTTP = (
    "the test server needs aiohttp, which comes with the 'testserver' extra "
    "(pip install -e '.[testserver]', or '.[dev]')"
)


def require_aiohttp() -> None:
    """ImportError with the install command when aiohttp is missing."""
    if importlib.util.find_spec("aiohttp") is None:
        raise ImportError(MISSING_AIOHTTP)


def __getattr__(name: str) -> Any:
    # The server itself is imported on use, so that the rest of the package (and a clear
    # message about aiohttp) works without it.
    if name in ("Server", "running_server"):
        require_aiohttp()
        from summarizer.testserver import app

        return getattr(app, name)
    raise AttributeError(f"module 'summarizer.testserver' has no attribute {name!r}")


__all__ = [
    "BATCH_FAULTS",
    "CONTENT_FAULTS",
    "DEFAULT_BATCH_FAULTS",
    "DEFAULT_FAULTS",
    "FAULTS",
    "OUTCOMES",
    "Answerer",
    "BatchConfig",
    "ManualClock",
    "PaperText",
    "Server",
    "ServerConfig",
    "ServerStats",
    "StatsSnapshot",
    "heuristic_card",
    "parse_fault_list",
    "running_server",
]

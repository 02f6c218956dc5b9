"""A local OpenAI-compatible chat-completions server for tests and benchmarks.

It answers the requests instructor sends in its tools, json_schema, json and md_json
modes with a deterministic card of the paper in the prompt, and injects latency and
faults (HTTP errors, dropped connections, stalls, broken answers) on demand, seeded or
scripted. See docs/test-server.md.
"""

from __future__ import annotations

from summarizer.testserver.answers import Answerer, PaperText, heuristic_card
from summarizer.testserver.app import Server, running_server
from summarizer.testserver.config import (
    CONTENT_FAULTS,
    DEFAULT_FAULTS,
    FAULTS,
    OUTCOMES,
    ServerConfig,
    parse_fault_list,
)
from summarizer.testserver.stats import ServerStats, StatsSnapshot

__all__ = [
    "CONTENT_FAULTS",
    "DEFAULT_FAULTS",
    "FAULTS",
    "OUTCOMES",
    "Answerer",
    "PaperText",
    "Server",
    "ServerConfig",
    "ServerStats",
    "StatsSnapshot",
    "heuristic_card",
    "parse_fault_list",
    "running_server",
]

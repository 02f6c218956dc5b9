"""A local OpenAI-compatible chat-completions and Batch API server for tests and benchmarks.

It answers the requests instructor sends in its tools, json_schema, json and md_json
modes with a deterministic card of the paper in the prompt, and injects latency and
faults (HTTP errors, dropped connections, stalls, broken answers) on demand, seeded or
scripted. Its Files and Batches endpoints run the same answers as OpenAI batches do, on
a clock a test can move. See docs/test-server.md.
"""

from __future__ import annotations

from summarizer.testserver.answers import Answerer, PaperText, heuristic_card
from summarizer.testserver.app import Server, running_server
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

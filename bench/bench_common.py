"""What the benchmarks share: the machine's description and the test server in a process.

Imported by the bench scripts, which run from the repo (`python bench/bench_X.py`).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def machine() -> str:
    """Cores, CPU model and Python version, for the benchmark pages."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


@contextmanager
def test_server(*options: str) -> Iterator[str]:
    """The repo's test server in its own process (so its CPU is not the client's), with
    `python -m summarizer.testserver` options; yields its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "summarizer.testserver", "--port", "0", *options],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    base_url = process.stdout.readline().strip()
    try:
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)


def server_stats(base_url: str) -> dict[str, Any]:
    """The test server's counters (GET /_stats)."""
    with urllib.request.urlopen(base_url.removesuffix("/v1") + "/_stats") as answer:
        stats: dict[str, Any] = json.load(answer)
    return stats


def reset_server(base_url: str) -> None:
    """Zero the test server's counters and restart its faults (POST /_reset)."""
    request = urllib.request.Request(base_url.removesuffix("/v1") + "/_reset", method="POST")
    urllib.request.urlopen(request).close()

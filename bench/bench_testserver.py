"""Throughput of the test server: chat completions per second, zero latency.

Starts `python -m summarizer.testserver --port 0` in its own process (as the batch
benchmarks do), then sends tools-mode requests shaped like instructor's, one per seed
paper in turn, from an httpx.AsyncClient with a fixed number in flight.

    python bench/bench_testserver.py [--requests 3000] [--concurrency 16] [--latency 0]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx  # the openai SDK 3.x sends through httpx2

from summarizer.cards import CardFields
from summarizer.papers import read_papers

REPO = Path(__file__).resolve().parents[1]


def request_bodies() -> list[bytes]:
    """One instructor-style tools-mode request per unique seed paper."""
    schema = CardFields.model_json_schema()
    tool = {
        "type": "function",
        "function": {"name": "CardFields", "description": "A card.", "parameters": schema},
    }
    papers = [p for p in read_papers([str(REPO / "seeds")]).papers if p.duplicate_of is None]
    return [
        json.dumps(
            {
                "model": "test-model",
                "temperature": 0,
                "messages": [
                    {"role": "system", "content": "Summarize the paper as a card."},
                    {"role": "user", "content": _paper_message(p.title, p.abstract)},
                ],
                "tools": [tool],
                "tool_choice": {"type": "function", "function": {"name": "CardFields"}},
            }
        ).encode()
        for p in papers
    ]


def _paper_message(title: str, abstract: str) -> str:
    return f"<title>{title}</title>\n<abstract>\n{abstract}\n</abstract>"


async def drive(base_url: str, bodies: list[bytes], requests: int, concurrency: int) -> float:
    """Send `requests` requests with `concurrency` in flight; returns the wall time."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:

        async def worker(queue: Iterator[int]) -> None:
            for number in queue:
                body = bodies[number % len(bodies)]
                response = await client.post("/chat/completions", content=body, headers=headers)
                response.raise_for_status()

        warm_up = iter(range(concurrency))  # opens the connections before the clock starts
        await asyncio.gather(*(worker(warm_up) for _ in range(concurrency)))
        queue = iter(range(requests))
        start = time.perf_counter()
        await asyncio.gather(*(worker(queue) for _ in range(concurrency)))
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()
    bodies = request_bodies()
    command = [sys.executable, "-m", "summarizer.testserver", "--port", "0"]
    command += ["--latency", str(args.latency)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        base_url = server.stdout.readline().strip()
        seconds = asyncio.run(drive(base_url, bodies, args.requests, args.concurrency))
        stats = httpx.get(base_url.removesuffix("/v1") + "/_stats").json()
        server_cpu = _cpu_seconds(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)
    python = platform.python_version()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {python}")
    print(f"{args.requests} requests, concurrency {args.concurrency}, latency {args.latency} s")
    print(f"wall {seconds:.2f} s, {args.requests / seconds:.0f} requests/s")
    if args.latency:
        ideal = args.requests * args.latency / args.concurrency
        print(f"ideal {ideal:.2f} s, ratio {seconds / ideal:.3f}")
    print(f"server: {stats['requests']} requests, max in flight {stats['max_in_flight']}")
    client_cpu = time.process_time()
    print(f"cpu seconds: server {server_cpu:.2f}, client {client_cpu:.2f} (start-up included)")
    print(f"server cpu per request {server_cpu / stats['requests'] * 1000:.2f} ms")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()

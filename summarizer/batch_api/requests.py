"""Request lines of a Batch API input file, and their split into batches.

A line is `{"custom_id", "method": "POST", "url": "/v1/chat/completions", "body"}`, where
`body` is exactly what the online engine sends for the paper (LLMEngine.conversation)
and `custom_id` is the paper's cache key: 64 hex characters, within the 64 that
providers enforcing a limit allow (Anthropic, Zhipu; OpenAI documents none). Lines are
grouped in input order into batches that keep to the provider's limits on requests,
bytes and (optionally) estimated prompt tokens per batch (PartSize), as the papers
stream in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from summarizer.batch_api.provider import ENDPOINT

# OpenAI's limits per batch (Batch guide, "Rate limits"; the SDK's batches.create
# docstring): 50,000 requests and 200 MB. Bytes are counted as 10^6 per MB, the smaller
# reading, so a file at the default limit fits either way.
DEFAULT_MAX_REQUESTS = 50_000
DEFAULT_MAX_BYTES = 200_000_000


@dataclass(frozen=True)
class BatchLimits:
    """How much one batch may hold; `max_tokens` (estimated prompt tokens) is for
    organizations whose enqueued-token limit is smaller than a full batch."""

    max_requests: int = DEFAULT_MAX_REQUESTS
    max_bytes: int = DEFAULT_MAX_BYTES
    max_tokens: int | None = None


@dataclass(frozen=True)
class RequestLine:
    """One request of an input file: its custom_id and the JSONL line (newline included)."""

    custom_id: str
    data: bytes

    @property
    def estimated_tokens(self) -> int:
        """About four bytes per prompt token, the estimate the engine checks context with."""
        return len(self.data) // 4


def request_line(custom_id: str, body: dict[str, Any]) -> RequestLine:
    """The input-file line that asks `body` of the chat-completions endpoint."""
    record = {"custom_id": custom_id, "method": "POST", "url": ENDPOINT, "body": body}
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
    return RequestLine(custom_id, text.encode("utf-8"))


def too_large(line: RequestLine, limits: BatchLimits) -> str | None:
    """Why the line fits in no batch under these limits, or None."""
    if len(line.data) > limits.max_bytes:
        return f"its request is {len(line.data):,} bytes, more than --batch-max-bytes"
    if limits.max_tokens is not None and line.estimated_tokens > limits.max_tokens:
        return (
            f"its request is about {line.estimated_tokens:,} tokens, more than --batch-max-tokens"
        )
    return None


@dataclass
class PartSize:
    """What a batch being filled holds so far, against the limits."""

    requests: int = 0
    bytes: int = 0
    tokens: int = 0

    def fits(self, line: RequestLine, limits: BatchLimits) -> bool:
        """Whether the line may join (an empty batch takes any line that fits alone)."""
        if not self.requests:
            return True
        tokens_over = (
            limits.max_tokens is not None
            and self.tokens + line.estimated_tokens > limits.max_tokens
        )
        return (
            self.requests + 1 <= limits.max_requests
            and self.bytes + len(line.data) <= limits.max_bytes
            and not tokens_over
        )

    def add(self, line: RequestLine) -> None:
        self.requests += 1
        self.bytes += len(line.data)
        self.tokens += line.estimated_tokens

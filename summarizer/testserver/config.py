"""What the test server does: latency, injected faults, limits, and the answerer.

`ServerConfig` is read on every request, so a test may change a field of a running
server's config (latency, fault_rate, faults...) and the next request sees it. The fault
RNG is only re-seeded from `seed` by `Server.reset()`. `BatchConfig` (its `batch` field)
says how the Batch API behaves: how long each stage of a batch takes on `clock`, which
faults its lines meet, and the limits it enforces.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from summarizer.testserver.answers import Answerer, heuristic_card

OK = "ok"

# Outcomes answered with an HTTP error status and an OpenAI-style error body.
ERROR_OUTCOMES = ("429", "500", "503", "401", "404", "400_context")
# Outcomes answered 200 with a broken card inside.
CONTENT_FAULTS = ("bad_json", "schema_invalid", "truncated", "ungrounded")
# Outcomes that break the transport rather than the answer.
TRANSPORT_FAULTS = ("drop", "stall")

FAULTS: tuple[str, ...] = ERROR_OUTCOMES + TRANSPORT_FAULTS + CONTENT_FAULTS
OUTCOMES: tuple[str, ...] = (OK, *FAULTS)

# What a batch meets from a flaky endpoint: the default pool of random faults.
DEFAULT_FAULTS: tuple[str, ...] = (
    "429",
    "500",
    "503",
    "drop",
    "stall",
    "bad_json",
    "schema_invalid",
    "truncated",
    "ungrounded",
)


# What a line of a batch can meet: no transport faults (there is no connection to drop).
BATCH_FAULTS: tuple[str, ...] = ERROR_OUTCOMES + CONTENT_FAULTS
DEFAULT_BATCH_FAULTS: tuple[str, ...] = ("429", "500", "503", *CONTENT_FAULTS)

# OpenAI's own limits (platform.openai.com/docs/guides/batch, "Rate limits").
OPENAI_MAX_BATCH_REQUESTS = 50_000
OPENAI_MAX_BATCH_FILE_BYTES = 200 * 1024 * 1024
# The only completion window OpenAI accepts, in seconds.
COMPLETION_WINDOW_SECONDS = 24 * 60 * 60


def check_outcomes(names: Iterable[str], *, allowed: tuple[str, ...] = OUTCOMES) -> tuple[str, ...]:
    """The names as a tuple; ValueError naming the first unknown one."""
    checked = tuple(names)
    for name in checked:
        if name not in allowed:
            raise ValueError(f"unknown outcome {name!r} (known: {', '.join(allowed)})")
    return checked


def parse_fault_list(text: str, *, allowed: tuple[str, ...] = FAULTS) -> tuple[str, ...]:
    """`"429,500,drop"` -> ("429", "500", "drop"); ValueError on an unknown fault."""
    names = [part.strip() for part in text.split(",") if part.strip()]
    return check_outcomes(names, allowed=allowed)


@dataclass
class BatchConfig:
    """How the Batch API behaves; the defaults finish a batch at its first poll.

    Stage times are seconds on `ServerConfig.clock`. A batch validates for
    `validation_seconds`, then runs its lines for `seconds + seconds_per_request * lines`
    (line i of n is done at i/n of that), finalizes for `finalizing_seconds`, and is
    completed; a cancelled one spends `cancelling_seconds` cancelling. A batch whose lines
    are not all done `expiry_seconds` after its creation expires.
    """

    validation_seconds: float = 0.0
    seconds: float = 0.0
    seconds_per_request: float = 0.0
    finalizing_seconds: float = 0.0
    cancelling_seconds: float = 0.0
    expiry_seconds: float = float(COMPLETION_WINDOW_SECONDS)
    # Probability that a line gets a fault drawn from `faults` (seeded by ServerConfig.seed).
    fault_rate: float = 0.0
    faults: tuple[str, ...] = DEFAULT_BATCH_FAULTS
    max_requests: int = OPENAI_MAX_BATCH_REQUESTS
    max_file_bytes: int = OPENAI_MAX_BATCH_FILE_BYTES
    # Prompt tokens of one model's batches validating or running at once (None: no limit).
    enqueued_token_limit: int | None = None
    # OpenAI does not promise the input order: a seeded shuffle keeps clients honest.
    shuffle_output: bool = True

    def __post_init__(self) -> None:
        self.faults = check_outcomes(self.faults, allowed=BATCH_FAULTS)
        for name in (
            "validation_seconds",
            "seconds",
            "seconds_per_request",
            "finalizing_seconds",
            "cancelling_seconds",
        ):
            _check(getattr(self, name) >= 0, f"batch {name} must be >= 0")
        _check(self.expiry_seconds > 0, "batch expiry_seconds must be > 0")
        _check(0.0 <= self.fault_rate <= 1.0, "batch fault_rate must be between 0 and 1")
        _check(self.max_requests >= 1, "batch max_requests must be >= 1")
        _check(self.max_file_bytes >= 1, "batch max_file_bytes must be >= 1")
        _check(
            self.enqueued_token_limit is None or self.enqueued_token_limit >= 1,
            "batch enqueued_token_limit must be >= 1",
        )


@dataclass
class ServerConfig:
    """How the test server behaves; every field has a harmless default."""

    host: str = "127.0.0.1"
    port: int = 0
    # Seconds added to every answer, plus a uniform draw in [-jitter, +jitter].
    latency: float = 0.0
    jitter: float = 0.0
    # Probability that a request gets a fault drawn from `faults`.
    fault_rate: float = 0.0
    faults: tuple[str, ...] = DEFAULT_FAULTS
    seed: int = 0
    stall_seconds: float = 30.0
    # Seconds sent in Retry-After with every 429.
    retry_after: float = 1.0
    # More requests than this in flight at once get a 429 (None: no limit).
    max_concurrent: int | None = None
    # When set, a request without `Authorization: Bearer <key>` gets a 401.
    require_key: str | None = None
    # When set, a prompt estimated above this many tokens gets a 400 context_length_exceeded.
    context_tokens: int | None = None
    models: tuple[str, ...] = ("test-model",)
    answerer: Answerer = field(default=heuristic_card)
    batch: BatchConfig = field(default_factory=BatchConfig)
    # Seconds since the epoch: the Batch API's time (a test may pass a ManualClock).
    clock: Callable[[], float] = time.time

    def __post_init__(self) -> None:
        self.faults = check_outcomes(self.faults, allowed=FAULTS)
        _check(self.latency >= 0, "latency must be >= 0")
        _check(self.jitter >= 0, "jitter must be >= 0")
        _check(0.0 <= self.fault_rate <= 1.0, "fault_rate must be between 0 and 1")
        _check(self.stall_seconds >= 0, "stall_seconds must be >= 0")
        _check(self.retry_after >= 0, "retry_after must be >= 0")
        _check(self.max_concurrent is None or self.max_concurrent >= 1, "max_concurrent >= 1")
        _check(self.context_tokens is None or self.context_tokens >= 1, "context_tokens >= 1")
        _check(0 <= self.port <= 65535, "port must be between 0 and 65535")


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)

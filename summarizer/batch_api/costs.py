"""What a Batch API run cost: answers read from batches at the Batch API's price, the
rest of the run's requests (online retries and re-asks) at the online price."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from summarizer.cards import Usage
from summarizer.prices import estimate_batch_cost, estimate_cost, load_prices

if TYPE_CHECKING:
    from summarizer.batch_api.source import BatchAPITally


def usage_dict(usage: Usage) -> dict[str, int]:
    """A usage as run.json writes it (with its total)."""
    return {**usage.model_dump(), "total_tokens": usage.total_tokens}


def _minus(whole: Usage, part: Usage) -> Usage:
    return Usage(
        requests=max(0, whole.requests - part.requests),
        prompt_tokens=max(0, whole.prompt_tokens - part.prompt_tokens),
        completion_tokens=max(0, whole.completion_tokens - part.completion_tokens),
    )


def batch_api_costs(
    tally: BatchAPITally, model: str | None, run_usage: Usage, prices_file: Path | None
) -> dict[str, Any]:
    """The run's costs: `estimated_cost_usd` (batch answers at the Batch API price, online
    requests at the online price), each part, and what it all would cost online.

    `run_usage` is the usage of every result the run recorded; the batch answers among
    them are `tally.recorded_batch_usage`, the rest went online.
    """
    prices = load_prices(prices_file)
    batch = tally.batch_usage
    online = _minus(run_usage, tally.recorded_batch_usage)
    batch_cost = estimate_batch_cost(prices, model, batch.prompt_tokens, batch.completion_tokens)
    online_cost = estimate_cost(prices, model, online.prompt_tokens, online.completion_tokens)
    both = batch + online
    equivalent = estimate_cost(prices, model, both.prompt_tokens, both.completion_tokens)
    total = None if batch_cost is None or online_cost is None else batch_cost + online_cost
    return {
        "usage_online": usage_dict(online),
        "cost_batch_usd": batch_cost,
        "cost_online_usd": online_cost,
        "estimated_cost_usd": total,
        "online_equivalent_cost_usd": equivalent,
    }

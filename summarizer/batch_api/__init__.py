"""Papers through a provider's Batch API: submitted once, collected later, at its price.

`run_batch(..., batch_api=BatchAPIOptions())` (the CLI's `batch --batch-api`) builds one
request per paper exactly as the online engine would, submits them as batches, polls,
and turns each answer into a card with the online engine's parsing, validation and
grounding; failed lines are retried online or in a follow-up batch. The modules, one job
each: requests (JSONL lines, split by limits), provider (the openai SDK's Files and
Batches calls), state (what the folder has at the provider), submit, results (reading
result files), collect (deciding each paper), source (the run: a result per paper),
costs, cancel. docs/batch-api.md tells the whole story.
"""

from summarizer.batch_api.cancel import Cancelled, cancel_batches
from summarizer.batch_api.costs import batch_api_costs
from summarizer.batch_api.options import BatchAPIOptions, RetryVia
from summarizer.batch_api.requests import BatchLimits
from summarizer.batch_api.source import BatchAPISource, BatchAPITally
from summarizer.batch_api.state import open_keys, open_state

__all__ = [
    "BatchAPIOptions",
    "BatchAPISource",
    "BatchAPITally",
    "BatchLimits",
    "Cancelled",
    "RetryVia",
    "batch_api_costs",
    "cancel_batches",
    "open_keys",
    "open_state",
]

"""The same pipeline on a Ray cluster (Ray Data), for runs one machine cannot carry.

`summarizer batch --ray` (driver.py) and `summarize_dataset` (api.py) put papers into a
Ray Dataset whose blocks go through a pool of actors (actor.py), each holding one
`Summarizer`: prompt, schema, grounding and cache are the local ones. Requests in flight
are bounded over the whole cluster by one shared budget (budget.py); options.py splits
it over the actors; rows.py carries papers, cards and errors between processes.

Ray is imported only where it is used, never when summarizer is imported: the core
install runs without it (the `ray` extra installs it).
"""

from summarizer.scaleout.api import summarize_dataset
from summarizer.scaleout.options import RayOptions

__all__ = ["RayOptions", "summarize_dataset"]

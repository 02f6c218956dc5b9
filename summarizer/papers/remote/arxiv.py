"""Papers by arXiv id, from the arXiv API (an Atom feed per request).

Ids go in batches through `id_list` (with `max_results` set, or the API stops at 10),
one request every 3 seconds, as arXiv's API terms ask. The base URL is read from
SUMMARIZER_ARXIV_API when a read starts (a mirror, or a test server).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

from summarizer.errors import FetchError, InputError
from summarizer.papers.atom import parse_atom
from summarizer.papers.identifiers import strip_version
from summarizer.papers.model import Record
from summarizer.papers.remote.http import Fetcher

ENV_ARXIV_API = "SUMMARIZER_ARXIV_API"
DEFAULT_ARXIV_API = "https://export.arxiv.org/api/query"
REQUEST_INTERVAL = 3.0  # seconds between two requests (arXiv's API terms)
BATCH_SIZE = 100  # ids per request: well under the few hundred a URL should carry


def arxiv_api(environ: Mapping[str, str] | None = None) -> str:
    """The arXiv API's query URL: SUMMARIZER_ARXIV_API, else export.arxiv.org."""
    env = os.environ if environ is None else environ
    return env.get(ENV_ARXIV_API) or DEFAULT_ARXIV_API


def query_url(api: str, ids: Sequence[str]) -> str:
    """The query for a batch of ids: the same ids give the same URL (the cache key)."""
    return f"{api}?{urlencode({'id_list': ','.join(ids), 'max_results': len(ids)})}"


def _check_feed(body: bytes) -> None:
    # "Rate exceeded." or an HTML error page must not be cached as an answer.
    parse_atom(body.decode("utf-8", "replace"), "the arXiv API's answer")


def fetch_arxiv(ids: Sequence[str], fetcher: Fetcher, api: str) -> dict[str, Record]:
    """The records the API has for these ids, by id without version; missing ids absent.

    Raises FetchError when the API cannot be reached or answers with an error.
    """
    wanted = sorted(set(ids))
    found: dict[str, Record] = {}
    for start in range(0, len(wanted), BATCH_SIZE):
        url = query_url(api, wanted[start : start + BATCH_SIZE])
        try:
            body = fetcher.get(url, interval=REQUEST_INTERVAL, validate=_check_feed)
            reading = parse_atom(body.decode("utf-8", "replace"), "the arXiv API's answer")
        except InputError as error:
            host = url.split("/")[2] if "://" in url else url
            raise FetchError(host, error.problem, hint=error.hint) from None
        for record in reading.records:
            if record.arxiv_id:
                found.setdefault(strip_version(record.arxiv_id), record)
    return found

"""A day's Hugging Face daily-papers list, from its JSON API.

`GET .../api/daily_papers?date=YYYY-MM-DD` answers a JSON list of items, each with the
paper's arXiv id (`paper.id`), title, abstract (`paper.summary`), authors and upvotes.
Pages of up to 100 are asked until one is empty, repeats, or is shorter than the first.
The URL is read from SUMMARIZER_HF_DAILY_API when a read starts (a mirror, a test server).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

from summarizer.errors import FetchError, InputError
from summarizer.papers.csljson import records_of_items
from summarizer.papers.model import FileReading
from summarizer.papers.remote.http import Fetcher

ENV_HF_DAILY_API = "SUMMARIZER_HF_DAILY_API"
DEFAULT_HF_DAILY_API = "https://huggingface.co/api/daily_papers"
REQUEST_INTERVAL = 1.0
PAGE_SIZE = 100
MAX_PAGES = 10
# Today's list still grows: it is asked again after an hour. Past days never change.
TODAY_EXPIRES = 3600.0


def hf_daily_api(environ: Mapping[str, str] | None = None) -> str:
    """The daily-papers API URL: SUMMARIZER_HF_DAILY_API, else huggingface.co's."""
    env = os.environ if environ is None else environ
    return env.get(ENV_HF_DAILY_API) or DEFAULT_HF_DAILY_API


def page_url(api: str, day: date, page: int) -> str:
    """The URL of one page of a day's list."""
    return f"{api}?{urlencode({'date': day.isoformat(), 'limit': PAGE_SIZE, 'p': page})}"


def _items(body: bytes, host: str) -> list[Any]:
    try:
        items = json.loads(body)
    except (ValueError, RecursionError):
        raise FetchError(host, f"{host} answered with something that is not JSON") from None
    if not isinstance(items, list):
        raise FetchError(host, f"{host} answered with JSON that is not a list of papers")
    return items


def _paper_key(item: Any) -> str:
    paper = item.get("paper") if isinstance(item, dict) else None
    return str(paper.get("id")) if isinstance(paper, dict) else json.dumps(item, sort_keys=True)


def fetch_hf_daily(day: date, fetcher: Fetcher, api: str, where: str) -> FileReading:
    """The day's papers as records (`where` names the input in skipped entries)."""
    today = datetime.now(UTC).date()
    if day > today:
        raise InputError(where, f"{day.isoformat()} has not come yet (today is {today})")
    expire = TODAY_EXPIRES if day == today else None
    host = api.split("/")[2] if "://" in api else api
    items: list[Any] = []
    seen: set[str] = set()
    first_size = 0
    for page in range(MAX_PAGES):
        body = fetcher.get(
            page_url(api, day, page),
            interval=REQUEST_INTERVAL,
            expire=expire,
            validate=lambda body: _items(body, host),
        )
        batch = _items(body, host)
        new = [item for item in batch if _paper_key(item) not in seen]
        seen.update(map(_paper_key, new))
        items.extend(new)
        # The list ends with an empty page, a page of nothing new (paging not honoured),
        # or a page shorter than the first (the server may cap `limit` below ours).
        first_size = first_size or len(batch)
        if not new or len(batch) < first_size:
            break
    if not items:
        raise InputError(
            where,
            f"Hugging Face lists no papers for {day.isoformat()}",
            hint="there are none on weekends and holidays; check the date",
        )
    return records_of_items(
        (f"{where}: item {number}", item) for number, item in enumerate(items, 1)
    )

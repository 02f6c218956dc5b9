"""Polite, cached GET requests to paper sources (the arXiv API, Hugging Face).

Every answer is kept in a disk cache keyed by its URL, so a re-run makes no request.
Requests to one host are spaced (arXiv asks for one every 3 seconds, from one
connection at a time) and carry a User-Agent naming summarizer. Failures become one
`FetchError` saying what to do: no connection, too slow, rate limited, or refused.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from summarizer.errors import FetchError

if TYPE_CHECKING:
    import diskcache
    import httpx2

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0
ATTEMPTS = 3
MAX_RETRY_AFTER = 60.0
MIN_BACKOFF = 1.0  # seconds before the first retry when the server names no wait
_RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
OFFLINE_HINT = "check your connection, or give files instead"

# When each host was last asked, across every Fetcher of this process: spacing holds
# even when one run reads several inputs from the same service.
_last_request: dict[str, float] = {}
_spacing_lock = threading.Lock()


class _Transient(Exception):
    """An answer worth waiting for and asking again (429, 5xx, a timeout)."""

    def __init__(self, error: FetchError, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


def _user_agent() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("summarizer")
    except PackageNotFoundError:
        release = "dev"
    return f"summarizer/{release} (research-paper summarizer; polite batch fetcher)"


def _retry_after(response: httpx2.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    try:
        return min(max(float(value), 0.0), MAX_RETRY_AFTER)
    except ValueError:
        return None


class Fetcher:
    """GET with a URL-keyed disk cache, per-host spacing and bounded retries."""

    def __init__(
        self,
        cache_dir: Path | None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx2.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.cache_dir = cache_dir
        self.timeout = timeout
        self.requests_made = 0
        self._transport = transport
        self._sleep = sleep or time.sleep
        self._client: httpx2.Client | None = None
        self._cache: diskcache.Cache | None = None

    # --- cache ---------------------------------------------------------------------

    def _store(self) -> diskcache.Cache | None:
        if self._cache is None and self.cache_dir is not None:
            import diskcache

            try:
                self.cache_dir.mkdir(parents=True, exist_ok=True)
                self._cache = diskcache.Cache(str(self.cache_dir))
            except Exception as exc:  # no cache is slower, never wrong
                log.warning("fetch cache unavailable in %s: %s", self.cache_dir, exc)
                self.cache_dir = None
        return self._cache

    def cached(self, url: str) -> bytes | None:
        """The stored answer for a URL, if any."""
        store = self._store()
        if store is None:
            return None
        try:
            value = store.get(url)
        except Exception as exc:
            log.warning("fetch cache read failed: %s", exc)
            return None
        return value if isinstance(value, bytes) else None

    def _keep(self, url: str, body: bytes, expire: float | None) -> None:
        store = self._store()
        if store is None:
            return
        try:
            store.set(url, body, expire=expire)
        except Exception as exc:
            log.warning("fetch cache write failed: %s", exc)

    # --- requests ------------------------------------------------------------------

    def _http(self) -> httpx2.Client:
        if self._client is None:
            import httpx2

            self._client = httpx2.Client(
                headers={"User-Agent": _user_agent()},
                timeout=self.timeout,
                follow_redirects=True,
                transport=self._transport,
            )
        return self._client

    def _wait_turn(self, host: str, interval: float) -> None:
        with _spacing_lock:
            last = _last_request.get(host)
            now = time.monotonic()
            if last is not None and now - last < interval:
                self._sleep(interval - (now - last))
            _last_request[host] = time.monotonic()

    def _request(self, url: str, host: str, interval: float) -> bytes:
        import httpx2

        self._wait_turn(host, interval)
        self.requests_made += 1
        try:
            response = self._http().get(url)
        except httpx2.TimeoutException:
            raise _Transient(
                FetchError(
                    host, f"{host} did not answer within {self.timeout:g} s", hint=OFFLINE_HINT
                )
            ) from None
        except httpx2.TransportError as exc:
            raise FetchError(host, f"cannot reach {host}: {exc}", hint=OFFLINE_HINT) from None
        status = response.status_code
        if status in _RETRIED_STATUSES:
            problem = (
                f"{host} is limiting requests (HTTP 429)"
                if status == 429
                else f"{host} failed (HTTP {status})"
            )
            hint = "wait a few minutes and run again: answers already fetched are cached"
            raise _Transient(
                FetchError(host, problem, status=status, hint=hint), _retry_after(response)
            )
        if status >= 400:
            raise FetchError(host, f"{host} refused the request (HTTP {status})", status=status)
        return response.content

    def get(
        self,
        url: str,
        *,
        interval: float,
        expire: float | None = None,
        validate: Callable[[bytes], object] | None = None,
    ) -> bytes:
        """The body of a GET to `url`: from the cache, else asked (spaced, retried) and kept.

        `interval` is the least time between two requests to the URL's host; `expire`
        how long the answer stays cached (None: until the cache is cleared). `validate`
        raises on a body that must not be kept (an error page served with HTTP 200).
        """
        body = self.cached(url)
        if body is not None:
            return body
        host = urlsplit(url).hostname or url
        from tenacity import Retrying, retry_if_exception_type, stop_after_attempt

        retrying = Retrying(
            retry=retry_if_exception_type(_Transient),
            stop=stop_after_attempt(ATTEMPTS),
            wait=lambda state: _wait_before_retry(state, interval),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            body = retrying(self._request, url, host, interval)
        except _Transient as exc:
            raise exc.error from None
        if validate is not None:
            validate(body)
        self._keep(url, body, expire)
        return body

    def close(self) -> None:
        """Close the connection pool and the cache."""
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cache is not None:
            self._cache.close()
            self._cache = None

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _wait_before_retry(state: Any, interval: float) -> float:
    """Retry-After when the server gave one, else a doubling multiple of the spacing."""
    outcome = state.outcome
    error = outcome.exception() if outcome is not None else None
    if isinstance(error, _Transient) and error.retry_after is not None:
        return error.retry_after
    return float(max(interval, MIN_BACKOFF) * 2 ** (state.attempt_number - 1))

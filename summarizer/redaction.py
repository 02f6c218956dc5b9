"""Keep secrets out of every message: the API key, and credentials inside a base URL.

Servers echo what they were sent ("Incorrect API key provided: sk-..."), and a base URL
may carry `user:password@` or an `api-key=` query. Error texts reach stderr, errors.jsonl,
run.json and card warnings, so every error made from something an endpoint or a library
said passes through `redact_error` with the run's secrets, and every URL shown to a
person goes through `display_url`.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

if TYPE_CHECKING:
    from summarizer.errors import SummarizerError

MASK = "***"
# Query parameters that carry credentials (Azure's api-key, signed URLs, tokens).
_SECRET_PARAMETER = re.compile(
    r"(?:^|[-_])(?:api[-_]?key|key|token|secret|password|passwd|pwd|sig|signature|auth|"
    r"access[-_]?token|credential|credentials)$",
    re.IGNORECASE,
)
# Any `scheme://user:password@` in a text, whoever wrote it.
_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s@]+@")
# Shorter values would mask ordinary words and numbers, and are no real secret.
_MIN_SECRET_LENGTH = 4


def url_secrets(url: str | None) -> list[str]:
    """The credentials written inside a URL: user, password (also as the Basic-auth
    token a client makes of them), secret query values."""
    if not url:
        return []
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    found = [value for value in (parts.username, parts.password) if value]
    if parts.username and parts.password:
        # HTTP clients send URL credentials as Basic auth, which a server may echo.
        pair = f"{unquote(parts.username)}:{unquote(parts.password)}".encode()
        found.append(base64.b64encode(pair).decode())
    found += [
        value
        for name, value in parse_qsl(parts.query, keep_blank_values=False)
        if _SECRET_PARAMETER.search(name)
    ]
    return found


def display_url(url: str) -> str:
    """The URL as it may be shown: no `user:password@`, secret query values masked."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return _USERINFO.sub(rf"\g<scheme>{MASK}@", url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@{netloc.rsplit('@', 1)[1]}"
    query = "&".join(
        f"{name}={MASK if _SECRET_PARAMETER.search(name) else value}"
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret, and any URL's `user:password@`, replaced by ***."""
    for secret in sorted(
        {value for value in secrets if len(value) >= _MIN_SECRET_LENGTH}, key=len, reverse=True
    ):
        text = text.replace(secret, MASK)
    return _USERINFO.sub(rf"\g<scheme>{MASK}@", text)


def redact_error(error: SummarizerError, secrets: Iterable[str]) -> SummarizerError:
    """The same error with its message and hint redacted (changed in place, returned)."""
    values = tuple(secrets)
    error.message = redact(error.message, values)
    if error.hint is not None:
        error.hint = redact(error.hint, values)
    error.args = (error.message,)
    return error

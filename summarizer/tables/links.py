"""Where a paper can be read: one link per card, the same in every table format and report.

The arXiv abstract page when the card's source has an arXiv id, else the DOI resolver,
else the source's own URL. Only http(s) addresses are links: anything else (`javascript:`,
`data:`, `file:`, a relative path) gives no link, and the text stays plain text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

if TYPE_CHECKING:
    from summarizer.cards import PaperCard

LINK_SCHEMES = ("http", "https")
# What may stay as it is in a link: RFC 3986's reserved and unreserved characters and `%`.
# Everything else (spaces, quotes, < > { } | \ ^ `, controls, non-ASCII) is percent-encoded,
# so a link can go into HTML, Markdown and LaTeX without breaking out of its place.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%-._~"


def _encoded(text: str, safe: str) -> str:
    return quote(text, safe=safe)


def web_url(url: str) -> str | None:
    """`url` percent-encoded where needed, if it is an absolute http(s) URL; else None."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:  # an unbalanced [ in the host part
        return None
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.netloc:
        return None
    return _encoded(url, _URL_SAFE)


def paper_url(card: PaperCard) -> str | None:
    """The card's paper on the web: arXiv abstract page, else DOI, else its URL; or None."""
    source = card.source
    if source is None:
        return None
    if source.arxiv_id and source.arxiv_id.strip():
        return f"https://arxiv.org/abs/{_encoded(source.arxiv_id.strip(), '/')}"
    if source.doi and source.doi.strip():
        return f"https://doi.org/{_encoded(source.doi.strip(), '/:;()')}"
    return web_url(source.url) if source.url else None

"""DOIs, arXiv ids, years and author names as readers find them, in one normal form.

A DOI is bare and lower-case ("10.18653/v1/2020.acl-main.1"); an arXiv id has no
version ("2401.01234", "hep-th/9901001"); an author is "Given Family".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# New-style ids (since 2007): YYMM.NNNN or YYMM.NNNNN; old-style: archive[.SUBJECT]/YYMMNNN.
_ARXIV_NEW = r"\d{4}\.\d{4,5}"
_ARXIV_OLD = r"[a-z]+(?:-[a-z]+)*(?:\.[A-Za-z]{2})?/\d{7}"
_ARXIV_ID = rf"(?:{_ARXIV_NEW}|{_ARXIV_OLD})"
_BARE_ARXIV = re.compile(rf"(?:arxiv:\s*)?({_ARXIV_ID})(?:v\d+)?", re.I)
_ARXIV_URL = re.compile(rf"arxiv\.org/(?:abs|pdf|html|format)/({_ARXIV_ID})(?:v\d+)?", re.I)
_ARXIV_DOI = re.compile(rf"^10\.48550/arxiv\.({_ARXIV_ID})(?:v\d+)?$", re.I)
# "arXiv:2401.01234" inside free text: a note, a journal name ("arXiv preprint arXiv:...").
_ARXIV_MENTION = re.compile(rf"\barxiv:\s*({_ARXIV_ID})(?:v\d+)?\b", re.I)
_VERSION = re.compile(r"v\d+$")

_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_PREFIX = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.I)
# "John Smith, Jr." is not "Family, Given".
_NAME_SUFFIX = re.compile(r"(?:jr|sr|ii|iii|iv)\.?", re.I)
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|2\d\d\d)(?!\d)")


def _canonical_arxiv(found: str) -> str | None:
    """Old-style ids drop their subject class ("math.GT/0309136" -> "math/0309136");
    a new-style id has five digits after the dot since 2015 (YYMM 1501)."""
    if "/" in found:
        archive, number = found.split("/", 1)
        return f"{archive.split('.', 1)[0].lower()}/{number}"
    month, number = found.split(".")
    return found if (len(number) == 5) == (int(month) >= 1501) else None


def normalize_arxiv_id(value: object) -> str | None:
    """An arXiv id without version from an id ("arXiv:2401.01234v2"), a URL or a DOI."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    for pattern in (_ARXIV_URL, _ARXIV_DOI):
        found = pattern.search(text)
        if found:
            return _canonical_arxiv(found.group(1))
    bare = _BARE_ARXIV.fullmatch(text)
    return _canonical_arxiv(bare.group(1)) if bare else None


def arxiv_id_in_text(value: object) -> str | None:
    """An id written as "arXiv:NNNN.NNNNN" somewhere in free text."""
    if not isinstance(value, str):
        return None
    found = _ARXIV_MENTION.search(value)
    return _canonical_arxiv(found.group(1)) if found else None


def strip_version(arxiv_id: str) -> str:
    """ "2401.01234v2" -> "2401.01234"."""
    return _VERSION.sub("", arxiv_id)


def normalize_doi(value: object) -> str | None:
    """A bare, lower-case DOI from "10.x/y", "doi:10.x/y" or a doi.org URL; else None."""
    if not isinstance(value, str):
        return None
    text = _DOI_PREFIX.sub("", value.strip()).rstrip(".,;")
    return text.lower() if _DOI.match(text) else None


def year_from(value: object) -> int | None:
    """The year of a number (2024), or of a date in any text ("2024-03-01", "Mar 2024")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1800 <= value <= 2999 else None
    if isinstance(value, float) and value.is_integer():
        return year_from(int(value))
    if isinstance(value, str):
        found = _YEAR.search(value)
        return int(found.group(1)) if found else None
    return None


def display_name(name: str) -> str:
    """ "Family, Given" -> "Given Family"; other forms are kept; spacing collapsed."""
    text = " ".join(name.split())
    parts = [part.strip() for part in text.split(",")]
    if len(parts) == 2 and all(parts) and not _NAME_SUFFIX.fullmatch(parts[1]):
        return f"{parts[1]} {parts[0]}"
    return text


def clean_authors(names: Iterable[object]) -> tuple[str, ...]:
    """Display names of the non-empty text items, in order."""
    cleaned = (display_name(name) for name in names if isinstance(name, str))
    return tuple(name for name in cleaned if name)


def find_arxiv_id(candidates: Iterable[object], texts: Iterable[object] = ()) -> str | None:
    """The first arXiv id among ids, URLs and DOIs, else the first "arXiv:..." in texts."""
    for candidate in candidates:
        found = normalize_arxiv_id(candidate)
        if found:
            return found
    return next(filter(None, map(arxiv_id_in_text, texts)), None)


def find_doi(candidates: Iterable[object]) -> str | None:
    """The first candidate that is a DOI (an arXiv DOI counts: it names the preprint)."""
    return next(filter(None, map(normalize_doi, candidates)), None)


def arxiv_url(arxiv_id: str) -> str:
    """The paper's abstract page on arXiv."""
    return f"https://arxiv.org/abs/{arxiv_id}"


def doi_url(doi: str) -> str:
    """The DOI's resolver link."""
    return f"https://doi.org/{doi}"


def best_url(url: str | None, arxiv_id: str | None, doi: str | None) -> str | None:
    """The input's own link, else one built from the arXiv id, else from the DOI."""
    if url:
        return url
    if arxiv_id:
        return arxiv_url(arxiv_id)
    return doi_url(doi) if doi else None


def web_url(value: object) -> str | None:
    """An http(s) URL, trimmed; anything else (a local file, "N/A") is None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text if re.match(r"^https?://\S+$", text, re.I) else None

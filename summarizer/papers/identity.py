"""A paper's id, and which papers are the same paper (title, DOI or arXiv id)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace

from summarizer.papers.model import Paper


def normalize_title(title: str) -> str:
    """The title as compared for duplicates: case, accents, punctuation and spacing ignored."""
    text = unicodedata.normalize("NFKD", title)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(re.findall(r"[^\W_]+", text))


def paper_id_for(title: str) -> str:
    """A short, stable, file-name-safe id: a slug of the title's first words plus a hash."""
    normalized = normalize_title(title)
    # A title of punctuation only normalizes to ""; hash its own text so that two such
    # titles do not share an id.
    hashed = normalized or " ".join(title.split())
    digest = hashlib.sha256(hashed.encode()).hexdigest()[:8]
    ascii_words = re.findall(r"[a-z0-9]+", normalized.encode("ascii", "ignore").decode())
    slug = ""
    for word in ascii_words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > 24:
            break
        slug = candidate
    return f"{slug}-{digest}" if slug else digest


def _identity_keys(paper: Paper) -> list[str]:
    """Every key that names this paper: its title, and its DOI and arXiv id when known."""
    title_key = normalize_title(paper.title) or " ".join(paper.title.split())
    keys = [f"title:{title_key}"]
    if paper.source.doi:
        keys.append(f"doi:{paper.source.doi}")
    if paper.source.arxiv_id:
        keys.append(f"arxiv:{paper.source.arxiv_id}")
    return keys


class DuplicateMarker:
    """Marks each paper that is a copy of an earlier one, as papers stream by.

    A paper is a copy when its normalised title, its DOI or its arXiv id is one an earlier
    paper had; a copy's own keys then also lead to that first paper, so a preprint and its
    journal version listed with each other's ids are one paper. Only a 64-bit hash of each
    key and the first paper's id are kept, never the papers.
    """

    def __init__(self) -> None:
        self._first_seen: dict[int, str] = {}

    def mark(self, paper: Paper) -> Paper:
        """The paper, with `duplicate_of` set when an earlier paper is the same paper."""
        keys = [_hashed(key) for key in _identity_keys(paper)]
        original = next((self._first_seen[key] for key in keys if key in self._first_seen), None)
        for key in keys:
            self._first_seen.setdefault(key, original or paper.paper_id)
        return replace(paper, duplicate_of=original) if original else paper


def _hashed(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")


def mark_duplicates(papers: Iterable[Paper]) -> list[Paper]:
    """The papers in order, each later copy of a paper pointing at the first one's id."""
    marker = DuplicateMarker()
    return [marker.mark(paper) for paper in papers]


def unique_papers(papers: Iterable[Paper]) -> list[Paper]:
    """The papers that are not duplicates of an earlier one."""
    return [paper for paper in papers if paper.duplicate_of is None]

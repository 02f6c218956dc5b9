"""Where a paper came from and what identifies it: one type for papers and cards alike.

A reader fills what its input knows (a page dump only the file and position; a BibTeX
entry its DOI, URL, authors and year); a card carries its paper's source unchanged, so a
table row can link back to the paper and duplicates can be matched by DOI or arXiv id.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class Source:
    """The input a paper was read from, its position there, and its identifiers."""

    # The card's JSON Schema describes it the same way whatever pydantic's version (some
    # take a dataclass's docstring as its description, some do not).
    __pydantic_config__: ClassVar[dict[str, Any]] = {
        "json_schema_extra": {
            "description": "The input a paper was read from, its position there, and its "
            "identifiers."
        }
    }

    file: str
    index: int  # position among the papers of that input, from 0
    url: str | None = None
    doi: str | None = None  # bare, lower-case: "10.18653/v1/2020.acl-main.1"
    arxiv_id: str | None = None  # without version: "2401.01234", "hep-th/9901001"
    authors: tuple[str, ...] = ()
    year: int | None = None
    # The name a person knows the input by (a reading list's name, a feed's date): tables
    # use it for section headings instead of a file name.
    collection: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The source as plain JSON-ready values; identifiers the input lacks are left out."""
        record = asdict(self)
        record["authors"] = list(self.authors)
        return {
            key: value
            for key, value in record.items()
            if key in ("file", "index") or value not in (None, [])
        }

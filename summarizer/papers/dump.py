"""Page dumps: the text of a daily-papers page, titles and abstracts among boilerplate.

A dump is the text of a daily-papers page: titles and abstracts, one per line, either
separated by blank lines or consecutive, mixed with the page's boilerplate. The reader
never raises on odd text: it returns what it can, and quality flags mark doubtful records.
"""

from __future__ import annotations

import re

from summarizer.errors import InputError
from summarizer.papers.model import FileReading, Record
from summarizer.papers.quality import SENTENCE_END

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_BOILERPLATE = re.compile(
    r"^(?:new|subscribe|daily papers|papers|trending|submit|search|"
    r"get trending papers.*|by\s*ak\b.*|"
    rf"{_MONTH}\s+\d{{1,2}}(?:,?\s+\d{{4}})?|\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?|"
    r"\d{4}-\d{2}-\d{2}|previous|next|load more)$",
    re.I,
)
# The page's "Subscribe" button runs into the first title: "SubscribeOS-R1: ...".
# Not "Subscriber Churn ...": the cut needs a capital, a digit or a symbol after it.
_GLUED_SUBSCRIBE = re.compile(r"^(?:Subscribe)+(?=[^\sa-z])")
_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-Z(]")
_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*")


def _is_boilerplate(line: str) -> bool:
    return bool(_BOILERPLATE.match(line))


def _looks_like_abstract(line: str) -> bool:
    """A body line: long, or several sentences. Titles are short and rarely end in '.'."""
    words = len(line.split())
    if len(line) >= 300 or words >= 45:
        return True
    if words >= 15 and line.endswith((".", "!")) and _SENTENCE_BREAK.search(line):
        return True
    return words >= 25 and line.endswith(".")


def _reads_as_prose(line: str) -> bool:
    """A short line that is a sentence, not a title: ends with '.', mostly lower-case words."""
    words: list[str] = _WORD.findall(line)
    if len(words) < 6 or not SENTENCE_END.search(line) or line.endswith(("?", "?)")):
        return False
    capitalized = sum(word[0].isupper() for word in words)
    return capitalized * 2 < len(words)


def _content_lines(text: str) -> list[str]:
    """The dump's lines with spacing collapsed, boilerplate and letterless lines dropped."""
    lines: list[str] = []
    for raw in text.splitlines():
        line = _GLUED_SUBSCRIBE.sub("", " ".join(raw.split()))
        if line and not _is_boilerplate(line) and any(ch.isalpha() for ch in line):
            lines.append(line)
    return lines


def parse_dump(text: str) -> list[tuple[str, str]]:
    """(title, abstract) pairs of a page dump, in page order.

    A title is the last short line before an abstract line. An abstract is a long line,
    or a short sentence right after a title when no long line follows it; body lines
    right after an abstract continue it (a second paragraph). Short lines with no
    abstract after them (section headings, stray labels) are skipped.
    """
    lines = _content_lines(text)
    pairs: list[tuple[str, str]] = []
    pending_title: str | None = None
    for position, line in enumerate(lines):
        following = lines[position + 1] if position + 1 < len(lines) else None
        is_body = _looks_like_abstract(line) or (
            _reads_as_prose(line) and (following is None or not _looks_like_abstract(following))
        )
        if is_body and pending_title is not None:
            pairs.append((pending_title, line))
            pending_title = None
        elif is_body and pairs:
            title, abstract = pairs[-1]
            pairs[-1] = (title, f"{abstract} {line}")
        elif not is_body:
            pending_title = line
    return pairs


def read_dump(text: str, name: str) -> FileReading:
    """The records of a page dump; an InputError when it holds no title/abstract pair."""
    pairs = parse_dump(text)
    if not pairs:
        raise InputError(
            name,
            "no papers found (only page boilerplate or no title/abstract pairs)",
            hint="a dump holds a title line followed by its abstract line",
        )
    return FileReading([Record(title, abstract) for title, abstract in pairs])

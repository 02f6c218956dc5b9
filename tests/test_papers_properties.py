"""Properties of the reader on arbitrary input: it never crashes and never takes boilerplate."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summarizer.errors import InputError
from summarizer.papers import (
    parse_dump,
    quality_warnings,
    read_papers,
    read_text,
)
from summarizer.papers.dump import _is_boilerplate

BOILERPLATE = [
    "new",
    "Subscribe",
    "Daily Papers",
    "Get trending papers in your email inbox!",
    "Get trending papers in your email inbox once a day!",
    "byAK and the research community",
    "Oct 8",
    "Papers",
]
TITLE_LIKE = [
    "Deep GNNs",
    "SubscribeOS-R1: Kernel Tuning",
    "SubscribeSubscribe3D Scenes",
    "Subscribers Rule",
    "Subscribe",
    "Attention Is All.",
]
GLUED_SUBSCRIBE = re.compile(r"^(?:Subscribe)+(?=[^\sa-z])")
ABSTRACT_LIKE = [
    "We propose a tiny method for graphs.",
    "Large language models struggle with long inputs. We propose a chunked attention scheme "
    "that keeps memory linear in the input length, and it improves accuracy by 4.2 points.",
]
# Lines a dump is made of: page boilerplate, titles, abstracts and arbitrary text.
dump_lines = st.one_of(
    st.sampled_from(BOILERPLATE + TITLE_LIKE + ABSTRACT_LIKE),
    st.text(max_size=80),
    st.just(""),
)
dumps = st.lists(dump_lines, max_size=30).flatmap(
    lambda lines: st.sampled_from(["\n", "\r\n", "\n\n", "\r"]).map(lambda nl: nl.join(lines))
)

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.text())
def test_parse_dump_never_raises_on_arbitrary_text(text: str) -> None:
    for title, abstract in parse_dump(text):
        assert title.strip() and abstract.strip()
        quality_warnings(title, abstract)


@FAST
@given(
    st.text(),
    st.sampled_from([".txt", ".jsonl", ".csv", ".bib", ".ris", ".json", ".atom", ".md", ""]),
)
def test_read_text_raises_only_input_error(text: str, suffix: str) -> None:
    try:
        reading = read_text(text, "f", suffix)
    except InputError:
        return
    assert reading.records or reading.skipped
    for record in reading.records:
        assert record.title and record.abstract


@FAST
@given(dumps)
def test_titles_are_never_boilerplate(text: str) -> None:
    for title, _ in parse_dump(text):
        assert not _is_boilerplate(title)
        assert not GLUED_SUBSCRIBE.match(title)
        lines = {" ".join(line.split()) for line in text.splitlines()}
        assert title in lines | {GLUED_SUBSCRIBE.sub("", line) for line in lines}


@FAST
@given(st.text(), st.text())
def test_quality_warnings_never_raise(title: str, abstract: str) -> None:
    codes = quality_warnings(title, abstract)
    assert set(codes) <= {"not_abstract", "starts_mid_sentence", "truncated", "not_english"}
    assert len(codes) == len(set(codes))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)
text_or_json = (
    st.text(min_size=1, max_size=30).filter(str.strip) | st.text(max_size=30) | json_values
)
# Rows with title and abstract keys (any case, any value type) and other fields.
rows = st.tuples(
    st.dictionaries(st.text(max_size=8), json_values, max_size=3),
    st.sampled_from(["title", "Title", " TITLE "]),
    text_or_json,
    st.sampled_from(["abstract", "Abstract"]),
    text_or_json,
).map(lambda parts: {**parts[0], parts[1]: parts[2], parts[3]: parts[4]})


@FAST
@given(st.lists(rows, max_size=5))
def test_jsonl_rows_read_or_raise_input_error(records: list[dict[str, object]]) -> None:
    text = "\n".join(json.dumps(record) for record in records)
    try:
        reading = read_text(text, "f.jsonl", ".jsonl")
    except InputError:
        return
    # Every line is read or skipped, never lost.
    assert len(reading.records) + len(reading.skipped) == len(records)
    for record in reading.records:
        assert isinstance(record.title, str) and isinstance(record.abstract, str)
        assert not {"title", "abstract"} & {key.strip().lower() for key in record.metadata}


@FAST
@given(
    st.lists(st.sampled_from(["title", "abstract", "Title", "note"]) | st.text(max_size=8)),
    st.lists(st.lists(st.text(max_size=30), max_size=6), max_size=5),
)
def test_csv_rows_read_or_raise_input_error(header: list[str], cells: list[list[str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(cells)
    try:
        reading = read_text(buffer.getvalue(), "f.csv", ".csv")
    except InputError:
        return
    for record in reading.records:
        assert record.title.strip() and record.abstract.strip()


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.one_of(st.binary(max_size=400), st.text(max_size=400).map(str.encode)),
    st.sampled_from([".txt", ".jsonl", ".csv", ".bib", ".ris", ".json", ".atom"]),
)
def test_read_papers_raises_only_input_error_on_arbitrary_bytes(
    tmp_path: Path, data: bytes, suffix: str
) -> None:
    path = tmp_path / f"input{suffix}"
    path.write_bytes(data)
    result = read_papers([str(path)])
    assert bool(result.papers) != bool(result.problems)
    with contextlib.suppress(InputError):
        read_papers([str(path)], strict=True)

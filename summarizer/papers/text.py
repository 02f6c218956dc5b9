"""Bytes to text: UTF-8 only, with a clear error for what is not text."""

from __future__ import annotations

from summarizer.errors import InputError
from summarizer.papers.formats import suffix_list

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def check_looks_like_text(data: bytes, name: str) -> None:
    """InputError when bytes (a whole file, or its start) are plainly not UTF-8 text."""
    if data.startswith(_UTF16_BOMS):
        raise InputError(
            name, "UTF-16 text, not UTF-8", hint="convert it, e.g. iconv -f UTF-16 -t UTF-8"
        )
    if data.startswith(b"%PDF-"):
        raise InputError(name, "a PDF, not text", hint="extract its text first, e.g. pdftotext")
    if b"\x00" in data:
        raise InputError(name, "binary file, not text", hint=f"give a text file: {suffix_list()}")


def empty_file_error(name: str) -> InputError:
    """The error for a file with nothing but white space."""
    return InputError(name, "the file is empty", hint="give a file with papers in it")


def not_utf8_error(name: str, byte: int, line: int) -> InputError:
    """The error for a byte that is not UTF-8, and where it is."""
    return InputError(
        name,
        f"not UTF-8 text (bad byte 0x{byte:02x} on line {line})",
        hint="convert it to UTF-8, e.g. iconv -f LATIN1 -t UTF-8",
    )


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 text of a file's bytes, or an InputError saying why it is not text."""
    check_looks_like_text(data, name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise not_utf8_error(name, data[exc.start], line) from None
    if not text.strip():
        raise empty_file_error(name)
    return text

"""Text as LaTeX that pdflatex, xelatex and lualatex all print as written.

The result is ASCII. LaTeX's own specials (`& % $ # _ { } ~ ^ \\` and a few more) are
escaped; every other character becomes the LaTeX command pylatexenc knows for it (Greek
alpha is `\\ensuremath{\\alpha}`, `é` is `\\'e`, `≤` is `\\ensuremath{\\leq}`), so pdflatex
never meets a character its fonts lack and xelatex or lualatex never drop one theirs lack. A
character with no command that works with the packages the table header names (CJK,
emoji, most of Cyrillic, invisible controls) is shown as a visible `[U+XXXX]` placeholder
rather than stopping the compilation. Everything is done in one pass over the text, so an
escape's own backslash is never escaped again.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

# The packages every command below may need (the table header names them; tests compile
# every replacement with them: tests/test_tables_latex_compile.py).
PACKAGES = ("booktabs", "longtable", "array", "amssymb", "hyperref")

_ASCII_ESCAPES = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    # In the default OT1 font encoding these print as other glyphs (¡ ¿ —).
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    # After a row's `\\` these would be read as its optional arguments: braced, inert.
    "[": "{[}",
    "]": "{]}",
    "*": "{*}",
    "\r\n": " ",
    "\r": " ",
    "\n": " ",
    "\t": " ",
}

# Code points whose pylatexenc replacement stops pdflatex, lualatex or xelatex with the
# header's packages, or needs a glyph their fonts lack (most of Cyrillic, script capitals,
# vulgar fractions, some rare symbols): found by scripts/probe_latex_chars.py with Debian
# 12's TeX Live 2022; inclusive ranges.
# fmt: off
_UNSET: tuple[tuple[int, int], ...] = (
    (0x0149, 0x0149), (0x0195, 0x0195), (0x019E, 0x019E), (0x0228, 0x0229),
    (0x0259, 0x0259), (0x025B, 0x025B), (0x0278, 0x0278), (0x0294, 0x0294),
    (0x029E, 0x029E), (0x02DB, 0x02DB), (0x0390, 0x0390), (0x03D2, 0x03D2),
    (0x0400, 0x0482), (0x0488, 0x0489), (0x048C, 0x04C8), (0x04CB, 0x04CE),
    (0x04D0, 0x04E9), (0x04EC, 0x04FF), (0x200C, 0x200C), (0x2011, 0x2011),
    (0x210B, 0x210B), (0x2110, 0x2110), (0x2112, 0x2112), (0x211B, 0x211B),
    (0x212C, 0x212C), (0x2130, 0x2131), (0x2133, 0x2133), (0x2153, 0x215E),
    (0x219C, 0x219D), (0x21C5, 0x21C5), (0x21F5, 0x21F5), (0x221F, 0x221F),
    (0x222C, 0x222D), (0x222F, 0x2231), (0x223B, 0x223B), (0x223E, 0x223E),
    (0x2246, 0x2246), (0x224B, 0x224C), (0x2259, 0x2259), (0x225B, 0x225B),
    (0x2278, 0x2279), (0x22A7, 0x22A8), (0x22AB, 0x22AB), (0x22B6, 0x22B7),
    (0x22B9, 0x22B9), (0x22BE, 0x22BE), (0x22D8, 0x22D9), (0x22E8, 0x22E8),
    (0x22F0, 0x22F0), (0x2306, 0x2306), (0x2315, 0x2315), (0x25EF, 0x25EF),
    (0x2669, 0x2669), (0x266D, 0x266F), (0x2A0F, 0x2A0F), (0x2A16, 0x2A16),
    (0x1D468, 0x1D4B9), (0x1D4BB, 0x1D4BB), (0x1D4BD, 0x1D4C3), (0x1D4C5, 0x1D4CF),
    (0x1D553, 0x1D556),
)
# fmt: on
# amssymb's \mathbb has capitals only: lower-case letters and digits print other symbols.
_MISDRAWN = ((0x1D552, 0x1D56B), (0x1D7D8, 0x1D7E1))

# One pattern for both kinds: ASCII specials (longest first, so CRLF is one line break),
# then any other character outside printable ASCII (controls included).
_SPECIAL = re.compile(
    "|".join(re.escape(text) for text in sorted(_ASCII_ESCAPES, key=len, reverse=True))
    + r"|[^\x20-\x7e]"
)


def builtin_replacements() -> dict[int, str]:
    """pylatexenc's LaTeX command for each non-ASCII code point it knows."""
    from pylatexenc.latexencode import get_builtin_uni2latex_dict

    return {code: latex for code, latex in get_builtin_uni2latex_dict().items() if code > 0x7E}


@cache
def _replacements() -> dict[int, str]:
    unset = {code for first, last in (*_UNSET, *_MISDRAWN) for code in range(first, last + 1)}
    return {
        code: f"{{{latex}}}"  # braced: `\ss` before a letter would read as another command
        for code, latex in builtin_replacements().items()
        if code not in unset
    }


def placeholder(char: str) -> str:
    """The visible stand-in for a character LaTeX cannot set here: `[U+1F680]`."""
    return rf"\texttt{{[U+{ord(char):04X}]}}"


def command_for(char: str) -> str:
    """The LaTeX for one character outside printable ASCII: a command, or the placeholder."""
    return _replacements().get(ord(char)) or placeholder(char)


def _replace(match: re.Match[str]) -> str:
    text = match.group(0)
    return _ASCII_ESCAPES.get(text) or command_for(text)


def escape_latex(text: str) -> str:
    """Text as ASCII LaTeX that prints it: specials escaped, other characters as commands.

    Line breaks and tabs become spaces. Text is NFC-normalised first, so `e` with a
    combining accent becomes `é` and then `\\'e`.
    """
    return _SPECIAL.sub(_replace, unicodedata.normalize("NFC", text))

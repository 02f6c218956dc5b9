"""Every relative link in README.md and docs/ points at a file that exists."""

from __future__ import annotations

import re
from pathlib import Path

_LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_relative_links_resolve(repo: Path) -> None:
    broken = []
    for page in [repo / "README.md", *sorted((repo / "docs").glob("*.md"))]:
        for target in _LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target) or target.startswith(("#", "<")):
                continue
            path = target.split("#", 1)[0]
            if not (page.parent / path).exists():
                broken.append(f"{page.relative_to(repo)} -> {target}")
    assert broken == []

"""The page assets under summarizer/tables/templates/ and their Content-Security-Policy hashes."""

from __future__ import annotations

import base64
import hashlib
from importlib.resources import files


def asset(name: str) -> str:
    """The text of a template, stylesheet or script shipped with the package."""
    return (files("summarizer.tables") / "templates" / name).read_text(encoding="utf-8")


def csp_hash(text: str) -> str:
    """The CSP source (`sha256-...`) allowing exactly this inline style or script."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def inline_assets(style: str, script: str) -> dict[str, str]:
    """A page's inline style and script, with the CSP hashes that allow exactly them."""
    return {
        "style": style,
        "script": script,
        "style_hash": csp_hash(style),
        "script_hash": csp_hash(script),
    }

"""Load and render the prompt templates of prompts/, and their version hash."""

from __future__ import annotations

import hashlib
from functools import cache
from typing import TYPE_CHECKING

from summarizer.cards import CONTRIBUTIONS, STAGE_KINDS
from summarizer.resources import data_dir

if TYPE_CHECKING:
    import jinja2

SYSTEM_TEMPLATE = "system.j2"
USER_TEMPLATE = "user.j2"


@cache
def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_dir("prompts"))),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
        autoescape=False,  # plain-text chat messages, not HTML
    )


@cache
def prompt_version() -> str:
    """A short hash of every template file: cards made with other prompts differ."""
    digest = hashlib.sha256()
    for path in sorted(data_dir("prompts").glob("*.j2")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def render_messages(title: str | None, abstract: str) -> list[dict[str, str]]:
    """The chat messages (system, user) that ask for one paper's card.

    The abstract is passed as data, never as template text, so braces in it are safe.
    """
    environment = _environment()
    system = environment.get_template(SYSTEM_TEMPLATE).render(
        contributions=CONTRIBUTIONS, stage_kinds=STAGE_KINDS
    )
    user = environment.get_template(USER_TEMPLATE).render(title=title, abstract=abstract)
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]

"""Estimated cost of tokens: a small price table per model that users can edit."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from summarizer.errors import ConfigError

_BUILTIN = Path(__file__).resolve().parent / "data" / "prices.toml"


@dataclass(frozen=True)
class Price:
    """US dollars per million input and output tokens, and the context window if known."""

    input: float
    output: float
    context_tokens: int | None = None

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.input + completion_tokens * self.output) / 1_000_000


def _read_table(path: Path) -> dict[str, Price]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), f"cannot read the price table ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), f"not valid TOML ({exc})") from None
    table: dict[str, Price] = {}
    for model, entry in data.get("models", {}).items():
        try:
            context = entry.get("context")
            table[model] = Price(
                input=float(entry["input"]),
                output=float(entry["output"]),
                context_tokens=None if context is None else int(context),
            )
        except (AttributeError, KeyError, TypeError, ValueError):
            raise ConfigError(
                str(path),
                f"model {model!r} needs numeric 'input' and 'output' prices "
                "(and a whole number 'context', if given)",
            ) from None
    return table


def user_prices_path() -> Path:
    """Where a user's own price table lives."""
    import platformdirs

    return Path(platformdirs.user_config_dir("summarizer", appauthor=False)) / "prices.toml"


def load_prices(extra: Path | None = None) -> dict[str, Price]:
    """The built-in table, overridden by the user's file and then by `extra`, if given."""
    table = _read_table(_BUILTIN)
    user = user_prices_path()
    if user.is_file():
        table.update(_read_table(user))
    if extra is not None:
        table.update(_read_table(extra))
    return table


def estimate_cost(
    prices: dict[str, Price], model: str | None, prompt_tokens: int, completion_tokens: int
) -> float | None:
    """Dollars for the tokens, or None when the model's price is unknown."""
    if model is None:
        return None
    price = prices.get(model)
    return None if price is None else price.cost(prompt_tokens, completion_tokens)


def context_tokens(model: str | None, extra: Path | None = None) -> int | None:
    """The model's context window from the price tables, or None when unknown."""
    if model is None:
        return None
    price = load_prices(extra).get(model)
    return None if price is None else price.context_tokens

"""Estimated cost of tokens: a small price table per model that users can edit."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from summarizer.errors import ConfigError

_BUILTIN = Path(__file__).resolve().parent / "data" / "prices.toml"
# A provider's Batch API price as a share of its online price when the table gives none:
# OpenAI's Batch guide says 50%, and so do most providers that offer the same API.
BATCH_SHARE = 0.5


@dataclass(frozen=True)
class Price:
    """US dollars per million input and output tokens, online and through a provider's
    Batch API (`batch_input`, `batch_output`: BATCH_SHARE of online when not given), and
    the context window if known."""

    input: float
    output: float
    context_tokens: int | None = None
    batch_input: float | None = None
    batch_output: float | None = None

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        """Dollars for tokens sent online."""
        return (prompt_tokens * self.input + completion_tokens * self.output) / 1_000_000

    def batch_cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        """Dollars for tokens sent through the provider's Batch API."""
        batch_input = self.input * BATCH_SHARE if self.batch_input is None else self.batch_input
        batch_output = self.output * BATCH_SHARE if self.batch_output is None else self.batch_output
        return (prompt_tokens * batch_input + completion_tokens * batch_output) / 1_000_000


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
                batch_input=_optional_price(entry, "batch_input"),
                batch_output=_optional_price(entry, "batch_output"),
            )
        except (AttributeError, KeyError, TypeError, ValueError):
            raise ConfigError(
                str(path),
                f"model {model!r} needs numeric 'input' and 'output' prices "
                "(and numeric 'batch_input', 'batch_output' and a whole number 'context', "
                "if given)",
            ) from None
    return table


def _optional_price(entry: dict[str, object], name: str) -> float | None:
    value = entry.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(name)
    return float(value)


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


def estimate_batch_cost(
    prices: dict[str, Price], model: str | None, prompt_tokens: int, completion_tokens: int
) -> float | None:
    """Dollars for the tokens through the provider's Batch API, or None when unknown."""
    if model is None:
        return None
    price = prices.get(model)
    return None if price is None else price.batch_cost(prompt_tokens, completion_tokens)


def context_tokens(model: str | None, extra: Path | None = None) -> int | None:
    """The model's context window from the price tables, or None when unknown."""
    if model is None:
        return None
    price = load_prices(extra).get(model)
    return None if price is None else price.context_tokens

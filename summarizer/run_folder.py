"""A batch's output folder: checked before any work, held by one run at a time.

Two runs writing one folder would append every paper twice or mix two recipes' cards,
so a run holds an exclusive lock on OUTDIR/.summarizer.lock for its whole length. The
lock is `fcntl.flock`: the kernel releases it when the process ends, however it ends,
so a lock left by a killed run never blocks the next one. The lock file also names its
holder (pid, host, start), for the message the second run prints.
"""

from __future__ import annotations

import errno
import json
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from summarizer.errors import ConfigError, FolderInUseError
from summarizer.outputs import (
    BATCH_STATE_FILE,
    CARDS_FILE,
    ERRORS_FILE,
    REPORT_FILE,
    REPORT_PARTS_DIR,
    RUN_FILE,
    TABLES_DIR,
)

LOCK_FILE = ".summarizer.lock"
# What a run leaves in its folder; `--start-over` moves these aside, together (a run
# refuses to start over while the Batch API state lists open batches).
RUN_OUTPUTS = (
    CARDS_FILE,
    ERRORS_FILE,
    RUN_FILE,
    TABLES_DIR,
    REPORT_FILE,
    REPORT_PARTS_DIR,
    BATCH_STATE_FILE,
)
_FILES = (CARDS_FILE, ERRORS_FILE, RUN_FILE, REPORT_FILE, BATCH_STATE_FILE)
_FOLDERS = (TABLES_DIR, REPORT_PARTS_DIR)
_HINT = "use another -o folder"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def check_output_folder(folder: Path) -> None:
    """ConfigError (one line) when `folder` cannot hold a batch's outputs."""
    if folder.exists() and not folder.is_dir():
        raise ConfigError(str(folder), "is a file, not a folder", hint="give a folder with -o")
    for name in _FILES:
        if (folder / name).is_dir():
            raise ConfigError(
                str(folder / name), "is a folder, not a file", hint=f"move it away, or {_HINT}"
            )
    for name in _FOLDERS:
        path = folder / name
        if path.exists() and not path.is_dir():
            raise ConfigError(
                str(path), "is a file, not a folder", hint=f"move it away, or {_HINT}"
            )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            str(folder), f"cannot create the folder ({_reason(exc)})", hint=_HINT
        ) from None
    probe = folder / f".summarizer-write-test-{os.getpid()}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(str(folder), f"cannot write here ({_reason(exc)})", hint=_HINT) from None


def _reason(exc: OSError) -> str:
    return exc.strerror or errno.errorcode.get(exc.errno or 0, str(exc))


@dataclass(frozen=True)
class LockHolder:
    """Who holds a folder: read from its lock file."""

    pid: int | None
    host: str | None
    since: str | None

    def __str__(self) -> str:
        parts = []
        if self.pid is not None:
            parts.append(f"pid {self.pid}")
        if self.host:
            parts.append(f"on {self.host}")
        if self.since:
            parts.append(f"since {self.since}")
        return "another summarizer run" + (f" ({' '.join(parts)})" if parts else "")


def _read_holder(path: Path) -> LockHolder:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return LockHolder(None, None, None)
    if not isinstance(record, dict):
        return LockHolder(None, None, None)
    pid = record.get("pid")
    return LockHolder(
        pid if isinstance(pid, int) else None,
        str(record["host"]) if record.get("host") else None,
        str(record["since"]) if record.get("since") else None,
    )


class FolderLock:
    """An exclusive, non-blocking lock on an output folder for one run."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise FolderInUseError naming the run that holds it."""
        import fcntl

        # No O_TRUNC: the holder's record must survive a second run's failed attempt.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno not in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES):
                raise ConfigError(
                    str(self.path), f"cannot lock the folder ({_reason(exc)})", hint=_HINT
                ) from None
            holder = _read_holder(self.path)
            raise FolderInUseError(str(self.folder), str(holder)) from None
        record = {"pid": os.getpid(), "host": socket.gethostname(), "since": _now()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(record) + "\n").encode(), 0)
        self._fd = fd

    def release(self) -> None:
        """Let the next run in (the file stays: removing it would race with a new holder)."""
        import fcntl

        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> FolderLock:
        self.acquire()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()


def move_aside(folder: Path) -> Path | None:
    """Move a finished run's outputs into a new `previous-<time>` subfolder; never delete.

    Returns that subfolder, or None when there was nothing to move. Call it while
    holding the folder's lock.
    """
    present = [name for name in RUN_OUTPUTS if (folder / name).exists()]
    if not present:
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = folder / f"previous-{stamp}"
    suffix = 1
    while target.exists():
        suffix += 1
        target = folder / f"previous-{stamp}-{suffix}"
    target.mkdir()
    for name in present:
        os.replace(folder / name, target / name)
    return target

"""A content-addressed cache of engine answers, so that no paper is paid for twice.

The key hashes the card's recipe (summarizer.recipe: everything that decides a card),
the title, the abstract and a cache version. The
value is the engine's fields and token usage: never a key, a header or a URL. A corrupt
entry is a miss, not a crash.

A cache that cannot be used (a damaged database, a path that is a file, a folder that
cannot be written, a lock another process holds too long) never stops a run: the first
problem is recorded and logged once, and the cache is bypassed from then on. `stats` and
`clear` raise it as a `CacheError` instead, and `clear` rebuilds a damaged database.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import re
import shlex
import sqlite3
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from summarizer.cards import CardFields, Usage
from summarizer.engines.base import EngineResult
from summarizer.errors import CacheError
from summarizer.recipe import Recipe

if TYPE_CHECKING:
    import diskcache

# Bump when the key's material or the stored value's layout changes: old entries then
# miss instead of failing. 2: the key is the recipe (grounding policy, token limit and
# engine version joined the key).
CACHE_VERSION = 2

# Seconds to wait for a lock another process holds on the database. diskcache's default
# is 60 s, but its transactions last milliseconds: a lock held for 10 s belongs to a stuck
# or foreign program, and a batch (whose event loop waits on the cache) should not freeze
# for a minute before it goes on without the cache.
LOCK_TIMEOUT_SECONDS = 10.0

# diskcache's own files in its folder, the only ones a rebuild removes: the SQLite
# database with its journals, and values too large for it, in two levels of hex folders.
DATABASE_FILE = "cache.db"
_DATABASE_FILES = (
    DATABASE_FILE,
    *(f"{DATABASE_FILE}-{tail}" for tail in ("wal", "shm", "journal")),
)
_HEX_FOLDER = re.compile(r"[0-9a-f]{2}")
_VALUE_FILE = re.compile(r"[0-9a-f]{28}\.val")

log = logging.getLogger(__name__)

T = TypeVar("T")


def cache_key(recipe: Recipe, title: str | None, abstract: str) -> str:
    """The hash that names one answer: the card's recipe, the title and the abstract."""
    material = {
        "cache_version": CACHE_VERSION,
        "recipe": recipe.identity(),
        "title": title,
        "abstract": abstract,
    }
    canonical = json.dumps(material, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class CacheStats:
    """What `summarizer cache stats` reports."""

    directory: Path
    entries: int
    size_bytes: int


@dataclass(frozen=True)
class Cleared:
    """What `summarizer cache clear` did: entries removed, or a damaged database rebuilt."""

    removed: int
    damage: str | None = None  # what was wrong with the database it rebuilt, if it did


class CardCache:
    """Engine answers on disk (diskcache: safe across threads and processes).

    `problem` is None while the cache works. The first time it cannot be opened, read or
    written (damaged, locked by another process for over `lock_timeout` seconds, not a
    folder, not writable), `problem` becomes that one-line error with its fix, one
    warning is logged, and the cache is bypassed for the rest of this object's life: every
    lookup is a miss and nothing is stored, so the run goes on and only pays for answers
    it could not cache. `stats()` and `clear()` raise a CacheError instead.
    """

    def __init__(self, directory: Path, *, lock_timeout: float | None = None) -> None:
        self.directory = directory
        self.lock_timeout = LOCK_TIMEOUT_SECONDS if lock_timeout is None else lock_timeout
        self.problem: str | None = None
        self._problem_lock = threading.Lock()
        self._store: diskcache.Cache | None = None

    def _open(self) -> diskcache.Cache:
        if self._store is None:
            import diskcache

            self._check_folder()
            self._wait_for_lock()
            self._store = diskcache.Cache(str(self.directory), timeout=self.lock_timeout)
        return self._store

    def _check_folder(self) -> None:
        existing = next(path for path in (self.directory, *self.directory.parents) if path.exists())
        if not existing.is_dir():
            where = "it" if existing == self.directory else str(existing)
            raise cache_error("not_a_folder", self.directory, f"{where} is a file")
        self.directory.mkdir(parents=True, exist_ok=True)
        if not os.access(self.directory, os.W_OK | os.X_OK):
            read_only = os.statvfs(self.directory).f_flag & os.ST_RDONLY
            reason = os.strerror(errno.EROFS if read_only else errno.EACCES)
            raise cache_error("not_writable", self.directory, reason)

    def _wait_for_lock(self) -> None:
        """Take and release the write lock within `lock_timeout`: diskcache's own opening
        waits a fixed minute for a lock before it gives up."""
        database = self.directory / DATABASE_FILE
        if not database.is_file():
            return
        connection = _connect(database, self.lock_timeout)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("ROLLBACK")
        finally:
            connection.close()

    def _check_integrity(self) -> None:
        """A CacheError("damaged") unless SQLite's quick_check finds the database sound
        (a damaged page may lie where opening and counting never look)."""
        connection = _connect(self.directory / DATABASE_FILE, self.lock_timeout)
        try:
            rows = connection.execute("PRAGMA quick_check").fetchall()
        finally:
            connection.close()
        if rows != [("ok",)]:
            raise cache_error("damaged", self.directory, str(rows[0][0]) if rows else "")

    # --- during a run: problems are recorded once, then the cache is bypassed ---------

    def _guarded(self, action: Callable[[diskcache.Cache], T]) -> T | None:
        if self.problem is not None:
            return None
        try:
            return action(self._open())
        except Exception as exc:  # an unusable cache must not stop the run
            self._bypass(exc if isinstance(exc, CacheError) else classify(exc, self.directory))
            return None

    def _bypass(self, error: CacheError) -> None:
        with self._problem_lock:
            if self.problem is not None:
                return
            self.problem = str(error)
        log.warning("%s; answers are not cached for the rest of this run", self.problem)

    def get(self, key: str) -> EngineResult | None:
        """The stored answer for a key; None when absent or unreadable (then removed)."""
        raw = self._guarded(lambda store: store.get(key))
        if raw is None:
            return None
        try:
            return _decode(raw)
        except Exception:
            self._guarded(lambda store: store.delete(key))
            return None

    def put(self, key: str, result: EngineResult) -> None:
        """Store an answer; a failing disk only loses the cache entry, never the card."""
        self._guarded(lambda store: store.set(key, _encode(result)))

    # --- the cache commands: problems are raised -------------------------------------

    def _checked(self, action: Callable[[diskcache.Cache], T]) -> T:
        try:
            return action(self._open())
        except CacheError:
            raise
        except (OSError, sqlite3.Error, _diskcache_timeout()) as exc:
            raise classify(exc, self.directory) from exc

    def stats(self) -> CacheStats:
        """Entry count and size on disk; a CacheError if the cache cannot be used."""

        def measure(store: diskcache.Cache) -> CacheStats:
            self._check_integrity()
            return CacheStats(self.directory, len(store), int(store.volume()))

        return self._checked(measure)

    def clear(self) -> Cleared:
        """Remove every entry; a damaged database is removed and a new one made instead.

        Only diskcache's own files go (the database, its journals, its value files):
        nothing else in the folder, and never the folder. A lock held by another process,
        a path that is not a folder or a folder that cannot be written is a CacheError.
        """

        def empty(store: diskcache.Cache) -> int:
            self._check_integrity()
            return int(store.clear())

        try:
            return Cleared(self._checked(empty))
        except CacheError as error:
            if error.kind != "damaged":
                raise
            damage = error.detail
        self.close()
        try:
            _remove_diskcache_files(self.directory)
        except OSError as exc:
            raise classify(exc, self.directory) from exc
        self._checked(len)  # a fresh, empty database
        return Cleared(0, damage=damage)

    def close(self) -> None:
        """Release the database handle."""
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> CardCache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _diskcache_timeout() -> type[Exception]:
    import diskcache

    timeout: type[Exception] = diskcache.Timeout
    return timeout


def _connect(database: Path, timeout: float) -> sqlite3.Connection:
    """A connection of our own to an existing database (never creates one)."""
    uri = f"{database.absolute().as_uri()}?mode=rw"
    return sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)


def _remove_diskcache_files(directory: Path) -> None:
    for name in _DATABASE_FILES:
        (directory / name).unlink(missing_ok=True)
    for outer in directory.iterdir():
        if not (_HEX_FOLDER.fullmatch(outer.name) and outer.is_dir()):
            continue
        for inner in outer.iterdir():
            if not (_HEX_FOLDER.fullmatch(inner.name) and inner.is_dir()):
                continue
            for value in inner.iterdir():
                if _VALUE_FILE.fullmatch(value.name) and value.is_file():
                    value.unlink()
            _remove_if_empty(inner)
        _remove_if_empty(outer)


def _remove_if_empty(folder: Path) -> None:
    if not any(folder.iterdir()):
        folder.rmdir()


# --- what a failure means -------------------------------------------------------------

# kind -> (what is wrong, how to fix it); {folder} and {detail} are filled in.
_WORDING: dict[str, tuple[str, str]] = {
    "damaged": (
        "the cache in {folder} is damaged: {detail}",
        "run summarizer cache clear --cache-dir {quoted} to rebuild it",
    ),
    "locked": (
        "the cache in {folder} is locked by another process",
        "try again when it is done, or use another --cache-dir",
    ),
    "not_a_folder": (
        "the cache folder {folder} is not a folder: {detail}",
        "choose a folder with --cache-dir",
    ),
    "not_writable": (
        "the cache folder {folder} is not writable: {detail}",
        "make it writable, or choose another folder with --cache-dir",
    ),
    "unusable": (
        "the cache in {folder} cannot be used: {detail}",
        "check the folder and its disk, or choose another folder with --cache-dir",
    ),
}


def cache_error(kind: str, directory: Path, detail: str = "") -> CacheError:
    """The CacheError of one `kind` (a key of _WORDING) for the cache in `directory`."""
    problem, hint = _WORDING[kind]
    detail = " ".join(detail.split())  # one line, whatever SQLite said
    fields = {"folder": directory, "quoted": shlex.quote(str(directory)), "detail": detail}
    return CacheError(
        problem.format(**fields),
        directory=str(directory),
        kind=kind,
        detail=detail,
        hint=hint.format(**fields),
    )


def _is_locked(exc: BaseException) -> bool:
    message = str(exc).lower()
    return isinstance(exc, _diskcache_timeout()) or (
        isinstance(exc, sqlite3.OperationalError) and ("locked" in message or "busy" in message)
    )


def _is_not_a_folder(exc: BaseException) -> bool:
    return isinstance(exc, NotADirectoryError | FileExistsError)


def _is_not_writable(exc: BaseException) -> bool:
    message = str(exc).lower()
    if isinstance(exc, OSError):
        return exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS)
    return isinstance(exc, sqlite3.OperationalError) and (
        "readonly" in message or "unable to open database file" in message
    )


def _is_damaged(exc: BaseException) -> bool:
    # "file is not a database", "database disk image is malformed": not an
    # OperationalError, which is what a lock, a permission or a full disk raise.
    return isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)


# In order: the first that matches names the kind.
_KINDS: tuple[tuple[Callable[[BaseException], bool], str], ...] = (
    (_is_locked, "locked"),
    (_is_not_a_folder, "not_a_folder"),
    (_is_not_writable, "not_writable"),
    (_is_damaged, "damaged"),
)


def classify(exc: BaseException, directory: Path) -> CacheError:
    """The CacheError that says what `exc`, raised by the cache in `directory`, means."""
    detail = (exc.strerror if isinstance(exc, OSError) else None) or str(exc)
    kind = next((kind for matches, kind in _KINDS if matches(exc)), "unusable")
    return cache_error(kind, directory, detail or type(exc).__name__)


def open_cache(cache_dir: str | Path | None = None) -> CardCache:
    """The cache in `cache_dir`, else SUMMARIZER_CACHE_DIR, else the user cache folder."""
    from summarizer.settings import cache_dir_setting

    return CardCache(cache_dir_setting(cache_dir))


def _encode(result: EngineResult) -> str:
    value = {
        "cache_version": CACHE_VERSION,
        "fields": result.fields.model_dump(mode="json"),
        "usage": result.usage.model_dump(mode="json"),
        "warnings": list(result.warnings),
    }
    return json.dumps(value, ensure_ascii=False)


def _decode(raw: Any) -> EngineResult:
    value = json.loads(raw) if isinstance(raw, str | bytes) else raw
    if not isinstance(value, Mapping) or value.get("cache_version") != CACHE_VERSION:
        raise ValueError("not a cache entry of this version")
    return EngineResult(
        fields=CardFields.model_validate(value["fields"]),
        usage=Usage.model_validate(value["usage"]),
        warnings=tuple(str(warning) for warning in value.get("warnings", [])),
    )

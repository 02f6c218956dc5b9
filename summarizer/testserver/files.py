"""The Files API's store: uploaded batch inputs and the output and error files of batches.

Files live in memory for the server's life. `FileRecord.to_dict()` is OpenAI's File
object (openai.types.FileObject): id, object "file", bytes, created_at, filename, purpose,
status, expires_at, status_details.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from typing import Any

# What OpenAI's POST /v1/files accepts (openai.types.FilePurpose).
UPLOAD_PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")
# Batch files expire 30 days after their creation unless told otherwise (OpenAI's default).
BATCH_FILE_LIFETIME = 30 * 24 * 60 * 60
_EXPIRING_PURPOSES = frozenset({"batch", "batch_output"})


@dataclass(frozen=True)
class FileRecord:
    """One stored file and its content."""

    id: str
    filename: str
    purpose: str
    created_at: int
    content: bytes

    def to_dict(self) -> dict[str, Any]:
        expires_at = (
            self.created_at + BATCH_FILE_LIFETIME if self.purpose in _EXPIRING_PURPOSES else None
        )
        return {
            "id": self.id,
            "object": "file",
            "bytes": len(self.content),
            "created_at": self.created_at,
            "expires_at": expires_at,
            "filename": self.filename,
            "purpose": self.purpose,
            "status": "processed",
            "status_details": None,
        }


class FileStore:
    """Files by id, in creation order; safe across threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._files: dict[str, FileRecord] = {}
        self._numbers = itertools.count(1)

    def add(self, *, filename: str, purpose: str, content: bytes, created_at: int) -> FileRecord:
        with self._lock:
            record = FileRecord(
                id=f"file-test{next(self._numbers):08d}",
                filename=filename,
                purpose=purpose,
                created_at=created_at,
                content=content,
            )
            self._files[record.id] = record
            return record

    def get(self, file_id: str) -> FileRecord | None:
        with self._lock:
            return self._files.get(file_id)

    def delete(self, file_id: str) -> bool:
        """Forget the file; False if there was none."""
        with self._lock:
            return self._files.pop(file_id, None) is not None

    def listed(self, *, purpose: str | None, newest_first: bool) -> list[FileRecord]:
        """Every file (of `purpose`, if given), oldest first or newest first."""
        with self._lock:
            records = [r for r in self._files.values() if purpose is None or r.purpose == purpose]
        return records[::-1] if newest_first else records

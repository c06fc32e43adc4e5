"""One daemon per database: an fcntl lock on a file beside the database.

The OS releases the lock when the process dies, however it dies, so a stale
lock file never blocks a restart. The file holds the PID and start time.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from typing import Any

from .filemodes import FILE_MODE, private_dir, tighten


class AlreadyRunning(Exception):
    def __init__(self, path: Path, holder: dict[str, Any]) -> None:
        self.path = path
        self.holder = holder
        pid = holder.get("pid", "?")
        super().__init__(f"another monitor daemon (PID {pid}, since "
                         f"{holder.get('started_at', '?')}) holds {path}")


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


def read_holder(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text("utf-8") or "{}")
    except (OSError, ValueError):
        return {}


class DaemonLock:
    """Exclusive, non-blocking; `acquire` raises AlreadyRunning if held."""

    def __init__(self, database: Path) -> None:
        self.path = lock_path(database)
        self._fd: int | None = None

    def acquire(self, info: dict[str, Any]) -> None:
        private_dir(self.path.parent)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        tighten(self.path, FILE_MODE)  # one an earlier release made 0644
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise AlreadyRunning(self.path, read_holder(self.path)) from None
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(info).encode())
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def holder_if_running(database: Path) -> dict[str, Any] | None:
    """The running daemon's PID and start time, or None if none holds the lock."""
    path = lock_path(database)
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return read_holder(path) or {"pid": "?"}
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)

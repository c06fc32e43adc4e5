"""The monitor's files are its owner's alone: state folder 0700, database and lock 0600.

A folder the monitor creates is made 0700; the database's folder inside the
config's folder (`state/` by default) is the monitor's own and is kept 0700
even when it already existed. A folder elsewhere (`--db`, `$MONITOR_DB`, an
absolute path) may be shared and is left as it is. Files are created 0600; an
existing file loses its group and other bits and keeps any stricter mode.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def tighten(path: Path, allowed: int) -> None:
    """Drop every permission bit of `path` outside `allowed` (stricter modes stay)."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & ~allowed:
            path.chmod(mode & allowed)
    except OSError:
        pass  # not ours to change (another owner, a read-only mount): use it as it is


def private_dir(path: Path, own: bool = False) -> None:
    """Create `path` 0700 if missing (parents too); if `own`, tighten an existing one."""
    if not path.exists():
        missing = [p for p in (path, *path.parents) if not p.exists()]
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        for p in missing:  # mkdir applies `mode` to the last folder only
            tighten(p, DIR_MODE)
    elif own:
        tighten(path, DIR_MODE)


def private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 if missing, else tighten it to 0600 at most."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
    except FileExistsError:
        tighten(path, FILE_MODE)

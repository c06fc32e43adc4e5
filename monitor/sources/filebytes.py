"""The bytes of one file, read safely, and their text.

Never blocks: a named pipe or a device is refused after opening it without
waiting (the name may have changed since it was listed). Bounded: at most
`max_bytes`. Consistent: a file that changes while it is read is read again.
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path
from typing import NamedTuple

READ_TRIES = 3  # reads of a file that changes while being read, before giving up


def file_kind(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    for test, name in ((stat.S_ISFIFO, "named pipe"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket")):
        if test(mode):
            return name
    return "special file"


class NotRead(NamedTuple):
    """A file not read: why, in words; `error`, the system's reason when it could not
    be opened or read; `too_large`, when its size alone was the reason."""
    why: str
    error: str | None = None
    too_large: bool = False


def _unreadable(exc: OSError) -> NotRead:
    error = str(exc.strerror or exc)
    return NotRead(f"cannot read: {error}", error=error)


def _too_large(max_bytes: int) -> NotRead:
    return NotRead(f"file larger than {max_bytes} bytes; not read", too_large=True)


def read_bounded(path: Path, max_bytes: int) -> bytes | NotRead:
    """The bytes of a regular file (at most `max_bytes`), or why it was not read.

    Opened without blocking and checked after opening (the name may have become a
    pipe since it was listed); read again if it changed while being read.
    """
    for _ in range(READ_TRIES):
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            return _unreadable(exc)
        try:
            before = os.fstat(fd)
            if not stat.S_ISREG(before.st_mode):
                return NotRead(f"not a regular file ({file_kind(before.st_mode)}); not read")
            if before.st_size > max_bytes:
                return _too_large(max_bytes)
            chunks, size = [], 0
            while size <= max_bytes:
                chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            after = os.fstat(fd)
        except OSError as exc:
            return _unreadable(exc)
        finally:
            os.close(fd)
        if size > max_bytes:
            return _too_large(max_bytes)
        if _same(before, after) and size == after.st_size:
            return b"".join(chunks)
    return NotRead("file kept changing while being read; not read this time")


def _same(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_ino, a.st_size, a.st_mtime_ns) == (b.st_ino, b.st_size, b.st_mtime_ns)


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))


def decode(raw: bytes) -> tuple[str, str | None]:
    """Text of a file: UTF-8, or the UTF-16/32 its byte order mark names.

    Undecodable bytes become U+FFFD and NUL characters are dropped; either is
    noted (a warning: the article is stored anyway).
    """
    encoding = "utf-8"
    for bom, enc in _BOMS:  # UTF-32 LE first: its mark starts with UTF-16 LE's
        if raw.startswith(bom):
            raw, encoding = raw[len(bom):], enc
            break
    notes = []
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        text = raw.decode(encoding, errors="replace")
        notes.append(f"{text.count(chr(0xFFFD))} undecodable byte(s) replaced with U+FFFD "
                     f"(not {encoding.upper().replace('-LE', '').replace('-BE', '')})")
    nul = text.count("\x00")
    if nul:
        text = text.replace("\x00", "")
        notes.append(f"{nul} NUL character(s) removed")
    return text, "; ".join(notes) or None

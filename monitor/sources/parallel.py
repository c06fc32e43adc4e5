"""`read_paths` in reader processes: the same items in the same order, sooner.

Parsing (feedparser, HTML to text) and `prepare` (pure work on one article:
matching, the alert, what its story placement needs) need nothing but the file,
so reader processes do them while the calling process stores. Only for a
single-threaded caller (`monitor ingest`): readers are forked, on Linux only.
"""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from ..article import Article
from . import Problem
from .files import iter_paths, read_file, read_paths, resolved_folders, scope_of
from .limits import checked

READER_NICENESS = 5
PARENT_CHECK = 0.5  # seconds between a reader's checks that its parent still runs
AHEAD_FILES = 32
AHEAD_BYTES = 8 * 1024 * 1024


def read_paths_parallel(paths: Iterable[Path], source_kind: str = "seed",
                        roots: Iterable[Path] | None = None, workers: int = 1,
                        prepare: Callable[[Article], Any] | None = None
                        ) -> Iterator[Any]:
    """`read_paths`, with files read in `workers` processes; same items, same order.

    `prepare(article)` replaces each article in what is yielded; one that raises
    leaves the article as it is (its consumer does the work and reports the
    failure). Readers run ahead of the consumer (which stores a batch at a time)
    by at most AHEAD_FILES files and AHEAD_BYTES bytes of files (memory stays
    bounded; at least one file per reader). A file whose reader died, or whose
    result could not be sent back, is read again here with a warning; after a
    death, the files not yet read are read here too.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # Forked readers only where fork is safe and cheap (Linux); macOS may crash a
    # forked process that uses system frameworks, and Windows has no fork.
    if workers <= 1 or not sys.platform.startswith("linux"):
        yield from read_paths(paths, source_kind, roots)
        return
    paths = list(paths)
    folders = resolved_folders(paths, roots)
    listed = list(iter_paths(paths))
    files = [p for p in listed if not isinstance(p, Problem)]

    def here(p: Path | Problem) -> Iterator[Article | Problem]:
        """`p` read in this process."""
        if isinstance(p, Problem):
            return checked(p)
        return read_file(p, source_kind, scope=scope_of(p, folders))

    if len(files) < 2:  # nothing to share out: listed once, read here
        for one in listed:
            yield from here(one)
        return

    ctx = multiprocessing.get_context("fork")  # the worker inherits `prepare`, unpickled
    pending: deque[tuple[Path | Problem, Future[list[Any]] | None, int]] = deque()
    todo = iter(listed)
    broken = False
    ahead = 0  # bytes of the files in `pending`
    with ProcessPoolExecutor(min(workers, len(files)), mp_context=ctx,
                             initializer=_set_prepare, initargs=(prepare, os.getpid())) as pool:
        while True:
            while not broken and len(pending) < AHEAD_FILES and (
                    ahead < AHEAD_BYTES or len(pending) < workers):
                p = next(todo, None)
                if p is None:
                    break
                size = _size(p)
                ahead += size
                fut = None
                if not isinstance(p, Problem):
                    try:
                        fut = pool.submit(_read_all, p, source_kind, scope_of(p, folders))
                    except BrokenProcessPool:
                        broken = True
                pending.append((p, fut, size))
            if not pending:
                break
            p, fut, size = pending.popleft()
            ahead -= size
            if fut is None:
                yield from here(p)
                continue
            try:
                got = fut.result()
            except BrokenProcessPool:  # killed (out of memory, a signal)
                broken = True
                why = "the process reading this file died"
            except Exception as exc:  # its result could not be sent back
                why = f"reading this file in another process failed ({type(exc).__name__}: {exc})"
            else:
                yield from got
                continue
            yield Problem(str(p), f"{why}; read again in the main process", level="warning")
            yield from here(p)
    for p in todo:  # after a broken pool: read here
        yield from here(p)


def _size(p: Path | Problem) -> int:
    try:
        return 0 if isinstance(p, Problem) else p.stat().st_size
    except OSError:
        return 0


def default_jobs() -> int:
    """Reader processes for `monitor ingest`: the CPUs this process may use, at most 4."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(4, cpus))


_PREPARE: Callable[[Article], Any] | None = None  # set in each reader process


def _set_prepare(prepare: Callable[[Article], Any] | None, parent: int) -> None:
    """Each reader process's start. Readers yield the CPU to the process that stores:
    it is the one everything waits for (with as many readers as CPUs, three
    processes share two). A reader ends when `parent` does (see _outlive_not)."""
    import threading

    global _PREPARE
    _PREPARE = prepare
    try:
        os.nice(READER_NICENESS)
    except (AttributeError, OSError):
        pass
    threading.Thread(target=_outlive_not, args=(parent,), daemon=True,
                     name="parent-check").start()


def _outlive_not(parent: int) -> None:
    """A parent killed (SIGTERM to it alone, SIGKILL, out of memory) never shuts the
    pool down: its readers would wait on their queues for ever. They end instead."""
    import time

    while os.getppid() == parent:
        time.sleep(PARENT_CHECK)
    os._exit(1)


def _read_all(path: Path, source_kind: str, scope: str) -> list[Any]:
    out: list[Any] = []
    for item in read_file(path, source_kind, scope=scope):
        if _PREPARE is not None and isinstance(item, Article):
            try:
                item = _PREPARE(item)
            except Exception:  # noqa: S110 - the consumer does it again and reports it
                pass
        out.append(item)
    return out

"""Generated spelling variants cached on disk, so a CLI run need not regenerate them.

Generating the variants of the default watchlist (and checking each against
English word frequencies) takes most of a second, at every process start. The
result depends only on the watchlist and the generator's settings, so it is kept
in a small JSON file beside the database, named for both; any change to either
names another file. An unreadable cache is ignored and rebuilt.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from pathlib import Path
from typing import Any

from . import variants
from .filemodes import private_dir
from .watchlist import Watchlist, build_watchlist, watchlist_version


def _generator_key() -> str:
    """A digest of everything besides the watchlist that changes the variants."""
    settings = (variants.CLASSES, variants.MAX_EDITS, variants.MAX_VARIANTS,
                variants.MIN_LENGTH, variants.COMMON_ZIPF,
                importlib.util.find_spec("wordfreq") is not None)
    return hashlib.sha256(repr(settings).encode()).hexdigest()[:8]


def cache_path(raw: dict[str, Any], folder: Path) -> Path:
    return folder / f".variants-{watchlist_version(raw)}-{_generator_key()}.json"


def cached_watchlist(raw: dict[str, Any], folder: Path | None) -> Watchlist:
    """build_watchlist(raw), with the variants read from (or written to) `folder`."""
    if folder is None:
        return build_watchlist(raw)
    path = cache_path(raw, folder)
    loaded = False
    try:
        data = json.loads(path.read_text("utf-8"))
        variants.preload({k: (tuple(v[0]), tuple(v[1])) for k, v in data.items()})
        loaded = True
    except (OSError, ValueError, TypeError, AttributeError, IndexError):
        pass  # missing or damaged: generate, then write it again
    wl = build_watchlist(raw)
    if not loaded:
        try:
            private_dir(folder)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({k: [list(a), list(b)]
                                       for k, (a, b) in variants.known().items()}), "utf-8")
            tmp.replace(path)  # atomic: a reader never sees half a file
        except OSError:
            pass  # a read-only folder only costs the time to generate them
    return wl

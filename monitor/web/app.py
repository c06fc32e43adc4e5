"""`monitor serve`: Datasette over the database, read-only, with the shipped metadata.

Datasette opens a file it may see change with `?mode=ro` (read-only; the
daemon keeps writing through WAL, and each request sees the last commit). Not
`--immutable`: that mode assumes the file never changes and would serve stale
or broken pages while the daemon writes.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

METADATA = Path(__file__).with_name("metadata.json")
HOST = "127.0.0.1"  # this machine only
PUBLIC_HOST = "0.0.0.0"  # every interface: only with `monitor serve --public`
# Facets over the views evaluate every row's actors/events: give them time.
SETTINGS = {"facet_time_limit_ms": 1000, "sql_time_limit_ms": 3000}
INSTALL_HINT = "monitor serve needs the web extra: pip install 'libya-monitor[web]'"


class MissingExtra(RuntimeError):
    """Datasette is not installed."""


def available() -> bool:
    """Whether the web extra (Datasette) is installed and importable."""
    try:
        import datasette  # noqa: F401
    except ImportError:
        return False
    return True


@cache
def metadata() -> dict[str, Any]:
    """The shipped metadata.json (titles, descriptions, facets, canned queries)."""
    return json.loads(METADATA.read_text("utf-8"))


def build(db_path: Path) -> Any:
    """A Datasette instance serving `db_path` read-only as /monitor."""
    if not available():
        raise MissingExtra(INSTALL_HINT)
    from datasette.app import Datasette
    from datasette.database import Database
    from datasette.plugins import pm

    from . import plugin

    if not pm.is_registered(plugin):
        pm.register(plugin, name="libya-monitor")
    ds = Datasette([str(db_path)], metadata=metadata(), settings=SETTINGS)
    # Served as /monitor whatever the file is called (metadata.json is keyed by it).
    for name in list(ds.databases):
        if name not in ("_internal",):
            ds.remove_database(name)
    ds.add_database(Database(ds, path=str(db_path), is_mutable=True), name=plugin.DATABASE)
    return ds


def run(db_path: Path, host: str, port: int,
        keep_indexed: Callable[[], Any] | None = None) -> None:
    """Serve until interrupted (SIGINT/SIGTERM stop it cleanly).

    `keep_indexed` opens a writable connection: with it, a thread brings the
    search index up to date every search_index.SERVE_EVERY seconds (articles
    that `monitor ingest` stored while the page is open become searchable).
    """
    import asyncio

    import uvicorn

    if keep_indexed is not None:
        threading.Thread(target=_keep_indexed, args=(keep_indexed,), daemon=True,
                         name="search-index").start()
    ds = build(db_path)
    asyncio.run(ds.invoke_startup())
    uvicorn.run(ds.app(), host=host, port=port, log_level="info", lifespan="on", workers=1)


def _keep_indexed(open_db: Callable[[], Any]) -> None:
    from .. import search_index

    while True:
        time.sleep(search_index.SERVE_EVERY)
        index_once(open_db)


def index_once(open_db: Callable[[], Any]) -> int:
    """One round of the serve thread: index what was stored since; never raises."""
    from .. import search_index
    from ..terminal import clean

    try:
        db = open_db()
        try:
            return search_index.catch_up(db)
        finally:
            db.close()
    except Exception as exc:  # locked, read-only: the next round tries again
        logging.getLogger("monitor.serve").warning(
            "search index: catching up failed: %s", clean(f"{type(exc).__name__}: {exc}"))
        return 0

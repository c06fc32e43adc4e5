"""`monitor serve`: Datasette over the database, read-only, with the shipped metadata.

Datasette opens a file it may see change with `?mode=ro` (read-only; the
daemon keeps writing through WAL, and each request sees the last commit). Not
`--immutable`: that mode assumes the file never changes and would serve stale
or broken pages while the daemon writes.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

METADATA = Path(__file__).with_name("metadata.json")
HOST = "127.0.0.1"  # this machine only
PUBLIC_HOST = "0.0.0.0"  # every interface: only with `monitor serve --public`
PORT = 8001  # Datasette's own default
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


def build(db_path: Path, settings: dict[str, Any] | None = None) -> Any:
    """A Datasette instance serving `db_path` read-only as /monitor."""
    if not available():
        raise MissingExtra(INSTALL_HINT)
    from datasette.app import Datasette
    from datasette.database import Database
    from datasette.plugins import pm

    from . import plugin

    if not pm.is_registered(plugin):
        pm.register(plugin, name="libya-monitor")
    ds = Datasette([str(db_path)], metadata=metadata(), settings={**SETTINGS, **(settings or {})})
    # Served as /monitor whatever the file is called (metadata.json is keyed by it).
    for name in list(ds.databases):
        if name not in ("_internal",):
            ds.remove_database(name)
    ds.add_database(Database(ds, path=str(db_path), is_mutable=True), name=plugin.DATABASE)
    return ds


def run(db_path: Path, host: str = HOST, port: int = PORT) -> None:
    """Serve until interrupted (SIGINT/SIGTERM stop it cleanly)."""
    import asyncio

    import uvicorn

    ds = build(db_path)
    asyncio.run(ds.invoke_startup())
    uvicorn.run(ds.app(), host=host, port=port, log_level="info", lifespan="on", workers=1)

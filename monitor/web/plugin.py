"""Datasette hooks: the monitor's SQL functions on every connection, marked snippets.

Registered by app.build(); Datasette calls the hooks by name.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from datasette import hookimpl
from markupsafe import Markup, escape

from .. import search

DATABASE = "monitor"  # the name the database is served under (app.py)
_MARKED = re.compile(r"\*\*(.+?)\*\*")


def fts(query: str | None) -> str:
    """An FTS5 query folded like the index; an empty one matches nothing (no error)."""
    return search.fts_query(query) if query and query.strip() else '""'


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    search.register(conn)  # monitor_fold(text)
    conn.create_function("monitor_fts", 1, fts, deterministic=True)
    conn.create_function("monitor_snippet", 2, search.marked_snippet, deterministic=True)


@hookimpl
def render_cell(value: Any, column: str, database: str) -> Markup | None:
    """A `snippet` column: the marked words in <mark>, everything else escaped."""
    if database != DATABASE or column != "snippet" or not isinstance(value, str):
        return None
    out, pos = [], 0
    for m in _MARKED.finditer(value):
        out += [escape(value[pos:m.start()]), Markup("<mark>"), escape(m.group(1)),
                Markup("</mark>")]
        pos = m.end()
    out.append(escape(value[pos:]))
    return Markup("").join(out)

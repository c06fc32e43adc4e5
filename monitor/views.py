"""The read-only SQL views (views.sql), kept in step with the shipped definitions.

Views are not a migration: the `stories` table is still changing, and a view
frozen into a migration would have to be dropped and re-created by every later
one. Instead `ensure()` compares the stored view SQL with views.sql each time a
writable connection opens the database (store.open_db) and rewrites the views
only when they differ, so editing views.sql is all a schema change needs. A
reader that cannot write (a read-only file) keeps the views it finds.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from sqlite_utils import Database

SQL_FILE = Path(__file__).with_name("views.sql")
_NAME = re.compile(r"^\s*create\s+view\s+(\w+)", re.I | re.M)
_COMMENT = re.compile(r"^\s*--.*$", re.M)


@cache
def definitions() -> dict[str, str]:
    """View name -> its `create view` statement, from views.sql."""
    text = _COMMENT.sub("", SQL_FILE.read_text("utf-8"))
    out = {}
    for stmt in re.split(r"^;\s*$", text, flags=re.M):
        stmt = stmt.strip()
        if stmt:
            m = _NAME.match(stmt)
            if not m:
                raise ValueError(f"{SQL_FILE.name}: not a create view statement: {stmt[:60]!r}")
            out[m.group(1)] = _NAME.sub(r"create view \1", stmt, count=1)
    return out


def _stored(db: Database) -> dict[str, str]:
    # SQLite keeps the statement as written, except that it upper-cases "CREATE".
    return {name: _NAME.sub(r"create view \1", sql, count=1) for name, sql in db.execute(
        "select name, sql from sqlite_master where type = 'view'").fetchall()}


def stale(db: Database) -> list[str]:
    """The views missing or different from views.sql (reads only)."""
    stored = _stored(db)
    return [name for name, sql in definitions().items() if stored.get(name) != sql]


def ensure(db: Database) -> None:
    """Create or re-create the views whose stored SQL differs from views.sql."""
    for name in stale(db):
        db.execute(f"drop view if exists {name}")
        db.execute(definitions()[name])

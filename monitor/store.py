"""The SQLite database: connection settings, writes (the schema: migrations.py).

Tables (see the README for columns): articles, alerts, alert_terms,
rejected, runs, feeds; story_members, story_terms, story_df, story_meta, stories
(story_store.py), notifications (notify.py), the full-text index articles_fts
(search.py); the views of views.sql (views.py). One `with transaction(db):` (an
immediate `db.atomic()`) per batch, so an article and its alert are written together or
not at all.

Alerts are immutable once stored (`data` is the alert JSON as it was raised),
except these columns: `current` (rescan), `shown_at` (digest --new) and
`acked_at` (ack); and `rescan` rewrites an alert whose decision changed while
the watchlist version (so the alert id) did not (`replace_alert`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from . import search, views
from .article import Article
from .dates import now_rfc3339
from .filemodes import FILE_MODE, private_dir, private_file, tighten
from .migrations import migrations
from .severity import SEVERITIES
from .sources import Problem

BUSY_TIMEOUT_MS = 10_000  # readers and the daemon wait this long for a lock


@contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """`db.atomic()` that takes the write lock first (BEGIN IMMEDIATE).

    A deferred transaction that reads and then writes fails at once with
    "database is locked" when another connection wrote in between (the busy
    timeout does not apply to that upgrade): daemon jobs write concurrently.
    """
    if db.conn.in_transaction:
        with db.atomic():  # nested: a savepoint
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        with db.atomic():
            yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


def open_db(path: Path | str, *, own_dir: bool = False) -> Database:
    """Open (creating if needed) and migrate the database; WAL, busy timeout.

    The database and its WAL files are 0600, a folder made for it 0700 (an
    existing one too when `own_dir`: the config's own state folder).
    """
    p = Path(path)
    if str(p) != ":memory:":
        private_dir(p.parent, own=own_dir)
        private_file(p)  # SQLite gives its -wal and -shm files the database's mode
        for extra in (p.with_name(p.name + "-wal"), p.with_name(p.name + "-shm")):
            tighten(extra, FILE_MODE)  # as an earlier release left them
    db = Database(p)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if str(p) != ":memory:":
        db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a crash loses no commit
    db.execute("PRAGMA foreign_keys = ON")
    search.register(db.conn)  # the articles_fts triggers call monitor_fold()
    # Read-only checks first: readers never take the write lock for nothing.
    if migrations.pending(db) or views.stale(db):
        # Two processes opening a new database at once: one migrates, the other
        # waits for the lock and then finds nothing pending.
        with transaction(db):
            migrations.apply(db)
            views.ensure(db)
    return db


def known_article_ids(db: Database, ids: Iterable[str]) -> set[str]:
    ids = list(ids)
    found: set[str] = set()
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        q = "select id from articles where id in (%s)" % ",".join("?" * len(chunk))
        found.update(r[0] for r in db.execute(q, chunk).fetchall())
    return found


_ARTICLE_COLUMNS = ("id", "title", "text", "url", "canonical_url", "source", "source_kind",
                    "published_at", "guid", "first_seen_at", "story_id")
_INSERT_ARTICLE = (f"insert or ignore into articles ({', '.join(_ARTICLE_COLUMNS)}) "
                   f"values ({', '.join('?' * len(_ARTICLE_COLUMNS))})")


def insert_articles(db: Database, rows: Iterable[tuple[Article, str, str]]) -> None:
    """Store (article, first seen, story id) rows; an id already stored is kept.

    One prepared statement for the batch, each row a tuple (no dict per row).
    """
    db.conn.executemany(_INSERT_ARTICLE, (
        (a.id, a.title, a.text, a.url, a.canonical_url, a.source, a.source_kind,
         a.published_at, a.guid, seen, sid) for a, seen, sid in rows))


def alert_row(alert: dict[str, Any], first_seen_at: str) -> dict[str, Any]:
    return {
        "id": alert["id"],
        "article_id": alert["article"]["id"],
        "story_id": alert["story_id"],
        "watchlist_version": alert["watchlist_version"],
        "severity": alert["severity"],
        "severity_rank": SEVERITIES.index(alert["severity"]),
        "score": alert["score"],
        "created_at": alert["created_at"],
        "first_seen_at": first_seen_at,
        "current": 1,
        "shown_at": None,
        "acked_at": None,
        "data": json.dumps(alert, ensure_ascii=False),
    }


def term_rows(alert: dict[str, Any], first_seen_at: str) -> list[dict[str, Any]]:
    return [{"alert_id": alert["id"], "kind": kind, "term_id": x["id"],
             "first_seen_at": first_seen_at}
            for kind, key in (("actor", "actors"), ("event", "events")) for x in alert[key]]


def save_alerts(db: Database, alerts: list[tuple[dict[str, Any], str]]) -> int:
    """Insert alerts (first write wins) and make each its article's current one."""
    if not alerts:
        return 0
    rows = [alert_row(a, seen) for a, seen in alerts]
    cols = list(rows[0])
    # Prepared statements; rowcount says how many were new (no count(*) of the table).
    added = db.conn.executemany(
        f"insert or ignore into alerts ({', '.join(cols)}) values ({', '.join('?' * len(cols))})",
        [tuple(r[c] for c in cols) for r in rows]).rowcount
    db.conn.executemany(
        "insert or ignore into alert_terms (alert_id, kind, term_id, first_seen_at) "
        "values (?, ?, ?, ?)", [(r["alert_id"], r["kind"], r["term_id"], r["first_seen_at"])
                                for a, seen in alerts for r in term_rows(a, seen)])
    db.conn.executemany("update alerts set current = (id = ?) where article_id = ?",
                        [(a["id"], a["article"]["id"]) for a, _ in alerts])
    return added


def replace_alert(db: Database, alert: dict[str, Any]) -> None:
    """Rewrite a stored alert's decision in place (rescan: same id, new decision).

    Keeps when it was first seen, shown and acked; its terms are replaced.
    """
    db.execute("update alerts set severity = ?, severity_rank = ?, score = ?, data = ?, "
               "story_id = ? where id = ?",
               [alert["severity"], SEVERITIES.index(alert["severity"]), alert["score"],
                json.dumps(alert, ensure_ascii=False), alert["story_id"], alert["id"]])
    row = db.execute("select first_seen_at from alerts where id = ?", [alert["id"]]).fetchone()
    if row is None:
        return
    db.execute("delete from alert_terms where alert_id = ?", [alert["id"]])
    db.table("alert_terms").insert_all(term_rows(alert, row[0]), ignore=True)


def save_problems(db: Database, problems: Iterable[Problem], stage: str = "read") -> int:
    """Record problems; the same problem seen again only bumps `times`."""
    now = now_rfc3339()
    rows = [{"id": _problem_id(stage, p), "stage": stage, "level": p.level,
             "source": p.source, "line": p.line, "error": p.error, "record": p.record,
             "created_at": now, "last_seen_at": now, "times": 0} for p in problems]
    if rows:
        db.table("rejected").insert_all(rows, ignore=True)
        for i in range(0, len(rows), 500):
            ids = [r["id"] for r in rows[i:i + 500]]
            db.execute("update rejected set last_seen_at = ?, times = times + 1 "
                       "where id in (%s)" % ",".join("?" * len(ids)), [now, *ids])
    return len(rows)


def _problem_id(stage: str, p: Problem) -> str:
    key = "\x1f".join(map(str, (stage, p.source, p.line, p.error, p.record)))
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()[:16]


def record_run(db: Database, kind: str, started_at: str, status: str,
               summary: dict[str, Any]) -> None:
    db.table("runs").insert({"kind": kind, "started_at": started_at,
                             "finished_at": now_rfc3339(), "status": status,
                             "summary": json.dumps(summary)})

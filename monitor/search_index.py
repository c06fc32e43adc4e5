"""Keeping the full-text index up to date: after ingest, not inside it.

An article is stored (with its alert and story) first; the index catches up
afterwards. Tokenising a full article costs about as much as everything else
ingest does to it, and an analyst waits for alerts, not for the index.

The index (`articles_fts`, search.py) covers every article up to the rowid
kept in `search_state` (`indexed_rowid`); articles are only ever added, and
SQLite gives a new row a rowid above every stored one (none is ever deleted
here; a delete elsewhere lowers the mark), so the rows above the mark are
exactly the ones waiting. Who catches up:

  monitor search   before it queries (a search sees every stored article)
  monitor serve    before it starts, then every SERVE_EVERY seconds
  the daemon       after every job that stored articles, and `monitor once`

`monitor ingest` leaves it to them; `monitor status` says how many wait.
Catching up runs in write transactions of CHUNK articles, so a daemon job
never waits long behind it, and two processes catching up at once never index
a row twice (each reads the mark inside its own transaction).
"""

from __future__ import annotations

import threading

from sqlite_utils import Database

CHUNK = 2000  # articles indexed per write transaction
SERVE_EVERY = 30.0  # seconds between catch-ups while `monitor serve` runs

_MARK = "select value from search_state where key = 'indexed_rowid'"


def defer(db: Database) -> None:
    """Migration: the insert trigger goes; the mark starts at what it indexed."""
    db.execute("create table if not exists search_state "
               "(key text primary key, value integer not null)")
    db.execute("insert or replace into search_state (key, value) values "
               "('indexed_rowid', (select coalesce(max(rowid), 0) from articles_fts))")
    db.execute("drop trigger if exists articles_fts_ai")
    db.execute("drop trigger if exists articles_fts_au")
    # An article changed after it was indexed is indexed again; one still waiting
    # is indexed as it is when its turn comes.
    db.execute("""
        create trigger articles_fts_au after update of id, title, text on articles
        when old.rowid <= (select value from search_state where key = 'indexed_rowid')
        begin
          delete from articles_fts where rowid = old.rowid;
          insert into articles_fts(rowid, article_id, title, text)
          values (new.rowid, new.id, monitor_fold(new.title), monitor_fold(new.text));
        end""")
    # Nothing here deletes articles; if something else does, the mark comes down to
    # the highest rowid left, so a row that reuses a freed rowid is still indexed.
    db.execute("drop trigger if exists articles_fts_ad")
    db.execute("""
        create trigger articles_fts_ad after delete on articles begin
          delete from articles_fts where rowid = old.rowid;
          update search_state set value = min(value, (select coalesce(max(rowid), 0)
            from articles)) where key = 'indexed_rowid';
        end""")


def _mark(db: Database) -> int:
    row = db.execute(_MARK).fetchone()
    return int(row[0]) if row else 0


def pending(db: Database) -> int:
    """How many stored articles the index does not cover yet."""
    return int(db.execute("select count(*) from articles where rowid > (%s)" % _MARK
                          ).fetchone()[0])


def catch_up(db: Database, stop: threading.Event | None = None) -> int:
    """Index every article above the mark, CHUNK per transaction (until `stop` is
    set: the rest waits for the next catch-up). Returns how many were indexed."""
    from . import store

    done = 0
    while True:
        # Cheap read first: nothing waiting takes no write lock.
        top = db.execute("select max(rowid) from articles").fetchone()[0] or 0
        if top <= _mark(db):
            return done
        with store.transaction(db):
            mark = _mark(db)  # again, under the lock: another process may have moved it
            upto = db.execute("select max(rowid) from (select rowid from articles where "
                              "rowid > ? order by rowid limit ?)", [mark, CHUNK]
                              ).fetchone()[0]
            if upto is None:
                return done
            cur = db.execute(
                "insert into articles_fts(rowid, article_id, title, text) "
                "select rowid, id, monitor_fold(title), monitor_fold(text) from articles "
                "where rowid > ? and rowid <= ?", [mark, upto])
            done += cur.rowcount
            db.execute("update search_state set value = ? where key = 'indexed_rowid'",
                       [upto])
        if stop is not None and stop.is_set():
            return done

"""The schema: every migration of the database, applied in order by `store.open_db`.

Each is a sqlite-utils migration recorded by name in `_sqlite_migrations`: a
database made by any earlier release is brought up to date, and a new one runs
them all. Never edit a released migration; add the next one.
"""

from __future__ import annotations

import json

from sqlite_utils import Database, Migrations

from . import search
from .story_store import backfill as backfill_stories
from .story_store import backfill_event_stories

migrations = Migrations("libya-monitor")


@migrations()
def m001_core(db: Database) -> None:
    db.table("articles").create({
        "id": str, "title": str, "text": str, "url": str, "canonical_url": str,
        "source": str, "source_kind": str, "published_at": str, "guid": str,
        "first_seen_at": str, "story_id": str,
    }, pk="id")
    db.table("articles").create_index(["canonical_url"])
    db.table("articles").create_index(["first_seen_at"])
    db.table("alerts").create({
        "id": str, "article_id": str, "story_id": str, "watchlist_version": str,
        "severity": str, "severity_rank": int, "score": float, "created_at": str,
        "first_seen_at": str, "current": int, "shown_at": str, "acked_at": str,
        "data": str,
    }, pk="id", foreign_keys=[("article_id", "articles", "id")])
    db.table("alerts").create_index(["article_id"])
    db.table("alerts").create_index(["current", "first_seen_at"])
    db.table("alerts").create_index(["story_id"])
    db.table("alert_terms").create({
        "alert_id": str, "kind": str, "term_id": str, "first_seen_at": str,
    }, pk=("alert_id", "kind", "term_id"), foreign_keys=[("alert_id", "alerts", "id")])
    db.table("alert_terms").create_index(["kind", "term_id", "first_seen_at"])
    db.table("rejected").create({
        "id": str, "stage": str, "level": str, "source": str, "line": int,
        "error": str, "record": str, "created_at": str, "last_seen_at": str, "times": int,
    }, pk="id")
    db.table("rejected").create_index(["last_seen_at"])
    db.table("runs").create({
        "id": int, "kind": str, "started_at": str, "finished_at": str,
        "status": str, "summary": str,
    }, pk="id")


@migrations()
def m002_feeds(db: Database) -> None:
    # One row per configured feed URL: what the poller needs to be polite and to resume.
    db.table("feeds").create({
        "url": str,  # the URL as written in the config (the key)
        "current_url": str,  # where it lives now, after permanent (301/308) redirects
        "name": str, "title": str,  # configured name; the feed's own title
        "etag": str, "last_modified": str,  # validators exactly as the server sent them
        "body_hash": str,  # sha256 of the last body parsed: unchanged bodies are skipped
        "last_fetch_at": str, "last_status": str, "last_success_at": str, "last_error": str,
        "failures": int,  # failures in a row; 0 after any success
        "next_due_at": str,
        "gone": int,  # 1 after HTTP 410: polling stopped
        "retry_after_until": str,  # the server asked us (429/503) to wait until then
        "entries_seen": int,  # entries read from this feed, all polls together
    }, pk="url", defaults={"failures": 0, "gone": 0, "entries_seen": 0})


@migrations()
def m003_stories(db: Database) -> None:
    """Story grouping (story_store.py) and notification state (notify.py)."""
    db.table("story_signatures").create({
        "article_id": str, "story_id": str, "source_key": str, "at": str, "seen_at": str,
        "sig": bytes,
    }, pk="article_id")
    db.table("story_signatures").create_index(["story_id"])
    # One row per (band, story): the story's latest article with that band key,
    # so a story with thousands of copies still costs one row per band.
    db.table("story_bands").create({"band": int, "story_id": str, "article_id": str},
                                   pk=("band", "story_id"))
    db.table("stories").create({
        "id": str, "first_seen_at": str, "last_seen_at": str, "articles": int,
        "sources": int, "score": float, "severity": str, "severity_rank": int,
        "shown_at": str, "shown_rank": int,
    }, pk="id")
    db.table("stories").create_index(["last_seen_at"])
    db.table("articles").create_index(["story_id"])
    db.table("notifications").create({
        "story_id": str, "status": str, "attempts": int, "last_error": str,
        "created_at": str, "last_attempt_at": str, "sent_at": str,
    }, pk="story_id")
    db.table("notifications").create_index(["status"])
    backfill_stories(db)  # articles stored before this migration: one story each
    # (m006 replaces the near-copy signature tables with event-level stories.)


@migrations()
def m004_daemon(db: Database) -> None:
    db.table("jobs").create({
        "id": str, "name": str, "last_run_at": str, "last_status": str, "last_error": str,
        "last_duration": float, "next_run_at": str, "runs": int, "failures": int,
        "summary": str,
    }, pk="id")
    db.table("daemon").create({
        "id": int, "pid": int, "started_at": str, "stopped_at": str, "config": str,
    }, pk="id")


@migrations()
def m005_job_interval(db: Database) -> None:
    # Seconds between a job's runs: `monitor status` flags a job overdue by 2x this.
    db.table("jobs").add_column("interval", float)


@migrations()
def m006_event_stories(db: Database) -> None:
    """Event-level stories (story_store.py): members, inverted term index, IDF.

    Existing articles keep their stories. Flagged articles become members; the
    stories active in the last WINDOW_DAYS * 2 days before the newest report (or
    today, if that is earlier) get
    centroids and index terms, so today's reports still find yesterday's stories.
    """
    db.table("story_members").create({
        "article_id": str, "story_id": str, "at": str, "seen_at": str, "source_key": str,
        "lang": str, "score": float, "title": str}, pk="article_id")
    db.table("story_members").create_index(["story_id"])
    db.table("story_terms").create({"term": str, "story_id": str, "last_day": int},
                                   pk=("term", "story_id"))
    db.table("story_terms").create_index(["term", "last_day"])
    db.table("story_terms").create_index(["story_id"])
    db.table("story_df").create({"term": str, "df": int}, pk="term")
    db.table("story_meta").create({"key": str, "value": int}, pk="key")
    stories_t = db.table("stories")
    for col, typ in (("centroid", str), ("first_day", int), ("last_day", int),
                     ("merged_into", str), ("headline", str), ("languages", str),
                     ("first_report_at", str), ("last_report_at", str),
                     ("actors", str), ("events", str)):
        stories_t.add_column(col, typ)
    stories_t.create_index(["merged_into"])
    backfill_event_stories(db)
    db.table("story_signatures").drop(ignore=True)
    db.table("story_bands").drop(ignore=True)


@migrations()
def m007_redact_urls(db: Database) -> None:
    """Hide credentials that earlier releases stored with feed URLs (user info, keys).

    Feeds are now keyed by their redacted URL; a remembered move that held a
    secret is forgotten (the next poll follows the redirect again).
    """
    from .redact import redact_text, redact_url

    for row in list(db.query("select rowid, url, current_url from feeds")):
        url, cur = redact_url(row["url"]), row["current_url"]
        cur = None if cur and redact_url(cur) != cur else cur
        if url != row["url"] or cur != row["current_url"]:
            if db.execute("select 1 from feeds where url = ?", [url]).fetchone():
                db.execute("delete from feeds where rowid = ?", [row["rowid"]])
            else:
                db.execute("update feeds set url = ?, current_url = ? where rowid = ?",
                           [url, cur, row["rowid"]])
    for table in ("articles", "rejected"):
        for rowid, source in db.execute(
                f"select rowid, source from {table} where source like '%://%'").fetchall():
            if redact_text(source) != source:
                db.execute(f"update {table} set source = ? where rowid = ?",
                           [redact_text(source), rowid])
    for aid, data in db.execute("select id, data from alerts where data like '%://%'"
                                ).fetchall():
        alert = json.loads(data)
        src = alert.get("article", {}).get("source")
        if isinstance(src, str) and redact_text(src) != src:
            alert["article"]["source"] = redact_text(src)
            db.execute("update alerts set data = ? where id = ?",
                       [json.dumps(alert, ensure_ascii=False), aid])
    for rowid, key in db.execute("select rowid, source_key from story_members "
                                 "where source_key like '%@%'").fetchall():
        db.execute("update story_members set source_key = ? where rowid = ?",
                   ["***@" + key.rpartition("@")[2], rowid])  # as new sources give
    for rowid, name, jid in db.execute("select rowid, name, id from jobs").fetchall():
        if redact_text(jid) != jid or redact_text(name) != name:  # rebuilt at the next start
            db.execute("delete from jobs where rowid = ?", [rowid])


@migrations()
def m008_search(db: Database) -> None:
    """Full-text search: the articles_fts index and its triggers (search.py); the
    stored articles are indexed by the first catch-up (search_index.py, m010)."""
    search.create_index(db)


@migrations()
def m009_job_running_since(db: Database) -> None:
    # Set when a daemon job starts, cleared when it ends: `monitor status` shows
    # a long job as running, not as its previous run.
    db.table("jobs").add_column("running_since", str)


@migrations()
def m010_search_after_ingest(db: Database) -> None:
    """The full-text index catches up after ingest (search_index.py), not per insert."""
    from . import search_index

    search_index.defer(db)


@migrations()
def m011_story_terms_covering(db: Database) -> None:
    """The candidate lookup reads (term, last_day, story_id) from the index alone."""
    db.execute("create index if not exists idx_story_terms_term_last_day_story_id "
               "on story_terms (term, last_day, story_id)")
    db.execute("drop index if exists idx_story_terms_term_last_day")

"""The search index catches up after ingest: by search, serve, the daemon, once.

Every article here is SYNTHETIC (written for these tests), not real news.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from test_daemon import count, reaches, start, wait_for

from monitor import search_index, store
from monitor.store import open_db

ROOT = Path(__file__).resolve().parents[1]


def synthetic(path: Path, n: int, word: str = "synthetic") -> Path:
    path.write_text("".join(json.dumps({
        "id": f"{word}-{i}", "title": f"Synthetic {word} item {i} on Haftar in Libya",
        "text": f"Synthetic {word} body {i}: the Libyan National Army of Haftar near Sirte."})
        + "\n" for i in range(n)), "utf-8")
    return path


def fts(db, sql: str = "select count(*) from articles_fts") -> int:
    return db.execute(sql).fetchone()[0]


@pytest.fixture
def ingested(project, run, tmp_path):
    """A database with 10 synthetic articles stored by `monitor ingest`, none indexed."""
    cfg = project()
    r = run("ingest", str(synthetic(tmp_path / "a.jsonl", 10)), config=cfg)
    assert r.exit_code == 0, r.output
    return cfg, tmp_path / "state" / "monitor.db"


def test_catch_up_in_chunks_indexes_each_article_once(ingested, monkeypatch):
    _, path = ingested
    db = open_db(path)
    assert search_index.pending(db) == 10 and fts(db) == 0
    monkeypatch.setattr(search_index, "CHUNK", 3)
    assert search_index.catch_up(db) == 10
    assert search_index.pending(db) == 0 and search_index.catch_up(db) == 0
    assert fts(db) == 10 == fts(db, "select count(distinct article_id) from articles_fts")


def test_a_stop_leaves_the_rest_for_the_next_catch_up(ingested, monkeypatch):
    db = open_db(ingested[1])
    monkeypatch.setattr(search_index, "CHUNK", 4)
    stop = threading.Event()
    stop.set()
    assert search_index.catch_up(db, stop) == 4 and search_index.pending(db) == 6
    assert search_index.catch_up(db) == 6 and search_index.pending(db) == 0


_CATCH_UP = """
import sys
from monitor import search_index
from monitor.store import open_db
search_index.CHUNK = 2
print(search_index.catch_up(open_db(sys.argv[1])))
"""


def test_two_processes_catching_up_at_once_never_index_a_row_twice(project, run, tmp_path):
    cfg = project()
    assert run("ingest", str(synthetic(tmp_path / "a.jsonl", 60)), config=cfg).exit_code == 0
    path = tmp_path / "state" / "monitor.db"
    procs = [subprocess.Popen([sys.executable, "-c", _CATCH_UP, str(path)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True) for _ in range(2)]
    done = [int(p.communicate(timeout=60)[0]) for p in procs]
    assert sum(done) == 60
    db = open_db(path)
    assert fts(db) == 60 == fts(db, "select count(distinct rowid) from articles_fts")


def test_a_changed_article_is_found_by_its_new_words(ingested):
    db = open_db(ingested[1])
    search_index.catch_up(db)
    with store.transaction(db):  # indexed already: the trigger indexes it again
        db.execute("update articles set text = 'Zanzibarish synthetic words' "
                   "where rowid = (select min(rowid) from articles)")
    assert fts(db, "select count(*) from articles_fts where articles_fts match "
                   "'zanzibarish'") == 1
    assert fts(db) == 10


def test_a_freed_top_rowid_reused_by_a_new_article_is_still_indexed(ingested, run):
    cfg, path = ingested
    db = open_db(path)
    search_index.catch_up(db)
    db.execute("pragma foreign_keys = off")  # its alert stays: only the rowid matters here
    with store.transaction(db):  # nothing in monitor deletes articles; another tool might
        db.execute("delete from articles where rowid = (select max(rowid) from articles)")
    db.close()
    r = run("ingest", str(synthetic(path.parent / "b.jsonl", 1, "later")), config=cfg)
    assert r.exit_code == 0, r.output
    db = open_db(path)
    assert search_index.pending(db) == 1
    search_index.catch_up(db)
    assert fts(db, "select count(*) from articles_fts where articles_fts match 'later'") == 1


def test_status_says_how_many_wait_and_search_finds_them(ingested, run):
    cfg, _ = ingested
    r = run("status", config=cfg)
    assert "search index: 10 stored article(s) not indexed yet" in r.output
    r = run("status", "--format", "json", config=cfg)
    assert json.loads(r.output)["articles_not_yet_searchable"] == 10
    hits = json.loads(run("search", "sirte", "--format", "json", "--limit", "50",
                          config=cfg).output)
    assert len(hits) == 10
    assert "not indexed" not in run("status", config=cfg).output


def test_search_on_a_locked_database_warns_and_searches_what_is_indexed(ingested, run,
                                                                         monkeypatch, tmp_path):
    cfg, path = ingested
    db = open_db(path)
    search_index.catch_up(db)
    db.close()
    assert run("ingest", str(synthetic(tmp_path / "b.jsonl", 2, "waiting")),
               config=cfg).exit_code == 0
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 50)
    holder = sqlite3.connect(path)
    holder.execute("begin immediate")  # another writer holds the lock
    try:
        r = run("search", "sirte", "--format", "json", "--limit", "50", config=cfg)
    finally:
        holder.rollback()
        holder.close()
    assert r.exit_code == 0
    assert "warning: 2 stored article(s) are not in the search index yet" in r.output
    assert len(json.loads(r.output[r.output.index("["):])) == 10


def test_once_leaves_the_index_complete(project, run, tmp_path):
    (tmp_path / "seeds").mkdir()
    synthetic(tmp_path / "seeds" / "a.jsonl", 5)
    cfg = project(seeds=["seeds"])
    assert run("once", config=cfg).exit_code == 0
    db = open_db(tmp_path / "state" / "monitor.db")
    assert search_index.pending(db) == 0 and fts(db) == 5


def test_serve_thread_keeps_the_index_up_to_date(ingested, monkeypatch):
    from monitor.web import app

    _, path = ingested
    monkeypatch.setattr(search_index, "SERVE_EVERY", 0.05)
    threading.Thread(target=app._keep_indexed, args=(lambda: open_db(path),),
                     daemon=True).start()
    assert wait_for(lambda: search_index.pending(open_db(path)) == 0, 20)
    assert fts(open_db(path)) == 10


def test_the_daemon_indexes_after_the_job_that_stored_articles(project, tmp_path):
    import signal

    (tmp_path / "seeds").mkdir()
    synthetic(tmp_path / "seeds" / "a.jsonl", 7)
    cfg = project(seeds=["seeds"], schedule={"seeds_interval": "1s", "default_interval": "2s"})
    db = tmp_path / "state" / "monitor.db"
    p = start(cfg)
    try:
        assert reaches(db, "select count(*) from articles_fts", 7)
        assert count(db, "select count(*) from articles") == 7
    finally:
        p.send_signal(signal.SIGTERM)
        p.communicate(timeout=70)
    assert p.returncode == 0


def test_a_stopping_daemon_stops_the_maintenance_catch_up_too(ingested, monkeypatch):
    """The hourly maintenance job may find a large backlog (a big `monitor ingest`):
    like every other job's catch-up, it leaves the rest when the daemon stops."""
    from monitor import daemon as daemon_mod

    cfg, path = ingested
    d = daemon_mod.Daemon(cfg)
    d.build_jobs()
    started = daemon_mod.jobstate.started

    def started_then_stop(*args, **kwargs):  # SIGTERM arrives as the job begins
        started(*args, **kwargs)
        d.stopping.set()

    monkeypatch.setattr(daemon_mod.jobstate, "started", started_then_stop)
    monkeypatch.setattr(search_index, "CHUNK", 4)
    d.scheduler.get_job("maintenance").func()
    db = open_db(path)
    assert fts(db) == 4 and search_index.pending(db) == 6


def test_once_reports_a_catch_up_it_cannot_do_and_keeps_its_run(project, run, tmp_path,
                                                                 monkeypatch):
    (tmp_path / "seeds").mkdir()
    synthetic(tmp_path / "seeds" / "a.jsonl", 3)
    cfg = project(seeds=["seeds"])
    path = tmp_path / "state" / "monitor.db"
    real = search_index.catch_up

    def locked_meanwhile(db, stop=None):  # another writer holds the lock just then
        con = sqlite3.connect(path)
        con.execute("begin immediate")
        db.execute("PRAGMA busy_timeout = 50")
        try:
            return real(db, stop)
        finally:
            con.rollback()
            con.close()
            db.execute(f"PRAGMA busy_timeout = {store.BUSY_TIMEOUT_MS}")

    monkeypatch.setattr(search_index, "catch_up", locked_meanwhile)
    r = run("once", config=cfg)
    assert r.exit_code == 0, r.output
    assert "search index: not brought up to date (database is locked)" in r.output
    db = open_db(path)
    assert db.table("alerts").count == 3 and search_index.pending(db) == 3
    assert db.execute("select count(*) from runs where kind = 'once'").fetchone()[0] == 1


def test_search_says_when_it_has_a_backlog_to_index(project, run, tmp_path, monkeypatch):
    cfg = project()
    assert run("ingest", str(synthetic(tmp_path / "a.jsonl", 5)), config=cfg).exit_code == 0
    monkeypatch.setattr(search_index, "CHUNK", 5)
    r = run("search", "sirte", config=cfg)
    assert "search index: indexing 5 article(s) stored since the last search" in r.output
    assert "search index: indexing" not in run("search", "sirte", config=cfg).output

import json
import sqlite3

import pytest

from monitor import schemas
from monitor.article import make_article
from monitor.pipeline import Engine, ingest
from monitor.rescan import rescan
from monitor.sources import Problem
from monitor.store import open_db
from monitor.watchlist import build_watchlist

RAW = {
    "context": ["Libya"],
    "actors": [{"id": "haftar", "name": "Khalifa Haftar", "libyan": True, "aliases": ["Haftar"]},
               {"id": "turkey", "name": "Turkey", "aliases": ["Turkey"]}],
    "events": [{"id": "ceasefire", "name": "Ceasefire", "aliases": ["ceasefire"]}],
}


@pytest.fixture
def db(tmp_path):
    return open_db(tmp_path / "state" / "m.db")


def art(title, body, **kw):
    # Synthetic articles, written for these tests.
    return make_article(title=title, body=body, source="test", source_kind="seed", **kw)


def test_alert_is_stored_with_article_and_validates(db):
    c = ingest(db, Engine(build_watchlist(RAW)), [art("Haftar calls ceasefire", "In Libya.")])
    assert (c.seen, c.new, c.alerts, c.rejected) == (1, 1, 1, 0)
    [row] = db.query("select * from alerts")
    alert = json.loads(row["data"])
    assert schemas.errors("alert", alert) == []
    assert row["current"] == 1 and row["severity"] == alert["severity"]
    terms = {(r["kind"], r["term_id"]) for r in db.query("select * from alert_terms")}
    assert terms == {("actor", "haftar"), ("event", "ceasefire")}


def test_same_article_twice_is_stored_once_and_alerts_once(db):
    e = Engine(build_watchlist(RAW))
    a = art("Haftar speaks", "x", url="https://e.org/1?utm_source=a")
    b = art("Haftar speaks (copy)", "y", url="https://www.e.org/1")
    ingest(db, e, [a, a])
    c = ingest(db, e, [b])
    assert c.new == 0
    assert db.table("articles").count == 1 and db.table("alerts").count == 1


def test_unflagged_articles_are_stored_without_alert(db):
    c = ingest(db, Engine(build_watchlist(RAW)), [art("Turkey votes", "No Libya here? Libya.")])
    assert c.alerts == 1  # Turkey counts: the article mentions Libya
    c = ingest(db, Engine(build_watchlist(RAW)), [art("Turkey votes again", "elsewhere")])
    assert c.new == 1 and c.alerts == 0


def test_problems_go_to_rejected_once_with_a_count(db):
    e = Engine(build_watchlist(RAW))
    p = Problem("feed.jsonl", "invalid JSON on line 2", 2, "{x")
    ingest(db, e, [p])
    ingest(db, e, [p])
    [row] = db.query("select * from rejected")
    assert row["stage"] == "read" and row["times"] == 2 and row["line"] == 2


def test_alert_failing_schema_goes_to_rejected_and_run_continues(db, monkeypatch):
    e = Engine(build_watchlist(RAW))
    orig = e.alert_for

    def broken(article, **kw):
        alert = orig(article, **kw)
        if alert and "bad" in article.title:
            alert["severity"] = "apocalyptic"
        return alert

    monkeypatch.setattr(e, "alert_for", broken)
    c = ingest(db, e, [art("bad Haftar", "x"), art("good Haftar", "y")])
    assert c.alerts == 1 and c.rejected == 1
    [row] = db.query("select * from rejected where stage = 'validate'")
    assert "severity" in row["error"] and "apocalyptic" in row["record"]
    assert db.table("articles").count == 2  # the article itself is never lost


def test_rescan_adds_and_removes_after_watchlist_change(db):
    ingest(db, Engine(build_watchlist(RAW)),
           [art("Haftar speaks", "a"), art("Ceasefire talk in Libya", "b"), art("Dbeibah", "c")])
    assert db.table("alerts").count == 2
    raw2 = json.loads(json.dumps(RAW))
    raw2["actors"][0]["aliases"] = ["Dbeibah"]  # haftar now matches only "Dbeibah"
    res = rescan(db, Engine(build_watchlist(raw2)))
    assert len(res.added) == 1 and len(res.removed) == 1 and res.articles == 3
    current = db.execute("select count(*) from alerts where current = 1").fetchone()[0]
    assert current == 2
    # rescanning again changes nothing
    res = rescan(db, Engine(build_watchlist(raw2)))
    assert (res.added, res.removed, res.changed) == ([], [], [])


def test_database_uses_wal_and_migrations_are_idempotent(tmp_path):
    p = tmp_path / "x.db"
    open_db(p)
    db = open_db(p)
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert {"articles", "alerts", "alert_terms", "rejected", "runs"} <= set(db.table_names())


def test_concurrent_writers_never_fail_with_database_locked(project, tmp_path):
    # Two `monitor ingest` processes write one database at once, as daemon jobs
    # and a user's ingest do. Synthetic records, not news.
    import subprocess
    import sys

    from conftest import ROOT

    cfg = project()
    procs = []
    for n in range(2):
        f = tmp_path / f"synthetic{n}.jsonl"
        f.write_text("".join(json.dumps({"title": f"Synthetic {n}-{i}: Haftar in Libya",
                                         "text": f"Synthetic body {n} {i}. " * 30}) + "\n"
                             for i in range(1200)))
        procs.append(subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(cfg),
                                       "ingest", str(f)], cwd=ROOT, stderr=subprocess.PIPE,
                                      stdout=subprocess.PIPE, text=True))
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    db = open_db(tmp_path / "state" / "monitor.db")
    assert db.table("articles").count == 2400 and db.table("alerts").count == 2400


def test_seed_watcher_rereads_only_changed_files_and_retries_after_a_failure(project, tmp_path):
    from monitor.config import load_config
    from monitor.cycle import SeedWatcher

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text("Synthetic: Haftar in Libya\n\nbody")
    cfg = load_config(project(seeds=["seeds"]))
    db = open_db(cfg.database)
    engine = Engine(build_watchlist(RAW))
    w = SeedWatcher()
    db.conn.close()  # the first job fails: its file must not count as seen
    with pytest.raises(sqlite3.ProgrammingError):  # "Cannot operate on a closed database"
        w.run(db, cfg, engine)
    db = open_db(cfg.database)
    assert w.run(db, cfg, engine)["files"] == 1
    assert w.run(db, cfg, engine)["files"] == 0
    (seeds / "b.txt").write_text("Synthetic: a second file\n\nbody")
    assert w.run(db, cfg, engine)["files"] == 1
    assert db.table("articles").count == 2


def test_seed_watcher_records_a_pipe_in_the_folder_once(project, tmp_path):
    import os

    from monitor.config import load_config
    from monitor.cycle import SeedWatcher

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    os.mkfifo(seeds / "pipe.txt")
    (seeds / "a.txt").write_text("Synthetic: Haftar in Libya\n\nbody")
    cfg = load_config(project(seeds=["seeds"]))
    db = open_db(cfg.database)
    w = SeedWatcher()
    engine = Engine(build_watchlist(RAW))
    first = w.run(db, cfg, engine)
    assert (first["files"], first["problems"]) == (1, 1)
    assert w.run(db, cfg, engine)["problems"] == 0
    [row] = db.table("rejected").rows
    assert row["error"] == "not a regular file (named pipe); not read" and row["times"] == 1


def test_rescan_pages_through_the_articles_and_reports_progress(db, monkeypatch, tmp_path):
    # Synthetic articles: 7 flagged under the second watchlist, 6 under the first.
    items = [art(f"Report {i}", ("Haftar" if i % 2 else "Dbeibah") + f" in Libya {i}")
             for i in range(13)]
    ingest(db, Engine(build_watchlist(RAW)), items)
    raw2 = json.loads(json.dumps(RAW))
    raw2["actors"][0]["aliases"] = ["Dbeibah"]
    whole = open_db(tmp_path / "whole.db")  # the same rescan in one page, for comparison
    ingest(whole, Engine(build_watchlist(RAW)), items)
    one_page = rescan(whole, Engine(build_watchlist(raw2)))
    monkeypatch.setattr("monitor.rescan.BATCH", 5)
    seen: list[tuple[int, int]] = []
    res = rescan(db, Engine(build_watchlist(raw2)), lambda done, total: seen.append((done, total)))
    assert seen == [(5, 13), (10, 13), (13, 13)]  # three pages of at most 5
    assert res.articles == 13
    assert (sorted(res.added), sorted(res.removed)) == (sorted(one_page.added),
                                                        sorted(one_page.removed))
    assert len(res.added) == 7 and len(res.removed) == 6
    q = "select article_id from alerts where current = 1 order by article_id"
    assert db.execute(q).fetchall() == whole.execute(q).fetchall()

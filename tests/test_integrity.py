"""Never lose an article: identity, dates and per-item failures (the review's cases 1-3).

Every feed and record here is synthetic, written for these tests: not real news.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from localserver import Reply, rss
from sqlite_utils import Database

from monitor import schemas, search


def db_of(tmp_path: Path) -> Database:
    db = Database(tmp_path / "state" / "monitor.db")
    search.register(db.conn)  # the full-text index's triggers fold with monitor_fold()
    return db


def write_jsonl(path: Path, *records: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return path


def flagged(n: int, **kw: str) -> dict[str, str]:
    """Synthetic feed item n that the default watchlist flags."""
    return {"title": f"Synthetic item {n}: Haftar forces in Libya",
            "link": f"http://example.test/news/{n}", "guid": f"synthetic-{n}",
            "description": f"Synthetic text {n}: Haftar forces and a ceasefire near "
                           f"Tripoli, Libya. Story number {n} of the synthetic feed.", **kw}


# --- 1. distinct items never collapse into one --------------------------------------

def test_items_sharing_a_link_with_different_guids_stay_apart(poll, feedserver):
    home = "http://example.test/"  # a badly made feed: every item links to the home page
    items = [flagged(n, link=home) for n in range(3)]
    url = feedserver.route("/home.xml", Reply(body=rss("Synthetic", items)))
    p = poll([{"url": url, "name": "home"}])
    out = p.once()
    assert "feeds: 3 articles read, 3 new, 3 alerts" in out
    # Read again with one more item: the three are recognised, only the new one is new.
    feedserver.route("/home.xml", Reply(body=rss("Synthetic", [*items,
                                                               flagged(3, link=home)])))
    assert "feeds: 4 articles read, 1 new, 1 alerts" in p.once()
    db = p.db()
    assert db.table("articles").count == 4 and db.table("alerts").count == 4
    assert sorted(r["guid"].rsplit("/", 1)[-1] for r in db.query("select guid from articles")) \
        == [f"synthetic-{n}" for n in range(4)]


def test_one_url_from_two_feeds_is_still_one_article(poll, feedserver):
    a = feedserver.route("/a.xml", Reply(body=rss("A", [flagged(1, guid="feed-a-1")])))
    b = feedserver.route("/b.xml", Reply(body=rss("B", [flagged(1, guid="feed-b-1")])))
    p = poll([{"url": a, "name": "a"}, {"url": b, "name": "b"}])
    assert "feeds: 2 articles read, 1 new, 1 alerts" in p.once()
    assert p.db().table("rejected").count == 0  # the contract's merge: no warning


def test_record_ids_are_scoped_by_path_under_the_seed_root(project, run, tmp_path):
    seeds = tmp_path / "seeds"
    write_jsonl(seeds / "agency_a" / "items.jsonl",
                {"id": "1", "title": "Synthetic A: Haftar in Libya", "text": "Synthetic a."})
    write_jsonl(seeds / "agency_b" / "items.jsonl",
                {"id": "1", "title": "Synthetic B: Dbeibah in Libya", "text": "Synthetic b."})
    cfg = project(seeds=["seeds"])
    r = run("once", config=cfg)
    assert "seeds: 2 articles read, 2 new, 2 alerts" in r.output, r.output
    # The same folder through `monitor ingest`: the same ids, nothing new.
    r = run("ingest", str(seeds), config=cfg)
    assert "2 articles read, 0 new" in r.output, r.output
    assert db_of(tmp_path).table("articles").count == 2


def test_same_id_with_different_content_is_a_recorded_warning(project, run, tmp_path):
    f = write_jsonl(tmp_path / "in" / "dup.jsonl",
                    {"id": "7", "title": "Synthetic first: Haftar in Libya", "text": "One."},
                    {"id": "7", "title": "Synthetic second: Dbeibah in Libya", "text": "Two."})
    r = run("ingest", str(f), config=project())
    assert r.exit_code == 0 and "2 articles read, 1 new" in r.output, r.output
    assert "1 warnings" in r.output
    [w] = db_of(tmp_path).query("select * from rejected")
    assert w["level"] == "warning" and w["line"] == 2 and "dup.jsonl:1" in w["error"]
    assert "first is kept" in w["error"]


# --- 2. one bad date is that item's problem ------------------------------------------

def test_year_9999_date_costs_the_item_its_date_not_the_run(poll, feedserver):
    items = [flagged(1, pubDate="Fri, 31 Dec 9999 23:59:59 GMT"),
             flagged(2, pubDate="Tue, 26 Nov 2019 10:00:00 GMT")]
    url = feedserver.route("/dates.xml", Reply(body=rss("Synthetic", items)))
    p = poll([{"url": url, "name": "dates"}])
    out = p.once()
    assert "feeds: 2 articles read, 2 new, 2 alerts, 0 feeds failed" in out
    dates = {r["guid"].rsplit("/", 1)[-1]: r["published_at"]
             for r in p.db().query("select * from articles")}
    assert dates == {"synthetic-1": None, "synthetic-2": "2019-11-26T10:00:00Z"}
    [w] = p.db().query("select * from rejected")
    assert w["level"] == "warning" and "9999" in w["error"] and "1900-2100" in w["error"]
    h = p.health()["dates"]
    assert h["failures"] == 0 and h["last_success_at"]  # the feed's state was saved


def test_three_digit_year_is_dropped_not_written_unpadded(project, run, tmp_path):
    f = write_jsonl(tmp_path / "in" / "old.jsonl",
                    {"title": "Synthetic: Haftar in Libya", "text": "Synthetic.",
                     "published_at": "0202-05-01"})
    r = run("ingest", str(f), config=project())
    assert "1 alerts" in r.output and "0 rejected" in r.output, r.output
    db = db_of(tmp_path)
    [row] = db.query("select published_at from articles")
    assert row["published_at"] is None
    [alert] = db.query("select data from alerts")
    assert schemas.errors("alert", json.loads(alert["data"])) == []
    assert [w["level"] for w in db.query("select level from rejected")] == ["warning"]


def test_rfc2822_date_in_a_record_counts_like_the_iso_date(project, run, tmp_path):
    # "unity government" is the GNA before March 2021: the date must be read.
    body = "Synthetic text: the unity government in Tripoli, Libya, met on Monday."
    f = write_jsonl(tmp_path / "in" / "dated.jsonl",
                    {"id": "iso", "title": "Synthetic ISO", "text": body,
                     "published_at": "2019-11-26"},
                    {"id": "rfc", "title": "Synthetic RFC", "text": body,
                     "published_at": "Tue, 26 Nov 2019 10:00:00 +0000"})
    r = run("ingest", str(f), config=project())
    assert "2 alerts" in r.output, r.output
    db = db_of(tmp_path)
    got = {r["guid"]: (r["published_at"], [a["id"] for a in json.loads(r["data"])["actors"]])
           for r in db.query("select ar.guid, ar.published_at, al.data from articles ar "
                             "join alerts al on al.article_id = ar.id")}
    assert got["rfc"] == ("2019-11-26T10:00:00Z", ["gna"])
    assert got["iso"][1] == ["gna"]


def test_an_article_the_database_refuses_does_not_sink_its_batch(project, run, tmp_path):
    # A value SQLite refuses for one article only: a trigger of the test's own (real
    # SQLite, real refusal) rejects titles marked "odd"; the batch-mate is stored.
    f = tmp_path / "in" / "odd.jsonl"
    f.parent.mkdir()
    f.write_text('{"title": "Synthetic odd: Haftar in Libya", "text": "x"}\n'
                 '{"title": "Synthetic good: Haftar in Libya", "text": "Ceasefire."}\n')
    cfg = project()
    assert run("ingest", str(tmp_path / "none"), config=cfg).exit_code in (0, 1)  # creates it
    db = db_of(tmp_path)
    db.execute("create trigger refuse_odd before insert on articles "
               "when new.title like '%odd%' begin select raise(abort, 'synthetic refusal'); end")
    db.conn.commit()
    r = run("ingest", str(f), config=cfg)
    assert r.exit_code == 0
    assert "2 articles read, 1 new, 1 alerts, 1 problems" in r.output, r.output
    [p] = db_of(tmp_path).query("select * from rejected where stage = 'ingest'")
    assert p["line"] == 1 and "odd.jsonl" in p["source"] and "synthetic refusal" in p["error"]


def test_a_lone_surrogate_is_stored_replaced_not_refused(project, run, tmp_path):
    # A lone surrogate (legal JSON, not encodable as UTF-8) becomes U+FFFD at reading.
    f = tmp_path / "in" / "odd.jsonl"
    f.parent.mkdir()
    f.write_text('{"title": "Synthetic odd: Haftar in Libya \\ud800", "text": "x"}\n'
                 '{"title": "Synthetic good: Haftar in Libya", "text": "Ceasefire."}\n')
    r = run("ingest", str(f), config=project())
    assert r.exit_code == 0 and "2 articles read, 2 new" in r.output, r.output
    titles = [t for (t,) in db_of(tmp_path).execute("select title from articles")]
    assert any("\ufffd" in t for t in titles)


# --- 3. rescan keeps acks and stores what it reports ---------------------------------

@pytest.fixture
def acked(project, run, tmp_path):
    f = write_jsonl(tmp_path / "seeds" / "one.jsonl",
                    {"id": "1", "title": "Synthetic: Haftar forces in Libya",
                     "text": "Synthetic: Haftar forces clashed near Sirte.",
                     "published_at": "2020-01-12"})
    cfg = project(seeds=["seeds"])
    assert run("once", config=cfg).exit_code == 0
    [alert] = json.loads(run("digest", "--all", "--format", "json", config=cfg).output)
    assert run("digest", "--new", "--format", "json", config=cfg).exit_code == 0
    assert run("ack", alert["id"], config=cfg).exit_code == 0
    return cfg, f, alert


def test_rescan_under_a_new_watchlist_keeps_the_ack(acked, run, tmp_path):
    cfg, _, alert = acked
    cfg.write_text(cfg.read_text().replace('"Sirte"', '"Sirte", "Synthetic-town"', 1))
    r = run("rescan", config=cfg)
    assert r.exit_code == 0, r.output
    db = db_of(tmp_path)
    [cur] = db.query("select * from alerts where current = 1")
    assert cur["id"] != alert["id"]  # a new watchlist version: a new alert
    assert cur["acked_at"] and cur["shown_at"]
    assert json.loads(run("digest", "--all", "--format", "json", config=cfg).output) == []


def test_rescan_stores_a_changed_decision_under_the_same_version(acked, run, tmp_path):
    cfg, f, alert = acked
    db = db_of(tmp_path)
    # The article as stored before a reader change: same id, another date (RFC 2822 used
    # to be dropped), so the date-bounded alias now decides differently. Simulated by
    # editing the stored text, as an older version of the monitor would have stored it.
    with db.conn:
        db.execute("update articles set text = text || ' The unity government met.'")
    r = run("rescan", config=cfg)
    assert "1 changed" in r.output, r.output
    [cur] = db.query("select * from alerts where current = 1")
    data = json.loads(cur["data"])
    assert cur["id"] == alert["id"] and "gna" in [a["id"] for a in data["actors"]]
    terms = {t["term_id"] for t in db.query("select term_id from alert_terms")}
    assert "gna" in terms and cur["acked_at"]
    assert "0 changed" in run("rescan", config=cfg).output  # stored: nothing left to change

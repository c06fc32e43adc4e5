"""Undated articles: date-bounded aliases go by the day the monitor first saw them.

Every record here is SYNTHETIC test data written below, not news.
"""

from __future__ import annotations

import json

from conftest import default_raw_config

from monitor.store import open_db

TEXT = "Synthetic: Libya's unity government met officials in Tripoli about the ceasefire."


def _actors(db, title):
    data = db.execute("select a.data from alerts a join articles r on r.id = a.article_id "
                      "where r.title = ? and a.current = 1", [title]).fetchone()
    return {x["id"] for x in json.loads(data[0])["actors"]} if data else set()


def test_undated_article_uses_its_first_seen_day(project, run, tmp_path):
    f = tmp_path / "synthetic.jsonl"
    f.write_text(json.dumps({"title": "Undated", "text": TEXT}) + "\n"
                 + json.dumps({"title": "Dated 2016", "text": TEXT,
                               "published_at": "2016-05-01T00:00:00Z"}) + "\n", "utf-8")
    cfg = project()
    assert run("ingest", str(f), config=cfg).exit_code == 0
    db = open_db(tmp_path / "state" / "monitor.db")
    # Seen today (after March 2021): the unity government is the GNU.
    assert "gnu" in _actors(db, "Undated") and "gna" not in _actors(db, "Undated")
    assert "gna" in _actors(db, "Dated 2016") and "gnu" not in _actors(db, "Dated 2016")
    # Rescan (under a new watchlist version) goes by the stored first-seen day, not by
    # the day of the rescan.
    db.execute("update articles set first_seen_at = '2017-01-02T03:04:05Z' "
               "where title = 'Undated'")
    db.conn.commit()
    wl = default_raw_config()["watchlist"]
    wl["events"] = [e for e in wl["events"] if e["id"] != "disaster"]  # a new version
    cfg = project(watchlist=wl)
    assert run("rescan", config=cfg).exit_code == 0
    assert "gna" in _actors(db, "Undated") and "gnu" not in _actors(db, "Undated")

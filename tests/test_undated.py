"""Undated articles and date-bounded aliases: a feed item goes by the day first seen.

Every record and feed here is SYNTHETIC test data written below, not news.
"""

from __future__ import annotations

import json

from conftest import default_raw_config
from localserver import Reply, rss

from monitor.store import open_db

TEXT = "Synthetic: Libya's unity government met officials in Tripoli about the ceasefire."


def _actors(db, title):
    data = db.execute("select a.data from alerts a join articles r on r.id = a.article_id "
                      "where r.title = ? and a.current = 1", [title]).fetchone()
    return {x["id"] for x in json.loads(data[0])["actors"]} if data else set()


def test_undated_feed_item_uses_its_first_seen_day(feedserver, project, run, tmp_path):
    undated = {"title": "Undated item", "link": "http://example.test/u", "guid": "u",
               "description": TEXT}  # no pubDate
    url = feedserver.route("/f", Reply(200, rss("Synthetic", [undated])))
    f = tmp_path / "synthetic.jsonl"
    f.write_text(json.dumps({"title": "Undated file", "text": TEXT + " File."}) + "\n"
                 + json.dumps({"title": "Dated 2016", "text": TEXT + " Old.",
                               "published_at": "2016-05-01T00:00:00Z"}) + "\n", "utf-8")
    cfg = project(feeds=[{"url": url, "name": "synthetic"}])
    assert run("once", config=cfg).exit_code == 0
    assert run("ingest", str(f), config=cfg).exit_code == 0
    db = open_db(tmp_path / "state" / "monitor.db")
    # Seen today (after March 2021), from a feed: the unity government is the GNU.
    assert "gnu" in _actors(db, "Undated item") and "gna" not in _actors(db, "Undated item")
    assert "gna" in _actors(db, "Dated 2016") and "gnu" not in _actors(db, "Dated 2016")
    # An undated file may be an old archive: the date-dependent alias names no one.
    assert not {"gna", "gnu"} & _actors(db, "Undated file")
    # Rescan (under a new watchlist version) goes by the stored first-seen day, not by
    # the day of the rescan.
    db.execute("update articles set first_seen_at = '2017-01-02T03:04:05Z' "
               "where title = 'Undated item'")
    db.conn.commit()
    wl = default_raw_config()["watchlist"]
    wl["events"] = [e for e in wl["events"] if e["id"] != "disaster"]  # a new version
    cfg = project(feeds=[{"url": url, "name": "synthetic"}], watchlist=wl)
    assert run("rescan", config=cfg).exit_code == 0
    assert "gna" in _actors(db, "Undated item") and "gnu" not in _actors(db, "Undated item")
